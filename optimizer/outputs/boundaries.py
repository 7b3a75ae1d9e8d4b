"""Municipal boundaries for the map, read from an optional GeoJSON file.

The file is a GeoJSON ``FeatureCollection`` of ``Polygon`` and ``MultiPolygon`` features
in longitude/latitude (WGS84 or JGD2011, which agree to well under a metre here), each
carrying the municipality's code in a property: ``N03_007`` (the 5-digit code of
国土数値情報「行政区域」N03, whose files can be passed as they are) or ``code``. One
municipality may have several features (islands, exclaves); a 6-digit code (with its
check digit) matches the same municipality as its first 5 digits. An N03 feature with
a blank ``N03_007`` (所属未定地, land whose municipality is undecided) is kept as a
feature of no municipality of the input.

It is read with the standard :mod:`json` module. Every defect is an
:class:`~optimizer.errors.InputError` whose issues name the file, the feature (numbered
from 1 in the order of the file) and the value found: a file that cannot be read or is
not JSON, no ``FeatureCollection``, a geometry that is not a polygon, a feature without
a code property, a position outside Japan or with latitude and longitude swapped
(GeoJSON positions are ``[lon, lat]``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from optimizer.errors import FileFormatError, InputError
from optimizer.schema import LAT, LON
from optimizer.workbook.messages import Issue, issue

__all__ = ["Boundary", "Boundaries", "read_boundaries", "code_key", "CODE_PROPERTIES"]

CODE_PROPERTIES = ("N03_007", "code")
"""Properties holding a feature's municipality code, the first present wins."""
N03_CREDIT = "「国土数値情報（行政区域データ）」（国土交通省）を加工して作成"
"""The credit the terms of use of 国土数値情報 ask for on a map drawn from N03 data."""
MAX_ISSUES = 10
"""Issues listed at most; the last one counts the features left unlisted."""

Polygon = tuple[np.ndarray, ...]
"""An exterior ring then its holes, each an (n, 2) array of (lon, lat) [deg]."""


@dataclass(frozen=True)
class Boundary:
    """One feature of the file: its municipality code (``None`` for N03's 所属未定地)
    and its polygons."""

    code: str | None
    polygons: tuple[Polygon, ...]


@dataclass(frozen=True)
class Boundaries:
    """The features of a boundary file, in the order of the file.

    Attributes
    ----------
    source
        The file's name (for the map's legend).
    features
        Every polygon feature read.
    n03
        The codes came from N03's ``N03_007``: the map then carries the credit that
        国土数値情報's terms of use ask for.
    sha256
        The file's hash (for the run's log).
    """

    source: str
    features: tuple[Boundary, ...]
    n03: bool = False
    sha256: str = ""

    def of(self, codes: Iterable[str]) -> tuple[dict[str, list[Polygon]], list[Polygon]]:
        """The polygons of each of ``codes`` that has a feature, and the polygons of
        every feature of no code among them."""
        wanted = {code_key(c): str(c) for c in codes}
        mine: dict[str, list[Polygon]] = {}
        others: list[Polygon] = []
        for feature in self.features:
            key = code_key(feature.code) if feature.code is not None else None
            if key in wanted:
                mine.setdefault(wanted[key], []).extend(feature.polygons)
            else:
                others.extend(feature.polygons)
        return mine, others

    @property
    def credit(self) -> str:
        """The source line for the map's footnote."""
        return f"行政界: {N03_CREDIT}" if self.n03 else f"行政界: {self.source}"


def code_key(code: object) -> str:
    """A municipality code as matched: 6 digits (with the check digit) → the first 5."""
    text = str(code).strip()
    return text[:5] if len(text) == 6 and text.isdigit() else text


def _expected_position() -> tuple[str, str]:
    en = (
        f"positions [lon, lat] in Japan: lon {LON['minimum']:g}–{LON['maximum']:g}, "
        f"lat {LAT['minimum']:g}–{LAT['maximum']:g} (WGS84 / JGD2011 degrees)"
    )
    ja = (
        f"日本国内の [経度, 緯度]（経度 {LON['minimum']:g}～{LON['maximum']:g}、緯度 "
        f"{LAT['minimum']:g}～{LAT['maximum']:g}、WGS84 / JGD2011 の度）"
    )
    return en, ja


