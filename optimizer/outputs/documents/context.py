"""The values each document's wording is filled with, from the agreement terms.

One builder per document: :func:`agreement_context` (the 連携協約 of one pair),
:func:`summary_context` (the area-wide policy) and :func:`consultation_context` (the
協議書 of art. 244-3(2) for one facility and one user, with the two council motions).
Every value is a string made safe by the target format's ``escape`` (user strings) or
formatted as documents write numbers (1,234,567円, 40床, 令和8年度), a flag (``bool``)
or a list of :class:`~.blocks.Record` s; the same context fills the Markdown (through
:mod:`.blocks`) and the .docx template (through docxtpl). :data:`CONTEXT_KEYS` lists
the fields of each document, which a user's own template may use.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence

from optimizer.outputs.documents.blocks import Record
from optimizer.outputs.documents.spec import load_template
from optimizer.outputs.documents.text import (
    Escape,
    format_date,
    format_fiscal_year,
    format_percent,
    format_quantity,
    format_share,
    format_thousand_yen,
    format_yen,
    round_half_up,
)
from optimizer.sharing.closures import checklist_rows
from optimizer.sharing.terms import AgreementTerms, AreaSummary, FacilityUse, mayor_title

__all__ = [
    "CONTEXT_KEYS",
    "prefecture_of",
    "conciliator",
    "filing_authority",
    "is_public",
    "agreement_context",
    "summary_context",
    "consultation_context",
]

PREFECTURES = (
    "北海道 Hokkaido", "青森県 Aomori", "岩手県 Iwate", "宮城県 Miyagi", "秋田県 Akita",
    "山形県 Yamagata", "福島県 Fukushima", "茨城県 Ibaraki", "栃木県 Tochigi", "群馬県 Gunma",
    "埼玉県 Saitama", "千葉県 Chiba", "東京都 Tokyo", "神奈川県 Kanagawa", "新潟県 Niigata",
    "富山県 Toyama", "石川県 Ishikawa", "福井県 Fukui", "山梨県 Yamanashi", "長野県 Nagano",
    "岐阜県 Gifu", "静岡県 Shizuoka", "愛知県 Aichi", "三重県 Mie", "滋賀県 Shiga",
    "京都府 Kyoto", "大阪府 Osaka", "兵庫県 Hyogo", "奈良県 Nara", "和歌山県 Wakayama",
    "鳥取県 Tottori", "島根県 Shimane", "岡山県 Okayama", "広島県 Hiroshima", "山口県 Yamaguchi",
    "徳島県 Tokushima", "香川県 Kagawa", "愛媛県 Ehime", "高知県 Kochi", "福岡県 Fukuoka",
    "佐賀県 Saga", "長崎県 Nagasaki", "熊本県 Kumamoto", "大分県 Oita", "宮崎県 Miyazaki",
    "鹿児島県 Kagoshima", "沖縄県 Okinawa",
)  # fmt: skip
"""The prefectures in the order of their JIS X 0401 codes 01–47 (Japanese, English)."""


def prefecture_of(code: str) -> tuple[str, str] | None:
    """(Japanese, English) name of the prefecture of a local-government code (JIS X 0402:
    the first two digits), or ``None`` when the code is not one."""
    text = str(code).strip()
    if not (text.isdigit() and len(text) in (5, 6)):
        return None
    number = int(text[:2])
    if not 1 <= number <= len(PREFECTURES):
        return None
    ja, en = PREFECTURES[number - 1].split(" ", 1)
    return ja, en


def _same_prefecture(terms: AgreementTerms) -> tuple[str, str] | None:
    a, b = prefecture_of(terms.a.code), prefecture_of(terms.b.code)
    return a if a is not None and a == b else None


def conciliator(terms: AgreementTerms, language: str) -> str:
    """Who receives a request for conciliation under art. 252-2(7) of the Local Autonomy
    Act: for two municipalities of one prefecture, that prefecture's governor; otherwise
    (or when the codes do not tell) the provision's own words."""
    prefecture = _same_prefecture(terms)
    if prefecture is None:
        return "都道府県知事" if language == "ja" else "the prefectural governor"
    ja, en = prefecture
    return f"{ja}知事" if language == "ja" else f"the Governor of {en}"


