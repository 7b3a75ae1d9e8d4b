"""Run parameters and policy rules of a problem, with their defaults from the schema."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from optimizer.schema import PARAMETERS_BY_NAME

__all__ = ["Parameters", "Rules"]


def _default(name: str) -> Any:
    return PARAMETERS_BY_NAME[name].default


@dataclass(frozen=True)
class Parameters:
    """Run settings; every default comes from :data:`optimizer.schema.PARAMETERS`."""

    area_name: str = _default("area_name")
    base_year: int = _default("base_year")
    horizon_years: int = _default("horizon_years")
    period_years: int = _default("period_years")
    discount_rate: float = _default("discount_rate")
    overdue_renovation_years: int = _default("overdue_renovation_years")
    renovation_spread_years: int = _default("renovation_spread_years")
    rebuild_spread_years: int = _default("rebuild_spread_years")
    detour_factor: float = _default("detour_factor")
    travel_speed_kmh: float = _default("travel_speed_kmh")
    zone_grid_km: float | None = _default("zone_grid_km")
    zones_per_municipality: int | None = _default("zones_per_municipality")
    agreement_fixed_cost: float = _default("agreement_fixed_cost")
    agreement_term_years: int | None = _default("agreement_term_years")
    document_languages: str = _default("document_languages")
    max_partners: int | None = _default("max_partners")
    min_self_sufficiency: float = _default("min_self_sufficiency")
    keep_own_each_type: bool = _default("keep_own_each_type")
    fairness: bool = _default("fairness")
    required_saving: float = _default("required_saving")
    capital_budget: float | None = _default("capital_budget")
    unserved_penalty: float | None = _default("unserved_penalty")
    solver: str = _default("solver")
    time_limit_s: float = _default("time_limit_s")
    mip_gap: float = _default("mip_gap")
    weight_equal: float = _default("weight_equal")
    weight_population: float = _default("weight_population")
    weight_usage: float = _default("weight_usage")
    language: str = _default("language")

    def replace(self, **changes: Any) -> Parameters:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Rules:
    """Policy rules from the ``rules`` sheet, normalised.

    banned_pairs
        Pairs ``(a, b)`` with ``a < b`` that will not sign an agreement.
    keep_own
        ``(municipality, type)``: keep at least one own facility of that type open.
    max_partners
        Per-municipality cap on agreements (overrides the parameter for that one).
    min_self_sufficiency
        ``(municipality, type or None)`` → least share of demand served by own facilities.
    """

    banned_pairs: frozenset[tuple[str, str]] = frozenset()
    keep_own: frozenset[tuple[str, str]] = frozenset()
    max_partners: dict[str, int] = field(default_factory=dict)
    min_self_sufficiency: dict[tuple[str, str | None], float] = field(default_factory=dict)
