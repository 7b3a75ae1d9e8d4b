"""The page's interactive map: a pydeck (deck.gl) map of the tables of
:mod:`optimizer.app.views`, drawn without fetching anything.

The map's background is a style held in the page itself (a plain colour, as a ``data:``
URL), so nothing is fetched from the internet: no tiles, no fonts, no style. A tile
basemap (Carto's, as Streamlit draws by default) is drawn only when the user asks
for it, on a machine that is online.
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Sequence

import pandas as pd
import pydeck as pdk

from optimizer.outputs.maps import DECISION_STYLE, TYPE_COLOURS

__all__ = ["FACILITY_LAYER", "OFFLINE_STYLE", "initial_view", "plan_deck", "legend_markdown"]

FACILITY_LAYER = "facilities"
"""The id of the layer of facilities, whose selection locks a facility."""

BACKGROUND = "#eef1f4"
OFFLINE_STYLE = "data:application/json;base64," + base64.b64encode(
    json.dumps(
        {
            "version": 8,
            "sources": {},
            "layers": [
                {
                    "id": "background",
                    "type": "background",
                    "paint": {"background-color": BACKGROUND},
                }
            ],
        }
    ).encode("ascii")
).decode("ascii")
"""A MapLibre style with nothing but a background colour, carried in the page."""

FILL = {
    "keep": DECISION_STYLE["keep"]["face"],
    "build": DECISION_STYLE["build"]["face"],
    "close": "#ffffff",
    "not_built": "#ffffff",
    "existing": "#607d8b",
    "candidate": "#ffffff",
    "locked_keep": DECISION_STYLE["keep"]["face"],
    "locked_close": "#ffffff",
}
LINE = {
    "keep": DECISION_STYLE["keep"]["edge"],
    "build": DECISION_STYLE["build"]["edge"],
    "close": DECISION_STYLE["close"]["edge"],
    "not_built": "#9e9e9e",
    "existing": "#37474f",
    "candidate": "#1565c0",
    "locked_keep": DECISION_STYLE["keep"]["edge"],
    "locked_close": DECISION_STYLE["close"]["edge"],
}
LEGEND = {
    "keep": "存続 keep",
    "build": "新設 build",
    "close": "廃止 close",
    "not_built": "新設しない候補地 candidate not built",
    "existing": "既存施設 existing",
    "candidate": "新設候補地 candidate site",
    "locked_keep": "存続・新設に固定 locked open",
    "locked_close": "廃止・新設しないに固定 locked closed",
}
UNSERVED = "#d32f2f"
MAP_SIZE_PX = (900, 560)
"""The map's size on a usual screen [px], for the initial zoom."""


def _rgba(colour: str, alpha: int = 255) -> list[int]:
    colour = colour.lstrip("#")
    return [int(colour[i : i + 2], 16) for i in (0, 2, 4)] + [alpha]


def initial_view(frames: Sequence[pd.DataFrame]) -> pdk.ViewState:
    """A view that shows every point of the frames (``lon``, ``lat`` columns)."""
    lons = pd.concat([f["lon"] for f in frames if len(f) and "lon" in f], ignore_index=True)
    lats = pd.concat([f["lat"] for f in frames if len(f) and "lat" in f], ignore_index=True)
    if lons.empty:
        return pdk.ViewState(latitude=36.0, longitude=138.0, zoom=4.5)
    west, east, south, north = lons.min(), lons.max(), lats.min(), lats.max()
    lat = (south + north) / 2
    width, height = MAP_SIZE_PX
    span_lon = max(east - west, 0.01) * 1.1
    span_lat = max(north - south, 0.01) * 1.1 / max(math.cos(math.radians(lat)), 0.1)
    # deck.gl's world is 512 px wide at zoom 0
    zoom = min(
        math.log2(width * 360 / (512 * span_lon)), math.log2(height * 360 / (512 * span_lat))
    )
    return pdk.ViewState(latitude=lat, longitude=(west + east) / 2, zoom=round(zoom, 2))


def _type_colours(types: Sequence[str]) -> dict[str, str]:
    return {k: TYPE_COLOURS[n % len(TYPE_COLOURS)] for n, k in enumerate(types)}


