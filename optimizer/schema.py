"""The input workbook's schema, declared once, as data.

Everything that knows about the workbook's layout reads it from here: the reader
(header matching, type coercion, defaults), the validator (required cells, ranges,
allowed values), the blank template (headers, Japanese labels, drop-downs, examples)
and the input reference in ``docs/inputs.md``.

A sheet is a :class:`Sheet` of :class:`Column` s; the ``parameters`` sheet is a
key/value table whose keys are the :class:`Parameter` s in :data:`PARAMETERS`.

Column kinds (``Column.kind``):

``text``   free text, trimmed
``code``   an identifier kept as text (JIS municipality codes keep leading zeros)
``int``    whole number; full-width digits and "1,234" accepted
``float``  number; full-width digits and "1,234" accepted
``year``   a calendar year (int), 1868 to 2200
``bool``   yes/no; accepts yes/no, true/false, 1/0, はい/いいえ, ○/×, 可/不可
``enum``   one of ``Column.choices``
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Column",
    "Sheet",
    "Parameter",
    "SHEETS",
    "SHEETS_BY_NAME",
    "PARAMETERS",
    "PARAMETERS_BY_NAME",
    "STATUSES",
    "DEMAND_BASES",
    "RULE_KINDS",
    "PROJECTION_PREFIXES",
    "MIC_UNIT_COSTS",
    "TRUE_WORDS",
    "FALSE_WORDS",
]

KINDS = ("text", "code", "int", "float", "year", "bool", "enum")

STATUSES = ("keep", "close", "free")
"""Facility status: ``keep`` = must stay open (or, for a candidate, must be built);
``close`` = must close (or never be built); ``free`` = the optimiser decides."""

DEMAND_BASES = ("population", "population_75plus")

RULE_KINDS = ("no_cooperation", "keep_own", "max_partners", "min_self_sufficiency")

PROJECTION_PREFIXES = ("population_75plus_", "population_")
"""Optional projection columns ``population_YYYY`` / ``population_75plus_YYYY``."""

TRUE_WORDS = frozenset(
    {"yes", "y", "true", "t", "1", "はい", "○", "〇", "◯", "可", "有", "する", "ok"}
)
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "いいえ", "×", "✕", "不可", "無", "しない"})

MIC_UNIT_COSTS: dict[str, tuple[float, float]] = {
    "library": (250_000.0, 400_000.0),
    "hall": (250_000.0, 400_000.0),
    "care": (200_000.0, 360_000.0),
}
"""Default (large renovation, rebuild) unit costs [yen/m²] by facility category.

