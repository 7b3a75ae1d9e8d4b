"""The blank input workbook and the input reference, both generated from the schema.

:func:`template_bytes` builds a workbook a planner can fill: every sheet of
:mod:`optimizer.schema` with its English header row and Japanese label row, drop-downs,
number formats, frozen headers, two example rows per sheet (replace them with real
data) and an instructions sheet (説明). The parameters sheet lists every parameter with
its default. :func:`optimizer.outputs.workbooks.write_template` writes it to a file.
:func:`schema_markdown` renders the same schema as ``docs/inputs.md``.
"""

from __future__ import annotations

import pandas as pd

from optimizer.schema import (
    AGED_65_PER_75,
    CARE_BEDS_PER_65PLUS,
    LIBRARY_AREA_BAND,
    MIC_UNIT_COSTS,
    PARAMETERS,
    PUBLIC_AREA_PER_RESIDENT,
    SHEETS,
    ZONE_POPULATION_TOLERANCE,
    Column,
    Parameter,
    Sheet,
)
from optimizer.workbook.cells import YEAR_RANGE
from optimizer.workbook.instructions import KIND_WORDS, column_description, shown_default
from optimizer.workbook.messages import TITLES
from optimizer.workbook.names import column_letter
from optimizer.workbook.sheet_cells import MAX_COLUMN, MAX_ROW
from optimizer.workbook.writer import workbook_bytes

__all__ = [
    "template_bytes",
    "example_tables",
    "parameter_rows",
    "schema_markdown",
]

EXAMPLE_FILL: dict[tuple[str, str], tuple[object, object]] = {
    ("facilities", "id"): ("L-001", "C-001"),
    ("facilities", "name"): ("中央図書館", "特別養護老人ホームみどり"),
    ("facilities", "type"): ("library", "care"),
    ("facilities", "municipality"): ("13201", "13202"),
    ("facilities", "lat"): (35.6601, 35.7003),
    ("facilities", "lon"): (139.3237, 139.4130),
    ("facilities", "capacity"): (300000, 100),
    ("facilities", "floor_area_m2"): (3000, 5200),
    ("facilities", "year_built"): (1982, 1998),
    ("facilities", "annual_operating_cost"): (150_000_000, 350_000_000),
    ("facilities", "renewal_cost"): (None, None),
    ("facilities", "status"): ("free", "keep"),
    ("facilities", "operator"): ("municipal", "municipal"),
    ("candidates", "id"): ("N-001", "N-002"),
    ("candidates", "name"): ("新図書館候補地", "新特養候補地"),
    ("candidates", "type"): ("library", "care"),
    ("candidates", "municipality"): ("13201", "13202"),
    ("candidates", "lat"): (35.6712, 35.7051),
    ("candidates", "lon"): (139.3622, 139.4021),
    ("candidates", "capacity"): (400000, 120),
    ("candidates", "floor_area_m2"): (4000, 6000),
    ("candidates", "build_cost"): (1_600_000_000, 2_160_000_000),
    ("candidates", "annual_operating_cost"): (180_000_000, 400_000_000),
    ("candidates", "status"): ("free", "free"),
    ("municipalities", "capital_budget"): (None, None),
    ("travel", "facility"): ("L-001", "C-001"),
    ("travel", "distance_km"): (3.5, None),
    ("travel", "minutes"): (None, 20),
    ("rules", "value"): (None, 2),
    ("scenarios", "note"): ("library catchment 5 km", "agreements without fixed cost"),
}
"""Example values where the schema's ``Column.examples`` gives none."""


def _examples(sheet: Sheet, column: Column) -> tuple[object, object]:
    if any(value is not None for value in column.examples):
        return column.examples
    return EXAMPLE_FILL.get((sheet.name, column.name), (None, None))


def parameter_rows(lang: str = "ja") -> pd.DataFrame:
    """Every parameter with its default value and description (the parameters sheet)."""
    return pd.DataFrame(
        {
            "name": [p.name for p in PARAMETERS],
            "value": [p.default if p.default != "" else None for p in PARAMETERS],
            "note": [_parameter_note(p, lang) for p in PARAMETERS],
        }
    )


def _parameter_note(parameter: Parameter, lang: str) -> str:
    text = (
        parameter.description
        if lang == "en"
        else (f"{parameter.label_ja}：{parameter.description_ja or parameter.description}")
    )
    return f"{text} [{parameter.unit}]" if parameter.unit else text


def example_tables(lang: str = "ja") -> dict[str, pd.DataFrame]:
    """Two example rows for every sheet (the parameters sheet: every parameter)."""
    tables = {}
    for sheet in SHEETS:
        if sheet.name == "parameters":
            tables[sheet.name] = parameter_rows(lang)
            continue
        tables[sheet.name] = pd.DataFrame(
            {column.name: list(_examples(sheet, column)) for column in sheet.columns}
        )
    return tables


