"""Documents as blocks: the agreement and the area summary, from the templates.

The wording lives in ``optimizer/outputs/templates/agreement_<language>.toml``; the
numbers and names come from :class:`optimizer.sharing.terms.AgreementTerms` and
:class:`optimizer.sharing.terms.AreaSummary`. Every user string goes through the
``escape`` of the target format; template text is trusted, and inserted values are
never re-interpreted as template fields.
"""

from __future__ import annotations

import calendar
import functools
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources

from optimizer.outputs.documents.text import (
    Escape,
    format_date,
    format_fiscal_year,
    format_percent,
    format_quantity,
    format_thousand_yen,
    format_yen,
    fullwidth,
    round_half_up,
)
from optimizer.sharing.terms import AgreementTerms, AreaSummary, FacilityUse, mayor_title

__all__ = [
    "LANGUAGES",
    "Block",
    "load_template",
    "prefecture_of",
    "conciliator",
    "agreement_blocks",
    "summary_blocks",
]

LANGUAGES = ("ja", "en")

# --------------------------------------------------------------------------- templates


@functools.cache
def load_template(language: str) -> dict:
    """The template of ``language`` (``ja`` or ``en``) from the package data."""
    if language not in LANGUAGES:
        raise ValueError(f"no agreement template for language {language!r} (use ja or en)")
    text = (
        resources.files("optimizer.outputs") / "templates" / f"agreement_{language}.toml"
    ).read_text(encoding="utf-8")
    return tomllib.loads(text)


# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Block:
    """One piece of a document.

    ``kind`` is ``title``, ``heading``, ``caption``, ``paragraph``, ``item``, ``note``,
    ``signature`` or ``table`` (``header``, ``rows`` and ``numeric`` — which columns
    hold numbers — then describe it).
    """

    kind: str
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    numeric: tuple[bool, ...] = ()
    extra: dict = field(default_factory=dict)


def _names(terms: AgreementTerms, language: str, escape: Escape) -> dict[str, str]:
    def mayor(name: str) -> str:
        return escape(mayor_title(name)) if language == "ja" else f"Mayor of {escape(name)}"

    return {
        "a_name": escape(terms.a.name),
        "b_name": escape(terms.b.name),
        "a_mayor": mayor(terms.a.name),
        "b_mayor": mayor(terms.b.name),
    }


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


def conciliator(terms: AgreementTerms, language: str) -> str:
    """Who receives a request for conciliation under art. 252-2(7) of the Local Autonomy
    Act: for two municipalities of one prefecture, that prefecture's governor; otherwise
    (or when the codes do not tell) the provision's own words."""
    a, b = prefecture_of(terms.a.code), prefecture_of(terms.b.code)
    if a is None or a != b:
        return "都道府県知事" if language == "ja" else "the prefectural governor"
    ja, en = a
    return f"{ja}知事" if language == "ja" else f"the Governor of {en}"


def _agreement_context(terms: AgreementTerms, language: str, escape: Escape) -> dict[str, str]:
    policy = terms.policy
    due_month = policy.payment_due_month
    due_year = terms.first_year + (1 if due_month <= 3 else 0)
    due_last_day = calendar.monthrange(due_year, due_month)[1]
    if language == "ja":
        due_day = f"{due_month}月{due_last_day}日"
    else:
        due_day = f"{due_last_day} {calendar.month_name[due_month]}"
    return {
        **_names(terms, language, escape),
        "first_fy": format_fiscal_year(terms.first_year, language),
        "start_date": format_date(terms.first_year, 4, 1, language),
        "end_date": format_date(terms.last_year + 1, 3, 31, language),
        "due_day": due_day,
        "term_years": str(policy.term_years),
        "renewal_notice_months": str(policy.renewal_notice_months),
        "notice_years": str(policy.notice_years),
        "consultations": str(policy.consultations_per_year),
        "governor": conciliator(terms, language),
    }


def _article_blocks(article: dict, number: int, template: dict, context: dict) -> list[Block]:
    style = template["agreement"]
    blocks = [Block("caption", style["caption_line"].format(n=number, caption=article["caption"]))]
    paragraphs = [p for p in article["paragraphs"] if isinstance(p, str)]
    count = 0
    for entry in article["paragraphs"]:
        if isinstance(entry, list):
            for k, item in enumerate(entry, start=1):
                text = item.format_map(context)
                blocks.append(
                    Block("item", style["item"].format(n=k, letter="abcdefghij"[k - 1], text=text))
                )
            continue
        count += 1
        text = entry.format_map(context)
        if count == 1:
            key = "only_paragraph" if len(paragraphs) == 1 and "only_paragraph" in style else None
            line = style[key or "first_paragraph"].format(n=number, text=text)
        else:
            line = style["next_paragraph"].format(n=count, n_fullwidth=fullwidth(count), text=text)
        blocks.append(Block("paragraph", line))
    return blocks


def _role_rows(terms: AgreementTerms, language: str, escape: Escape) -> tuple[tuple[str, ...], ...]:
    def row(use: FacilityUse) -> tuple[str, ...]:
        type_name = use.type_name_ja if language == "ja" else use.type_name_en
        return (
            escape(terms.party(use.host).name),
            escape(type_name),
            escape(use.facility_name),
            format_quantity(use.capacity, use.capacity_unit, language, escape),
            escape(terms.party(use.user).name),
            format_quantity(use.reserved, use.capacity_unit, language, escape),
        )

    return tuple(row(u) for u in terms.uses)


