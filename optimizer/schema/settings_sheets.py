"""The optional sheets that hold settings rather than data: parameters (name / value
rows, see :mod:`.parameters`), travel, rules and scenarios."""

from __future__ import annotations

from optimizer.schema.columns import Sheet
from optimizer.schema.columns import column as _c
from optimizer.schema.reference import ROAD_KM, ROAD_MINUTES, RULE_VALUE

__all__ = ["RULE_KINDS", "PARAMETERS_SHEET", "TRAVEL", "RULES", "SCENARIOS"]

RULE_KINDS = ("no_cooperation", "keep_own", "max_partners", "min_self_sufficiency")


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
        _c("distance_km", "距離", "float", "Road distance", "道路距離", unit="km", **ROAD_KM),
        _c(
            "minutes",
            "所要時間",
            "float",
            "Travel time; converted to km with the parameter travel_speed_kmh",
            "所要時間（パラメータ travel_speed_kmh で km に換算）",
            unit="分",
            **ROAD_MINUTES,
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
            examples=("keep_own", "max_partners"),
        ),
        _c(
            "municipality",
            "市町村コード",
            "code",
            "Municipality the rule applies to",
            "対象の市町村コード",
            required=True,
            examples=("13202", "13201"),
        ),
        _c(
            "other",
            "相手・類型",
            "code",
            "The other municipality (no_cooperation) or the facility type",
            "相手の市町村コード（no_cooperation）または施設類型",
            examples=("care", None),
        ),
        _c(
            "value",
            "値",
            "float",
            "Number for max_partners / min_self_sufficiency",
            "max_partners・min_self_sufficiency の値",
            **RULE_VALUE,
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
