"""Input workbooks written to disk: tables as an input workbook, and the blank template.

The workbooks are built in memory by :mod:`optimizer.workbook.writer` and
:mod:`optimizer.workbook.template`; here they land on disk, atomically
(:func:`optimizer.outputs.files.atomic_write_bytes`): a crash leaves the previous file
or none, never a half-written one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from optimizer.errors import OutputError
from optimizer.outputs.files import atomic_write_bytes, ensure_folder
from optimizer.workbook.template import template_bytes
from optimizer.workbook.writer import workbook_bytes

__all__ = ["write_workbook", "write_template"]


def _xlsx_path(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise OutputError(
            f"an input workbook must be written as .xlsx, not {path.name}",
            ja=f"入力ブックは .xlsx で書き出します（{path.name} ではなく）",
        )
    return path


def _write_xlsx(path: Path, data: bytes) -> Path:
    """Write .xlsx bytes to ``path`` atomically, creating its folder if needed."""
    ensure_folder(path.parent)
    return atomic_write_bytes(path, data)


def write_workbook(
    tables: Mapping[str, pd.DataFrame],
    path: str | Path,
    lang: str = "ja",
    *,
    input_path: str | Path | None = None,
    instructions: bool = True,
) -> Path:
    """Write tables of schema columns as an input workbook (the template's layout).

    ``tables``, ``lang`` and ``instructions`` are those of
    :func:`optimizer.workbook.writer.workbook_bytes`; the file at ``path`` (an ``.xlsx``)
    is written atomically and byte for byte reproducibly. ``input_path`` is the workbook
    the tables were read from, if any: writing over it is refused.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        ``path`` is the input workbook, is not an ``.xlsx``, or cannot be written.
    """
    path = Path(path)
    if input_path is not None and path.resolve() == Path(input_path).resolve():
        raise OutputError(f"refusing to overwrite the input workbook {path}")
    path = _xlsx_path(path)
    return _write_xlsx(path, workbook_bytes(tables, lang, instructions=instructions))


def write_template(path: str | Path, lang: str = "ja") -> Path:
    """Write the blank input workbook (with two example rows per sheet) to ``path``.

    Raises
    ------
    OutputError
        ``path`` is not an ``.xlsx`` or cannot be written.
    """
    return _write_xlsx(_xlsx_path(path), template_bytes(lang))
