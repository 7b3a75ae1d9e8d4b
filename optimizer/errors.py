"""The exception tree of the optimiser.

Every error the program raises on purpose derives from :class:`OptimizerError`, and
the command line turns each branch into one exit code (see ``cli.py``)::

    OptimizerError                    anything we raise on purpose
    ├── InputError                    the inputs are wrong; carries every problem found
    │   └── FileFormatError           not a readable .xlsx / CSV folder at all
    ├── ScenarioError                 an override names an unknown target or bad value
    ├── ModelScaleError               magnitudes beyond what the solver can weigh precisely
    ├── SolverError                   the solver failed or returned no usable plan
    │   ├── InfeasibleError           no plan satisfies the hard rules (explained)
    │   └── NoPlanInTimeError         the time (or another) limit came before any plan
    ├── CheckError                    the independent checker rejected a solution
    ├── OutputError                   a report could not be written (nothing half-written)
    ├── LockedError                   another run holds the output folder's lock
    └── UnreachableError              a web service (the geocoder) cannot be reached or refused

``InputError`` holds a list of :class:`optimizer.workbook.messages.Issue` (sheet, row, column,
value, expected), so that a planner sees every defect of a workbook at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "OptimizerError",
    "InputError",
    "FileFormatError",
    "ScenarioError",
    "ModelScaleError",
    "SolverError",
    "InfeasibleError",
    "NoPlanInTimeError",
    "CheckError",
    "OutputError",
    "LockedError",
    "UnreachableError",
    "outcome_of",
    "headline",
    "HEADLINES",
]


class OptimizerError(Exception):
    """Base class of every error raised on purpose by the optimiser.

    Parameters
    ----------
    message
        What went wrong, in English (also ``str(error)``).
    ja
        The same in Japanese, when the raiser states it; :meth:`text` falls back to the
        English words under a Japanese headline (:data:`HEADLINES`).
    """

    def __init__(self, message: str = "", *, ja: str | None = None) -> None:
        super().__init__(message)
        self.ja = ja

    def text(self, lang: str = "ja") -> str:
        """The message in ``lang`` (``ja`` or ``en``)."""
        if lang == "ja" and self.ja:
            return self.ja
        return str(self)


class InputError(OptimizerError):
    """The input workbook (or CSV folder) has one or more problems.

    Parameters
    ----------
    issues
        Every problem found, each naming sheet, row, column, value and expectation.
    """

    def __init__(self, issues: Sequence[Any], message: str | None = None, *, ja: str | None = None):
        self.issues = list(issues)
        super().__init__(message or f"{len(self.issues)} problem(s) in the input", ja=ja)


class ModelScaleError(OptimizerError):
    """Input magnitudes the model cannot state within the solver's precision."""


class FileFormatError(InputError):
    """The file is not something we can read (old .xls, CSV renamed, zip bomb, ...)."""


class ScenarioError(OptimizerError):
    """A scenario override is malformed or names a target that does not exist."""


class SolverError(OptimizerError):
    """The solver failed, or stopped without any feasible plan."""


class InfeasibleError(SolverError):
    """The hard rules cannot all hold; ``explanation`` says which and why."""

    def __init__(self, message: str, explanation: Any = None, *, ja: str | None = None):
        self.explanation = explanation
        super().__init__(message, ja=ja)


class NoPlanInTimeError(SolverError):
    """The solver hit its time limit (or another limit) before it found any plan."""


class CheckError(OptimizerError):
    """The independent checker found a constraint broken or the objective mis-stated."""

    def __init__(self, violations: Sequence[str]):
        self.violations = list(violations)
        head = "; ".join(self.violations[:5])
        more = f" (+{len(self.violations) - 5} more)" if len(self.violations) > 5 else ""
        super().__init__(f"solution failed the independent check: {head}{more}")


class OutputError(OptimizerError):
    """An output could not be written."""


class LockedError(OptimizerError):
    """Another run holds the output folder's lock."""


class UnreachableError(OptimizerError):
    """A web service a command needs (the geocoder) cannot be reached (offline, a
    timeout) or refused the request."""


ERROR_OUTCOMES: tuple[tuple[type[OptimizerError], str], ...] = (
    (InputError, "bad_input"),
    (ScenarioError, "bad_input"),
    (ModelScaleError, "bad_input"),
    (InfeasibleError, "infeasible"),
    (NoPlanInTimeError, "not_optimal"),
    (CheckError, "check_failed"),
    (OutputError, "output"),
    (LockedError, "locked"),
    (UnreachableError, "unreachable"),
    (OptimizerError, "failure"),
)
"""The outcome (a key of :data:`optimizer.config.EXIT_CODES`) of each branch of the tree;
the first match wins."""


HEADLINES: dict[str, tuple[str, str]] = {
    "bad_input": ("入力に誤りがあります", "bad input"),
    "infeasible": ("条件を満たす計画がありません", "no plan satisfies the rules"),
    "not_optimal": (
        "最適性を証明する前に求解が止まりました",
        "the solver stopped before proving a plan optimal",
    ),
    "check_failed": ("計画が独立検算に合格しませんでした", "the plan failed the independent check"),
    "output": ("出力を書き込めません", "an output could not be written"),
    "locked": ("出力先は別の実行が使用中です", "another run holds the output folder"),
    "unreachable": ("外部のサービスに接続できません", "a web service could not be reached"),
    "failure": ("内部エラー", "internal error"),
    "usage": ("コマンドの指定に誤りがあります", "wrong command-line usage"),
}
"""A headline per outcome, (Japanese, English), that every error message starts with."""


def headline(outcome: str, lang: str = "ja") -> str:
    """The headline of an outcome in ``lang``."""
    ja, en = HEADLINES[outcome]
    return ja if lang == "ja" else en


def outcome_of(error: OptimizerError) -> str:
    """The outcome an error stands for: ``bad_input``, ``infeasible``, ``failure``, …"""
    return next(key for kind, key in ERROR_OUTCOMES if isinstance(error, kind))
