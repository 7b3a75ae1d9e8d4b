"""Solving in the background: runs of the pipeline in a process the page can stop.

A :class:`SolveJob` runs one or more :class:`Request` s, one after the other, in a
separate process (started with ``spawn``, so that the page's server threads are not
copied into it), each through :func:`optimizer.runs.pipeline.run` exactly as
``optimizer solve`` does. The process reports its progress and each finished run on a
queue, which the page reads with :meth:`SolveJob.poll` while it redraws.

:meth:`SolveJob.cancel` interrupts the process and the stand-alone solves it started
as Ctrl-C in a terminal would (the process leads its own process group on POSIX), so
that the pipeline removes a run folder it had only begun; a process that has not
stopped after a grace period is killed.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimizer.config import RunSettings
from optimizer.outputs.files import LogFileHandler, remove_unfinished_run_folder
from optimizer.results.solution import plan_outcome
from optimizer.runs.compare import ScenarioResult, summarise
from optimizer.runs.pipeline import run
from optimizer.runs.records import failure

__all__ = ["Request", "Finished", "SolveJob"]

GRACE_S = 5.0
"""How long a cancelled process may take to stop before it is killed [s]."""


@dataclass(frozen=True)
class Request:
    """One run to make: a name for the page (``base``, ``current``), the cache key of
    its inputs (:func:`optimizer.app.levers.run_key`) and its settings."""

    label: str
    key: str
    settings: RunSettings


@dataclass(frozen=True)
class Finished:
    """A run that ended, with a plan or without.

    ``outcome`` is a key of :data:`optimizer.config.EXIT_CODES` (``ok``, ``infeasible``,
    ``not_optimal``, ``bad_input`` …) or ``cancelled``; ``summary`` and ``folder`` are
    set when the run wrote its folder; ``message`` says what went wrong, as the command
    line would.
    """

    key: str
    label: str
    outcome: str
    summary: ScenarioResult | None = None
    folder: Path | None = None
    message: str | None = None
    seconds: float = 0.0

    @property
    def has_plan(self) -> bool:
        """A plan was written (its folder holds the report, the agreements, the map)."""
        return self.summary is not None and self.folder is not None


@dataclass
class _State:
    messages: list[tuple[str, str]] = field(default_factory=list)
    folder: Path | None = None


def _lead_own_group() -> None:
    """Make this process the leader of a new process group (POSIX), so that a cancel
    reaches it and the processes it starts, and nothing else."""
    if hasattr(os, "setpgid"):
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)


class _Interrupted:
    """The worker's SIGINT handler: raises KeyboardInterrupt, and remembers the cancel
    so that it is raised again at the next progress message (an interrupt that lands
    in a finaliser or a solver callback may be swallowed there), and so that a failure
    it causes first (a stand-alone solve's broken pool) counts as the cancel."""

    def __init__(self) -> None:
        self.seen = False

    def __call__(self, number: int, frame: object) -> None:
        self.seen = True
        raise KeyboardInterrupt


def _run_folder() -> Path | None:
    """The folder of the run in progress: the one whose ``run.log`` the pipeline is
    writing (:func:`optimizer.outputs.files.run_log`), if any."""
    for handler in logging.getLogger("optimizer").handlers:
        if isinstance(handler, LogFileHandler):
            return Path(handler.baseFilename).parent
    return None


def _work(workbook: str, requests: Sequence[Request], lang: str, events: Any) -> None:
    """The background process: each request through the pipeline, in order; reports
    ``("progress", index, (english, japanese))`` (the Japanese of a message that carries
    one, else the English again), ``("folder", index, path)`` once the run has its
    folder, and ``("done", index, Finished)`` on ``events``."""
    _lead_own_group()
    interrupted = _Interrupted()
    signal.signal(signal.SIGINT, interrupted)
    for index, request in enumerate(requests):
        started = time.monotonic()
        named: list[Path] = []

        def progress(message: str, index: int = index, named: list[Path] = named) -> None:
            if interrupted.seen:
                raise KeyboardInterrupt
            if not named and (folder := _run_folder()) is not None:
                named.append(folder)
                events.put(("folder", index, str(folder)))
            text = str(message)
            events.put(("progress", index, (text, str(getattr(message, "ja", None) or text))))

        try:
            result = run(Path(workbook), request.settings, progress=progress)
        except KeyboardInterrupt:
            events.put(("done", index, Finished(request.key, request.label, "cancelled")))
            return
        except Exception as exc:  # every failure becomes the command line's message
            if interrupted.seen:
                events.put(("done", index, Finished(request.key, request.label, "cancelled")))
                return
            outcome, message, _ = failure(exc, lang)
            finished = Finished(
                request.key,
                request.label,
                outcome,
                message=message,
                seconds=time.monotonic() - started,
            )
            events.put(("done", index, finished))
            continue
        finished = Finished(
            request.key,
            request.label,
            plan_outcome(result.solution),
            summary=summarise(request.settings.scenario, result),
            folder=result.folder,
            seconds=time.monotonic() - started,
        )
        events.put(("done", index, finished))


class SolveJob:
    """Runs of the pipeline in a background process.

    Parameters
    ----------
    workbook
        The input workbook (or folder of CSV tables).
    requests
        The runs to make, in order.
    lang
        Language of the messages of a failed run (``ja`` or ``en``).
    """

    def __init__(self, workbook: Path, requests: Sequence[Request], lang: str = "ja") -> None:
        self.workbook = Path(workbook)
        self.requests = list(requests)
        self.lang = lang
        self.finished: list[Finished] = []
        self.started = time.monotonic()
        self.cancelled = False
        self._state = _State()
        self._cancel_at: float | None = None
        self._interrupts = 1
        context = multiprocessing.get_context("spawn")
        self._events = context.Queue()
        self._process = context.Process(
            target=_work,
            args=(str(self.workbook), self.requests, lang, self._events),
            name="optimizer-app-solve",
            daemon=True,
        )
        self._process.start()

    # ------------------------------------------------------------------ state

    @property
    def running(self) -> bool:
        """The process has not yet reported every run (nor stopped)."""
        return len(self.finished) < len(self.requests) and not self._stopped()

    @property
    def index(self) -> int:
        """The index of the request now running (``len(requests)`` when all are done)."""
        return min(len(self.finished), len(self.requests))

    @property
    def messages(self) -> list[tuple[str, str]]:
        """The progress messages of the request now running, (English, Japanese)."""
        return list(self._state.messages)

    @property
    def message(self) -> str:
        """The pipeline's last progress message, in English ("" before the first)."""
        return self._state.messages[-1][0] if self._state.messages else ""

    @property
    def steps(self) -> int:
        """Progress messages of the request now running so far."""
        return len(self._state.messages)

    @property
    def elapsed_s(self) -> float:
        """Seconds since the job started."""
        return time.monotonic() - self.started

    def _stopped(self) -> bool:
        return not self._process.is_alive()

    # ------------------------------------------------------------------ polling

    def poll(self) -> list[Finished]:
        """Read what the process reported since the last call; the runs that finished
        since then. A process that ended without reporting a run (killed, or it
        crashed) ends that run as ``cancelled`` or ``failure``."""
        stopped = self._stopped()  # before reading: all it sent is then in the queue
        new = self._read()
        if self._cancel_at is not None and not stopped:
            waited = time.monotonic() - self._cancel_at
            if waited > GRACE_S:
                self._kill()
            elif waited > self._interrupts:  # once a second, in case one was swallowed
                self._interrupts += 1
                self._signal(getattr(signal, "SIGINT", signal.SIGTERM))
        if stopped and len(self.finished) < len(self.requests):
            new += self._drain_after_stop()
        return new

    def _read(self) -> list[Finished]:
        new: list[Finished] = []
        while True:
            try:
                kind, index, payload = self._events.get_nowait()
            except queue.Empty:
                return new
            except (EOFError, OSError):
                return new
            if kind == "progress":
                if index == len(self.finished):
                    english, japanese = payload
                    self._state.messages.append((str(english), str(japanese)))
            elif kind == "folder":
                self._state.folder = Path(payload)
            elif kind == "done":
                new.append(payload)
                self.finished.append(payload)
                self._state = _State()

    def _drain_after_stop(self) -> list[Finished]:
        """The requests left without a report by a process that has ended; the run
        folder it had begun is removed if it holds nothing but its log (as the pipeline
        does for a run it stops itself), else left, without a manifest, as incomplete."""
        self._process.join(timeout=1)
        folder = self._state.folder
        if folder is not None and not (folder / "manifest.json").is_file():
            remove_unfinished_run_folder(folder)
        outcome = "cancelled" if self.cancelled else "failure"
        message = None
        if not self.cancelled:
            message = (
                f"計算のプロセスが終了しました（終了コード {self._process.exitcode}）"
                if self.lang == "ja"
                else f"the solving process ended (exit code {self._process.exitcode})"
            )
        left = [
            Finished(r.key, r.label, outcome, message=message)
            for r in self.requests[len(self.finished) :]
        ]
        self.finished += left
        return left

    # ------------------------------------------------------------------ stopping

    def cancel(self) -> None:
        """Interrupt the runs (as Ctrl-C would); killed after :data:`GRACE_S`."""
        if self._stopped() or self.cancelled:
            return
        self.cancelled = True
        self._cancel_at = time.monotonic()
        self._signal(getattr(signal, "SIGINT", signal.SIGTERM))

    def _kill(self) -> None:
        self._signal(getattr(signal, "SIGKILL", signal.SIGTERM))
        self._process.join(timeout=2)

    def _signal(self, number: int) -> None:
        pid = self._process.pid
        if pid is None:
            return
        if hasattr(os, "killpg"):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, number)
                return
        if number == getattr(signal, "SIGINT", None) or os.name == "nt":
            self._process.terminate()
        else:
            self._process.kill()

    def wait(self, timeout_s: float, interval_s: float = 0.2) -> list[Finished]:
        """Poll until every run is reported or ``timeout_s`` passed; what finished."""
        deadline = time.monotonic() + timeout_s
        found: list[Finished] = []
        while True:
            found += self.poll()
            if not self.running and len(self.finished) >= len(self.requests):
                return found
            if time.monotonic() > deadline:
                return found
            time.sleep(interval_s)

    def close(self, timeout_s: float = 5.0) -> None:
        """Let the process end (it does once it has reported every run), kill it if it
        has not after ``timeout_s``, and release its queue."""
        if len(self.finished) >= len(self.requests):
            self._process.join(timeout=timeout_s)
        if not self._stopped():
            self._signal(getattr(signal, "SIGKILL", signal.SIGTERM))
            self._process.join(timeout=2)
        self._events.close()
