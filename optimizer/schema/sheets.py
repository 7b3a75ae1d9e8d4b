"""The sheets of the input workbook, declared as data (:data:`SHEETS`): the data sheets
(municipalities, facility types, facilities, candidates) here, the zones in
:mod:`.zone_sheet`, the settings sheets in :mod:`.settings_sheets`.

Everything that knows about the workbook's layout reads it from here: the reader
(sheet and header matching), the validator (types, required cells, ranges, allowed
values), the blank template (headers, Japanese labels, drop-downs, examples) and the
input reference in ``docs/inputs.md``.
"""

from __future__ import annotations

from optimizer.schema.columns import Sheet
from optimizer.schema.columns import column as _c
from optimizer.schema.reference import (
    ACCESS_KM,
    AREA_FLOOR_PER_75PLUS,
    AREA_FLOOR_SHARE,
    BUILDING_COST,
    CAPACITY,
    COVERAGE_KM,
    COVERAGE_SHARE,
    DEFAULT_MAX_UTILISATION,
    DEMAND_PER_PERSON,
    FLOOR_AREA,
    KEEP_OWN_FROM_POPULATION,
    LAT,
    LIFE_YEARS,
    LON,
    MAX_UTILISATION,
    MUNICIPAL_BUDGET,
    OPERATING_COST,
    POPULATION,
    POPULATION_75PLUS,
    RENOVATION_YEAR,
    REPAIR_PER_M2,
    TRAVEL_COST_PER_KM,
    UNIT_COST_PER_M2,
    YEAR_BUILT,
)
from optimizer.schema.settings_sheets import PARAMETERS_SHEET, RULES, SCENARIOS, TRAVEL
from optimizer.schema.zone_sheet import (
    COORD_SOURCE_DESCRIPTION,
    COORD_SOURCE_DESCRIPTION_JA,
    ZONES,
)

__all__ = [
    "STATUSES",
    "OPERATORS",
    "DEMAND_BASES",
    "PROJECTION_PREFIXES",
    "MUNICIPALITIES",
    "FACILITIES",
    "CANDIDATES",
    "FACILITY_TYPES",
    "SHEETS",
    "SHEETS_BY_NAME",
]

STATUSES = ("keep", "close", "free")
"""Facility status: ``keep`` = must stay open (or, for a candidate, must be built);
``close`` = must close (or never be built); ``free`` = the optimiser decides."""

OPERATORS = ("municipal", "private", "prefecture")
"""Who owns and runs a facility: a member municipality (also when a 指定管理者 runs it for
the municipality), a private operator (社会福祉法人, 医療法人, 株式会社 …) or the
prefecture. A municipality can close only what it owns: a private or prefectural facility
set to ``close`` is an error, and one left ``free`` stays open (read as ``keep``).
Candidate sites are always municipal (the candidates sheet has no operator column)."""

DEMAND_BASES = ("population", "population_75plus")

PROJECTION_PREFIXES = ("population_75plus_", "population_")
"""Optional projection columns ``population_YYYY`` / ``population_75plus_YYYY``."""


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
            **POPULATION,
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
            **POPULATION_75PLUS,
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
            **MUNICIPAL_BUDGET,
            examples=(None, None),
        ),
        _c(
            "care_area",
            "老人福祉圏域",
            "text",
            "Elderly-care planning area (老人福祉圏域) the municipality belongs to, e.g. 南多摩; "
            "the facility types' area floors apply per area (blank: in no area)",
            "所属する老人福祉圏域（例：南多摩）。施設類型の圏域下限は圏域ごとに適用"
            "（空欄はどの圏域にも属さない）",
            default="",
            examples=("南多摩", "北多摩西部"),
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
        **CAPACITY,
    ),
    _c(
        "floor_area_m2",
        "延床面積",
        "float",
        "Gross floor area",
        "延床面積",
        unit="m²",
        **FLOOR_AREA,
    ),
)

