"""The population outlook: each municipality's residents (and each type's demand) per period.

The planning horizon (``base_year`` for ``horizon_years``) is cut into periods of
``period_years`` (5 by default: 2026–2030, 2031–2035, …). A municipality's outlook of a
basis population (``population`` or ``population_75plus``) comes from its projection
columns ``population_YYYY`` / ``population_75plus_YYYY``:

* when the projections bracket the base year (e.g. IPSS's 2020–2050 for a plan from
  2026), they are read as growth: the figure in year *y* is today's figure × P(y) / P(base
  year), with P interpolated linearly between the given years. Today's figure (the
  ``population`` column, perhaps a later register count) is kept, and a projection made
  on another definition (the census) only lends its trend;
* when they all lie after the base year, today's figure is the value at the base year and
  the projections the values in their years;
* after the last given year the last figure is held; with no projection at all, today's
  figure is held for the whole horizon.

A period's figure is the largest of its years: the facilities must hold the demand in
every year of the period, not only on average (a shrinking town's first year, a growing
75+ population's last).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.problem.parameters import Parameters

__all__ = [
    "Period",
    "planning_periods",
    "projection_years",
    "yearly_outlook",
    "period_outlook",
    "period_demand",
    "period_point_demand",
]


@dataclass(frozen=True)
class Period:
    """One period of the horizon: ``first`` to ``last`` year, both included."""

    first: int
    last: int

    @property
    def years(self) -> range:
        return range(self.first, self.last + 1)

    @property
    def label(self) -> str:
        """``2026–2030`` (one year: ``2026``)."""
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"


def planning_periods(params: Parameters) -> list[Period]:
    """The horizon cut into periods of ``period_years`` from the base year; the last one
    ends with the horizon (and may be shorter)."""
    end = params.base_year + params.horizon_years - 1
    step = max(1, int(params.period_years))
    return [
        Period(first, min(first + step - 1, end))
        for first in range(params.base_year, end + 1, step)
    ]


def projection_years(municipalities: pd.DataFrame, basis: str) -> dict[int, str]:
    """The projection columns of a basis population: year → column name.

    ``population_2030`` is a projection of ``population``, ``population_75plus_2030`` of
    ``population_75plus`` (the former prefix does not claim the latter's columns).
    """
    prefix = f"{basis}_"
    found = {}
    for column in municipalities.columns:
        name = str(column)
        rest = name[len(prefix) :]
        if name.startswith(prefix) and rest.isdigit() and len(rest) == 4:
            found[int(rest)] = name
    return dict(sorted(found.items()))


def yearly_outlook(municipalities: pd.DataFrame, basis: str, params: Parameters) -> pd.DataFrame:
    """The basis population per municipality and year of the horizon (see the module's text).

    Index municipality code; one column per calendar year [persons]. A municipality with
    a projection left blank is held at today's figure in that year's place.
    """
    years = np.arange(params.base_year, params.base_year + params.horizon_years)
    today = municipalities[basis].astype(float).to_numpy()
    given = projection_years(municipalities, basis)
    out = np.repeat(today[:, None], len(years), axis=1)
    if not given:
        return pd.DataFrame(out, index=municipalities.index, columns=years)
    anchor_years = np.array(list(given), dtype=float)
    values = municipalities[list(given.values())].apply(pd.to_numeric, errors="coerce")
    for row, series in enumerate(values.to_numpy(float)):
        known = np.isfinite(series)
        if not known.any() or not np.isfinite(today[row]):
            continue
        xs, ys = anchor_years[known], series[known]
        if xs.min() <= params.base_year <= xs.max():
            at_base = float(np.interp(params.base_year, xs, ys))
            ratio = np.interp(years, xs, ys) / at_base if at_base > 0 else np.ones(len(years))
            out[row] = today[row] * ratio
        else:
            later = xs > params.base_year
            xs = np.concatenate([[params.base_year], xs[later]])
            ys = np.concatenate([[today[row]], ys[later]])
            out[row] = np.interp(years, xs, ys)
    return pd.DataFrame(out, index=municipalities.index, columns=years)


def period_outlook(municipalities: pd.DataFrame, basis: str, params: Parameters) -> pd.DataFrame:
    """The basis population per municipality and period: the largest of the period's years.

    Index municipality code; columns the periods' labels, in order [persons].
    """
    yearly = yearly_outlook(municipalities, basis, params)
    return pd.DataFrame(
        {p.label: yearly[list(p.years)].max(axis=1) for p in planning_periods(params)},
        index=municipalities.index,
    )


def _growth(problem: ProblemData, basis: str) -> pd.DataFrame:
    """Per municipality and period: the period's basis population over today's."""
    municipalities = problem.municipalities
    today = municipalities[basis].astype(float)
    outlook = period_outlook(municipalities, basis, problem.parameters)
    return outlook.div(today.where(today > 0), axis=0).fillna(1.0)


def _grown(problem: ProblemData, demand: pd.DataFrame, towns: pd.Index) -> dict[str, pd.DataFrame]:
    """``demand`` per period: each row × its municipality's (``towns``, along the rows)
    growth of the type's basis population. Keys the periods' labels."""
    types = problem.facility_types
    growth = {b: _growth(problem, b) for b in types["demand_basis"].astype(str).unique()}
    return {
        period.label: pd.DataFrame(
            {
                kind: demand[kind].astype(float).to_numpy()
                * growth[str(types.at[kind, "demand_basis"])][period.label]
                .reindex(towns)
                .to_numpy(float)
                for kind in demand.columns
            },
            index=demand.index,
        )
        for period in planning_periods(problem.parameters)
    }


def period_demand(problem: ProblemData) -> dict[str, pd.DataFrame]:
    """D[i, k] per period: today's demand × its basis population's growth to the period.

    Keys the periods' labels; each value indexed like ``problem.demand``, one column per
    type [capacity unit].
    """
    return _grown(problem, problem.demand, problem.demand.index)


def period_point_demand(problem: ProblemData) -> dict[str, pd.DataFrame]:
    """D[p, k] per period: each demand point grows as its municipality's basis population
    (zones have no outlook of their own). Keys the periods' labels."""
    towns = pd.Index(problem.points["municipality"].astype(str))
    return _grown(problem, problem.point_demand, towns)