class _Reader:
    """Reads one file, collecting an issue per defective feature."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.issues: list[Issue] = []
        self.bad_features = 0
        self.sha256 = ""
        self.width = 1  # digits of the number of features

    def file_error(self, code: str, value: object, expected: str, expected_ja: str) -> InputError:
        found = issue(self.path.name, None, None, value, code, expected, expected_ja)
        return FileFormatError([found], f"{self.path}: {found.message('en')}")

    def feature_issue(
        self, n: int, field: str, value: object, code: str, expected: str, expected_ja: str
    ) -> None:
        self.bad_features += 1
        if len(self.issues) < MAX_ISSUES:
            column = f"feature {n:>{self.width}} {field}"  # padded: issues sort by column
            self.issues.append(
                issue(self.path.name, None, column, value, code, expected, expected_ja)
            )

    def document(self) -> dict:
        """The parsed JSON object (file-level defects raise at once)."""
        path = self.path
        if not path.exists():
            raise self.file_error(
                "file_not_found", str(path), "an existing GeoJSON file", "存在する GeoJSON ファイル"
            )
        try:
            data = path.read_bytes()
            self.sha256 = hashlib.sha256(data).hexdigest()
            text = data.decode("utf-8-sig")
        except OSError as exc:
            raise self.file_error(
                "unreadable", exc.strerror or str(exc), "a readable file", "読み込めるファイル"
            ) from exc
        except UnicodeDecodeError as exc:
            raise self.file_error(
                "bad_encoding", f"byte {exc.start}", "UTF-8 text (GeoJSON)", "UTF-8 の GeoJSON"
            ) from exc
        try:
            document = json.loads(text, parse_constant=_refuse_constant)
        except (json.JSONDecodeError, ValueError, RecursionError) as exc:
            where = (
                f"line {exc.lineno} column {exc.colno}: {exc.msg}"
                if isinstance(exc, json.JSONDecodeError)
                else str(exc)
            )
            raise self.file_error(
                "unreadable", where, "JSON text (GeoJSON)", "JSON 形式（GeoJSON）"
            ) from exc
        kind = document.get("type") if isinstance(document, dict) else type(document).__name__
        features = document.get("features") if isinstance(document, dict) else None
        if kind != "FeatureCollection" or not isinstance(features, list):
            raise self.file_error(
                "unsupported_format",
                f"type {kind}",
                "a GeoJSON FeatureCollection of Polygon / MultiPolygon features",
                "Polygon / MultiPolygon の地物からなる GeoJSON の FeatureCollection",
            )
        if not features:
            raise self.file_error(
                "unsupported_format",
                "0 features",
                "at least one Polygon / MultiPolygon feature",
                "Polygon / MultiPolygon の地物が1つ以上",
            )
        return document

    def code(self, n: int, properties: object) -> tuple[str | None, str] | None:
        """(code, property) of feature ``n``; ``None`` after recording an issue."""
        props = properties if isinstance(properties, dict) else {}
        name = next((p for p in CODE_PROPERTIES if p in props), None)
        if name is None:
            self.feature_issue(
                n,
                "properties",
                ", ".join(sorted(map(str, props))[:6]) or "(none)",
                "missing_column",
                "a property N03_007 (国土数値情報 N03) or code holding the municipality code",
                "市町村コードを持つ属性 N03_007（国土数値情報 N03）または code",
            )
            return None
        value = props[name]
        if value is None and name == "N03_007":
            return None, name  # 所属未定地: land of no municipality
        if isinstance(value, bool) or not isinstance(value, str | int):
            text = None
        else:
            text = str(value).strip()
            if isinstance(value, int) and len(text) == 4:
                text = text.zfill(5)  # a code stored as a number lost its leading zero
        if not text or (name == "N03_007" and not (len(text) == 5 and text.isdigit())):
            self.feature_issue(
                n,
                f"properties.{name}",
                value,
                "unusual_code" if text else "empty_required",
                "a 5-digit municipality code such as 13201",
                "5桁の市町村コード（例: 13201）",
            )
            return None
        return text, name

    def polygons(self, n: int, geometry: object) -> tuple[Polygon, ...] | None:
        """The polygons of feature ``n``; ``None`` after recording an issue."""
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind not in ("Polygon", "MultiPolygon"):
            self.feature_issue(
                n,
                "geometry.type",
                kind if geometry is not None else "null",
                "bad_enum",
                "Polygon or MultiPolygon",
                "Polygon または MultiPolygon",
            )
            return None
        assert isinstance(geometry, dict)
        coordinates = geometry.get("coordinates")
        parts = [coordinates] if kind == "Polygon" else coordinates
        try:
            if not isinstance(parts, list) or not parts:
                raise ValueError("no polygon")
            found = tuple(_polygon(part) for part in parts)
        except (TypeError, ValueError) as exc:
            self.feature_issue(
                n,
                "geometry.coordinates",
                str(exc),
                "not_a_number",
                "rings of at least 4 positions [lon, lat] of finite numbers",
                "有限の数値の [経度, 緯度] を4点以上並べた環",
            )
            return None
        if not self.in_japan(n, found):
            return None
        return found

    def in_japan(self, n: int, polygons: Sequence[Polygon]) -> bool:
        """Every position of feature ``n`` in Japan; else an issue on the first outside,
        ``latlon_swapped`` when the feature would lie in Japan read as [lat, lon]."""
        points = np.vstack([ring for polygon in polygons for ring in polygon])
        lon, lat = points[:, 0], points[:, 1]
        inside = _between(lon, LON) & _between(lat, LAT)
        if inside.all():
            return True
        first = int(np.flatnonzero(~inside)[0])
        value = f"lon={lon[first]:g}, lat={lat[first]:g}"
        en, ja = _expected_position()
        if (_between(lon, LAT) & _between(lat, LON)).all():
            self.feature_issue(
                n,
                "geometry.coordinates",
                value,
                "latlon_swapped",
                f"{en}; these read as [lat, lon]",
                f"{ja}。[緯度, 経度] の順になっています",
            )
        else:
            self.feature_issue(n, "geometry.coordinates", value, "outside_japan", en, ja)
        return False

    def read(self) -> Boundaries:
        document = self.document()
        features: list[Boundary] = []
        n03 = False
        self.width = len(str(len(document["features"])))
        for n, feature in enumerate(document["features"], start=1):
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                kind = feature.get("type") if isinstance(feature, dict) else type(feature).__name__
                self.feature_issue(
                    n, "type", kind, "bad_enum", "a GeoJSON Feature", "GeoJSON の Feature"
                )
                continue
            code = self.code(n, feature.get("properties"))
            polygons = self.polygons(n, feature.get("geometry"))
            if code is None or polygons is None:
                continue
            n03 = n03 or code[1] == "N03_007"
            features.append(Boundary(code[0], polygons))
        if self.issues:
            if self.bad_features > len(self.issues):
                last = self.issues[-1]
                more = self.bad_features - len(self.issues)
                self.issues[-1] = replace(
                    last,
                    expected=f"{last.expected} (and {more} more defective features)",
                    expected_ja=f"{last.expected_ja}（ほか {more} 件の地物にも誤り）",
                )
            raise InputError(
                self.issues,
                f"{self.path}: {self.bad_features} defective feature(s) in the boundary file",
                ja=f"{self.path}: 境界ファイルの {self.bad_features} 件の地物に誤りがあります",
            )
        return Boundaries(self.path.name, tuple(features), n03, self.sha256)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _between(values: np.ndarray, bounds: dict) -> np.ndarray:
    return (values >= bounds["minimum"]) & (values <= bounds["maximum"])


def _polygon(rings: object) -> Polygon:
    """A GeoJSON polygon (a list of rings) as (n, 2) arrays of (lon, lat)."""
    if not isinstance(rings, list) or not rings:
        raise ValueError("a polygon without rings")
    found = []
    for ring in rings:
        try:  # the quick way: a ring of numbers only
            points = np.array(ring)
        except ValueError:  # positions of different lengths
            points = np.empty((0,))
        if points.ndim != 2 or points.shape[1] < 2 or points.dtype.kind not in "iuf":
            points = _checked_ring(ring)
        points = points[:, :2].astype(float)
        if len(points) < 4:
            raise ValueError(f"a ring of {len(points)} position(s)")
        if not np.isfinite(points).all():
            raise ValueError("a position that is not a finite number")
        found.append(points)
    return tuple(found)


def _checked_ring(ring: object) -> np.ndarray:
    """A ring of positions checked one by one, naming the first that is not
    ``[lon, lat, ...]`` of numbers."""
    if not isinstance(ring, list):
        raise ValueError(f"a ring that is not a list of positions: {str(ring)[:40]}")
    for position in ring:
        if not isinstance(position, list) or len(position) < 2 or not _numbers(position[:2]):
            raise ValueError(f"position {str(position)[:40]}")
    return np.array([position[:2] for position in ring], dtype=float).reshape(-1, 2)


def _numbers(values: Sequence[object]) -> bool:
    return all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values
    )


def read_boundaries(path: Path | str) -> Boundaries:
    """Read and check a GeoJSON file of municipal boundaries (see the module's text).

    Raises
    ------
    InputError
        Listing every defective feature (up to :data:`MAX_ISSUES`) with the file, the
        feature's number and the value found; a file that cannot be read at all is a
        :class:`~optimizer.errors.FileFormatError`.
    """
    return _Reader(Path(path)).read()
