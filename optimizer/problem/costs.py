"""Facility costs by the MIC public-facility renewal-cost method.

Source of the method and of the default unit costs: 総務省「公共施設等更新費用試算ソフト」
(distributed by 一般財団法人地域総合整備財団, ふるさと財団), as summarised in the design:

* the building is renewed at the same floor area;
* a large renovation at ``renovation_year`` (30) years after construction, spread over
  ``renovation_spread_years`` (2) years;
* a rebuild at ``life_years`` (60), spread over ``rebuild_spread_years`` (3) years, after
  which the cycle starts again;
* a building aged 31–50 at the base year has its overdue renovation levelled over the
  first ``overdue_renovation_years`` (10) years; one aged 51–60 skips the renovation
  (its rebuild is near); one past its life has its overdue rebuild levelled the same way;
* costs are counted over ``horizon_years`` (40) years; routine repairs are not part of
  the method (a planner may add ``routine_repair_per_m2`` [yen/m²/year]).

Worked check (tested): a 2,000 m² library built in 1990, base year 2026 → 5.0 億円 of
renovation over 2026–2035 and 8.0 億円 of rebuild over 2050–2052.

A candidate site is built over the first ``rebuild_spread_years`` years, then follows
the same cycle from the base year.

To put capital and operating cost on one annual footing, the outlays are discounted to
the base year at ``discount_rate`` and turned into an equivalent annual amount over the
horizon (an annuity paid at the start of each year):

    annual_capital = Σ_t outlay_t (1+r)^-t  /  Σ_{t=0}^{H-1} (1+r)^-t

With r = 0 this is the plain average outlay per year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.problem.parameters import Parameters

__all__ = [
    "outlay_schedule",
    "renewal_schedule",
    "RENEWAL_EVENTS",
    "annuity_factor",
    "derive_facility_costs",
    "unserved_penalties",
    "self_provision_costs",
    "UNKNOWN_AGE_FRACTION",
    "UNSERVED_PENALTY_FACTOR",
    "OPERATORS",
    "municipal",
]

UNKNOWN_AGE_FRACTION = 0.5
"""A building whose year of construction is unknown is taken to be this fraction of its
life old at the base year (the validator warns about each such building)."""


UNSERVED_PENALTY_FACTOR = 10.0
"""With no ``unserved_penalty`` given, one unit of unserved demand of a type costs this many
times the dearest way of serving one unit of that type."""


def unserved_penalties(
    facilities: pd.DataFrame, facility_types: pd.DataFrame, params: Parameters
) -> pd.Series:
    """Cost of one unit of unserved demand per type P_k [yen per capacity unit per year].

    ``params.unserved_penalty`` when set; otherwise

        P_k = UNSERVED_PENALTY_FACTOR · max_j∈k (annual_cost_j / capacity_j
              + user_travel_cost_per_km_k · max_distance_km_k)

    so that leaving demand unserved never pays while some facility could serve it; a
    penalty of one fixed size would be far too low for care beds (millions of yen a year)
    and needlessly large for library visits (hundreds of yen), which also harms the
    solver's numerics. Floors at 1 yen.
    """
    types = facility_types.index
    if params.unserved_penalty is not None:
        return pd.Series(float(params.unserved_penalty), index=types, name="unserved_penalty")
    usable = facilities[facilities["capacity"].astype(float) > 0]
    unit = _gross(usable) / usable["capacity"].astype(float)
    dearest = unit.groupby(usable["type"].astype(str)).max().reindex(types).fillna(0.0)
    reach = facility_types["user_travel_cost_per_km"].astype(float) * facility_types[
        "max_distance_km"
    ].astype(float)
    penalty = UNSERVED_PENALTY_FACTOR * (dearest + reach)
    return penalty.clip(lower=1.0).rename("unserved_penalty")


def _gross(facilities: pd.DataFrame) -> pd.Series:
    """Each facility's whole annual cost, whoever bears it [yen/year]."""
    column = "gross_annual_cost" if "gross_annual_cost" in facilities else "annual_cost"
    return facilities[column].astype(float)


def self_provision_costs(facilities: pd.DataFrame, facility_types: pd.DataFrame) -> pd.Series:
    """What a municipality pays to provide one unit of a type itself, S_k [yen/unit/year].

    The median unit cost (annual cost ÷ capacity) of the type's facilities and candidate
    sites. Demand a plan leaves unserved is counted at this price in each municipality's
    own cost (stand-alone, coalition and plan alike): it stands for the facility the
    municipality would have to provide on its own, so that a small town without a hall
    is not shown a stand-alone cost made of penalties. The objective still prices
    unserved demand at the much higher P_k, so the plan serves whatever it can.
    0 for a type with no facility at all.
    """
    usable = facilities[facilities["capacity"].astype(float) > 0]
    unit = _gross(usable) / usable["capacity"].astype(float)
    median = unit.groupby(usable["type"].astype(str)).median()
    return median.reindex(facility_types.index).fillna(0.0).rename("self_provision_cost")