def _payment_rows(
    terms: AgreementTerms, language: str, escape: Escape, annex: dict
) -> tuple[tuple[str, ...], ...]:
    def yen(x: float) -> str:
        return format_yen(x, language)

    def direction(payer: str, payee: str) -> str:
        return annex["direction"].format(
            payer=escape(terms.party(payer).name), payee=escape(terms.party(payee).name)
        )

    rows = [
        (
            escape(u.facility_name),
            yen(u.annual_cost),
            format_quantity(u.capacity, u.capacity_unit, language, escape),
            yen(u.unit_cost),
            format_quantity(u.reserved, u.capacity_unit, language, escape),
            yen(u.payment),
            direction(u.user, u.host),
        )
        for u in terms.uses
    ]
    blank = ("",) * 4
    rows.append((annex["total_a_to_b"], *blank, yen(terms.a_to_b), ""))
    rows.append((annex["total_b_to_a"], *blank, yen(terms.b_to_a), ""))
    if round_half_up(abs(terms.net)) == 0:
        rows.append((annex["net_zero"], *blank, yen(0), ""))
    else:
        payer, payee = (terms.a, terms.b) if terms.net > 0 else (terms.b, terms.a)
        label = annex["net"].format(payer=escape(payer.name), payee=escape(payee.name))
        rows.append((label, *blank, yen(abs(terms.net)), ""))
    return tuple(rows)


def agreement_blocks(terms: AgreementTerms, language: str, escape: Escape) -> list[Block]:
    """The agreement as blocks: title, preamble, articles, 附則, signatures, annexes."""
    template = load_template(language)
    agreement = template["agreement"]
    context = _agreement_context(terms, language, escape)
    blocks = [
        Block("title", agreement["title"].format_map(context)),
        Block("paragraph", agreement["preamble"].format_map(context)),
    ]
    for number, article in enumerate(agreement["articles"], start=1):
        blocks.extend(_article_blocks(article, number, template, context))
    closing = agreement["closing"]
    blocks += [
        Block("heading", closing["supplementary_title"]),
        Block("paragraph", closing["supplementary"].format_map(context)),
        Block("paragraph", closing["witness"].format_map(context)),
        Block("signature", closing["date_line"].format_map(context)),
        Block("signature", closing["signature_a"].format_map(context)),
        Block("signature", closing["signature_b"].format_map(context)),
    ]
    roles = agreement["annex_roles"]
    blocks += [
        Block("heading", roles["title"].format_map(context)),
        Block(
            "table",
            header=tuple(roles["columns"]),
            rows=_role_rows(terms, language, escape),
            numeric=(False, False, False, True, False, True),
        ),
        Block("note", roles["note"]),
    ]
    payments = agreement["annex_payments"]
    blocks += [
        Block("heading", payments["title"].format_map(context)),
        Block(
            "table",
            header=tuple(payments["columns"]),
            rows=_payment_rows(terms, language, escape, payments),
            numeric=(False, True, True, True, True, True, False),
        ),
        Block("note", payments["note"]),
    ]
    return blocks


def _fairness_sentence(summary: AreaSummary, s: dict, escape: Escape) -> str:
    worse = summary.worse_off
    if not worse:
        return s["fair"]
    return s["unfair"].format(names=s["list_separator"].join(escape(r.name) for r in worse))


def summary_blocks(summary: AreaSummary, language: str, escape: Escape) -> list[Block]:
    """The area-wide policy: approach, cost outlook, list of agreements, roles."""
    s = load_template(language)["summary"]
    area = escape(summary.area_name)

    def k(x: float) -> str:
        return format_thousand_yen(x, language)

    context = {
        "area_suffix": s["area_suffix"].format(area=area) if area else "",
        "municipality_count": str(len(summary.roles)),
        "agreement_count": str(len(summary.agreements)),
        "first_fy": format_fiscal_year(summary.first_year, language),
        "total_standalone": k(summary.total_standalone),
        "total_plan": k(summary.total_plan),
        "total_saving": k(summary.total_saving),
        "saving_pct": format_percent(summary.saving_pct, language),
    }
    sep = s["list_separator"]
    names = {r.code: r.name for r in summary.roles}
    names.update({p.code: p.name for t in summary.agreements for p in (t.a, t.b)})

    def listed(items: Sequence[str]) -> str:
        return sep.join(items) if items else s["none"]

    agreement_rows = tuple(
        (
            str(t.number),
            escape(t.a.name),
            escape(t.b.name),
            listed(
                [
                    s["uses_item"].format(facility=escape(facility), host=escape(names[host]))
                    for facility, host in dict.fromkeys((u.facility_name, u.host) for u in t.uses)
                ]
            ),
            k(t.a_to_b),
            k(t.b_to_a),
        )
        for t in summary.agreements
    )
    role_rows = tuple(
        (
            escape(r.name),
            listed([escape(name) for name in r.hosts]),
            listed([s["uses_item"].format(facility=escape(f), host=escape(h)) for f, h in r.uses]),
            k(r.standalone_cost),
            k(r.plan_cost),
            k(r.saving),
            format_percent(r.saving_pct, language),
        )
        for r in summary.roles
    )
    blocks = [Block("title", s["title"].format_map(context)), Block("heading", s["heading_policy"])]
    blocks += [Block("paragraph", p.format_map(context)) for p in s["policy"]]
    blocks += [
        Block("heading", s["heading_cost"].format_map(context)),
        Block("paragraph", s["cost"].format_map(context) + _fairness_sentence(summary, s, escape)),
        Block("heading", s["heading_agreements"]),
        Block(
            "table",
            header=tuple(s["agreement_columns"]),
            rows=agreement_rows,
            numeric=(True, False, False, False, True, True),
        ),
        Block("heading", s["heading_roles"]),
        Block(
            "table",
            header=tuple(s["role_columns"]),
            rows=role_rows,
            numeric=(False, False, False, True, True, True, True),
        ),
        Block("note", s["note"]),
    ]
    return blocks
