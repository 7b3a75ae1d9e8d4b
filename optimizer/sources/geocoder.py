"""Points from addresses: a Nominatim server asked through geopy, spaced and cached.

Nominatim's usage policy (https://operations.osmfoundation.org/policies/nominatim/) asks
for at most one request per second, a user agent that names the application, and that
results be cached rather than asked again. :class:`Lookup` holds to all three:

* requests are spaced by at least :data:`MIN_DELAY_S` seconds, counted from the end of
  the previous answer to the start of the next request (stricter than counting from
  start to start, so the server never sees two requests within a second);
* the user agent is ``facility-sharing-optimizer/<version>`` unless the caller names
  another;
* every answer, "nothing found" included, is kept in a :class:`GeocodeCache` (a small
  JSON file, one section per server), so that a second run asks nothing it asked
  before.

The server is any Nominatim-compatible ``/search`` endpoint (:func:`parse_server`):
the public one by default, a local one (``http://127.0.0.1:8080``) for tests or an
organisation's own. An unreachable server (offline, connection refused, a timeout) or
one that refuses the request (HTTP 403, 429, 5xx, an answer that is not JSON) is an
:class:`~optimizer.errors.UnreachableError` with one line in Japanese and English.

The cache is read here; writing it is the caller's job (``optimizer.runs.geocode``,
through ``optimizer.outputs.files``), handed in as a function.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlsplit

from geopy.adapters import AdapterHTTPError, URLLibAdapter
from geopy.exc import GeocoderTimedOut, GeocoderUnavailable, GeopyError
from geopy.geocoders import Nominatim

from optimizer.errors import UnreachableError

__all__ = [
    "DEFAULT_SERVER",
    "MIN_DELAY_S",
    "DEFAULT_TIMEOUT_S",
    "CACHE_FORMAT",
    "Server",
    "Point",
    "GeocodeCache",
    "Lookup",
    "parse_server",
    "address_key",
    "default_user_agent",
    "default_cache_path",
]

log = logging.getLogger(__name__)

DEFAULT_SERVER = "https://nominatim.openstreetmap.org"
"""The public Nominatim server of OpenStreetMap."""
MIN_DELAY_S = 1.0
"""Least time between the end of one request and the start of the next [s] (Nominatim's
usage policy: at most one request per second)."""
DEFAULT_TIMEOUT_S = 10.0
"""How long one request may take before the server counts as unreachable [s]."""
CACHE_FORMAT = "facility-sharing-optimizer geocode cache"
"""The ``format`` field of a cache file; a file without it is not read as a cache."""
CACHE_VERSION = 1
COUNTRY_CODES = "jp"
"""Nominatim's ``countrycodes``: only places in Japan are returned."""

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Server:
    """A Nominatim-compatible server: ``scheme`` (http / https) and ``domain`` (host,
    port and an optional path prefix, as geopy's ``domain``)."""

    scheme: str
    domain: str

    @property
    def url(self) -> str:
        """``scheme://domain``: the key of the server's section in the cache."""
        return f"{self.scheme}://{self.domain}"


def parse_server(text: str) -> Server:
    """A :class:`Server` from ``https://host[:port][/path]`` or a bare ``host[:port]``
    (then https).

    Raises
    ------
    ValueError
        Not an http(s) address, or no host.
    """
    text = str(text).strip()
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{text!r} is not a server address such as https://host or host:port")
    domain = (parts.netloc + parts.path).rstrip("/")
    return Server(scheme, domain)


