"""Cost allocation on hand-built plans (and on solved tiny problems when the solver exists).

``hand_built_case`` builds a ProblemData and a Solution from a short list of facilities
and flows, with the plan's accounting written out so each number can be checked by hand:
it is also used by tests/test_terms.py and tests/test_documents.py.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from factories import site, three_city_problem, tiny_problem, town
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.errors import SolverError
from optimizer.problem.data import Parameters, ProblemData, demand_matrix
from optimizer.results.outcome import SolveOutcome, Status
from optimizer.results.solution import Solution
from optimizer.sharing.allocation import allocate, formula_split, usage_shares, usage_split
from optimizer.solving.solve import solve_problem
from optimizer.solving.standalone import coalition_cost

TYPES = pd.DataFrame(
    {
        "name_ja": ["図書館", "文化ホール", "特別養護老人ホーム"],
        "demand_basis": ["population", "population", "population_75plus"],
        "demand_per_person": [3.0, 0.01, 0.02],
        "capacity_unit": ["visits/year", "seats", "beds"],
        "max_distance_km": [10.0, 20.0, 15.0],
    },
    index=pd.Index(["library", "hall", "care"], name="type"),
)

NAMES = {"01001": "甲市", "01002": "乙町", "01003": "丙村"}

FACILITIES = [
    # id, name, type, host, capacity, annual cost [yen/year]
    ("L1", "甲市立中央図書館", "library", "01001", 420_000, 210_000_000),
    ("H1", "乙町民文化ホール", "hall", "01002", 1_400, 280_000_000),
    ("C1", "甲市立特別養護老人ホーム", "care", "01001", 300, 900_000_000),
    ("C2", "丙村立特別養護老人ホーム", "care", "01003", 200, 500_000_000),
]

FLOWS = [
    # municipality, facility, demand [unit], travel cost [yen/year]
    ("01001", "L1", 300_000, 2_000_000),
    ("01002", "L1", 90_000, 3_000_000),
    ("01003", "L1", 30_000, 2_000_000),
    ("01001", "H1", 1_000, 3_000_000),
    ("01002", "H1", 300, 1_000_000),
    ("01003", "H1", 100, 1_000_000),
    ("01001", "C1", 300, 0),
    ("01002", "C2", 100, 4_000_000),
    ("01003", "C2", 40, 3_000_000),
]

STANDALONE = {"01001": 1_400_000_000, "01002": 600_000_000, "01003": 450_000_000}


def hand_built_case(
    names: dict[str, str] | None = None,
    populations: dict[str, tuple[int, int]] | None = None,
    facilities=FACILITIES,
    flows=FLOWS,
    standalone: dict[str, float] | None = None,
    agreement_fixed_cost: float = 2_000_000.0,
):
    """A ProblemData and a Solution whose accounting follows the plan's payment rule.

    A user pays the host unit cost × demand, unit cost = annual cost ÷ capacity; each
    party of an agreement bears half its fixed cost.
    """
    names = names or NAMES
    codes = list(names)
    populations = populations or {
        "01001": (100_000, 15_000),
        "01002": (30_000, 5_000),
        "01003": (10_000, 2_000),
    }
    standalone = standalone or STANDALONE
    municipalities = pd.DataFrame(
        {
            "name": [names[c] for c in codes],
            "lat": 35.0,
            "lon": 139.0,
            "population": [populations[c][0] for c in codes],
            "population_75plus": [populations[c][1] for c in codes],
            "may_share": True,
            "capital_budget": np.nan,
        },
        index=pd.Index(codes, name="code"),
    )
    fac = pd.DataFrame(
        facilities, columns=["id", "name", "type", "municipality", "capacity", "annual_cost"]
    ).set_index("id")
    fac["annual_cost"] = fac["annual_cost"].astype(float)
    fac["capacity"] = fac["capacity"].astype(float)
    problem = ProblemData(
        municipalities=municipalities,
        facility_types=TYPES,
        facilities=fac,
        demand=demand_matrix(municipalities, TYPES),
        parameters=Parameters(area_name="テスト圏域", agreement_fixed_cost=agreement_fixed_cost),
    )
    flow = pd.DataFrame(flows, columns=["municipality", "facility", "demand", "travel_cost"])
    flow["type"] = fac.loc[flow["facility"], "type"].to_numpy()
    flow["host"] = fac.loc[flow["facility"], "municipality"].to_numpy()
    flow["unit_cost"] = (fac["annual_cost"] / fac["capacity"]).loc[flow["facility"]].to_numpy()
    flow["payment"] = np.where(
        flow["municipality"] != flow["host"], flow["demand"] * flow["unit_cost"], 0.0
    )
    total_demand = problem.demand.stack()
    flow["share"] = [
        d / total_demand[(m, k)]
        for m, k, d in zip(flow["municipality"], flow["type"], flow["demand"], strict=True)
    ]
    flow["distance_km"] = 5.0
    pairs = sorted(
        {
            tuple(sorted((m, h)))
            for m, h in zip(flow["municipality"], flow["host"], strict=True)
            if m != h
        }
    )
    agreements = pd.DataFrame(pairs, columns=["a", "b"])
    partners = pd.Series(0, index=codes)
    for a, b in pairs:
        partners[a] += 1
        partners[b] += 1
    costs = pd.DataFrame(index=pd.Index(codes, name="code"))
    costs["standalone_cost"] = pd.Series(standalone, dtype=float)
    costs["own_facilities"] = fac.groupby("municipality")["annual_cost"].sum().reindex(codes)
    costs["own_facilities"] = costs["own_facilities"].fillna(0.0)
    costs["payments_out"] = flow.groupby("municipality")["payment"].sum().reindex(codes).fillna(0)
    costs["payments_in"] = flow.groupby("host")["payment"].sum().reindex(codes).fillna(0.0)
    costs["travel"] = flow.groupby("municipality")["travel_cost"].sum().reindex(codes).fillna(0)
    costs["agreements"] = partners * agreement_fixed_cost / 2
    costs["unserved"] = 0.0
    costs["plan_cost"] = (
        costs["own_facilities"]
        + costs["payments_out"]
        - costs["payments_in"]
        + costs["travel"]
        + costs["agreements"]
    )
    costs["saving"] = costs["standalone_cost"] - costs["plan_cost"]
    facility_table = fac.assign(
        is_candidate=False,
        status="free",
        decision="keep",
        open=True,
        served=flow.groupby("facility")["demand"].sum().reindex(fac.index).fillna(0.0),
    )
    facility_table["utilisation"] = facility_table["served"] / facility_table["capacity"]
    solution = Solution(
        outcome=SolveOutcome(
            status=Status.OPTIMAL,
            objective=float(costs["plan_cost"].sum()),
            bound=float(costs["plan_cost"].sum()),
            gap=0.0,
            seconds=0.0,
            solver="HiGHS",
            message="Optimal",
            pulp_status=1,
            pulp_sol_status=1,
        ),
        facilities=facility_table,
        flows=flow,
        agreements=agreements,
        unserved=pd.DataFrame(columns=["municipality", "type", "demand"]),
        municipal_costs=costs,
        objective=float(costs["plan_cost"].sum()),
    )
    return problem, solution


def pooled_cost(standalone: dict[str, float], rate: float, members: frozenset) -> float:
    """A synthetic coalition cost: pooling saves ``rate`` per extra member, capped at 50 %."""
    if not members:
        return 0.0
    discount = min(0.5, rate * (len(members) - 1))
    return sum(standalone[m] for m in members) * (1.0 - discount)


# --------------------------------------------------------------------------- hand-built


def test_municipal_costs_and_payments_of_the_hand_built_plan():
    problem, solution = hand_built_case()
    allocation = allocate(problem, solution, shapley="off")
    m = allocation.municipalities
    assert m.loc["01001", "plan_cost"] == 1_257_000_000
    assert m.loc["01002", "plan_cost"] == 365_000_000
    assert m.loc["01003", "plan_cost"] == 293_000_000
    assert m.loc["01002", "saving"] == 235_000_000
    assert m.loc["01002", "saving_pct"] == pytest.approx(235 / 600 * 100)
    assert m.loc["01001", "name"] == "甲市"

    p = allocation.payments.set_index(["payer", "facility"])
    assert p.loc[("01002", "C2"), "amount"] == 250_000_000
    assert p.loc[("01002", "C2"), "unit_cost"] == 2_500_000
    assert p.loc[("01002", "C2"), "capacity_unit"] == "beds"
    assert p.loc[("01001", "H1"), "amount"] == 200_000_000
    assert len(allocation.payments) == 5  # own use is never a payment

    flows = allocation.pair_flows.set_index(["a", "b"])
    assert flows.loc[("01001", "01002"), "a_to_b"] == 200_000_000
    assert flows.loc[("01001", "01002"), "b_to_a"] == 45_000_000
    assert flows.loc[("01001", "01002"), "net"] == 155_000_000
    assert flows.loc[("01002", "01003"), "net"] == 250_000_000 - 20_000_000


def test_alternatives_all_charge_the_total_and_flag_excess():
    problem, solution = hand_built_case()
    standalone = {k: float(v) for k, v in STANDALONE.items()}
    allocation = allocate(
        problem,
        solution,
        shapley="exact",
        processes=1,
        coalition_cost=lambda s: pooled_cost(standalone, 0.1, s),
    )
    alt = allocation.alternatives
    standalone_cost = allocation.municipalities["standalone_cost"]
    total = 1_915_000_000
    for method in ("plan", "formula", "usage", "shapley"):
        assert alt[method].sum() == pytest.approx(total), method
    assert not alt["plan_exceeds_standalone"].any()
    # each flag says exactly whether that method charges more than going alone
    for method in ("formula", "usage", "shapley"):
        assert (alt[f"{method}_exceeds_standalone"] == (alt[method] > standalone_cost + 1)).all()
    assert allocation.notes["shapley_method"] == "exact"
    assert "core" in allocation.notes


def test_formula_split_by_hand():
    population = pd.Series({"a": 300.0, "b": 100.0})
    usage = pd.Series({"a": 0.5, "b": 0.5})
    split = formula_split(1000.0, population, usage, (0.1, 0.45, 0.45))
    assert split["a"] == pytest.approx(1000 * (0.05 + 0.45 * 0.75 + 0.45 * 0.5))
    assert split["b"] == pytest.approx(1000 * (0.05 + 0.45 * 0.25 + 0.45 * 0.5))
    # weights that do not add up to 1 are normalised
    assert formula_split(1000.0, population, usage, (1, 4.5, 4.5)).tolist() == pytest.approx(
        split.tolist()
    )


def test_usage_split_shares_the_saving():
    standalone = pd.Series({"a": 600.0, "b": 400.0})
    split = usage_split(standalone, 800.0, pd.Series({"a": 0.75, "b": 0.25}))
    assert split.to_dict() == pytest.approx({"a": 450.0, "b": 350.0})


def test_usage_shares_weight_demand_by_unit_cost():
    problem, solution = hand_built_case()
    shares = usage_shares(problem, solution)
    assert shares.sum() == pytest.approx(1.0)
    value_01002 = 90_000 * 500 + 300 * 200_000 + 100 * 2_500_000
    total = 420_000 * 500 + 1_400 * 200_000 + 300 * 3_000_000 + 140 * 2_500_000
    assert shares["01002"] == pytest.approx(value_01002 / total)


def test_sampled_shapley_is_stated_with_its_error():
    problem, solution = hand_built_case()
    standalone = {k: float(v) for k, v in STANDALONE.items()}
    allocation = allocate(
        problem,
        solution,
        shapley="sampled",
        samples=30,
        seed=3,
        processes=1,
        coalition_cost=lambda s: pooled_cost(standalone, 0.1, s),
    )
    assert allocation.notes["shapley_samples"] == 30
    assert set(allocation.notes["shapley_standard_error"]) == set(problem.codes)
    assert "standard error" in allocation.notes["shapley"]
    assert allocation.alternatives["shapley"].sum() == pytest.approx(1_915_000_000)
    assert allocation.notes["core"].startswith("Core not checked")


def test_negative_shares_are_named():
    """A huge stand-alone cost (e.g. a penalty for unserved demand) makes the usage split
    hand the others a negative cost."""
    standalone = dict(STANDALONE, **{"01003": 20_000_000_000})
    problem, solution = hand_built_case(standalone=standalone)
    allocation = allocate(problem, solution, shapley="off")
    assert allocation.notes["negative_shares"]["usage"] == ["01001", "01002"]
    assert allocation.notes["negative_shares"]["plan"] == []
    assert "negative" in allocation.notes


def test_a_coalition_without_a_plan_leaves_shapley_out_but_keeps_the_rest():
    problem, solution = hand_built_case()

    def cost(members):
        raise SolverError("coalition 01001, 01002: no plan on its own (infeasible)")

    allocation = allocate(problem, solution, shapley="exact", processes=1, coalition_cost=cost)
    assert allocation.alternatives["shapley"].isna().all()
    assert not allocation.alternatives["shapley_exceeds_standalone"].any()
    assert "no plan on its own" in allocation.notes["shapley"]
    assert allocation.alternatives["plan"].sum() == pytest.approx(1_915_000_000)


def test_unknown_shapley_mode_is_refused():
    problem, solution = hand_built_case()
    with pytest.raises(ValueError, match="shapley"):
        allocate(problem, solution, shapley="fast")


def test_an_empty_core_is_reported():
    """Three municipalities, any two of which can share for the cost of one."""
    problem, solution = hand_built_case()
    values = {1: None, 2: 0.6e9, 3: 1.915e9}

    def cost(members):
        return values[len(members)] if len(members) > 1 else float(STANDALONE[next(iter(members))])

    allocation = allocate(problem, solution, shapley="exact", processes=1, coalition_cost=cost)
    assert allocation.notes["core_empty"] is True
    assert allocation.notes["least_core_epsilon"] > 0
    assert "nobody" in allocation.notes["core"] or "no municipality" in allocation.notes["core"]


# --------------------------------------------------------------------------- properties


@st.composite
def symmetric_cases(draw):
    """A hub hosting every facility, plus 'twin' users identical in every respect."""
    twins = draw(st.integers(2, 4))
    hub_pop = draw(st.integers(20_000, 200_000))
    twin_pop = draw(st.integers(1_000, 50_000))
    codes = ["10000", *[f"1{k:04d}" for k in range(1, twins + 1)]]
    pops = {c: (hub_pop if c == "10000" else twin_pop, 0) for c in codes}
    pops = {c: (p, p // 6) for c, (p, _) in pops.items()}
    demand = {
        c: {"library": 3.0 * p, "hall": 0.01 * p, "care": 0.02 * (p // 6)}
        for c, (p, _) in pops.items()
    }
    cost_per_unit = {
        "library": draw(st.integers(100, 2_000)),
        "hall": draw(st.integers(50_000, 300_000)),
        "care": draw(st.integers(1_000_000, 5_000_000)),
    }
    ids = {"library": "L", "hall": "H", "care": "C"}
    facilities = []
    for k, fid in ids.items():
        capacity = sum(d[k] for d in demand.values())
        facilities.append((fid, f"{k} hub", k, "10000", capacity, capacity * cost_per_unit[k]))
    travel = draw(st.integers(0, 5_000_000))
    flows = [(c, ids[k], demand[c][k], 0 if c == "10000" else travel) for c in codes for k in ids]
    solo_markup = draw(st.floats(1.05, 2.0))
    standalone = {c: solo_markup * sum(demand[c][k] * cost_per_unit[k] for k in ids) for c in codes}
    names = {c: f"町{c}" for c in codes}
    return hand_built_case(
        names=names, populations=pops, facilities=facilities, flows=flows, standalone=standalone
    ), standalone


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(symmetric_cases(), st.floats(0.0, 0.2))
def test_shares_add_up_and_twins_pay_the_same(case, rate):
    (problem, solution), standalone = case
    allocation = allocate(
        problem,
        solution,
        shapley="exact",
        processes=1,
        coalition_cost=lambda s: pooled_cost(standalone, rate, s),
    )
    alt = allocation.alternatives
    total = float(solution.municipal_costs["plan_cost"].sum())
    twins = [c for c in problem.codes if c != "10000"]
    for method in ("plan", "formula", "usage", "shapley"):
        assert alt[method].sum() == pytest.approx(total, rel=1e-9), method
        values = alt.loc[twins, method].to_numpy()
        assert np.allclose(values, values[0], rtol=1e-9), method
    m = allocation.municipalities
    assert (m["saving"] == m["standalone_cost"] - alt["plan"]).all()
    assert set(alt.columns) == {
        *("plan", "formula", "usage", "shapley"),
        *(f"{k}_exceeds_standalone" for k in ("plan", "formula", "usage", "shapley")),
    }


# --------------------------------------------------------------------------- real solver


def solved(problem):
    return solve_problem(problem, processes=1)


def test_three_identical_towns_pay_the_same_under_every_method():
    problem = three_city_problem(fairness=True)
    solution = solved(problem)
    messages = []
    allocation = allocate(
        problem,
        solution,
        shapley="exact",
        processes=1,
        progress=messages.append,
        coalition_cost=functools.partial(coalition_cost, problem),
    )
    alt = allocation.alternatives
    total = float(solution.municipal_costs["plan_cost"].sum())
    for method in ("plan", "formula", "usage", "shapley"):
        assert alt[method].sum() == pytest.approx(total)
        assert alt[method].max() == pytest.approx(alt[method].min()), method
    assert not alt[[f"{m}_exceeds_standalone" for m in ("plan", "shapley")]].any().any()
    assert messages[-1] == "coalition costs 3/3"  # the three pairs; singletons and N are known
    assert allocation.notes["core_empty"] is False
    assert len(allocation.pair_flows) == 3


@st.composite
def small_areas(draw):
    """Two or three towns within reach of each other, one library each, random costs."""
    n = draw(st.integers(2, 3))
    codes = [f"T{k}" for k in range(n)]
    towns = [
        town(c, 35.0 + 0.02 * k, 139.0 + draw(st.floats(0, 0.05)), draw(st.integers(50, 400)))
        for k, c in enumerate(codes)
    ]
    sites = [
        site(
            f"L{c}",
            "library",
            c,
            capacity=float(draw(st.integers(100, 900))),
            annual_cost=float(draw(st.integers(1, 20))) * 1e6,
        )
        for c in codes
    ]
    types = {"library": {"max_distance_km": 30.0, "user_travel_cost_per_km": 1_000.0}}
    fixed = float(draw(st.integers(0, 3))) * 1e5
    return tiny_problem(towns, sites, types, fairness=True, agreement_fixed_cost=fixed)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_areas())
def test_with_fairness_on_nobody_pays_more_than_alone(problem):
    solution = solved(problem)
    allocation = allocate(
        problem,
        solution,
        shapley="exact",
        processes=1,
        coalition_cost=functools.partial(coalition_cost, problem),
    )
    alt = allocation.alternatives
    total = float(solution.municipal_costs["plan_cost"].sum())
    assert not alt["plan_exceeds_standalone"].any()
    assert allocation.notes["exceeds_standalone"]["plan"] == []
    for method in ("plan", "formula", "usage", "shapley"):
        assert alt[method].sum() == pytest.approx(total, rel=1e-9)


def test_auto_shapley_is_exact_for_a_small_group():
    problem, solution = hand_built_case()
    standalone = {k: float(v) for k, v in STANDALONE.items()}
    allocation = allocate(
        problem,
        solution,
        processes=1,
        coalition_cost=lambda s: pooled_cost(standalone, 0.1, s),
    )
    assert allocation.notes["shapley_method"] == "exact"
    assert allocation.alternatives["shapley"].sum() == pytest.approx(1_915_000_000)


def test_auto_shapley_is_left_out_beyond_the_exact_limit_and_says_how_to_get_it():
    problem, solution = hand_built_case()

    def cost(members):
        raise AssertionError("auto must not solve coalitions beyond its limit")

    allocation = allocate(problem, solution, processes=1, coalition_cost=cost, exact_max_players=2)
    assert allocation.alternatives["shapley"].isna().all()
    assert not allocation.alternatives["shapley_exceeds_standalone"].any()
    note = allocation.notes["shapley"]
    assert "3 municipalities" in note and "--shapley exact" in note
    assert "3 coalition solves" in note  # 2^3 − 3 − 2
    assert "shapley_method" not in allocation.notes


@pytest.mark.parametrize("shapley", ["off", "exact", "sampled", "fails"])
def test_every_note_is_written_in_japanese_too(shapley):
    """The report shows each plain-language note in Japanese first, then in English."""

    problem, solution = hand_built_case()

    def cost(members):
        if shapley == "fails":
            raise SolverError("coalition 01001, 01002: no plan on its own (infeasible)")
        return pooled_cost(STANDALONE, 0.1, members)

    mode = "exact" if shapley == "fails" else shapley
    notes = allocate(problem, solution, shapley=mode, processes=1, coalition_cost=cost).notes
    texts = {key for key, value in notes.items() if isinstance(value, str)} - {"shapley_method"}
    assert {"shapley", "rule", "usage_basis"} <= texts
    assert texts == set(notes["ja"])
    assert all(notes["ja"][key] and notes["ja"][key] != notes[key] for key in texts)
    if shapley == "exact":
        assert "core" in texts and notes["ja"]["core"].startswith("コアは")
