"""Sweeps: settings per point, the command, and the Dask path on a real LocalCluster."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from small_area import write_small_area

from optimizer.cli import cli
from optimizer.config import RunSettings
from optimizer.runs.compare import executor_for, run_many
from optimizer.runs.sweep import grid_points, parse_axis, sweep_settings, sweep_table

AXIS = "facility_types.library.max_distance_km=8,10"


@pytest.fixture(scope="module")
def area(tmp_path_factory):
    return write_small_area(tmp_path_factory.mktemp("area") / "area.xlsx")


def test_sweep_settings_add_each_point_to_the_base_overrides():
    base = RunSettings(overrides=("parameters.mip_gap=0.01",))
    runs = sweep_settings(base, grid_points([parse_axis(AXIS)]))
    assert [point for _, point in runs] == [
        {"#": 1, "facility_types.library.max_distance_km": "8"},
        {"#": 2, "facility_types.library.max_distance_km": "10"},
    ]
    settings = runs[0][0]
    assert settings.overrides == (
        "parameters.mip_gap=0.01",
        "facility_types.library.max_distance_km=8",
    )
    assert (settings.write_outputs, settings.documents, settings.shapley) == (False, False, "off")


def _sweep(area, executor):
    runs = sweep_settings(RunSettings(), grid_points([parse_axis(AXIS)]))
    messages = []
    results = run_many(area, runs, executor, progress=messages.append)
    return sweep_table(results), messages


def test_sweep_through_a_dask_local_cluster(area):
    """The Dask path for real: a LocalCluster started here, its scheduler's address
    given to executor_for as --scheduler would be, results equal to one process."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        with executor_for(cluster.scheduler_address, 2) as executor:
            assert type(executor).__name__ == "ClientExecutor"
            on_dask, messages = _sweep(area, executor)
    assert cluster.status.name == "closed"
    assert len(messages) == 2 and messages[-1].startswith("2/2")
    with executor_for(None, 1) as executor:
        local, _ = _sweep(area, executor)
    assert on_dask["scenario"].tolist() == ["base #1", "base #2"]
    assert (on_dask["status"] == "optimal").all()
    pd.testing.assert_series_equal(on_dask["cost_after"], local["cost_after"], rtol=1e-6)
    cost = on_dask.set_index("set facility_types.library.max_distance_km")["cost_after"]
    assert cost["8"] > cost["10"]  # a shorter reach can only cost more


def test_unreachable_scheduler_is_a_clear_error():
    pytest.importorskip("distributed")
    from optimizer.errors import OptimizerError

    with pytest.raises(OptimizerError, match="cannot reach the Dask scheduler"):
        with executor_for("tcp://127.0.0.1:1", 1, connect_timeout_s=1):
            pass


def test_sweep_command_writes_the_table(area, tmp_path):
    out = tmp_path / "sweep.csv"
    outcome = CliRunner().invoke(
        cli,
        ["sweep", str(area), "--axis", "growth.population_75plus=0,0.5", "--random", "2"]
        + ["--seed", "1", "--processes", "1", "--output", str(out), "--quiet", "--lang", "en"],
    )
    assert outcome.exit_code == 0, outcome.output
    table = pd.read_csv(out)
    assert table["scenario"].tolist() == ["base #1", "base #2"]
    growth = table["set growth.population_75plus"]
    assert ((growth >= 0) & (growth <= 0.5)).all()
    assert "per minute" in outcome.output