def filing_authority(terms: AgreementTerms, language: str) -> str:
    """Whom the parties notify of the agreement (art. 252-2(2)): the governor of their
    prefecture, or each the governor of its own."""
    prefecture = _same_prefecture(terms)
    if prefecture is None:
        return (
            "それぞれの属する都道府県の知事"
            if language == "ja"
            else "the governor of the prefecture of each"
        )
    ja, en = prefecture
    return f"{ja}知事" if language == "ja" else f"the Governor of {en}"


def is_public(use: FacilityUse) -> bool:
    """Whether the facility is the host's own public facility (公の施設), which its
    partner's residents may use only under a consultation of art. 244-3(2)."""
    return use.operator == "municipal"


def _mayor(name: str, language: str, escape: Escape) -> str:
    return escape(mayor_title(name)) if language == "ja" else f"Mayor of {escape(name)}"


def _quantity(x: float, unit: str, language: str, escape: Escape) -> str:
    return format_quantity(x, unit, language, escape)


def _due_day(terms: AgreementTerms, language: str) -> str:
    month = terms.policy.payment_due_month
    year = terms.first_year + (1 if month <= 3 else 0)
    last = calendar.monthrange(year, month)[1]
    return f"{month}月{last}日" if language == "ja" else f"{last} {calendar.month_name[month]}"


def _term_fields(terms: AgreementTerms, language: str) -> dict[str, object]:
    policy = terms.policy
    last = terms.last_year
    return {
        "first_fy": format_fiscal_year(terms.first_year, language),
        "start_date": format_date(terms.first_year, 4, 1, language),
        "end_date": "" if last is None else format_date(last + 1, 3, 31, language),
        "fixed_term": policy.term_years is not None,
        "term_years": "" if policy.term_years is None else str(policy.term_years),
        "renewal_notice_months": str(policy.renewal_notice_months),
        "notice_years": str(policy.notice_years),
        "resident_fees": policy.resident_fees,
        "floor_pct": str(policy.revision_floor_pct),
        "cap_pct": str(policy.revision_cap_pct),
    }


def _parties(terms: AgreementTerms, language: str, escape: Escape) -> dict[str, object]:
    return {
        "a_name": escape(terms.a.name),
        "b_name": escape(terms.b.name),
        "a_mayor": _mayor(terms.a.name, language, escape),
        "b_mayor": _mayor(terms.b.name, language, escape),
    }


def _type_name(use: FacilityUse, language: str) -> str:
    return use.type_name_ja if language == "ja" else use.type_name_en


def agreement_context(terms: AgreementTerms, language: str, escape: Escape) -> dict[str, object]:
    """The fields of one agreement (:data:`CONTEXT_KEYS` ``["agreement"]``)."""

    def name(code: str) -> str:
        return escape(terms.party(code).name)

    def yen(x: float) -> str:
        return format_yen(x, language)

    planned = load_template(language)["style"]["planned"]

    def facility(u: FacilityUse) -> str:
        return escape(u.facility_name) + (planned if u.is_new else "")

    roles = [
        Record(
            host=name(u.host),
            type=escape(_type_name(u, language)),
            facility=facility(u),
            capacity=_quantity(u.capacity, u.capacity_unit, language, escape),
            user=name(u.user),
            reserved=_quantity(u.reserved, u.capacity_unit, language, escape),
            share=format_share(u.reserved_share, language),
        )
        for u in terms.uses
    ]
    payments = [
        Record(
            facility=facility(u),
            annual_cost=yen(u.annual_cost),
            capacity=_quantity(u.capacity, u.capacity_unit, language, escape),
            unit_price=yen(u.unit_price),
            reserved=_quantity(u.reserved, u.capacity_unit, language, escape),
            payment=yen(u.payment),
            payer=name(u.user),
            payee=name(u.host),
        )
        for u in terms.uses
    ]
    payer, payee = (terms.a, terms.b) if terms.net >= 0 else (terms.b, terms.a)
    return {
        **_parties(terms, language, escape),
        **_term_fields(terms, language),
        "governor": conciliator(terms, language),
        "filing_to": filing_authority(terms, language),
        "due_day": _due_day(terms, language),
        "consultations": str(terms.policy.consultations_per_year),
        "roles": roles,
        "payments": payments,
        "has_planned": any(u.is_new for u in terms.uses),
        "total_a_to_b": yen(terms.a_to_b),
        "total_b_to_a": yen(terms.b_to_a),
        "net_zero": terms.net == 0,
        "net_payer": escape(payer.name),
        "net_payee": escape(payee.name),
        "net_amount": yen(abs(terms.net)),
    }


