"""The pieces of HiGHS state that outlive a solve: its banner and its thread scheduler."""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from typing import Any

import highspy

POSIX = os.name == "posix"
"""Whether the process's C library is reached with ``ctypes.CDLL(None)`` (POSIX). On
Windows that call raises; the universal C runtime (``ucrtbase``) is loaded by name."""

_banner_lock = threading.Lock()
_banner_done = False


def _c_library() -> Any | None:
    """The C runtime whose ``stdout`` buffer HiGHS prints into, or ``None``."""
    try:
        return ctypes.CDLL(None) if POSIX else ctypes.CDLL("ucrtbase")
    except (OSError, TypeError, ValueError, AttributeError):
        return None


def _flush_c_stdout() -> None:
    """Flush the C runtime's ``stdout`` buffer (a no-op where it cannot be reached)."""
    library = _c_library()
    if library is not None:
        with contextlib.suppress(OSError, AttributeError, TypeError, ValueError):
            library.fflush(None)


def _flush_python_stdout() -> None:
    stream = sys.stdout
    if stream is not None:  # None under pythonw
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()


def silence_highs_banner() -> None:
    """Swallow the banner HiGHS prints on standard output when it first starts.

    HiGHS writes "Running HiGHS … Copyright …" from C++ when the first solver object of
    a process is made, whatever its options; it would stand at the top of every
    command's output, before the plan. The first object is made here, with file
    descriptor 1 pointed at the null device for that moment. Once per process.

    Degrades gracefully: where standard output cannot be redirected, or the C runtime
    cannot be flushed (:func:`_flush_c_stdout`), the banner may show; the solve goes on.
    """
    global _banner_done
    with _banner_lock:
        if _banner_done:
            return
        _banner_done = True
        _flush_python_stdout()
        _flush_c_stdout()
        try:
            saved = os.dup(1)
        except OSError:  # no standard output to protect
            highspy.Highs()
            return
        made = False
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 1)
                highspy.Highs()
                made = True
                _flush_c_stdout()
        except OSError:  # cannot redirect: the banner may show
            pass
        finally:
            with contextlib.suppress(OSError):
                os.dup2(saved, 1)
            os.close(saved)
        if not made:
            highspy.Highs()


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
