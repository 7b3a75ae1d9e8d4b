"""Helpers the benchmark scripts share: stage timings, status text, memory, formatting."""

from __future__ import annotations

import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

__all__ = ["ROOT", "use_repository", "peak_mib", "status_text", "stage_seconds", "fmt"]


def use_repository() -> None:
    """Make ``import optimizer`` find this checkout when a script is run directly."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def peak_mib() -> float:
    """Peak resident memory of this process or of its largest waited-for child [MiB]."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0  # ru_maxrss is in KiB on Linux


def status_text(status) -> str:
    """A solver status (enum or text) as plain text."""
    return str(getattr(status, "value", status))


def stage_seconds(outcome) -> dict[str, float | None]:
    """Model build and solver seconds as a :class:`optimizer.results.outcome.SolveOutcome` reports
    them (``build_seconds``, ``seconds``); ``None`` for what it does not report."""

    def seconds(name: str) -> float | None:
        value = getattr(outcome, name, None)
        return None if value is None else float(value)

    return {"build": seconds("build_seconds"), "solve": seconds("seconds")}


def fmt(value: float | None, spec: str) -> str:
    """``format(value, spec)``, or an em dash for a missing value."""
    return "—" if value is None else format(value, spec)