def consultation_uses(terms: AgreementTerms) -> list[tuple[str, FacilityUse]]:
    """The public facilities of an agreement one party opens to the other's residents,
    each with its number ``<agreement>-<k>`` (one 協議 of art. 244-3(2) each)."""
    public = [u for u in terms.uses if is_public(u)]
    return [(f"{terms.number}-{k}", use) for k, use in enumerate(public, start=1)]


def consultation_context(
    terms: AgreementTerms, number: str, use: FacilityUse, language: str, escape: Escape
) -> dict[str, object]:
    """The fields of the 協議書 (and the two motions) for ``use``
    (:data:`CONTEXT_KEYS` ``["consultation"]``)."""
    host, user = terms.party(use.host), terms.party(use.user)
    return {
        **_parties(terms, language, escape),
        **_term_fields(terms, language),
        "number": number,
        "host_name": escape(host.name),
        "user_name": escape(user.name),
        "host_mayor": _mayor(host.name, language, escape),
        "user_mayor": _mayor(user.name, language, escape),
        "facility": escape(use.facility_name),
        "type": escape(_type_name(use, language)),
        "capacity": _quantity(use.capacity, use.capacity_unit, language, escape),
        "reserved": _quantity(use.reserved, use.capacity_unit, language, escape),
        "share": format_share(use.reserved_share, language),
        "unit_price": format_yen(use.unit_price, language),
        "payment": format_yen(use.payment, language),
        "new_facility": use.is_new,
    }


def _listed(items: Sequence[str], style: dict) -> str:
    return style["list_separator"].join(items) if items else style["none"]


