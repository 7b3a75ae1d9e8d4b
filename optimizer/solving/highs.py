"""The pieces of HiGHS state that outlive a solve: its banner and its thread scheduler."""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading

import highspy

_banner_lock = threading.Lock()
_banner_done = False


def _flush_c_stdout() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).fflush(None)


def silence_highs_banner() -> None:
    """Swallow the banner HiGHS prints on standard output when it first starts.

    HiGHS writes "Running HiGHS … Copyright …" from C++ when the first solver object of
    a process is made, whatever its options; it would stand at the top of every
    command's output, before the plan. The first object is made here, with file
    descriptor 1 pointed at the null device for that moment. Once per process.
    """
    global _banner_done
    with _banner_lock:
        if _banner_done:
            return
        _banner_done = True
        sys.stdout.flush()
        _flush_c_stdout()
        try:
            saved = os.dup(1)
        except OSError:  # no standard output to protect
            highspy.Highs()
            return
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 1)
                highspy.Highs()
                _flush_c_stdout()
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def reset_highs_threads() -> None:
    """Let the next HiGHS run in this process choose its own thread count.

    HiGHS keeps one thread scheduler per process, sized by the first run; a later run
    asking for another ``threads`` value is refused ("the scheduler has already been
    initialized") and returns no solution. Our solves in one process are sequential
    (one-thread stand-alone solves, then a joint solve on every core, then a least-core
    LP), so each one starts from a fresh scheduler. It also keeps HiGHS's banner off
    standard output (:func:`silence_highs_banner`), since it runs before every HiGHS
    object this package makes.
    """
    silence_highs_banner()
    reset = getattr(highspy.Highs, "resetThreadScheduler", None)
    if reset is not None:
        reset(True)