def address_key(address: str) -> str:
    """The form an address is cached and compared under: NFKC (full-width digits and
    letters as ASCII), runs of spaces as one space, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(address))).strip()


def default_user_agent() -> str:
    """``facility-sharing-optimizer/<version>``: the user agent Nominatim sees."""
    try:
        version = metadata.version("facility-sharing-optimizer")
    except metadata.PackageNotFoundError:
        version = "0"
    return f"facility-sharing-optimizer/{version}"


def default_cache_path() -> Path:
    """``geocode.json`` in the user's cache folder: ``%LOCALAPPDATA%`` on Windows,
    ``~/Library/Caches`` on macOS, ``$XDG_CACHE_HOME`` or ``~/.cache`` elsewhere; then
    ``facility-sharing-optimizer/``."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        root = Path(os.environ["LOCALAPPDATA"])
    elif sys.platform == "darwin":
        root = Path.home() / "Library" / "Caches"
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "facility-sharing-optimizer" / "geocode.json"


@dataclass(frozen=True)
class Point:
    """A place found for an address: latitude and longitude (WGS84) and the server's
    name for it (``display_name``)."""

    lat: float
    lon: float
    label: str = ""


@dataclass
class GeocodeCache:
    """Every answer of every server asked: server URL → address key → point, or
    ``None`` for "nothing found".

    The file (JSON)::

        {"format": CACHE_FORMAT, "version": 1,
         "servers": {"https://nominatim.openstreetmap.org":
                        {"東京都青梅市東青梅1-11-1": {"lat": 35.79, "lon": 139.27,
                                                    "label": "青梅市役所, …"},
                         "no such place": null}}}
    """

    path: Path | None = None
    servers: dict[str, dict[str, Point | None]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> GeocodeCache:
        """The cache kept in ``path``; empty when there is no file yet. A file that is
        not such a cache (damaged, another format) is left aside with a warning and
        replaced by a new cache at the first answer."""
        cache = cls(path)
        if path is None or not path.exists():
            return cache
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != CACHE_FORMAT:
                raise ValueError("not a geocode cache")
            for server, entries in dict(data.get("servers", {})).items():
                cache.servers[str(server)] = {
                    str(key): None if entry is None else _point(entry)
                    for key, entry in dict(entries).items()
                }
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("geocode cache %s is unreadable (%s); starting a new one", path, exc)
            cache.servers = {}
        return cache

    def get(self, server: Server, address: str) -> tuple[bool, Point | None]:
        """``(known, point)``: whether the server was asked for the address before, and
        what it answered (``None``: nothing found)."""
        entries = self.servers.get(server.url, {})
        key = address_key(address)
        return key in entries, entries.get(key)

    def put(self, server: Server, address: str, point: Point | None) -> None:
        """Keep the server's answer for the address."""
        self.servers.setdefault(server.url, {})[address_key(address)] = point

    def as_json(self) -> dict[str, Any]:
        """The cache as the JSON object its file holds."""
        return {
            "format": CACHE_FORMAT,
            "version": CACHE_VERSION,
            "servers": {
                server: {
                    key: None
                    if point is None
                    else {"lat": point.lat, "lon": point.lon, "label": point.label}
                    for key, point in entries.items()
                }
                for server, entries in self.servers.items()
            },
        }


def _point(entry: Any) -> Point:
    return Point(float(entry["lat"]), float(entry["lon"]), str(entry.get("label") or ""))


def _one_line(text: object, limit: int = 200) -> str:
    line = _SPACES.sub(" ", str(text)).strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _unreachable(server: Server) -> UnreachableError:
    return UnreachableError(
        f"cannot reach the geocoding server {server.url} (offline, or the server is down "
        "or too slow); the points found so far are kept in the cache: run again when online",
        ja=f"ジオコーディングのサーバー {server.url} に接続できません（オフライン、またはサーバーが"
        "停止中か応答が遅すぎます）。取得済みの座標はキャッシュに保存しました。接続できる環境で"
        "再実行してください",
    )


def _is_unreachable(exc: GeopyError) -> bool:
    """Whether geopy's error means no answer came at all (offline, connection refused,
    a name that does not resolve, a timeout) rather than an answer refusing us.

    geopy's urllib adapter raises a plain ``GeocoderServiceError`` for a refused
    connection or an unknown host; the error it wraps tells them from an HTTP status.
    """
    if isinstance(exc, GeocoderUnavailable | GeocoderTimedOut):
        return True
    wrapped = exc.__cause__ or exc.__context__
    return isinstance(wrapped, OSError) and not isinstance(
        wrapped, HTTPError | AdapterHTTPError | GeopyError
    )


def _refused(server: Server, exc: GeopyError) -> UnreachableError:
    reason = f"{type(exc).__name__}: {_one_line(exc)}"
    return UnreachableError(
        f"the geocoding server {server.url} refused the request ({reason}); check --server "
        "and --user-agent (the public Nominatim refuses unnamed clients and more than one "
        "request per second)",
        ja=f"ジオコーディングのサーバー {server.url} が要求を拒否しました（{reason}）。--server と "
        "--user-agent を確認してください（公開の Nominatim は名乗らないクライアントや毎秒1件を"
        "超える要求を拒否します）",
    )


class Lookup:
    """One address → a :class:`Point` (or ``None``), asked of the server at most once.

    Parameters
    ----------
    server
        The Nominatim-compatible server.
    cache
        Answers known already; every new answer is added to it.
    save
        Called with the cache after each new answer (so that an interruption loses
        nothing asked), or ``None``.
    user_agent
        The ``User-Agent`` header (:func:`default_user_agent` when ``None``).
    timeout_s, min_delay_s
        Seconds one request may take; least seconds from the end of one request to the
        start of the next.
    retry_not_found
        Ask again for addresses the cache holds as "nothing found".
    """

    def __init__(
        self,
        server: Server,
        cache: GeocodeCache,
        save: Callable[[GeocodeCache], object] | None = None,
        *,
        user_agent: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        min_delay_s: float = MIN_DELAY_S,
        retry_not_found: bool = False,
    ) -> None:
        self.server = server
        self.cache = cache
        self.save = save
        self.user_agent = user_agent or default_user_agent()
        self.timeout_s = timeout_s
        self.min_delay_s = min_delay_s
        self.retry_not_found = retry_not_found
        self.requests = 0
        self._geocoder: Nominatim | None = None
        self._last_end: float | None = None

    def cached(self, address: str) -> tuple[bool, Point | None]:
        """``(known, point)`` from the cache alone (``known`` is false for a cached
        "nothing found" when ``retry_not_found``)."""
        known, point = self.cache.get(self.server, address)
        if known and point is None and self.retry_not_found:
            return False, None
        return known, point

    def ask(self, address: str) -> Point | None:
        """Ask the server (after the spacing delay), keep and save its answer.

        Raises
        ------
        UnreachableError
            The server cannot be reached or refused the request.
        """
        self._wait()
        try:
            location = self._nominatim().geocode(
                address_key(address), exactly_one=True, country_codes=COUNTRY_CODES
            )
        except GeopyError as exc:
            if not _is_unreachable(exc):
                raise _refused(self.server, exc) from None
            log.info("geocoder unreachable: %s", _one_line(exc))
            raise _unreachable(self.server) from None
        except OSError as exc:  # a connection lost while the answer is read
            log.info("geocoder unreachable: %s", _one_line(exc))
            raise _unreachable(self.server) from None
        finally:
            self.requests += 1
            self._last_end = time.monotonic()
        point = None
        if location is not None:
            point = Point(float(location.latitude), float(location.longitude), location.address)
        self.cache.put(self.server, address, point)
        if self.save is not None:
            self.save(self.cache)
        return point

    def _wait(self) -> None:
        if self._last_end is None:
            return
        while (pause := self._last_end + self.min_delay_s - time.monotonic()) > 0:
            time.sleep(pause)

    def _nominatim(self) -> Nominatim:
        if self._geocoder is None:
            self._geocoder = Nominatim(
                user_agent=self.user_agent,
                domain=self.server.domain,
                scheme=self.server.scheme,
                timeout=self.timeout_s,
                adapter_factory=URLLibAdapter,
            )
        return self._geocoder
