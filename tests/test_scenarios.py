"""Scenario overrides: targets, coercion, precedence and errors."""

import pytest
from factories import site, tiny_problem, town

from optimizer.config import RunSettings
from optimizer.errors import ScenarioError
from optimizer.workbook.scenarios import (
    Override,
    apply_overrides,
    parse_assignment,
    read_toml_scenarios,
    valid_targets,
)


@pytest.fixture
def problem():
    return tiny_problem(
        [town("13201", population=1000, population_75plus=100), town("13202", lon=139.05)],
        [
            site("L-1", "library", "13201", capacity=5000, annual_cost=2e6),
            site("C.7", "care", "13202", capacity=50, annual_cost=3e6),
        ],
        types={"library": {}, "care": {"demand_basis": "population_75plus"}},
    )


def apply(problem, *assignments):
    return apply_overrides(problem, [parse_assignment(a) for a in assignments])


def test_parameter_override_is_coerced(problem):
    changed = apply(problem, "parameters.discount_rate=0.03", "parameters.fairness=いいえ")
    assert changed.parameters.discount_rate == 0.03
    assert changed.parameters.fairness is False
    assert problem.parameters.fairness is True  # the original is untouched


def test_type_column_override_accepts_full_width_digits(problem):
    changed = apply(problem, "facility_types.library.max_distance_km=１２")
    assert changed.facility_types.loc["library", "max_distance_km"] == 12.0


def test_facility_status_override_with_a_dotted_id(problem):
    changed = apply(problem, "facilities.C.7.status=close")
    assert changed.facilities.loc["C.7", "status"] == "close"


def test_cost_override_recomputes_annual_cost(problem):
    changed = apply(problem, "facilities.L-1.annual_operating_cost=5000000")
    assert changed.facilities.loc["L-1", "annual_cost"] == pytest.approx(5e6)


def test_demand_growth_scales_the_basis_population(problem):
    changed = apply(problem, "growth.population_75plus=0.3")
    assert changed.municipalities.loc["13201", "population_75plus"] == 130
    assert changed.demand.loc["13201", "care"] == pytest.approx(130)
    assert changed.demand.loc["13201", "library"] == problem.demand.loc["13201", "library"]


def test_rules_overrides_add_and_remove_pairs(problem):
    banned = apply(problem, "rules.no_cooperation=13202,13201")
    assert banned.rules.banned_pairs == {("13201", "13202")}
    allowed = apply(banned, "rules.allow_cooperation=13201-13202")
    assert allowed.rules.banned_pairs == frozenset()
    kept = apply(problem, "rules.keep_own=13202,library")
    assert ("13202", "library") in kept.rules.keep_own


def test_later_override_wins(problem):
    overrides = [
        Override("parameters.mip_gap", "0.01", "scenario s"),
        Override("parameters.mip_gap", "0.002", "command line"),
    ]
    assert apply_overrides(problem, overrides).parameters.mip_gap == 0.002


def test_applied_overrides_are_recorded(problem):
    changed = apply(problem, "parameters.discount_rate=0.03")
    assert changed.source["overrides"] == ["parameters.discount_rate=0.03 (command line)"]


@pytest.mark.parametrize(
    "assignment, suggestion",
    [
        ("parameters.discount_rat=0.1", "parameters.discount_rate"),
        ("facility_types.libary.max_distance_km=5", "facility_types.library.max_distance_km"),
        ("facilities.L-1.statu=keep", "facilities.L-1.status"),
        ("growth.population75plus=0.1", "growth.population_75plus"),
    ],
)
def test_misspelt_target_names_it_and_suggests_the_closest(problem, assignment, suggestion):
    with pytest.raises(ScenarioError) as raised:
        apply(problem, assignment)
    assert assignment.split("=")[0] in str(raised.value)
    assert suggestion in str(raised.value)


@pytest.mark.parametrize(
    "assignment, fragment",
    [
        ("parameters.discount_rate=abc", "expected a number"),
        ("parameters.discount_rate=-1", "between 0 and 0.5"),
        ("facilities.L-1.status=open", "expected one of keep, close, free"),
        ("rules.no_cooperation=13201", "two codes"),
        ("rules.no_cooperation=13201,99999", "unknown municipality"),
    ],
)
def test_bad_values_are_errors(problem, assignment, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        apply(problem, assignment)


def test_assignment_needs_an_equals_sign():
    with pytest.raises(ScenarioError, match="key=value"):
        parse_assignment("parameters.discount_rate")


def test_valid_targets_cover_every_family(problem):
    targets = set(valid_targets(problem))
    assert "parameters.agreement_fixed_cost" in targets
    assert "facility_types.care.max_distance_km" in targets
    assert "facilities.L-1.status" in targets
    assert "municipalities.13202.may_share" in targets
    assert "growth.population_75plus" in targets


def test_toml_scenarios(tmp_path, problem):
    path = tmp_path / "what-if.toml"
    path.write_text(
        '[short]\n"facility_types.library.max_distance_km" = 5\n'
        "[cheap.parameters]\nagreement_fixed_cost = 0\n",
        encoding="utf-8",
    )
    scenarios = read_toml_scenarios(path)
    assert set(scenarios) == {"short", "cheap"}
    assert apply_overrides(problem, scenarios["cheap"]).parameters.agreement_fixed_cost == 0.0
    assert (
        apply_overrides(problem, scenarios["short"]).facility_types.loc[
            "library", "max_distance_km"
        ]
        == 5.0
    )


def test_precedence_command_line_over_scenario_over_workbook(tmp_path, problem):
    from optimizer.runs.pipeline import scenario_overrides_for

    path = tmp_path / "s.toml"
    path.write_text('[s]\n"parameters.mip_gap" = 0.01\n', encoding="utf-8")
    settings = RunSettings(
        scenario="s", scenario_file=path, overrides=("parameters.mip_gap=0.002",)
    )
    overrides = scenario_overrides_for(problem, settings)
    assert [o.source.split(" ")[0] for o in overrides] == ["scenario", "command"]
    assert apply_overrides(problem, overrides).parameters.mip_gap == 0.002
    settings = RunSettings(scenario="s", scenario_file=path)
    assert (
        apply_overrides(problem, scenario_overrides_for(problem, settings)).parameters.mip_gap
        == 0.01
    )
    assert problem.parameters.mip_gap == 0.0001  # the workbook's (default) value


def test_unknown_scenario_is_named(problem):
    from optimizer.runs.pipeline import scenario_overrides_for

    with pytest.raises(ScenarioError, match="unknown scenario 'nope'"):
        scenario_overrides_for(problem, RunSettings(scenario="nope"))
