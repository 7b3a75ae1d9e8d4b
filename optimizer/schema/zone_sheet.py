"""The optional ``zones`` sheet (区域): where the residents of each municipality live.

A zone is a small area of one municipality with its residents and one point: a census
町丁・字 (小地域), a school district, a grid cell. The municipalities sheet keeps the
totals (demand, accounts and payments stay per municipality); the zones say only where
the residents live, so that the distances the model sees start at their homes rather
than at the city hall (:mod:`optimizer.problem.zones`). Without the sheet, or with an
empty one, each municipality's residents sit at its own point.
"""

from __future__ import annotations

from optimizer.schema.columns import Sheet
from optimizer.schema.columns import column as _c
from optimizer.schema.reference import LAT, LON, ZONE_POPULATION, ZONE_POPULATION_75PLUS

__all__ = [
    "ZONES",
    "ZONE_POPULATION_TOLERANCE",
    "COORD_SOURCE_DESCRIPTION",
    "COORD_SOURCE_DESCRIPTION_JA",
]

ZONE_POPULATION_TOLERANCE = 0.03
"""Largest relative gap between the sum of a municipality's zones and its population
before a warning: small areas and municipal totals of one census differ by well under 1 %
(the Tama case: 0.2 %), a resident register (住民基本台帳) against the census by 1–3 %."""

COORD_SOURCE_DESCRIPTION = (
    "Where lat/lon came from, as optimizer geocode writes it: given (typed in), "
    "geocoded:<server>, cache (a lookup of an earlier run), not found, no address; "
    "informative only"
)
COORD_SOURCE_DESCRIPTION_JA = (
    "緯度・経度の出典（optimizer geocode が記入）：given（入力済み）、geocoded:<サーバー>、"
    "cache（以前の検索結果）、not found（見つからない）、no address（住所なし）。参考情報です"
)
"""The ``coord_source`` column of the facilities, candidates and zones sheets."""


ZONES = Sheet(
    name="zones",
    label_ja="区域",
    description="Optional: where residents live, one row per small area (a census 町丁・字, a "
    "school district, a grid cell) with its point and residents. The municipalities sheet "
    "keeps the totals: each municipality's demand is split over its zones in proportion to "
    "their residents. A municipality without zones keeps its residents at its own point.",
    description_ja="任意：住民の居住地。小地域（国勢調査の町丁・字、学区、メッシュなど）を1行に1つ、"
    "代表点と人口を記入します。合計は市町村シートの値を用い、各市町村の需要を区域の人口の比で"
    "配分します。区域のない市町村の住民は市町村の代表点に置きます。",
    key="zone",
    required=False,
    open_columns=True,
    columns=(
        _c(
            "zone",
            "区域ID",
            "code",
            "Zone identifier, unique, e.g. the census small-area key (KEY_CODE); not the code "
            "of another municipality (a municipality without zones is one zone keyed by its "
            "code)",
            "区域ID（一意。例：国勢調査小地域の KEY_CODE）。他の市町村のコードは使えません"
            "（区域のない市町村は自らのコードを区域IDとする1区域になります）",
            required=True,
            examples=("13201008003", "132020060"),
        ),
        _c(
            "municipality",
            "市町村コード",
            "code",
            "Code of the municipality the zone belongs to",
            "区域が属する市町村のコード",
            required=True,
            examples=("13201", "13202"),
        ),
        _c(
            "name",
            "区域名",
            "text",
            "Zone name (町丁・字, school district …)",
            "区域名（町丁・字、学区など）",
            examples=("元本郷町三丁目", "泉町"),
        ),
        _c(
            "lat",
            "緯度",
            "float",
            "Latitude of the zone's representative point, where its residents live (WGS84)",
            "区域の代表点（住民の居住地）の緯度（世界測地系）",
            unit="°",
            required=True,
            **LAT,
            examples=(35.664954, 35.715798),
        ),
        _c(
            "lon",
            "経度",
            "float",
            "Longitude of the zone's representative point (WGS84)",
            "区域の代表点の経度（世界測地系）",
            unit="°",
            required=True,
            **LON,
            examples=(139.316179, 139.40579),
        ),
        _c(
            "population",
            "人口",
            "int",
            "Residents of the zone (0 allowed); a municipality's zones should add up to its "
            f"population (a warning beyond {ZONE_POPULATION_TOLERANCE:.0%})",
            "区域の人口（0も可）。市町村ごとの合計が市町村シートの人口と"
            f"{ZONE_POPULATION_TOLERANCE:.0%}を超えて異なると警告",
            unit="人",
            required=True,
            **ZONE_POPULATION,
            examples=(1267, 1708),
        ),
        _c(
            "population_75plus",
            "75歳以上人口",
            "int",
            "Residents of the zone aged 75 and over (blank: the municipality's 75+ count not "
            "given on its other zones, spread over its blank zones in proportion to their "
            "population — an assumption the report states)",
            "区域の75歳以上人口（空欄は、市町村の75歳以上人口のうち他の区域に記入のない分を、"
            "空欄の区域に人口の比で配分。この仮定は帳票に明記します）",
            unit="人",
            **ZONE_POPULATION_75PLUS,
            examples=(None, None),
        ),
        _c(
            "address",
            "住所",
            "text",
            "Address of the zone's representative point (e.g. 東京都八王子市元本郷町三丁目); "
            "where lat or lon is blank, optimizer geocode finds the point from it",
            "区域の代表点の住所（例：東京都八王子市元本郷町三丁目）。緯度・経度が空欄の行は"
            " optimizer geocode が住所から座標を求めます",
        ),
        _c(
            "coord_source",
            "座標の出典",
            "text",
            COORD_SOURCE_DESCRIPTION,
            COORD_SOURCE_DESCRIPTION_JA,
        ),
    ),
)
