"""Agreement terms as data: what each bilateral agreement (連携協約) says, in numbers.

One :class:`AgreementTerms` per pair of municipalities with an agreement in the plan:
the parties, the facilities each side opens to the other's residents with the capacity
reserved, the annual payments each way and net, the payment formula's inputs, and the
term / notice settings. :func:`area_summary` lists all agreements of the area, what
each municipality hosts and uses, and the total saving. The wording lives in the
templates rendered by :mod:`optimizer.outputs.documents`; nothing here is language text.

Payment rule (the plan's, restated by every agreement)::

    unit cost   = facility's annual cost ÷ capacity          [yen per capacity unit]
    payment     = unit cost × demand served for the user       [yen/year]

This module never imports PuLP.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.results.solution import Solution
from optimizer.sharing.allocation import Allocation

__all__ = [
    "AgreementPolicy",
    "Party",
    "FacilityUse",
    "AgreementTerms",
    "MunicipalRole",
    "AreaSummary",
    "agreement_terms",
    "area_summary",
    "mayor_title",
]


@dataclass(frozen=True)
class AgreementPolicy:
    """Settings every agreement shares (the drafting choices, not the plan's numbers).

    Attributes
    ----------
    term_years
        Length of the first term, and of each renewal [years] (fiscal years).
    renewal_notice_months
        A party that does not want the term renewed says so this long before it ends.
    notice_years
        The agreement lapses this long after one party gives notice of termination
        (the Himeji–Inami agreement uses two years).
    consultations_per_year
        Least number of meetings of the mayors each fiscal year.
    payment_due_month
        Month of the fiscal year by whose end the year's payment is made (3 = March).
    """

    term_years: int = 5
    renewal_notice_months: int = 6
    notice_years: int = 2
    consultations_per_year: int = 1
    payment_due_month: int = 3


@dataclass(frozen=True)
class Party:
    """One municipality that signs an agreement."""

    code: str
    name: str
    population: int
    standalone_cost: float
    plan_cost: float
    saving: float


@dataclass(frozen=True)
class FacilityUse:
    """One facility opened by its host to the other party's residents.

    ``reserved`` is the capacity set aside for the user [capacity unit] (its demand
    served there in the plan); ``payment`` = ``unit_cost`` × ``reserved`` [yen/year].
    """

    facility: str
    facility_name: str
    type: str
    type_name_ja: str
    type_name_en: str
    host: str
    user: str
    capacity: float
    capacity_unit: str
    annual_cost: float
    unit_cost: float
    reserved: float
    payment: float


@dataclass(frozen=True)
class AgreementTerms:
    """Everything one agreement states, as numbers and names.

    Party ``a`` (甲) has the lower code, ``b`` (乙) the higher one.
    ``a_to_b`` and ``b_to_a`` are the annual payments each way [yen/year];
    ``net`` = a_to_b − b_to_a (positive: a pays b on balance).
    ``first_year`` is the fiscal year the agreement takes effect (April 1st).
    """

    number: int
    area_name: str
    a: Party
    b: Party
    uses: tuple[FacilityUse, ...]
    a_to_b: float
    b_to_a: float
    net: float
    first_year: int
    policy: AgreementPolicy = field(default_factory=AgreementPolicy)

    @property
    def last_year(self) -> int:
        """Last fiscal year of the first term."""
        return self.first_year + self.policy.term_years - 1

    def hosted_by(self, code: str) -> tuple[FacilityUse, ...]:
        """The facilities ``code`` opens to the other party's residents."""
        return tuple(u for u in self.uses if u.host == code)

    def party(self, code: str) -> Party:
        return self.a if code == self.a.code else self.b


@dataclass(frozen=True)
class MunicipalRole:
    """What one municipality hosts for others and uses elsewhere under the plan."""

    code: str
    name: str
    hosts: tuple[str, ...]
    uses: tuple[tuple[str, str], ...]
    partners: tuple[str, ...]
    standalone_cost: float
    plan_cost: float
    saving: float
    saving_pct: float


@dataclass(frozen=True)
class AreaSummary:
    """The area-wide cooperation policy: every agreement and every municipality's role."""

    area_name: str
    first_year: int
    agreements: tuple[AgreementTerms, ...]
    roles: tuple[MunicipalRole, ...]
    total_standalone: float
    total_plan: float
    total_saving: float
    saving_pct: float

    @property
    def worse_off(self) -> tuple[MunicipalRole, ...]:
        """Municipalities that pay more under the plan than alone (beyond one yen)."""
        return tuple(r for r in self.roles if r.plan_cost > r.standalone_cost + 1.0)


TYPE_NAMES_JA = {"library": "図書館", "hall": "文化ホール", "care": "高齢者福祉施設"}
TYPE_NAMES_EN = {"library": "library", "hall": "culture hall", "care": "elderly-care facility"}


def mayor_title(name: str) -> str:
    """The head of a municipality as Japanese documents write it (○○市長, ○○町長 ...)."""
    for suffix in ("市", "町", "村", "区"):
        if name.endswith(suffix):
            return f"{name}長"
    return f"{name}の長"


def _type_names(problem: ProblemData, type_: str) -> tuple[str, str]:
    types = problem.facility_types
    ja = ""
    if "name_ja" in types.columns and type_ in types.index:
        value = types.at[type_, "name_ja"]
        ja = "" if pd.isna(value) else str(value).strip()
    return ja or TYPE_NAMES_JA.get(type_, type_), TYPE_NAMES_EN.get(type_, type_)


def _party(problem: ProblemData, allocation: Allocation, code: str) -> Party:
    row = allocation.municipalities.loc[code]
    return Party(
        code=code,
        name=str(row["name"]),
        population=int(problem.municipalities.at[code, "population"]),
        standalone_cost=float(row["standalone_cost"]),
        plan_cost=float(row["plan_cost"]),
        saving=float(row["saving"]),
    )


def _facility_uses(
    problem: ProblemData, solution: Solution, payments: pd.DataFrame
) -> tuple[FacilityUse, ...]:
    """The payment rows of one pair, with each facility's capacity and annual cost."""
    facilities = solution.facilities
    uses = []
    for row in payments.sort_values(["host", "type", "facility", "payer"]).itertuples():
        ja, en = _type_names(problem, row.type)
        uses.append(
            FacilityUse(
                facility=str(row.facility),
                facility_name=str(row.facility_name),
                type=str(row.type),
                type_name_ja=ja,
                type_name_en=en,
                host=str(row.host),
                user=str(row.payer),
                capacity=float(facilities.at[row.facility, "capacity"]),
                capacity_unit="" if pd.isna(row.capacity_unit) else str(row.capacity_unit),
                annual_cost=float(facilities.at[row.facility, "annual_cost"]),
                unit_cost=float(row.unit_cost),
                reserved=float(row.demand),
                payment=float(row.amount),
            )
        )
    return tuple(uses)


def agreement_terms(
    problem: ProblemData,
    solution: Solution,
    allocation: Allocation,
    policy: AgreementPolicy | None = None,
) -> list[AgreementTerms]:
    """One :class:`AgreementTerms` per agreement pair of the plan, numbered from 1.

    Parameters
    ----------
    problem, solution, allocation
        The inputs, the checked plan and its cost allocation.
    policy
        Term and notice settings (default :class:`AgreementPolicy`).
    """
    policy = policy or AgreementPolicy()
    payments = allocation.payments
    terms = []
    for number, row in enumerate(allocation.pair_flows.itertuples(), start=1):
        a, b = str(row.a), str(row.b)
        between = payments[
            ((payments["payer"] == a) & (payments["host"] == b))
            | ((payments["payer"] == b) & (payments["host"] == a))
        ]
        terms.append(
            AgreementTerms(
                number=number,
                area_name=problem.parameters.area_name,
                a=_party(problem, allocation, a),
                b=_party(problem, allocation, b),
                uses=_facility_uses(problem, solution, between),
                a_to_b=float(row.a_to_b),
                b_to_a=float(row.b_to_a),
                net=float(row.net),
                first_year=int(problem.parameters.base_year),
                policy=policy,
            )
        )
    return terms


def area_summary(
    problem: ProblemData,
    allocation: Allocation,
    terms: list[AgreementTerms],
) -> AreaSummary:
    """The area-wide policy (圏域全体の連携方針): agreements, roles, total saving."""
    m = allocation.municipalities
    payments = allocation.payments
    names = m["name"].astype(str)
    roles = []
    for code in problem.codes:
        hosted = payments[payments["host"] == code]
        used = payments[payments["payer"] == code]
        partners = sorted(
            {
                t.b.code if t.a.code == code else t.a.code
                for t in terms
                if code in (t.a.code, t.b.code)
            }
        )
        roles.append(
            MunicipalRole(
                code=code,
                name=str(names[code]),
                hosts=tuple(dict.fromkeys(hosted.sort_values("facility")["facility_name"])),
                uses=tuple(
                    dict.fromkeys(
                        (str(r.facility_name), str(names[r.host]))
                        for r in used.sort_values(["host", "facility"]).itertuples()
                    )
                ),
                partners=tuple(partners),
                standalone_cost=float(m.at[code, "standalone_cost"]),
                plan_cost=float(m.at[code, "plan_cost"]),
                saving=float(m.at[code, "saving"]),
                saving_pct=float(m.at[code, "saving_pct"]),
            )
        )
    total_standalone = float(m["standalone_cost"].sum())
    total_plan = float(m["plan_cost"].sum())
    saving = total_standalone - total_plan
    return AreaSummary(
        area_name=problem.parameters.area_name,
        first_year=int(problem.parameters.base_year),
        agreements=tuple(terms),
        roles=tuple(roles),
        total_standalone=total_standalone,
        total_plan=total_plan,
        total_saving=saving,
        saving_pct=saving / total_standalone * 100.0 if total_standalone > 0 else 0.0,
    )