def template_bytes(lang: str = "ja") -> bytes:
    """The blank input workbook (with two example rows per sheet) as .xlsx bytes."""
    return workbook_bytes(example_tables(lang), lang=lang)


# ---------------------------------------------------------------------------
# docs/inputs.md
# ---------------------------------------------------------------------------


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _sheet_markdown(sheet: Sheet, lang: str) -> list[str]:
    kinds = KIND_WORDS["en" if lang == "en" else "ja"]
    required = "required" if sheet.required else "optional"
    lines = [
        f"### `{sheet.name}` {sheet.label_ja} ({required})",
        "",
        sheet.description if lang == "en" else sheet.description_ja,
        "",
    ]
    if sheet.key:
        lines += [f"Key: `{sheet.key}` (must be unique).", ""]
    lines += [
        "| column | label | kind | unit | required | default | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for column in sheet.columns:
        lines.append(
            f"| `{column.name}` | {column.label_ja} | {kinds[column.kind]} | "
            f"{_md(column.unit)} | {'yes' if column.required else ''} | "
            f"{_md(shown_default(column.default))} | {_md(column_description(column, lang))} |"
        )
    if sheet.open_columns:
        lines += [
            "",
            "Extra columns `population_YYYY` and `population_75plus_YYYY` (or "
            "人口YYYY / 75歳以上人口YYYY) hold population projections.",
        ]
    return lines + [""]


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer() and 1e4 <= abs(value) < 1e16:
        return f"{value:,.0f}"
    return f"{value:g}"


def _span(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return ""
    if high is None:
        return f"≥ {_number(low)}"
    if low is None:
        return f"≤ {_number(high)}"
    return f"{_number(low)} … {_number(high)}"


def _range_rows() -> list[str]:
    """One row per numeric column and parameter: the range refused outside, the usual band."""
    rows = []
    for sheet in SHEETS:
        for column in sheet.columns:
            if column.kind not in ("int", "float", "year") or column.unit == "°":
                continue
            allowed = (
                _span(*YEAR_RANGE)
                if column.kind == "year"
                else _span(column.minimum, column.maximum)
            )
            usual = _span(*column.usual) if column.usual else ""
            rows.append(
                f"| `{sheet.name}` | `{column.name}` | {_md(column.unit)} | {allowed} | {usual} |"
            )
    for parameter in PARAMETERS:
        if parameter.kind not in ("int", "float", "year"):
            continue
        allowed = (
            _span(*YEAR_RANGE)
            if parameter.kind == "year"
            else _span(parameter.minimum, parameter.maximum)
        )
        usual = _span(*parameter.usual) if parameter.usual else ""
        rows.append(
            f"| `parameters` | `{parameter.name}` | {_md(parameter.unit)} | {allowed} | {usual} |"
        )
    return rows


def schema_markdown(lang: str = "en") -> str:
    """The input reference (``docs/inputs.md``) rendered from the schema."""
    kinds = KIND_WORDS["en" if lang == "en" else "ja"]
    lines = [
        "# Input workbook reference",
        "",
        "Generated from `optimizer/schema/` by `optimizer.workbook.template.schema_markdown()`;"
        " do not edit by hand (a test compares this file with the generator).",
        "",
        "## Layout",
        "",
        "One `.xlsx` workbook (or a folder of CSV files named after the sheets, e.g. "
        "`municipalities.csv`, UTF-8 with or without BOM, or Shift_JIS/cp932). Sheets are "
        "found by their English or Japanese name. The header row may hold the English "
        "name, the Japanese label, or both (`code 市町村コード`); the blank template "
        "(`optimizer template`) puts English names in row 1 and Japanese labels in row 2, "
        "with data from row 3. Headers are matched ignoring case, spaces and full width.",
        "",
        "Accepted spellings: full-width digits and letters, `1,234` and `１，２３４`, `▲500` "
        "(negative), `4%`; yes/no as yes/no, true/false, 1/0, はい/いいえ, ○/×, 可/不可; "
        "years as 1985, 1985年, 昭和60, S60, 令和3, R3; operators as 市町村/市立/町立/村立/"
        "直営/指定管理 (municipal), 民間/法人/社会福祉法人/医療法人/株式会社 (private), "
        "都/県/都道府県/都立/県立 (prefecture). Municipality codes are JIS codes "
        "kept as text: a 4-digit code is taken as a 5-digit code that lost its leading zero "
        "(repaired, with a warning); a 6-digit code must carry a valid check digit; a "
        "5-digit reference matches a 6-digit code and vice versa; a code that is not made "
        "of digits is kept as typed, with a warning. No code or id (municipality codes, zone "
        "ids, facility ids, types) may hold a control character, `/` or `\\`, or be `.` or "
        "`..`: they end up in file names and log lines.",
        "",
        "Files refused outright: old `.xls`, password-protected workbooks, CSV or text "
        "renamed to `.xlsx`, macro workbooks (`.xlsm`), archives that unzip to more than "
        "512 MiB, damaged archives or sheets, sheets with more than 200,000 rows, a value "
        f"right of column {column_letter(MAX_COLUMN - 1)} or below row {MAX_ROW:,} (the "
        "far corner of a sheet), CSV files that cannot be read or decoded. Two sheets (or "
        "CSV files) for one table, such as `施設` and `facilities`, are an error. Formula "
        "cells without a saved value are reported cell by cell.",
        "",
        "## Sheets",
        "",
    ]
    for sheet in SHEETS:
        lines += _sheet_markdown(sheet, lang)
    lines += [
        "## Parameters",
        "",
        "Rows of the `parameters` sheet: `name`, `value` (blank = default), `note`. Names "
        "may also be given by their Japanese label.",
        "",
        "| name | label | kind | unit | default | description |",
        "|---|---|---|---|---|---|",
    ]
    for parameter in PARAMETERS:
        lines.append(
            f"| `{parameter.name}` | {parameter.label_ja} | {kinds[parameter.kind]} | "
            f"{_md(parameter.unit)} | {_md(shown_default(parameter.default))} | "
            f"{_md(parameter.description)} |"
        )
    lines += [
        "",
        "`weight_equal + weight_population + weight_usage` must equal 1.",
        "",
        "## Default unit costs (MIC method)",
        "",
        "Where `renovation_unit_cost` or `rebuild_unit_cost` is blank, these defaults apply"
        " (any other type needs its own unit costs). Source: 総務省「公共施設等更新費用試算"
        "ソフト」, distributed by 一般財団法人地域総合整備財団（ふるさと財団）, unit costs by"
        " building category.",
        "",
        "| type | category | large renovation [yen/m²] | rebuild [yen/m²] |",
        "|---|---|---|---|",
    ]
    categories = {"library": "社会教育系", "hall": "市民文化系", "care": "保健・福祉系"}
    for kind, (renovation, rebuild) in MIC_UNIT_COSTS.items():
        lines.append(
            f"| `{kind}` | {categories.get(kind, '')} | {renovation:,.0f} | {rebuild:,.0f} |"
        )
    lines += [
        "",
        "## Plausible ranges",
        "",
        "A number outside its range is refused (an error: no real Japanese area has it — "
        "usually a unit mistake, a stray key or an overflow such as 1e308 or 1e-300); "
        "outside its usual band it is reported as a warning (check the value and its "
        "unit). Where each bound comes from is stated in `optimizer/schema/reference.py`.",
        "",
        "| sheet | column | unit | refused outside | usual |",
        "|---|---|---|---|---|",
        *_range_rows(),
        "",
        "## Contradictions found before a solve",
        "",
        "- Every facility and candidate of a type with demand set to close "
        "(`type_all_closed`, error).",
        "- A `keep_own` rule for a municipality whose own facilities of the type are all set "
        "to close, with no candidate of the type (`rule_cannot_hold`, error); one that hosts "
        "no facility or candidate of the type at all (`rule_cannot_hold`, warning).",
        "- `required_saving` (with `fairness`) for a municipality that may sign no "
        "agreement (`may_share` no, or a partner limit of 0) (`rule_cannot_hold`, error).",
        "- `keep_own_each_type` where a municipality hosts no facility of a type "
        "(`rule_not_applied`, warning); a municipality that may sign no agreement and hosts "
        "nothing of a type it needs (`no_partner_allowed`, warning).",
        "- A municipality whose demand for a type exceeds the usable capacity (capacity × "
        "`max_utilisation`) of every facility and candidate within the type's maximum "
        "distance (`demand_beyond_reach`, warning), or with none within reach "
        "(`nothing_within_reach`, warning).",
        "",
        "## Owners and elderly-care planning areas",
        "",
        "- A municipality cannot close what it does not own: a facility whose `operator` is "
        "`private` or `prefecture` set to `close` is an error (`close_not_owned`); one left "
        "`free` is read as `keep`, without a message. Candidates are always municipal: an "
        "`operator` column on the candidates sheet is ignored (`unknown_column`, warning).",
        "- A planning area (`care_area`, 老人福祉圏域) keeps at least `area_floor_share` × "
        "its capacity of the type today (its existing facilities of the type not set to "
        "close, whoever runs them) and at least `area_floor_per_75plus` × its residents "
        "aged 75+; with both, the larger. A floor that the area's facilities and candidates "
        "not set to close cannot reach is an error (`area_floor_unreachable`); a floor while "
        "no municipality names its area has no effect (`floor_without_area`, warning); a "
        "municipality with a blank `care_area` while others name theirs is in no area "
        "(`no_care_area`, warning).",
        "",
        "## Zones: where residents live",
        "",
        "The optional `zones` sheet (区域) places each municipality's residents on its small "
        "areas — the census 町丁・字 (小地域), school districts or grid cells — each with a "
        "point and its residents. Distances then start where residents live instead of at "
        "the municipality's point. The municipalities sheet keeps the totals: a "
        "municipality's demand D[i, k] is split over its demand points in proportion to the "
        "type's demand basis, D[p, k] = D[i, k] × b[p] / b[i] (b: residents, or residents "
        "aged 75+, summed over the point's zones), and accounts, payments and agreements "
        "stay per municipality. A blank `population_75plus` of a zone is the municipality's "
        "75+ count not given on its other zones, spread over its blank zones in proportion "
        "to their population (an assumption the report states). Without the sheet, or with "
        "the sheet left without rows, each municipality is one zone at its own point, keyed "
        "by its code, as before.",
        "",
        "- Errors: a zone id used twice (`duplicate_key`); a point outside Japan "
        "(`outside_japan`, `latlon_swapped`); a municipality not on the municipalities sheet "
        "(`unknown_municipality`); a zone id that is the code of another municipality "
        "(`zone_is_municipality_code`: a municipality without zones is the zone keyed by "
        "its code); more residents aged 75+ than residents (`elderly_exceeds_population`).",
        f"- Warnings: a municipality's zones hold more than {ZONE_POPULATION_TOLERANCE:.0%} "
        "more or fewer residents than its population (`zone_population_mismatch`, with both "
        "numbers); their residents aged 75+ exceed its 75+ count (`zone_elderly_exceeds`); "
        "a municipality has no zone while others do (`municipality_without_zones`: its "
        "residents stay at its own point).",
        "- Demand points: every zone is one, unless the parameters merge them. "
        "`zone_grid_km` merges the zones of a municipality that fall in one square of that "
        "size into one point at their population-weighted centre; `zones_per_municipality` "
        "then merges each municipality's points into at most that many by "
        "population-weighted k-means. Merging moves each resident at most the distance from "
        "the zone's point to its demand point, so every access distance is off by at most "
        "that (× `detour_factor`): reported per zone as its displacement.",
        "- A `travel` row (municipality, facility) holds for every point of the municipality.",
        "",
        "## Service level and community-based types",
        "",
        "- `coverage_km` with `coverage_share` on the `facility_types` sheet: at least that "
        "share of each municipality's residents (the type's demand basis, on its demand "
        "points) live within `coverage_km` (at most `max_distance_km`) of an open facility "
        "of the type, whoever hosts it. One without the other is an error "
        "(`rule_incomplete`). Where even every facility and candidate of the type not set "
        "to close that the municipality could have on its own (its own, and those open to "
        "every resident) reaches fewer, the rule holds the municipality to the share they "
        "reach (`coverage_out_of_reach`, warning, with each municipality's share); a "
        "neighbour's facility counts toward meeting the rule but does not raise it.",
        "- `community_based` (地域密着型, e.g. a 地域密着型特養 of 29 places or fewer): "
        "residents of another municipality may use a facility of the type only when their "
        "municipality designates it (指定) with the host's consent — an agreement between "
        "the two — even when a private operator runs it. Blank: no.",
        "",
        "## Sanity bands (warnings)",
        "",
        f"- Library floor area {LIBRARY_AREA_BAND[0]:g}–{LIBRARY_AREA_BAND[1]:g} m² per "
        "1,000 residents of the area.",
        f"- Care places (type `care`) {CARE_BEDS_PER_65PLUS[0]:.1%}–"
        f"{CARE_BEDS_PER_65PLUS[1]:.0%} of the 65+ population, compared with the 75+ "
        f"population taking 65+ ≈ {AGED_65_PER_75:g} × 75+.",
        f"- All listed facilities together at most {PUBLIC_AREA_PER_RESIDENT[1]:g} m² per "
        f"resident (all public buildings usually have {PUBLIC_AREA_PER_RESIDENT[0]:g}–"
        f"{PUBLIC_AREA_PER_RESIDENT[1]:g} m²).",
        "",
        "## Issue codes",
        "",
        "Every problem is reported with sheet, row, column, the value found and what was "
        "expected, in Japanese (default) or English.",
        "",
        "| code | 日本語 | English |",
        "|---|---|---|",
    ]
    for code, (ja, en) in TITLES.items():
        lines.append(f"| `{code}` | {_md(ja)} | {_md(en)} |")
    return "\n".join(lines) + "\n"
