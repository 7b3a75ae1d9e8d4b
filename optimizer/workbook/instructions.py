"""The instructions sheet (説明 / instructions) of an input workbook, from the schema.

The sheet opens with a short introduction, then lists every sheet and column of
:mod:`optimizer.schema` (label, kind, unit, whether required, default, description)
and every parameter. :mod:`optimizer.workbook.template` renders the same words as
``docs/inputs.md``.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from optimizer.schema import PARAMETERS, SHEETS, Column

__all__ = [
    "INSTRUCTIONS_TITLE",
    "KIND_WORDS",
    "instruction_rows",
    "add_instructions_sheet",
    "shown_default",
    "column_description",
]

INSTRUCTIONS_TITLE = {"ja": "説明", "en": "instructions"}
"""Name of the instructions sheet by language."""

KIND_WORDS = {
    "ja": {
        "text": "文字",
        "code": "コード（文字列）",
        "int": "整数",
        "float": "数値",
        "year": "年（西暦・和暦）",
        "bool": "はい／いいえ",
        "enum": "選択",
    },
    "en": {
        "text": "text",
        "code": "code (text)",
        "int": "whole number",
        "float": "number",
        "year": "year",
        "bool": "yes/no",
        "enum": "choice",
    },
}

INTRO = {
    "ja": [
        "公共施設の共同利用（連携協約）最適化の入力ブックです。",
        "各シートの1行目は英語の列名、2行目は日本語の見出しです。3行目から1行に1件ずつ記入してください。",
        "例として2行ずつ入っています。実際のデータで上書きするか、削除してください。",
        "必須のシート：municipalities（市町村）、facility_types（施設類型）、facilities（施設）。"
        "その他のシートは任意です。",
        "数値は全角・カンマ区切り（１，２３４）でも読めます。市町村コードは文字列で入力してください"
        "（先頭の0が落ちた4桁のコードは補って警告します）。",
        "はい／いいえは、はい・いいえ、○・×、yes・no、1・0 のいずれでも構いません。"
        "建築年は 1985、昭和60、S60、R3 のように入力できます。",
        "単価が空欄の場合、図書館・ホール・介護施設は総務省「公共施設等更新費用試算ソフト」"
        "（ふるさと財団）の単価を用います。",
        "zones（区域）シートは任意です。町丁・字などの小地域ごとに代表点と人口を記入すると、"
        "利用距離を市町村の代表点ではなく住民の居住地から測ります。需要の合計は市町村シートの"
        "人口のままで、区域の人口の比で配分します。区域のない市町村の住民は市町村の代表点に"
        "置きます。",
    ],
    "en": [
        "Input workbook of the facility-sharing optimiser (連携協約).",
        "Row 1 of each sheet holds the English column names, row 2 the Japanese labels. "
        "Enter one record per row from row 3.",
        "Two example rows are filled in: overwrite them with real data or delete them.",
        "Required sheets: municipalities, facility_types, facilities. The others are optional.",
        "Numbers may be typed with full-width digits or thousands separators. Type "
        "municipality codes as text (a 4-digit code that lost its leading zero is repaired "
        "with a warning).",
        "Yes/no accepts yes/no, はい/いいえ, ○/×, 1/0. Years accept 1985, 昭和60, S60, R3.",
        "Blank unit costs of library, hall and care take the MIC defaults "
        "(総務省「公共施設等更新費用試算ソフト」, ふるさと財団).",
        "The zones sheet (区域) is optional: give small areas (町丁・字 …) with their point "
        "and residents, and distances start where residents live instead of at the "
        "municipality's point. Demand totals stay those of the municipalities sheet, split "
        "over the zones by their residents; a municipality without zones keeps its "
        "residents at its own point.",
    ],
}

HEADINGS = {
    "ja": ("シート", "列名", "見出し", "種類", "単位", "必須", "既定値", "説明"),
    "en": ("sheet", "column", "label", "kind", "unit", "required", "default", "description"),
}


def shown_default(value: object) -> str:
    """A default value as the instructions show it (blank for none, yes/no for booleans)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def column_description(column: Column, lang: str) -> str:
    """The column's description in ``lang``, with its choices for an enum."""
    text = column.description if lang == "en" else (column.description_ja or column.description)
    if column.choices:
        text += " (" + " / ".join(column.choices) + ")"
    return text


def instruction_rows(lang: str = "ja") -> list[list[object]]:
    """Rows of the instructions sheet: introduction, then every sheet and column,
    then every parameter."""
    yes = "○" if lang != "en" else "yes"
    kinds = KIND_WORDS["en" if lang == "en" else "ja"]
    rows: list[list[object]] = [[line] for line in INTRO["en" if lang == "en" else "ja"]]
    rows.append([])
    rows.append(list(HEADINGS["en" if lang == "en" else "ja"]))
    for sheet in SHEETS:
        description = sheet.description if lang == "en" else sheet.description_ja
        required = yes if sheet.required else ""
        rows.append(
            [f"{sheet.name}（{sheet.label_ja}）", "", "", "", "", required, "", description]
        )
        for column in sheet.columns:
            rows.append(
                [
                    sheet.name,
                    column.name,
                    column.label_ja,
                    kinds[column.kind],
                    column.unit,
                    yes if column.required else "",
                    shown_default(column.default),
                    column_description(column, lang),
                ]
            )
    rows.append([])
    rows.append(
        ["parameters", "name", "label", "kind", "unit", "", "default", "description"]
        if lang == "en"
        else ["パラメータ", "名前", "見出し", "種類", "単位", "", "既定値", "説明"]
    )
    for parameter in PARAMETERS:
        description = (
            parameter.description
            if lang == "en"
            else (parameter.description_ja or parameter.description)
        )
        rows.append(
            [
                "parameters",
                parameter.name,
                parameter.label_ja,
                kinds[parameter.kind],
                parameter.unit,
                "",
                shown_default(parameter.default),
                description,
            ]
        )
    return rows


def add_instructions_sheet(book: Workbook, lang: str = "ja") -> None:
    """Add the instructions sheet (説明 / instructions) to an openpyxl workbook."""
    ws = book.create_sheet(INSTRUCTIONS_TITLE["en" if lang == "en" else "ja"])
    headings = set(HEADINGS["ja"]) | set(HEADINGS["en"])
    for number, row in enumerate(instruction_rows(lang), start=1):
        for position, value in enumerate(row, start=1):
            cell = ws.cell(row=number, column=position, value=value if value != "" else None)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
        if row and (row[0] in headings or (len(row) > 1 and row[1] == "" and row[0])):
            for cell in ws[number]:
                cell.font = Font(bold=True)
    widths = (26, 26, 20, 16, 12, 8, 14, 80)
    for position, width in enumerate(widths, start=1):
        ws.column_dimensions[chr(64 + position)].width = width
    for row in ws.iter_rows(min_col=8, max_col=8):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
