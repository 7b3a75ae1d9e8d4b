"""The map sheet (地図): ``map.png`` embedded, or a note that the run drew none."""

from __future__ import annotations

import io
import struct
from pathlib import Path

from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.report.common import SHEET_NAMES
from optimizer.outputs.xlsx_layout import Book, page_setup, write_title

__all__ = ["write_map"]


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height [px] from a PNG header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", data[16:24])


def write_map(book: Book, ws: Worksheet, map_png: Path | None, area: str) -> None:
    """``map_png`` scaled to at most 1,000 px wide, or a note that this run drew no map."""
    top = write_title(
        book,
        ws,
        f"地図　{area}",
        "市町村（円の面積は人口）とその区域（境界データがあれば行政界、なければ住民の居住地を"
        "囲む破線）、住民の居住地と充足できない需要（赤い×）、施設（形は類型、色は方針）、"
        "他市町村の施設の利用（線の太さは利用量）。",
    )
    if map_png is None or not Path(map_png).is_file():
        ws.write_string(top, 0, "地図はこの実行では作成されていません。", book.fmt("text", "muted"))
        page_setup(book, ws, SHEET_NAMES["map"], top, 8)
        return
    data = Path(map_png).read_bytes()
    width, height = _png_size(data)
    scale = min(1.0, 1000 / width)
    ws.insert_image(
        top,
        0,
        "map.png",
        {"image_data": io.BytesIO(data), "x_scale": scale, "y_scale": scale, "object_position": 3},
    )
    rows = int(height * scale / 24) + 2
    page_setup(book, ws, SHEET_NAMES["map"], top + rows, 15)
