"""load_run: a run folder read back into the tables of the plan."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from small_area import write_small_area

import optimizer
from optimizer.config import RunSettings
from optimizer.errors import OptimizerError
from optimizer.runs.compare import summarise
from optimizer.runs.load import TABLE_COLUMNS, load_run
from optimizer.runs.pipeline import run

TABLES = ("facilities", "flows", "point_flows", "agreements", "unserved", "municipal_costs")


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("load-run")
    workbook = write_small_area(folder / "area.xlsx")
    settings = RunSettings(output_root=folder / "out", shapley="off", documents=False, processes=1)
    return run(workbook, settings)


def test_load_run_is_public():
    assert optimizer.load_run is load_run


@pytest.mark.parametrize("name", TABLES)
def test_each_table_reads_back_as_the_solution_states_it(result, name):
    record = load_run(result.folder)
    expected = getattr(result.solution, name)
    loaded = getattr(record, name)
    assert list(loaded.columns) == list(expected.columns)
    assert list(loaded.index.astype(str)) == list(expected.index.astype(str))
    pd.testing.assert_frame_equal(
        loaded,
        expected,
        check_dtype=False,
        check_index_type=False,
        check_column_type=False,
        rtol=1e-10,
    )


def test_the_outcome_and_the_headline_figures_read_back(result):
    record = load_run(str(result.folder))
    outcome = result.solution.outcome
    assert record.status == outcome.status.value == record.manifest["status"]
    assert record.outcome["gap"] == pytest.approx(outcome.gap, abs=1e-12)
    assert record.objective == pytest.approx(result.solution.objective, rel=1e-11)
    summary = summarise("base", result)
    figures = record.figures
    assert figures["cost_before"] == pytest.approx(summary.cost_before, rel=1e-11)
    assert figures["cost_after"] == pytest.approx(summary.cost_after, rel=1e-11)
    assert figures["saving"] == pytest.approx(summary.saving, rel=1e-9)
    assert figures["agreements"] == len(summary.agreements)
    decisions = result.solution.facilities["decision"].value_counts()
    assert figures["facilities"]["keep"] == decisions.get("keep", 0)
    assert figures["facilities"]["close"] == decisions.get("close", 0)
    assert figures["status"] == outcome.status.value


def test_an_empty_table_keeps_its_columns(result):
    record = load_run(result.folder)
    assert record.unserved.empty  # the small area serves everyone
    assert list(record.unserved.columns) == list(TABLE_COLUMNS["unserved"])
    assert record.figures["unserved_demand"] == 0.0


def test_a_folder_without_its_manifest_is_not_a_completed_run(result, tmp_path):
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "solution.json").write_bytes((result.folder / "solution.json").read_bytes())
    with pytest.raises(OptimizerError, match="manifest.json is missing"):
        load_run(partial)


def test_a_damaged_solution_file_is_named(result, tmp_path):
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "manifest.json").write_bytes((result.folder / "manifest.json").read_bytes())
    (damaged / "solution.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(OptimizerError, match="solution.json"):
        load_run(damaged)


def test_null_reads_back_as_nan(result, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "manifest.json").write_bytes((result.folder / "manifest.json").read_bytes())
    document = json.loads((result.folder / "solution.json").read_text(encoding="utf-8"))
    document["flows"][0]["distance_km"] = None
    (copy / "solution.json").write_text(json.dumps(document), encoding="utf-8")
    flows = load_run(copy).flows
    assert pd.isna(flows["distance_km"].iloc[0])
    assert flows["distance_km"].dtype == float