def annuity_factor(rate: float, years: int) -> float:
    """Σ_{t=0}^{years-1} (1+rate)^-t: the present value of 1 yen paid each year."""
    t = np.arange(years)
    return float(np.sum((1.0 + rate) ** -t))


RENEWAL_EVENTS = ("build", "renovation", "rebuild")
"""The works of the MIC method: a new building, a large renovation, a rebuild."""


def _spread(
    out: np.ndarray,
    rows: np.ndarray,
    start: np.ndarray,
    length: np.ndarray,
    amount: np.ndarray,
    event: int = 0,
    events: np.ndarray | None = None,
) -> None:
    """Add ``amount`` spread evenly over ``length`` years from year index ``start``, and
    mark those years with ``event`` (a position in :data:`RENEWAL_EVENTS`, plus 1) in
    ``events`` when given.

    Years outside ``0 .. out.shape[1]-1`` fall outside the horizon and are dropped.
    """
    horizon = out.shape[1]
    if rows.size == 0:
        return
    for offset in range(int(length.max())):
        active = offset < length
        col = start + offset
        ok = active & (col >= 0) & (col < horizon)
        np.add.at(out, (rows[ok], col[ok]), (amount[ok] / length[ok]))
        if events is not None:
            paid = ok & (amount > 0)
            events[rows[paid], col[paid]] = event


def outlay_schedule(
    facilities: pd.DataFrame, facility_types: pd.DataFrame, params: Parameters
) -> pd.DataFrame:
    """Capital outlays per facility and year if the facility is kept (or built) [yen]:
    :func:`renewal_schedule`'s amounts."""
    return renewal_schedule(facilities, facility_types, params)[0]


