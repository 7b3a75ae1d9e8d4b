"""Input issues and their wording in Japanese and English.

An :class:`Issue` is one problem found in the inputs: where it is (sheet, Excel row,
column), the value found, what was expected, a stable machine ``code`` and a severity.
:data:`TITLES` is the message catalogue: one short title per code in both languages.
The reader (:mod:`.reader`) and the checks (:mod:`.assemble` and the modules it uses)
build issues; the command line prints them with :func:`format_issues`.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Issue", "TITLES", "FILE_CODES", "format_issues", "issue"]

ERROR = "error"
WARNING = "warning"

TITLES: dict[str, tuple[str, str]] = {
    # file level (the file cannot be read at all)
    "file_not_found": ("ファイルが見つかりません", "file not found"),
    "unsupported_format": ("読み込めないファイル形式です", "unsupported file format"),
    "xls_format": ("旧形式の Excel ファイル（.xls）です", "old Excel format (.xls)"),
    "encrypted": (
        "パスワードで保護（暗号化）されています",
        "password-protected (encrypted) workbook",
    ),
    "not_xlsx": (
        "Excel ファイルではありません（CSV やテキストの名前を変えたもの？）",
        "not an Excel workbook (a CSV or text file renamed to .xlsx?)",
    ),
    "macro_workbook": ("マクロ付きブックは読み込みません", "macro-enabled workbooks are refused"),
    "zip_bomb": ("展開後のサイズが大きすぎます", "uncompressed size too large"),
    "too_many_rows": ("行数が多すぎます", "too many rows"),
    "unreadable": ("ファイルを読み込めません（破損？）", "the file cannot be read (damaged?)"),
    "no_csv_files": ("フォルダに CSV ファイルがありません", "no CSV file in the folder"),
    "bad_encoding": ("文字コードを判別できません", "unknown text encoding"),
    # workbook structure
    "empty_workbook": ("入力シートが1つもありません", "no input sheet found"),
    "duplicate_sheet": ("同じ表のシートが2つあります", "two sheets for the same table"),
    "far_cell": (
        "表から遠く離れたセルに値があります",
        "a value far outside the table",
    ),
    "missing_sheet": ("必須のシートがありません", "required sheet missing"),
    "missing_column": ("必須の列がありません", "required column missing"),
    "unknown_column": ("不明な列です（無視します）", "unknown column (ignored)"),
    "duplicate_column": ("同じ列が2回あります", "column appears twice"),
    "formula_without_value": (
        "数式の計算結果が保存されていません",
        "formula without a cached value",
    ),
    # cells
    "empty_required": ("必須の値が空欄です", "required value is empty"),
    "not_a_number": ("数値ではありません", "not a number"),
    "not_integer": ("整数ではありません", "not a whole number"),
    "out_of_range": ("値が範囲外です", "value out of range"),
    "unusual_value": (
        "値が通常の範囲を外れています（単位を確認してください）",
        "value outside the usual band (check the unit)",
    ),
    "bad_bool": ("はい／いいえとして読めません", "not a yes/no value"),
    "bad_enum": ("選択肢にない値です", "value not among the allowed ones"),
    "bad_year": ("年として読めません", "not a year"),
    "year_in_future": ("建築年が基準年度より後です", "year built after the base year"),
    "code_repaired": (
        "先頭の0が落ちたコードを補いました",
        "code with a lost leading zero repaired",
    ),
    "bad_check_digit": ("コードの検査数字が合いません", "check digit of the code does not match"),
    "unusual_code": ("5桁・6桁の団体コードではありません", "not a 5- or 6-digit JIS code"),
    "code_not_digits": (
        "団体コードが数字だけではありません",
        "municipality code not made of digits",
    ),
    "bad_characters": (
        "コード・IDに使えない文字があります",
        "character not allowed in a code or id",
    ),
    # keys and references
    "duplicate_key": ("キーが重複しています", "duplicate key"),
    "unknown_municipality": (
        "市町村シートにないコードです",
        "municipality not in the municipalities sheet",
    ),
    "unknown_type": ("施設類型シートにない類型です", "type not in the facility_types sheet"),
    "unknown_facility": (
        "施設・候補地にない施設IDです",
        "facility id not among facilities or candidates",
    ),
    # coordinates
    "latlon_swapped": ("緯度と経度が入れ替わっていませんか", "latitude and longitude swapped?"),
    "outside_japan": ("日本の範囲外の座標です", "point outside Japan"),
    # cross-sheet consistency
    "elderly_exceeds_population": (
        "75歳以上人口が人口を超えています",
        "75+ population exceeds the population",
    ),
    "missing_unit_cost": (
        "単価が空欄で既定値もありません",
        "unit cost blank and no default exists",
    ),
    "nothing_within_reach": (
        "利用圏内にこの類型の施設がありません",
        "no facility of this type within reach",
    ),
    "type_without_facilities": (
        "施設も候補地もない類型です",
        "type with no facility and no candidate",
    ),
    "demand_beyond_reach": (
        "利用圏内の施設の容量が需要に足りません",
        "demand exceeds the capacity within reach",
    ),
    "no_capital_cost": (
        "延床面積も更新費用もないため更新費用を計上しません",
        "neither floor area nor renewal cost: no capital cost counted",
    ),
    "unknown_age": ("建築年が不明のため築年数を仮定します", "year built unknown: age assumed"),
    # parameters, travel, rules
    "unknown_parameter": ("不明なパラメータです", "unknown parameter"),
    "bad_parameter": ("パラメータの値が不正です", "bad parameter value"),
    "weights_not_one": ("按分比率の合計が1になりません", "split weights do not add up to 1"),
    "travel_without_distance": ("距離も所要時間もありません", "neither distance nor minutes"),
    "rule_incomplete": ("条件に必要な値がありません", "rule lacks a value it needs"),
    # contradictory hard rules
    "rule_cannot_hold": ("満たせない条件です", "a rule that cannot hold"),
    "type_all_closed": (
        "この類型の施設・候補地がすべて廃止指定です",
        "every facility and candidate of this type is set to close",
    ),
    "rule_not_applied": (
        "条件が適用されない市町村があります",
        "a rule that does not apply to some municipalities",
    ),
    "no_partner_allowed": (
        "連携できないため需要を満たせません",
        "demand that only a partner could serve, but no partner is allowed",
    ),
    # care: owners and planning areas
    "close_not_owned": (
        "市町村が所有しない施設は廃止できません",
        "a municipality cannot close a facility it does not own",
    ),
    "floor_without_area": (
        "圏域の下限がありますが、老人福祉圏域を記入した市町村がありません",
        "an area floor, but no municipality names its care area",
    ),
    "no_care_area": (
        "老人福祉圏域が空欄です（圏域の下限が適用されません）",
        "care area blank: no area floor applies",
    ),
    "area_floor_unreachable": (
        "圏域の容量の下限に、圏域内の施設・候補地の容量が届きません",
        "an area floor above the capacity the area's facilities and candidates hold",
    ),
    # zones
    "zone_is_municipality_code": (
        "区域IDが他の市町村のコードと同じです",
        "zone id equals another municipality's code",
    ),
    "zone_population_mismatch": (
        "区域の人口の合計が市町村の人口と合いません",
        "the zones' population does not add up to the municipality's",
    ),
    "zone_elderly_exceeds": (
        "区域の75歳以上人口の合計が市町村の75歳以上人口を超えています",
        "the zones' 75+ population exceeds the municipality's",
    ),
    "municipality_without_zones": (
        "区域のない市町村です（住民を市町村の代表点に置きます）",
        "municipality without zones (its residents sit at its own point)",
    ),
    # service level
    "coverage_out_of_reach": (
        "カバー率の下限に、開設しうる施設が届きません",
        "a coverage share beyond what the facilities that may open reach",
    ),
    # sanity bands
    "library_area_band": (
        "図書館の延床面積が目安の範囲外です",
        "library floor area outside the usual band",
    ),
    "care_capacity_band": (
        "介護施設の定員が目安の範囲外です",
        "care capacity outside the usual band",
    ),
    "public_area_band": (
        "施設の延床面積の合計が目安を超えています",
        "total floor area above the usual band",
    ),
}
"""Title of each issue code: (Japanese, English)."""

FILE_CODES = frozenset(
    {
        "file_not_found",
        "unsupported_format",
        "xls_format",
        "encrypted",
        "not_xlsx",
        "macro_workbook",
        "zip_bomb",
        "unreadable",
        "no_csv_files",
        "bad_encoding",
    }
)
"""Codes about the file as a whole: ``sheet`` then holds the file name."""


def _escaped(ch: str) -> str:
    """A control or format character as an escape (\\x07, \\u200b), others as they are."""
    if unicodedata.category(ch) not in ("Cc", "Cf"):
        return ch
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def _shown(value: object) -> str:
    """The value as the user typed it, quoted; blanks shown as (空欄)/(blank). Control
    characters are escaped, so that a message stays one line and moves no cursor."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = "".join(_escaped(ch) for ch in str(value))
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class Issue:
    """One problem found in the inputs.

    Attributes
    ----------
    sheet
        Sheet name (``municipalities`` ...); for a file-level problem the file name.
    row
        Excel row number as the user sees it (the header row counts), None for a
        sheet- or file-level problem.
    column
        Column name of the schema (or the header as typed, for unknown columns).
    value
        The value found (raw, as typed).
    code
        Stable machine code; :data:`TITLES` gives its title.
    expected
        What was expected, in English.
    severity
        ``"error"`` (the run stops) or ``"warning"`` (reported, the run goes on).
    expected_ja
        What was expected, in Japanese (falls back to ``expected``).
    """

    sheet: str
    row: int | None
    column: str | None
    value: object
    code: str
    expected: str
    severity: str = ERROR
    expected_ja: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def message(self, lang: str = "ja") -> str:
        """One readable line: severity, place, title, value found, expectation."""
        ja = lang != "en"
        title_ja, title_en = TITLES.get(self.code, (self.code, self.code))
        value = _shown(self.value)
        if ja:
            level = "エラー" if self.is_error else "警告"
            if self.code in FILE_CODES:
                place = [f"ファイル「{self.sheet}」"]
            else:
                place = [f"シート「{self.sheet}」"]
                if self.row is not None:
                    place.append(f"{self.row}行目")
                if self.column:
                    place.append(f"列「{self.column}」")
            found = f"値「{value}」" if value else "値は空欄"
            expected = self.expected_ja or self.expected
            return f"{level}: {' '.join(place)}: {title_ja}。{found}、{expected}"
        level = "error" if self.is_error else "warning"
        if self.code in FILE_CODES:
            place = [f"file '{self.sheet}'"]
        else:
            place = [f"sheet '{self.sheet}'"]
            if self.row is not None:
                place.append(f"row {self.row}")
            if self.column:
                place.append(f"column '{self.column}'")
        found = f"found '{value}'" if value else "found a blank"
        return f"{level}: {', '.join(place)}: {title_en}; {found}; expected {self.expected}"


def issue(
    sheet: str,
    row: int | None,
    column: str | None,
    value: object,
    code: str,
    expected: str,
    expected_ja: str = "",
    severity: str = ERROR,
) -> Issue:
    """Shorthand constructor with the Japanese expectation before the severity."""
    if code not in TITLES:
        raise KeyError(f"issue code {code!r} has no title in the catalogue")
    return Issue(sheet, row, column, value, code, expected, severity, expected_ja)


def _sort_key(item: Issue) -> tuple:
    return (
        not item.is_error,
        item.sheet,
        item.row if item.row is not None else -1,
        item.column or "",
    )


def format_issues(issues: Iterable[Issue], lang: str = "ja") -> str:
    """A readable block: the count first, then one line per issue, errors first."""
    items = sorted(issues, key=_sort_key)
    errors = sum(item.is_error for item in items)
    warnings = len(items) - errors
    if lang == "en":
        head = f"{len(items)} problem(s) in the input: {errors} error(s), {warnings} warning(s)"
    else:
        head = f"入力に {len(items)} 件の指摘があります（エラー {errors} 件、警告 {warnings} 件）"
    return "\n".join([head, *(f"  {item.message(lang)}" for item in items)])