Source: 総務省「公共施設等更新費用試算ソフト」(distributed by 一般財団法人地域総合整備財団
(ふるさと財団)), unit costs by building category: 社会教育系 (library) and 市民文化系 (hall)
250,000 / 400,000 yen/m²; 保健・福祉系 (care) 200,000 / 360,000 yen/m².
"""


@dataclass(frozen=True)
class Column:
    """One column of an input sheet.

    ``examples`` gives the two values the blank template shows in its example rows.
    """

    name: str
    label_ja: str
    kind: str
    description: str
    description_ja: str = ""
    unit: str = ""
    required: bool = False
    default: object = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    examples: tuple[object, object] = (None, None)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Sheet:
    """One sheet of the input workbook.

    ``key`` names the column whose values must be unique; ``required`` says whether
    the workbook must contain the sheet; ``open_columns`` allows extra columns whose
    names start with one of :data:`PROJECTION_PREFIXES` followed by a year.
    """

    name: str
    label_ja: str
    description: str
    description_ja: str
    columns: tuple[Column, ...]
    required: bool = True
    key: str | None = None
    open_columns: bool = False
    column_index: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_index", {c.name: c for c in self.columns})

    def column(self, name: str) -> Column:
        return self.column_index[name]


@dataclass(frozen=True)
class Parameter:
    """One setting of the ``parameters`` sheet (key/value rows)."""

    name: str
    label_ja: str
    kind: str
    default: object
    description: str
    description_ja: str = ""
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False


def _c(name, label_ja, kind, description, description_ja="", **kw) -> Column:
    return Column(name, label_ja, kind, description, description_ja, **kw)


LAT = dict(minimum=20.0, maximum=46.0)
LON = dict(minimum=122.0, maximum=154.0)

MUNICIPALITIES = Sheet(
    name="municipalities",
    label_ja="市町村",
    description="One row per municipality of the area.",
    description_ja="圏域を構成する市町村を1行に1つ記入します。",
    key="code",
    open_columns=True,
    columns=(
        _c(
            "code",
            "市町村コード",
            "code",
            "JIS municipality code (5 or 6 digits, as text)",
            "全国地方公共団体コード（5桁または6桁、文字列）",
            required=True,
            examples=("13201", "13202"),
        ),
        _c(
            "name",
            "市町村名",
            "text",
            "Municipality name",
            "市町村名",
            required=True,
            examples=("八王子市", "立川市"),
        ),
        _c(
            "lat",
            "緯度",
            "float",
            "Latitude of the municipality's centre (WGS84)",
            "代表点の緯度（世界測地系）",
            unit="°",
            required=True,
            **LAT,
            examples=(35.6667, 35.7139),
        ),
        _c(
            "lon",
            "経度",
            "float",
            "Longitude of the municipality's centre (WGS84)",
            "代表点の経度（世界測地系）",
            unit="°",
            required=True,
            **LON,
            examples=(139.3158, 139.4078),
        ),
        _c(
            "population",
            "人口",
            "int",
            "Resident population",
            "住民基本台帳人口または国勢調査人口",
            unit="人",
            required=True,
            minimum=1,
            examples=(579605, 187089),
        ),
        _c(
            "population_75plus",
            "75歳以上人口",
            "int",
            "Residents aged 75 and over",
            "75歳以上人口",
            unit="人",
            required=True,
            minimum=0,
            examples=(88640, 26017),
        ),
        _c(
            "may_share",
            "連携可否",
            "bool",
            "May this municipality enter cooperation agreements at all?",
            "連携協約を結ぶことができるか",
            default=True,
            examples=("yes", "yes"),
        ),
        _c(
            "capital_budget",
            "投資上限額",
            "float",
            "Cap on this municipality's renewal and build spending over the horizon (blank: none)",
            "計画期間中の更新・新設投資の上限（空欄は上限なし）",
            unit="円",
            minimum=0,
            examples=(None, None),
        ),
    ),
)

_FACILITY_COMMON = (
    _c(
        "id",
        "施設ID",
        "code",
        "Facility identifier, unique across facilities and candidates",
        "施設ID（既存施設と候補地を通じて一意）",
        required=True,
    ),
    _c("name", "施設名", "text", "Facility name", "施設名", required=True),
    _c(
        "type",
        "施設類型",
        "code",
        "Facility type, one of the facility_types sheet",
        "施設類型（施設類型シートのいずれか）",
        required=True,
    ),
    _c(
        "municipality",
        "所在市町村コード",
        "code",
        "Code of the host municipality",
        "施設が所在する市町村のコード",
        required=True,
    ),
    _c(
        "lat",
        "緯度",
        "float",
        "Latitude (WGS84)",
        "緯度（世界測地系）",
        unit="°",
        required=True,
        **LAT,
    ),
    _c(
        "lon",
        "経度",
        "float",
        "Longitude (WGS84)",
        "経度（世界測地系）",
        unit="°",
        required=True,
        **LON,
    ),
    _c(
        "capacity",
        "定員・容量",
        "float",
        "Capacity in the type's unit (beds, seats, annual visits)",
        "類型の単位での容量（床、席、年間利用者数）",
        required=True,
        minimum=0,
    ),
    _c("floor_area_m2", "延床面積", "float", "Gross floor area", "延床面積", unit="m²", minimum=0),
)

FACILITIES = Sheet(
    name="facilities",
    label_ja="施設",
    description="One row per existing facility.",
    description_ja="既存施設を1行に1つ記入します。",
    key="id",
    columns=_FACILITY_COMMON
    + (
        _c("year_built", "建築年", "year", "Year the building was completed", "建築年（西暦）"),
        _c(
            "annual_operating_cost",
            "年間運営費",
            "float",
            "Annual operating cost (staff, utilities, routine repairs)",
            "年間の運営費（人件費・光熱水費・修繕費）",
            unit="円/年",
            minimum=0,
            default=0.0,
        ),
        _c(
            "renewal_cost",
            "更新費用",
            "float",
            "Cost of one rebuild; blank: floor area × the type's rebuild unit cost (MIC method)",
            "建替え1回の費用（空欄は延床面積×建替え単価で試算）",
            unit="円",
            minimum=0,
        ),
        _c(
            "status",
            "方針",
            "enum",
            "keep = must stay open, close = must close, free = the optimiser decides",
            "keep=存続確定、close=廃止確定、free=最適化で決定",
            choices=STATUSES,
            default="free",
        ),
    ),
)

CANDIDATES = Sheet(
    name="candidates",
    label_ja="新設候補",
    description="One row per site where a new or merged facility could be built.",
    description_ja="新設・統合施設の候補地を1行に1つ記入します。",
    key="id",
    required=False,
    columns=_FACILITY_COMMON
    + (
        _c(
            "build_cost",
            "整備費",
            "float",
            "Cost of building the facility",
            "施設の整備費",
            unit="円",
            required=True,
            minimum=0,
        ),
        _c(
            "annual_operating_cost",
            "年間運営費",
            "float",
            "Annual operating cost once open",
            "開設後の年間運営費",
            unit="円/年",
            minimum=0,
            default=0.0,
        ),
        _c(
            "status",
            "方針",
            "enum",
            "keep = must be built, close = must not be built, free = the optimiser decides",
            "keep=整備確定、close=整備しない、free=最適化で決定",
            choices=STATUSES,
            default="free",
        ),
    ),
)

FACILITY_TYPES = Sheet(
    name="facility_types",
    label_ja="施設類型",
    description="One row per facility type: how demand is counted, how far residents "
    "may travel, and unit costs.",
    description_ja="施設類型ごとの需要の数え方、利用圏、単価を記入します。",
    key="type",
    columns=(
        _c(
            "type",
            "施設類型",
            "code",
            "Type identifier (library, hall, care or your own)",
            "類型ID（library / hall / care または任意）",
            required=True,
            examples=("library", "care"),
        ),
        _c(
            "name_ja",
            "類型名",
            "text",
            "Name shown in reports",
            "帳票に表示する名称",
            examples=("図書館", "特別養護老人ホーム"),
        ),
        _c(
            "demand_basis",
            "需要の基準人口",
            "enum",
            "Population that generates demand",
            "需要を生む人口",
            required=True,
            choices=DEMAND_BASES,
            examples=("population", "population_75plus"),
        ),
        _c(
            "demand_per_person",
            "一人当たり需要",
            "float",
            "Demand per person of the basis population, in capacity units",
            "基準人口一人当たりの需要（容量の単位）",
            required=True,
            minimum=0,
            examples=(3.0, 0.03),
        ),
        _c(
            "capacity_unit",
            "容量の単位",
            "text",
            "Unit of capacity and demand",
            "容量の単位",
            default="",
            examples=("visits/year", "beds"),
        ),
        _c(
            "max_distance_km",
            "最大利用距離",
            "float",
            "Longest access distance a resident may be assigned",
            "住民が利用できる最大距離",
            unit="km",
            required=True,
            minimum=0,
            examples=(8.0, 12.0),
        ),
        _c(
            "renovation_unit_cost",
            "大規模改修単価",
            "float",
            "Large-renovation unit cost (blank: MIC default for library/hall/care)",
            "大規模改修単価（空欄は総務省試算ソフトの既定値）",
            unit="円/m²",
            minimum=0,
            examples=(250000, 200000),
        ),
        _c(
            "rebuild_unit_cost",
            "建替え単価",
            "float",
            "Rebuild unit cost (blank: MIC default for library/hall/care)",
            "建替え単価（空欄は総務省試算ソフトの既定値）",
            unit="円/m²",
            minimum=0,
            examples=(400000, 360000),
        ),
        _c(
            "life_years",
            "耐用年数",
            "int",
            "Years from construction to rebuild",
            "建替えまでの年数",
            unit="年",
            default=60,
            minimum=1,
            maximum=200,
            examples=(60, 60),
        ),
        _c(
            "renovation_year",
            "大規模改修年",
            "int",
            "Years from construction to the large renovation",
            "大規模改修までの年数",
            unit="年",
            default=30,
            minimum=1,
            maximum=200,
            examples=(30, 30),
        ),
        _c(
            "user_travel_cost_per_km",
            "利用者移動費用",
            "float",
            "Cost of one unit of demand travelling one km, per year",
            "需要1単位が1km移動する年間費用",
            unit="円/km",
            default=0.0,
            minimum=0,
            examples=(150, 2000),
        ),
        _c(
            "routine_repair_per_m2",
            "経常修繕費",
            "float",
            "Routine repairs per m² and year, added to operating cost (MIC excludes them)",
            "経常修繕費（総務省試算には含まれない）",
            unit="円/m²/年",
            default=0.0,
            minimum=0,
            examples=(0, 0),
        ),
    ),
)

PARAMETERS_SHEET = Sheet(
    name="parameters",
    label_ja="パラメータ",
    description="Run settings as name / value rows; blank values take the default.",
    description_ja="計算条件を「名前・値」の行で記入します。空欄は既定値です。",
    key="name",
    required=False,
    columns=(
        _c(
            "name",
            "項目",
            "code",
            "Parameter name",
            "パラメータ名",
            required=True,
            examples=("discount_rate", "base_year"),
        ),
        _c("value", "値", "text", "Value", "値", examples=(0.04, 2026)),
        _c("note", "備考", "text", "Free note", "備考"),
    ),
)

TRAVEL = Sheet(
    name="travel",
    label_ja="移動距離",
    description="Optional road distances or travel times that override the geodesic estimate.",
    description_ja="道路距離や所要時間（直線距離の推計に優先）を任意で記入します。",
    required=False,
    columns=(
        _c(
            "municipality",
            "市町村コード",
            "code",
            "Municipality code",
            "市町村コード",
            required=True,
            examples=("13201", "13202"),
        ),
        _c(
            "facility",
            "施設ID",
            "code",
            "Facility or candidate id",
            "施設ID・候補地ID",
            required=True,
        ),
        _c("distance_km", "距離", "float", "Road distance", "道路距離", unit="km", minimum=0),
        _c(
            "minutes",
            "所要時間",
            "float",
            "Travel time; converted to km with the parameter travel_speed_kmh",
            "所要時間（パラメータ travel_speed_kmh で km に換算）",
            unit="分",
            minimum=0,
        ),
    ),
)

RULES = Sheet(
    name="rules",
    label_ja="条件",
    description="Optional policy rules: no_cooperation (municipality, other), keep_own "
    "(municipality, type), max_partners (municipality, value), min_self_sufficiency "
    "(municipality, type or blank, value 0–1).",
    description_ja="任意の政策条件：no_cooperation（連携しない組合せ）、keep_own（自前で1施設以上"
    "保持）、max_partners（連携先の上限）、min_self_sufficiency（自給率の下限）。",
    required=False,
    columns=(
        _c(
            "rule",
            "条件",
            "enum",
            "Rule kind",
            "条件の種類",
            required=True,
            choices=RULE_KINDS,
            examples=("no_cooperation", "keep_own"),
        ),
        _c(
            "municipality",
            "市町村コード",
            "code",
            "Municipality the rule applies to",
            "対象の市町村コード",
            required=True,
            examples=("13201", "13202"),
        ),
        _c(
            "other",
            "相手・類型",
            "code",
            "The other municipality (no_cooperation) or the facility type",
            "相手の市町村コード（no_cooperation）または施設類型",
            examples=("13202", "library"),
        ),
        _c(
            "value",
            "値",
            "float",
            "Number for max_partners / min_self_sufficiency",
            "max_partners・min_self_sufficiency の値",
            minimum=0,
        ),
    ),
)

SCENARIOS = Sheet(
    name="scenarios",
    label_ja="シナリオ",
    description="Optional named what-if overrides: scenario, target, value.",
    description_ja="任意のシナリオ（上書き）：シナリオ名、対象、値。",
    required=False,
    columns=(
        _c(
            "scenario",
            "シナリオ名",
            "text",
            "Scenario name",
            "シナリオ名",
            required=True,
            examples=("short-distance", "short-distance"),
        ),
        _c(
            "target",
            "対象",
            "text",
            "What to override, e.g. parameters.discount_rate, "
            "facility_types.hall.max_distance_km, facilities.L-012.status",
            "上書き対象（例 parameters.discount_rate）",
            required=True,
            examples=("facility_types.library.max_distance_km", "parameters.agreement_fixed_cost"),
        ),
        _c("value", "値", "text", "New value", "新しい値", required=True, examples=(5, 0)),
        _c("note", "備考", "text", "Free note", "備考"),
    ),
)

SHEETS: tuple[Sheet, ...] = (
    MUNICIPALITIES,
    FACILITY_TYPES,
    FACILITIES,
    CANDIDATES,
    PARAMETERS_SHEET,
    TRAVEL,
    RULES,
    SCENARIOS,
)
SHEETS_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}


def _p(name, label_ja, kind, default, description, description_ja="", **kw) -> Parameter:
    return Parameter(name, label_ja, kind, default, description, description_ja, **kw)


PARAMETERS: tuple[Parameter, ...] = (
    _p(
        "area_name",
        "圏域名",
        "text",
        "",
        "Name of the area, shown in reports",
        "帳票に表示する圏域名",
    ),
    _p(
        "base_year",
        "基準年度",
        "year",
        2026,
        "First year of the planning horizon",
        "計画期間の初年度",
    ),
    _p(
        "horizon_years",
        "計画期間",
        "int",
        40,
        "Years costs are counted over (MIC: 40)",
        "費用を計上する年数（総務省試算：40年）",
        unit="年",
        minimum=1,
        maximum=100,
    ),
    _p(
        "discount_rate",
        "割引率",
        "float",
        0.04,
        "Real discount rate for annualising capital costs (MLIT cost-benefit guideline: 4 %)",
        "資本費の年価換算に用いる割引率（国土交通省 費用便益分析指針：4%）",
        minimum=0.0,
        maximum=0.5,
    ),
    _p(
        "overdue_renovation_years",
        "積み残し改修の平準化年数",
        "int",
        10,
        "Years over which overdue renovation/rebuild is levelled (MIC: 10)",
        "積み残し分を平準化する年数（総務省試算：10年）",
        unit="年",
        minimum=1,
        maximum=40,
    ),
    _p(
        "renovation_spread_years",
        "大規模改修の工期",
        "int",
        2,
        "Years a large renovation is spread over (MIC: 2)",
        "大規模改修の期間（総務省試算：2年）",
        unit="年",
        minimum=1,
        maximum=10,
    ),
    _p(
        "rebuild_spread_years",
        "建替えの工期",
        "int",
        3,
        "Years a rebuild or a new build is spread over (MIC: 3)",
        "建替えの期間（総務省試算：3年）",
        unit="年",
        minimum=1,
        maximum=10,
    ),
    _p(
        "detour_factor",
        "迂回係数",
        "float",
        1.3,
        "Road distance ÷ straight-line distance",
        "道路距離÷直線距離",
        minimum=1.0,
        maximum=3.0,
    ),
    _p(
        "travel_speed_kmh",
        "移動速度",
        "float",
        30.0,
        "Speed used to turn travel minutes into km",
        "所要時間を距離に換算する速度",
        unit="km/h",
        minimum=1.0,
        maximum=200.0,
    ),
    _p(
        "agreement_fixed_cost",
        "協約の固定費",
        "float",
        2_000_000.0,
        "Annual cost of running one bilateral agreement (split evenly by its two parties)",
        "連携協約1件あたりの年間事務費（両者で折半）",
        unit="円/年",
        minimum=0,
    ),
    _p(
        "max_partners",
        "連携先の上限",
        "int",
        None,
        "Most agreements one municipality may sign (blank: no limit)",
        "1市町村が結べる協約の上限（空欄は上限なし）",
        minimum=0,
        nullable=True,
    ),
    _p(
        "min_self_sufficiency",
        "自給率の下限",
        "float",
        0.0,
        "Least share of each municipality's demand served by its own facilities",
        "自前の施設で賄う需要の割合の下限",
        minimum=0.0,
        maximum=1.0,
    ),
    _p(
        "keep_own_each_type",
        "各類型1施設保持",
        "bool",
        False,
        "Every municipality keeps at least one own facility of every type",
        "全市町村が全類型で自前の施設を1つ以上保持する",
    ),
    _p(
        "fairness",
        "個別合理性",
        "bool",
        True,
        "No municipality may pay more than it would alone",
        "どの市町村も単独より負担が増えない",
    ),
    _p(
        "required_saving",
        "必要削減率",
        "float",
        0.0,
        "Each municipality's cost must be at most (1 − this) × its stand-alone cost",
        "各市町村の費用を単独費用の(1−この値)倍以下にする",
        minimum=0.0,
        maximum=0.9,
    ),
    _p(
        "capital_budget",
        "投資上限額（圏域）",
        "float",
        None,
        "Cap on area-wide renewal and build spending over the horizon (blank: none)",
        "圏域全体の計画期間中の更新・新設投資の上限（空欄は上限なし）",
        unit="円",
        minimum=0,
        nullable=True,
    ),
    _p(
        "unserved_penalty",
        "未充足需要の費用",
        "float",
        None,
        "Cost per unit of demand left unserved, per year; blank: for each type, "
        "UNSERVED_PENALTY_FACTOR × its dearest cost of serving one unit (unit cost + travel "
        "at the maximum distance), so that serving always pays",
        "充足できない需要1単位あたりの年間費用（空欄は類型ごとに、1単位を賄う最も高い費用"
        "（単位費用＋最大距離の移動費用）の10倍）",
        unit="円",
        minimum=0,
        nullable=True,
    ),
    _p(
        "solver",
        "ソルバー",
        "text",
        "highs",
        "Solver name (highs, cbc or any PuLP solver)",
        "ソルバー名",
    ),
    _p(
        "time_limit_s",
        "計算時間上限",
        "float",
        120.0,
        "Solver time limit",
        "ソルバーの計算時間上限",
        unit="秒",
        minimum=1,
    ),
    _p(
        "mip_gap",
        "許容ギャップ",
        "float",
        0.0001,
        "Relative optimality gap to stop at",
        "最適性ギャップの許容値",
        minimum=0.0,
        maximum=1.0,
    ),
    _p(
        "weight_equal",
        "均等割",
        "float",
        0.10,
        "Formula split: equal share weight",
        "按分方式：均等割の比率",
        minimum=0.0,
        maximum=1.0,
    ),
    _p(
        "weight_population",
        "人口割",
        "float",
        0.45,
        "Formula split: population weight",
        "按分方式：人口割の比率",
        minimum=0.0,
        maximum=1.0,
    ),
    _p(
        "weight_usage",
        "実績割",
        "float",
        0.45,
        "Formula split: usage weight",
        "按分方式：実績割の比率",
        minimum=0.0,
        maximum=1.0,
    ),
    _p(
        "language",
        "言語",
        "enum",
        "ja",
        "Language of messages and documents",
        "メッセージと文書の言語",
        choices=("ja", "en"),
    ),
)
PARAMETERS_BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