def summary_context(summary: AreaSummary, language: str, escape: Escape) -> dict[str, object]:
    """The fields of the area-wide policy (:data:`CONTEXT_KEYS` ``["summary"]``)."""
    style = load_template(language)["style"]
    names = {r.code: r.name for r in summary.roles}
    names.update({p.code: p.name for t in summary.agreements for p in (t.a, t.b)})

    def k(x: float) -> str:
        return format_thousand_yen(x, language)

    def thousands(x: float) -> str:  # in a table whose heading states the unit
        value = round_half_up(x / 1000.0)
        return f"{'-' if value < 0 else ''}{abs(value):,}"

    def used(facility: str, host: str) -> str:
        return style["uses_item"].format(facility=escape(facility), host=escape(host))

    agreements = [
        Record(
            number=str(t.number),
            a=escape(t.a.name),
            b=escape(t.b.name),
            facilities=_listed(
                [
                    used(f, names[h])
                    for f, h in dict.fromkeys((u.facility_name, u.host) for u in t.uses)
                ],
                style,
            ),
            a_to_b=thousands(t.a_to_b),
            b_to_a=thousands(t.b_to_a),
        )
        for t in summary.agreements
    ]
    roles = [
        Record(
            name=escape(r.name),
            hosts=_listed([escape(n) for n in r.hosts], style),
            uses=_listed([used(f, h) for f, h in r.uses], style),
            standalone=thousands(r.standalone_cost),
            plan=thousands(r.plan_cost),
            saving=thousands(r.saving),
            saving_pct=format_percent(r.saving_pct, language),
        )
        for r in summary.roles
    ]
    consultations = [
        Record(
            number=number,
            facility=escape(use.facility_name),
            host=escape(names[use.host]),
            user=escape(names[use.user]),
            reserved=_quantity(use.reserved, use.capacity_unit, language, escape),
        )
        for t in summary.agreements
        for number, use in consultation_uses(t)
    ]
    users: dict[tuple[str, str], list[str]] = {}
    for t in summary.agreements:
        for use in t.uses:
            if is_public(use):
                users.setdefault((use.host, use.facility_name), []).append(use.user)
    fees = [
        Record(
            host=escape(names[host]),
            facility=escape(facility),
            users=_listed([escape(names[c]) for c in sorted(set(codes))], style),
        )
        for (host, facility), codes in sorted(users.items())
    ]
    closures = []
    for n, row in enumerate(checklist_rows(summary.closed, language), start=1):
        year, age = row["year_built"], row["age_years"]
        closures.append(
            Record(
                number=str(n),
                name=escape(row["name"]),
                host=escape(row["host_name"]),
                type=escape(row["type_name"]),
                built=style["unknown"]
                if year is None
                else style["built"].format(year=year, age=age),
                replacements=escape(row["replacements"]),
            )
        )
    worse = summary.worse_off
    policy = summary.policy
    area = escape(summary.area_name)
    return {
        "area": area,
        "has_area": bool(area),
        "municipality_count": str(len(summary.roles)),
        "agreement_count": str(len(summary.agreements)),
        "first_fy": format_fiscal_year(summary.first_year, language),
        "total_standalone": k(summary.total_standalone),
        "total_plan": k(summary.total_plan),
        "total_saving": k(summary.total_saving),
        "saving_pct": format_percent(summary.saving_pct, language),
        "all_fair": not worse,
        "worse_names": style["list_separator"].join(escape(r.name) for r in worse),
        "fixed_term": policy.term_years is not None,
        "term_years": "" if policy.term_years is None else str(policy.term_years),
        "notice_years": str(policy.notice_years),
        "resident_fees": policy.resident_fees,
        "agreements": agreements,
        "roles": roles,
        "consultations": consultations,
        "has_consultations": bool(consultations),
        "fees": fees,
        "has_fees": bool(fees),
        "closures": closures,
        "has_closures": bool(closures),
    }


_TERM_KEYS = (
    "first_fy",
    "start_date",
    "end_date",
    "fixed_term",
    "term_years",
    "renewal_notice_months",
    "notice_years",
    "resident_fees",
    "floor_pct",
    "cap_pct",
)
_PARTY_KEYS = ("a_name", "b_name", "a_mayor", "b_mayor")

CONTEXT_KEYS: dict[str, frozenset[str]] = {
    "agreement": frozenset(
        (
            *_PARTY_KEYS,
            *_TERM_KEYS,
            "governor",
            "filing_to",
            "due_day",
            "consultations",
            "roles",
            "payments",
            "has_planned",
            "total_a_to_b",
            "total_b_to_a",
            "net_zero",
            "net_payer",
            "net_payee",
            "net_amount",
        )
    ),
    "consultation": frozenset(
        (
            *_PARTY_KEYS,
            *_TERM_KEYS,
            "number",
            "host_name",
            "user_name",
            "host_mayor",
            "user_mayor",
            "facility",
            "type",
            "capacity",
            "reserved",
            "share",
            "unit_price",
            "payment",
            "new_facility",
        )
    ),
    "summary": frozenset(
        (
            "area",
            "has_area",
            "municipality_count",
            "agreement_count",
            "first_fy",
            "total_standalone",
            "total_plan",
            "total_saving",
            "saving_pct",
            "all_fair",
            "worse_names",
            "fixed_term",
            "term_years",
            "notice_years",
            "resident_fees",
            "agreements",
            "roles",
            "consultations",
            "has_consultations",
            "fees",
            "has_fees",
            "closures",
            "has_closures",
        )
    ),
}
"""The fields of each document's context: what a template (the shipped one, or a
user's own) may use. The tests check that the builders give exactly these."""
