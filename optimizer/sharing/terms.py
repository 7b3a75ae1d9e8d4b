"""Agreement terms as data: what each bilateral agreement (連携協約) says, in numbers.

One :class:`AgreementTerms` per pair of municipalities with an agreement in the plan:
the parties, the facilities each side opens to the other's residents with the capacity
reserved, the annual payments each way and net, the payment formula's inputs, and the
term / notice settings. :func:`area_summary` lists all agreements of the area, what
each municipality hosts and uses, the facilities closed, and the total saving. The
wording lives in the templates rendered by :mod:`optimizer.outputs.documents`; nothing
here is language text.

Payment rule (one rule, stated once by every agreement; its annex applies it)::

    reserved    = what the plan serves the user there, rounded up to a whole unit
    unit price  = facility's annual cost ÷ capacity, rounded to the yen  [yen per unit]
    payment     = unit price × reserved                                    [yen/year]

Each fiscal year the reserved amount is revised to the previous year's actual use,
within :attr:`AgreementPolicy.revision_floor_pct` – :attr:`~AgreementPolicy.revision_cap_pct`
of the amount reserved until then, and the unit price to the settled accounts. The
plan's own accounts (the report, fairness) use the exact flows; they differ from the
annex by less than one unit's price per facility.

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
    "ClosedFacility",
    "agreement_terms",
    "area_summary",
    "closed_facilities",
    "mayor_title",
    "type_names",
]


@dataclass(frozen=True)
class AgreementPolicy:
    """Settings every agreement shares (the drafting choices, not the plan's numbers).

    Attributes
    ----------
    term_years
        Length of the first term, and of each renewal [fiscal years]; ``None``: no
        fixed term, the agreement runs until a party gives notice (as most 連携協約 do;
        the workbook's ``agreement_term_years``).
    renewal_notice_months
        With a fixed term: a party that does not want it renewed says so this long
        before it ends.
    notice_years
        After one party gives notice of termination (with its council's resolution),
        the agreement lapses at the end of the fiscal year in which this many years
        have passed (the Himeji–Inami agreement uses two years).
    consultations_per_year
        Least number of meetings of the mayors each fiscal year.
    payment_due_month
        Month of the fiscal year by whose end the year's payment is made (3 = March).
    revision_floor_pct, revision_cap_pct
        Each year's revision of a reservation to the previous year's actual use stays
        within these percentages of the amount reserved until then: the host keeps
        part of its fixed cost covered when use falls, and is not asked for more than
        it planned when use rises (more needs the parties' consultation).
    resident_fees
        The host charges the partner's residents the fees of its own residents (its fee
        ordinance, art. 228 of the Local Autonomy Act, may need an amendment: the area
        summary lists them); ``False``: the fees for non-residents of its ordinance stay.
    """

    term_years: int | None = None
    renewal_notice_months: int = 6
    notice_years: int = 2
    consultations_per_year: int = 1
    payment_due_month: int = 3
    revision_floor_pct: int = 80
    revision_cap_pct: int = 120
    resident_fees: bool = True


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

    ``served`` is what the plan serves the user there [capacity unit]; ``reserved``
    the whole units the agreement sets aside for it (``served`` rounded up);
    ``unit_price`` = ``unit_cost`` rounded to the yen; ``payment`` = ``unit_price`` ×
    ``reserved`` [yen/year], the annex's amount; ``plan_payment`` = ``unit_cost`` ×
    ``served``, the plan's exact figure used by its accounts. ``operator`` is the
    facility's (``municipal``: the host's own public facility, 公の施設); ``is_new``
    says the plan builds it (a candidate site).
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
    served: float
    reserved: int
    unit_price: int
    payment: int
    plan_payment: float
    operator: str = "municipal"
    is_new: bool = False

    @property
    def reserved_share(self) -> float:
        """The reservation as a share of the facility's capacity (0 when it has none)."""
        return self.reserved / self.capacity if self.capacity > 0 else 0.0


@dataclass(frozen=True)
class AgreementTerms:
    """Everything one agreement states, as numbers and names.

    Party ``a`` (甲) has the lower code, ``b`` (乙) the higher one.
    ``a_to_b`` and ``b_to_a`` are the annual payments each way [yen/year], the sums
    of the annex's whole-yen amounts (:attr:`FacilityUse.payment`);
    ``net`` = a_to_b − b_to_a (positive: a pays b on balance).
    ``first_year`` is the fiscal year the agreement takes effect (April 1st).
    """

    number: int
    area_name: str
    a: Party
    b: Party
    uses: tuple[FacilityUse, ...]
    a_to_b: int
    b_to_a: int
    net: int
    first_year: int
    policy: AgreementPolicy = field(default_factory=AgreementPolicy)

    @property
    def last_year(self) -> int | None:
        """Last fiscal year of the first term (``None``: until notice)."""
        if self.policy.term_years is None:
            return None
        return self.first_year + self.policy.term_years - 1

    @property
    def plan_a_to_b(self) -> float:
        """What a pays b in the plan's exact accounts [yen/year]."""
        return sum(u.plan_payment for u in self.uses if u.user == self.a.code)

    @property
    def plan_b_to_a(self) -> float:
        """What b pays a in the plan's exact accounts [yen/year]."""
        return sum(u.plan_payment for u in self.uses if u.user == self.b.code)

    def hosted_by(self, code: str) -> tuple[FacilityUse, ...]:
        """The facilities ``code`` opens to the other party's residents."""
        return tuple(u for u in self.uses if u.host == code)

    def party(self, code: str) -> Party:
        """The party with ``code`` (the other one, ``b``, for any other code)."""
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
class ClosedFacility:
    """A municipal facility the plan closes, with what its closure has to settle.

    ``year_built`` and ``age_years`` (at the first fiscal year) are ``None`` when the
    input does not give the year; ``replacements`` are the facilities (name, host name)
    that serve the host's residents of the type in the plan, most used first.
    """

    facility: str
    name: str
    host: str
    host_name: str
    type: str
    type_name_ja: str
    type_name_en: str
    year_built: int | None
    age_years: int | None
    replacements: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AreaSummary:
    """The area-wide cooperation policy: every agreement, every municipality's role,
    the facilities closed."""

    area_name: str
    first_year: int
    agreements: tuple[AgreementTerms, ...]
    roles: tuple[MunicipalRole, ...]
    total_standalone: float
    total_plan: float
    total_saving: float
    saving_pct: float
    closed: tuple[ClosedFacility, ...] = ()

    @property
    def worse_off(self) -> tuple[MunicipalRole, ...]:
        """Municipalities that pay more under the plan than alone (beyond one yen)."""
        return tuple(r for r in self.roles if r.plan_cost > r.standalone_cost + 1.0)

    @property
    def policy(self) -> AgreementPolicy:
        """The drafting choices of the area's agreements (the default ones without any)."""
        return self.agreements[0].policy if self.agreements else AgreementPolicy()


TYPE_NAMES_JA = {"library": "図書館", "hall": "文化ホール", "care": "高齢者福祉施設"}
TYPE_NAMES_EN = {"library": "library", "hall": "culture hall", "care": "elderly-care facility"}


def mayor_title(name: str) -> str:
    """The head of a municipality as Japanese documents write it (○○市長, ○○町長 ...)."""
    for suffix in ("市", "町", "村", "区"):
        if name.endswith(suffix):
            return f"{name}長"
    return f"{name}の長"


def type_names(problem: ProblemData, type_: str) -> tuple[str, str]:
    """(Japanese, English) name of a facility type: the input's ``name_ja`` when given."""
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
    operators = (
        problem.facilities["operator"].fillna("municipal").astype(str)
        if "operator" in problem.facilities.columns
        else pd.Series("municipal", index=problem.facilities.index)
    )
    uses = []
    for row in payments.sort_values(["host", "type", "facility", "payer"]).itertuples():
        ja, en = type_names(problem, row.type)
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
                served=float(row.demand),
                reserved=int(row.reserved),
                unit_price=int(row.unit_price),
                payment=int(row.agreed_amount),
                plan_payment=float(row.amount),
                operator=str(operators.get(row.facility, "municipal")),
                is_new=bool(facilities["is_candidate"].get(row.facility, False))
                if "is_candidate" in facilities.columns
                else False,
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
        Term and notice settings (default :class:`AgreementPolicy` with the workbook's
        ``agreement_term_years``).
    """
    policy = policy or AgreementPolicy(term_years=problem.parameters.agreement_term_years)
    payments = allocation.payments
    terms = []
    for number, row in enumerate(allocation.pair_flows.itertuples(), start=1):
        a, b = str(row.a), str(row.b)
        between = payments[
            ((payments["payer"] == a) & (payments["host"] == b))
            | ((payments["payer"] == b) & (payments["host"] == a))
        ]
        uses = _facility_uses(problem, solution, between)
        a_to_b = sum(u.payment for u in uses if u.user == a)
        b_to_a = sum(u.payment for u in uses if u.user == b)
        terms.append(
            AgreementTerms(
                number=number,
                area_name=problem.parameters.area_name,
                a=_party(problem, allocation, a),
                b=_party(problem, allocation, b),
                uses=uses,
                a_to_b=a_to_b,
                b_to_a=b_to_a,
                net=a_to_b - b_to_a,
                first_year=int(problem.parameters.base_year),
                policy=policy,
            )
        )
    return terms


def _year(value: object) -> int | None:
    try:
        year = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return int(year) if year == year and year > 0 else None  # NaN is not a year


def closed_facilities(problem: ProblemData, solution: Solution) -> tuple[ClosedFacility, ...]:
    """The existing facilities the plan closes, by host code and facility id, each with
    its age and the facilities that serve its host's residents of the type instead."""
    table = solution.facilities
    if "decision" not in table.columns:
        return ()
    closed = table[table["decision"].astype(str) == "close"]
    names = problem.municipalities["name"].astype(str)
    facility_names = problem.facilities["name"].astype(str)
    flows = solution.flows
    base_year = int(problem.parameters.base_year)
    found = []
    for facility in sorted(
        closed.index.astype(str), key=lambda f: (str(table.at[f, "municipality"]), f)
    ):
        host = str(table.at[facility, "municipality"])
        kind = str(table.at[facility, "type"])
        built = (
            _year(problem.facilities.at[facility, "year_built"])
            if "year_built" in problem.facilities.columns
            else None
        )
        served = flows[(flows["municipality"].astype(str) == host) & (flows["type"] == kind)]
        served = served.sort_values(["demand", "facility"], ascending=[False, True])
        replacements = tuple(
            dict.fromkeys(
                (str(facility_names.get(f, f)), str(names.get(str(h), h)))
                for f, h in zip(
                    served["facility"].astype(str), served["host"].astype(str), strict=True
                )
            )
        )
        ja, en = type_names(problem, kind)
        found.append(
            ClosedFacility(
                facility=facility,
                name=str(facility_names.get(facility, facility)),
                host=host,
                host_name=str(names.get(host, host)),
                type=kind,
                type_name_ja=ja,
                type_name_en=en,
                year_built=built,
                age_years=None if built is None else max(0, base_year - built),
                replacements=replacements,
            )
        )
    return tuple(found)


def area_summary(
    problem: ProblemData,
    allocation: Allocation,
    terms: list[AgreementTerms],
    solution: Solution | None = None,
) -> AreaSummary:
    """The area-wide policy (圏域全体の連携方針): agreements, roles, total saving, and —
    given the plan — the facilities it closes (:func:`closed_facilities`)."""
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
        closed=closed_facilities(problem, solution) if solution is not None else (),
    )