def plan_deck(
    layers: dict[str, pd.DataFrame],
    labels: pd.DataFrame,
    types: Sequence[str],
    *,
    shown_types: Sequence[str] | None = None,
    basemap: bool = False,
) -> pdk.Deck:
    """The map: zones (grey, red where demand is left unserved), flows from each
    demand point to the facility serving it (by type; a border crossed in a stronger
    line), facilities by decision, and the municipalities' names.

    ``layers`` holds the frames of :func:`optimizer.app.views.plan_layers` or
    :func:`optimizer.app.views.input_layers`; ``shown_types`` limits facilities and
    flows to those types; ``basemap`` draws Carto's tiles (needs the internet).
    """
    shown = set(shown_types if shown_types is not None else types)
    colours = _type_colours(types)
    view = initial_view(
        [layers.get("facilities", pd.DataFrame()), layers.get("zones", pd.DataFrame()), labels]
    )
    deck_layers = []

    zones = layers.get("zones", pd.DataFrame()).copy()
    if len(zones):
        unserved = zones["unserved"].astype(float) > 1e-9
        zones["fill"] = [_rgba(UNSERVED, 170) if u else _rgba("#90a4ae", 70) for u in unserved]
        zones["radius"] = 6.0 * zones["population"].astype(float).clip(lower=1.0) ** 0.5
        zones["tip"] = [
            f"<b>{html.escape(str(row['name']))}</b> "
            f"({html.escape(str(row['municipality_name']))})<br/>人口 population "
            f"{float(row['population']):,.0f}"
            + (
                f"<br/><span style='color:#ffcdd2'>充足できない需要 unserved "
                f"{float(row['unserved']):,.1f}</span>"
                if row["unserved"] > 1e-9
                else ""
            )
            for _, row in zones.iterrows()
        ]
        deck_layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                data=zones[["lon", "lat", "fill", "radius", "tip"]],
                id="zones",
                get_position="[lon, lat]",
                get_fill_color="fill",
                get_radius="radius",
                radius_min_pixels=2,
                pickable=True,
            )
        )

    flows = layers.get("flows", pd.DataFrame())
    if len(flows):
        flows = flows[flows["type"].astype(str).isin(shown)].copy()
    if len(flows):
        crossing = flows["cross_border"].astype(bool)
        flows["colour"] = [
            _rgba(colours.get(str(k), "#555555"), 230 if c else 90)
            for k, c in zip(flows["type"], crossing, strict=True)
        ]
        flows["width"] = [3.0 if c else 1.2 for c in crossing]
        flows["tip"] = [
            f"<b>{html.escape(str(row['municipality_name']))} → "
            f"{html.escape(str(row['host_name']))}</b><br/>{html.escape(str(row['type']))} "
            f"{float(row['demand']):,.0f}, {float(row['distance_km']):.1f} km"
            + ("<br/>越境利用 cross-border" if bool(row["cross_border"]) else "")
            for _, row in flows.iterrows()
        ]
        deck_layers.append(
            pdk.Layer(
                "LineLayer",
                data=flows[["lon", "lat", "to_lon", "to_lat", "colour", "width", "tip"]],
                id="flows",
                get_source_position="[lon, lat]",
                get_target_position="[to_lon, to_lat]",
                get_color="colour",
                get_width="width",
                width_units=pdk.types.String("pixels"),
                pickable=True,
            )
        )

    facilities = layers.get("facilities", pd.DataFrame())
    if len(facilities):
        facilities = facilities[facilities["type"].astype(str).isin(shown)].copy()
    if len(facilities):
        decision = facilities["decision"].astype(str)
        facilities["fill"] = [_rgba(FILL.get(d, "#9e9e9e"), 235) for d in decision]
        facilities["line"] = [_rgba(LINE.get(d, "#616161")) for d in decision]
        facilities["line_px"] = [
            2.5 if d in ("close", "candidate", "locked_close") else 1.5 for d in decision
        ]
        facilities["tip"] = [
            f"<b>{html.escape(str(row['name']))}</b> ({html.escape(str(row['id']))})<br/>"
            f"{html.escape(str(row['type_label']))}・"
            f"{html.escape(str(row['municipality_name']))}<br/>{row['label']}"
            + (f"<br/>稼働率 utilisation {row['use_text']}" if row["use_text"] != "—" else "")
            for _, row in facilities.iterrows()
        ]
        deck_layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                data=facilities[["id", "name", "lon", "lat", "fill", "line", "line_px", "tip"]],
                id=FACILITY_LAYER,
                get_position="[lon, lat]",
                get_fill_color="fill",
                get_line_color="line",
                get_line_width="line_px",
                line_width_units=pdk.types.String("pixels"),
                stroked=True,
                filled=True,
                get_radius=7,
                radius_units=pdk.types.String("pixels"),
                pickable=True,
                auto_highlight=True,
            )
        )

    if len(labels):
        deck_layers.append(
            pdk.Layer(
                "TextLayer",
                data=labels[["name", "lon", "lat"]],
                id="names",
                get_position="[lon, lat]",
                get_text="name",
                get_size=14,
                get_color=[33, 33, 33, 220],
                get_pixel_offset=[0, -16],
                character_set=pdk.types.String("auto"),
                font_family=pdk.types.String(
                    '"Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif'
                ),
                font_weight=pdk.types.String("bold"),
                outline_width=2,
                outline_color=[255, 255, 255, 220],
            )
        )

    return pdk.Deck(
        layers=deck_layers,
        initial_view_state=view,
        map_style=None if basemap else OFFLINE_STYLE,
        map_provider="carto" if basemap else None,
        tooltip={"html": "{tip}", "style": {"fontSize": "12px"}},
    )


def legend_markdown(
    decisions: Sequence[str], types: Sequence[str], type_names: dict[str, str]
) -> str:
    """The map's legend as HTML for ``st.markdown(..., unsafe_allow_html=True)``: the
    facility symbols of ``decisions`` and the flow colour of each type."""
    colours = _type_colours(types)
    parts = []
    for decision in decisions:
        parts.append(
            f"<span style='display:inline-block;width:12px;height:12px;border-radius:6px;"
            f"background:{FILL.get(decision, '#9e9e9e')};border:2px solid "
            f"{LINE.get(decision, '#616161')};vertical-align:middle'></span> "
            f"{LEGEND.get(decision, decision)}"
        )
    for kind in types:
        parts.append(
            f"<span style='display:inline-block;width:18px;height:3px;background:{colours[kind]};"
            f"vertical-align:middle'></span> {html.escape(type_names.get(kind, kind))}"
        )
    parts.append(
        f"<span style='display:inline-block;width:12px;height:12px;border-radius:6px;"
        f"background:{UNSERVED};vertical-align:middle'></span> 充足できない需要のある地区 "
        "zone with unserved demand"
    )
    return "&nbsp;&nbsp; ".join(parts)
