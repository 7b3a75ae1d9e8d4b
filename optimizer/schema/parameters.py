"""The settings of the ``parameters`` sheet (:data:`PARAMETERS`), with their defaults.

The sheet is a key/value table: one row per :class:`~optimizer.schema.columns.Parameter`,
``name`` (or its Japanese label) and ``value`` (blank = the default given here).
"""

from __future__ import annotations

from typing import Any

from optimizer.schema.columns import Parameter
from optimizer.schema.reference import AREA_BUDGET, JAPAN_MUNICIPALITIES

__all__ = ["PARAMETERS", "PARAMETERS_BY_NAME"]


def _p(
    name: str,
    label_ja: str,
    kind: str,
    default: object,
    description: str,
    description_ja: str = "",
    **kw: Any,
) -> Parameter:
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
        usual=(2000, 2100),  # any year 1868–2200 is read; a plan starts in this century
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
        usual=(10, 60),  # 公共施設等総合管理計画: 10–40 years; MIC 40
    ),
    _p(
        "period_years",
        "期の長さ",
        "int",
        5,
        "Length of one period of the population outlook [years]: the horizon is cut into "
        "periods of this length from the base year",
        "人口見通しの期の長さ（年）。計画期間を基準年度からこの年数ごとに区切る",
        unit="年",
        minimum=1,
        maximum=40,
        usual=(1, 10),  # 5-year steps as the census and IPSS outlooks
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
        usual=(0.0, 0.1),  # MLIT 4 %; real rates of 0–10 % are in use
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
        usual=(1, 20),  # MIC 10
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
        usual=(1, 5),  # MIC 2 (renovation) and 3 (rebuild)
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
        usual=(1, 5),  # MIC 2 (renovation) and 3 (rebuild)
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
        usual=(1.0, 2.0),  # Japanese road networks: about 1.2–1.5 × the straight line
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
        usual=(3.0, 100.0),  # walking 4 km/h … expressway 100 km/h
    ),
    _p(
        "zone_grid_km",
        "区域集約の格子間隔",
        "float",
        None,
        "Merge the zones of each municipality that fall in one square of this size into one "
        "demand point (population-weighted centre); blank: no grid",
        "同じ市町村で同じ格子（この一辺の正方形）に入る区域を1つの需要点（人口重心）にまとめる"
        "（空欄は集約しない）",
        unit="km",
        minimum=0.05,
        maximum=50.0,
        nullable=True,
        usual=(0.25, 5.0),  # a 1 km grid is the 地域メッシュ 3次 (about 1 km) scale
    ),
    _p(
        "zones_per_municipality",
        "市町村あたりの需要点数",
        "int",
        None,
        "Merge each municipality's zones into at most this many demand points "
        "(population-weighted k-means); blank: no merging",
        "各市町村の区域を最大この数の需要点にまとめる（人口で重み付けしたk平均法、空欄は集約しない）",
        minimum=1,
        maximum=1000,
        nullable=True,
        usual=(3, 100),
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
        maximum=1e10,  # ten billion yen a year for one agreement: more than a whole town hall
        usual=(0, 1e8),  # the staff time of a few officials: a few million yen a year
    ),
    _p(
        "agreement_term_years",
        "協約の期間",
        "int",
        None,
        "Term of each agreement in years; blank: it runs until one party gives notice "
        "(as most real 連携協約 do)",
        "協約の有効期間（年）。空欄は、いずれかの団体が廃止を申し出るまで効力を有する（多くの連携協約と同じ）",
        unit="年",
        minimum=1,
        maximum=100,
        nullable=True,
        usual=(1, 40),
    ),
    _p(
        "document_languages",
        "協約書の言語",
        "text",
        "ja",
        "Languages of the agreement documents: ja, en, or both (ja,en); Japanese by default",
        "協約書を作成する言語（ja、en、または ja,en）。既定は日本語のみ",
    ),
    _p(
        "max_partners",
        "連携先の上限",
        "int",
        None,
        "Most agreements one municipality may sign (blank: no limit)",
        "1市町村が結べる協約の上限（空欄は上限なし）",
        minimum=0,
        maximum=JAPAN_MUNICIPALITIES,  # every other municipality of Japan
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
        **AREA_BUDGET,
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
        maximum=1e12,  # a trillion yen per unit a year: beyond it the solver loses precision
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
        maximum=1e6,  # eleven and a half days
        usual=(1, 86_400),  # up to a day
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
        usual=(0.0, 0.1),  # a plan within 10 % of the optimum at worst
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