_SITE_ADDRESS = (
    _c(
        "address",
        "所在地",
        "text",
        "Street address, prefecture and municipality included; where lat or lon is blank, "
        "optimizer geocode finds the point from it",
        "所在地（都道府県・市町村名から）。緯度・経度が空欄の行は optimizer geocode が"
        "住所から座標を求めます",
    ),
    _c(
        "coord_source",
        "座標の出典",
        "text",
        COORD_SOURCE_DESCRIPTION,
        COORD_SOURCE_DESCRIPTION_JA,
    ),
)
"""The last columns of the facilities and candidates sheets: the address a point may be
found from, and where the point came from (read by ``optimizer geocode``, not by the model)."""

FACILITIES = Sheet(
    name="facilities",
    label_ja="施設",
    description="One row per existing facility.",
    description_ja="既存施設を1行に1つ記入します。",
    key="id",
    columns=_FACILITY_COMMON
    + (
        _c(
            "year_built",
            "建築年",
            "year",
            "Year the building was completed",
            "建築年（西暦）",
            **YEAR_BUILT,
        ),
        _c(
            "annual_operating_cost",
            "年間運営費",
            "float",
            "Annual operating cost (staff, utilities, routine repairs)",
            "年間の運営費（人件費・光熱水費・修繕費）",
            unit="円/年",
            **OPERATING_COST,
            default=0.0,
        ),
        _c(
            "renewal_cost",
            "更新費用",
            "float",
            "Cost of one rebuild; blank: floor area × the type's rebuild unit cost (MIC method)",
            "建替え1回の費用（空欄は延床面積×建替え単価で試算）",
            unit="円",
            **BUILDING_COST,
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
        _c(
            "operator",
            "運営主体",
            "enum",
            "Who owns the facility: municipal (also when a 指定管理者 runs it), private "
            "(社会福祉法人, 医療法人, 株式会社 …) or prefecture; Japanese words such as 市立, "
            "民間, 社会福祉法人, 都立 are accepted. A municipality cannot close what it does not "
            "own: close is refused for a private or prefectural facility, and free is read as "
            "keep",
            "施設の所有・運営主体：municipal（市町村。指定管理も含む）、private（社会福祉法人・"
            "医療法人・株式会社など）、prefecture（都道府県）。市立・民間・社会福祉法人・都立など"
            "の日本語も可。市町村は自ら所有しない施設を廃止できないため、private・prefecture "
            "の施設に close は指定できず、free は keep として扱います",
            choices=OPERATORS,
            default="municipal",
        ),
    )
    + _SITE_ADDRESS,
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
            **BUILDING_COST,
        ),
        _c(
            "annual_operating_cost",
            "年間運営費",
            "float",
            "Annual operating cost once open",
            "開設後の年間運営費",
            unit="円/年",
            **OPERATING_COST,
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
    )
    + _SITE_ADDRESS,
)