def renewal_schedule(
    facilities: pd.DataFrame, facility_types: pd.DataFrame, params: Parameters
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Capital outlays per facility and year if the facility is kept (or built), and the
    works they pay for.

    Parameters
    ----------
    facilities
        Columns ``type``, ``floor_area_m2``, ``year_built``, ``renewal_cost``,
        ``is_candidate``, ``build_cost``.
    facility_types
        Index type; columns ``renovation_unit_cost``, ``rebuild_unit_cost`` [yen/m²],
        ``life_years``, ``renovation_year`` [years].
    params
        ``base_year``, ``horizon_years`` and the spreads of :class:`Parameters`.

    Returns
    -------
    (amounts, works): two DataFrames indexed like ``facilities``, one column per calendar
    year: the outlay [yen], and the work it pays for (a name of :data:`RENEWAL_EVENTS`,
    "" in a year without one).
    """
    n, horizon, base = len(facilities), params.horizon_years, params.base_year
    out = np.zeros((n, horizon))
    marks = np.zeros((n, horizon), dtype=int)
    years = base + np.arange(horizon)
    if n == 0:
        empty = pd.DataFrame(out, index=facilities.index, columns=years)
        return empty, empty.astype(str)
    types = facility_types.loc[facilities["type"].to_numpy()]
    life = types["life_years"].to_numpy(dtype=int)
    reno_at = types["renovation_year"].to_numpy(dtype=int)
    area = facilities["floor_area_m2"].astype(float).fillna(0.0).to_numpy()
    reno_cost = area * types["renovation_unit_cost"].to_numpy(dtype=float)
    rebuild_cost = facilities["renewal_cost"].astype(float).to_numpy()
    rebuild_cost = np.where(
        np.isnan(rebuild_cost),
        area * types["rebuild_unit_cost"].to_numpy(dtype=float),
        rebuild_cost,
    )
    candidate = facilities["is_candidate"].to_numpy(dtype=bool)
    built = pd.array(facilities["year_built"], dtype="Int64")
    known = ~np.asarray(built.isna())
    assumed_age = np.round(life * UNKNOWN_AGE_FRACTION).astype(int)
    year_built = np.where(known, np.asarray(built.fillna(0), dtype=int), base - assumed_age)
    # A candidate is built now: its cycle starts at the base year.
    year_built = np.where(candidate, base, year_built)
    age = base - year_built
    s_reno, s_build = params.renovation_spread_years, params.rebuild_spread_years
    overdue = params.overdue_renovation_years

    rows = np.arange(n)
    ones = np.ones(n, dtype=int)
    # New builds: the build cost over the first construction years.
    build_cost = facilities["build_cost"].astype(float).fillna(0.0).to_numpy()
    c = candidate
    _spread(out, rows[c], np.zeros(c.sum(), dtype=int), ones[c] * s_build, build_cost[c], 1, marks)

    ex = ~candidate
    # Overdue renovation: aged past the renovation year but not past 50 (reno_at + 20).
    late_reno = ex & (age > reno_at) & (age <= reno_at + 20) & (age < life)
    _spread(
        out,
        rows[late_reno],
        np.zeros(late_reno.sum(), dtype=int),
        ones[late_reno] * overdue,
        reno_cost[late_reno],
        2,
        marks,
    )
    # Overdue rebuild: past its life; the new building's cycle starts at the base year.
    late_rebuild = ex & (age > life)
    _spread(
        out,
        rows[late_rebuild],
        np.zeros(late_rebuild.sum(), dtype=int),
        ones[late_rebuild] * overdue,
        rebuild_cost[late_rebuild],
        3,
        marks,
    )
    cycle_start = np.where(late_rebuild, base, year_built)

    # Scheduled events within the horizon, cycle after cycle.
    n_cycles = int(np.ceil(horizon / life.min())) + 1
    for cycle in range(n_cycles):
        start = cycle_start + cycle * life
        reno_year = start + reno_at
        rebuild_year = start + life
        # Renovation in this cycle if it falls in the future (not already overdue).
        due = reno_year >= base
        start_at, length = (reno_year - base)[due], ones[due] * s_reno
        _spread(out, rows[due], start_at, length, reno_cost[due], 2, marks)
        due = rebuild_year >= base
        start_at, length = (rebuild_year - base)[due], ones[due] * s_build
        _spread(out, rows[due], start_at, length, rebuild_cost[due], 3, marks)
    names = np.array(["", *RENEWAL_EVENTS], dtype=object)[marks]
    return (
        pd.DataFrame(out, index=facilities.index, columns=years),
        pd.DataFrame(names, index=facilities.index, columns=years),
    )


OPERATORS = ("municipal", "private", "prefecture")
"""Who runs a facility: a member municipality, a private operator (社会福祉法人, 医療法人,
株式会社 …) or the prefecture."""


def municipal(facilities: pd.DataFrame) -> np.ndarray:
    """Whether each facility is run by its host municipality (no ``operator`` column: all).

    Only these can be closed or built by the plan, cost the municipalities anything, and
    need an agreement and a payment when another municipality's residents use them; a
    private or prefectural facility (e.g. a 特養 run by a 社会福祉法人 under the
    care-insurance system) admits residents by need, whatever their municipality.
    """
    if "operator" not in facilities:
        return np.ones(len(facilities), dtype=bool)
    operator = facilities["operator"].astype(str).str.strip().str.lower()
    return operator.isin(["municipal", "", "nan", "none", "<na>"]).to_numpy(bool)


def derive_facility_costs(
    facilities: pd.DataFrame, facility_types: pd.DataFrame, params: Parameters
) -> pd.DataFrame:
    """Add the cost columns of :data:`optimizer.problem.data.FACILITY_COLUMNS`.

    ``capital_cost`` [yen] undiscounted outlays over the horizon; ``annual_capital_cost``,
    ``annual_repair_cost`` (the type's routine repairs × floor area) and
    ``gross_annual_cost`` = capital + operating + repairs [yen/year];
    ``next_renewal_year``. ``annual_cost`` and ``capital_cost`` are what the
    municipalities' accounts bear: the gross figures for a facility they own, 0 for one
    run by a private operator or the prefecture (:func:`municipal`),
    which also stays open whatever its status says (a municipality cannot close it). The
    input columns are left as they are, so deriving twice gives the same result.
    """
    schedule = outlay_schedule(facilities, facility_types, params)
    discount = (1.0 + params.discount_rate) ** -np.arange(params.horizon_years)
    present_value = schedule.to_numpy() @ discount
    result = facilities.copy()
    types = facility_types.loc[facilities["type"].to_numpy()]
    repairs = types["routine_repair_per_m2"].to_numpy(dtype=float) * (
        facilities["floor_area_m2"].astype(float).fillna(0.0).to_numpy()
    )
    result["annual_operating_cost"] = facilities["annual_operating_cost"].astype(float).fillna(0.0)
    result["annual_repair_cost"] = repairs
    result["capital_cost"] = schedule.to_numpy().sum(axis=1)
    result["annual_capital_cost"] = present_value / annuity_factor(
        params.discount_rate, params.horizon_years
    )
    result["gross_annual_cost"] = (
        result["annual_capital_cost"]
        + result["annual_operating_cost"]
        + result["annual_repair_cost"]
    )
    owned = municipal(facilities)
    result["annual_cost"] = np.where(owned, result["gross_annual_cost"], 0.0)
    result["capital_cost"] = np.where(owned, result["capital_cost"], 0.0)
    if "status" in facilities:
        result["status"] = np.where(owned, facilities["status"].astype(str), "keep")
    has_outlay = schedule.to_numpy() > 0
    first = np.where(has_outlay.any(axis=1), has_outlay.argmax(axis=1) + params.base_year, -1)
    result["next_renewal_year"] = pd.array(
        [pd.NA if y < 0 else int(y) for y in first], dtype="Int64"
    )
    return result