FACILITY_TYPES = Sheet(
    name="facility_types",
    label_ja="施設類型",
    description="One row per facility type: how demand is counted, how far residents "
    "may travel, unit costs, how full a facility may be, the least capacity each "
    "elderly-care planning area keeps, a service level (residents within a distance of "
    "an open facility) and whether the type is community-based (地域密着型).",
    description_ja="施設類型ごとの需要の数え方、利用圏、単価、稼働率の上限、老人福祉圏域ごと"
    "の容量の下限、サービス水準（開設施設から一定距離内に住む住民の割合）、地域密着型か否かを"
    "記入します。",
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
            **DEMAND_PER_PERSON,
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
            **ACCESS_KM,
            examples=(8.0, 12.0),
        ),
        _c(
            "renovation_unit_cost",
            "大規模改修単価",
            "float",
            "Large-renovation unit cost (blank: MIC default for library/hall/care)",
            "大規模改修単価（空欄は総務省試算ソフトの既定値）",
            unit="円/m²",
            **UNIT_COST_PER_M2,
            examples=(250000, 200000),
        ),
        _c(
            "rebuild_unit_cost",
            "建替え単価",
            "float",
            "Rebuild unit cost (blank: MIC default for library/hall/care)",
            "建替え単価（空欄は総務省試算ソフトの既定値）",
            unit="円/m²",
            **UNIT_COST_PER_M2,
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
            **LIFE_YEARS,
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
            **RENOVATION_YEAR,
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
            **TRAVEL_COST_PER_KM,
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
            **REPAIR_PER_M2,
            examples=(0, 0),
        ),
        _c(
            "max_utilisation",
            "稼働率上限",
            "float",
            "Largest share of each facility's capacity the plan may fill, 0 < u ≤ 1 (blank: "
            f"{DEFAULT_MAX_UTILISATION:g}, a common planning margin; care beds run near full, "
            "特養 occupancy is about 0.95)",
            "計画で埋めてよい各施設の容量の割合（0超1以下。空欄は一般的な計画上の余裕をみた "
            f"{DEFAULT_MAX_UTILISATION:g}。特養の稼働率は全国で約95%）",
            default=DEFAULT_MAX_UTILISATION,
            **MAX_UTILISATION,
            examples=(0.9, 0.95),
        ),
        _c(
            "keep_own_from_population",
            "自前施設を残す人口",
            "float",
            "Every municipality with at least this population keeps at least one facility of "
            "the type of its own open, where it hosts one or a candidate (e.g. 50,000: every "
            "city keeps a library; blank: no such rule)",
            "この人口以上の市町村は、この類型の自らの施設を少なくとも1つ残す（自らの施設か候補地が"
            "ある場合。例：50,000 = 各市が図書館を1館は残す。空欄は適用なし）",
            **KEEP_OWN_FROM_POPULATION,
            examples=(50000, None),
        ),
        _c(
            "area_floor_share",
            "圏域下限（現状比）",
            "float",
            "Least capacity of the type each elderly-care planning area (care_area) keeps, as "
            "a share of today's: its existing facilities of the type not set to close, any "
            "operator (1.0 = keep today's capacity; blank: no floor)",
            "各老人福祉圏域が確保する容量の下限（現状の容量に対する比率）。現状の容量は、"
            "廃止指定でない既存施設の容量の合計（運営主体を問わない）。1.0 = 現状維持、"
            "空欄は下限なし",
            **AREA_FLOOR_SHARE,
            examples=(None, 1.0),
        ),
        _c(
            "area_floor_per_75plus",
            "圏域下限（75歳以上人口当たり）",
            "float",
            "Least capacity of the type each elderly-care planning area (care_area) keeps per "
            "resident aged 75+ of the area (blank: no floor)",
            "各老人福祉圏域が確保する、圏域の75歳以上人口一人当たりの容量の下限（空欄は下限なし）",
            **AREA_FLOOR_PER_75PLUS,
            examples=(None, None),
        ),
        _c(
            "coverage_km",
            "カバー距離",
            "float",
            "With coverage_share, a service level: the distance within which residents "
            "count as covered by an open facility of the type (blank: no such rule)",
            "coverage_share と組で使うサービス水準：開設中のこの類型の施設からこの距離以内に"
            "住む住民をカバーされているとみなす（空欄は適用なし）",
            unit="km",
            **COVERAGE_KM,
            examples=(None, None),
        ),
        _c(
            "coverage_share",
            "カバー率下限",
            "float",
            "With coverage_km: at least this share (0–1) of each municipality's residents "
            "(the type's demand basis) live within coverage_km of an open facility of the "
            "type, whoever hosts it (blank: no such rule)",
            "coverage_km と組で使う：各市町村の住民（需要の基準人口）のうち、開設中のこの類型の"
            "施設（所在市町村を問わない）から coverage_km 以内に住む割合の下限（0～1。空欄は"
            "適用なし）",
            **COVERAGE_SHARE,
            examples=(None, None),
        ),
        _c(
            "community_based",
            "地域密着型",
            "bool",
            "Community-based type (地域密着型, e.g. 地域密着型特養 of 29 places or fewer): "
            "residents of another municipality may use a facility of it only when their "
            "municipality designates it (指定) with the host's consent, that is under an "
            "agreement, even when a private operator runs it",
            "地域密着型の類型か（例：定員29人以下の地域密着型特養）。他の市町村の住民が利用できる"
            "のは、その住民の市町村が所在市町村の同意を得て指定した場合（協約による場合）に限る"
            "（民間が運営する施設も同じ）",
            default=False,
            examples=("no", "no"),
        ),
    ),
)
SHEETS: tuple[Sheet, ...] = (
    MUNICIPALITIES,
    ZONES,
    FACILITY_TYPES,
    FACILITIES,
    CANDIDATES,
    PARAMETERS_SHEET,
    TRAVEL,
    RULES,
    SCENARIOS,
)
SHEETS_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}
