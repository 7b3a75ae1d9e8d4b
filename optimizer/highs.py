"""The one piece of HiGHS state that outlives a solve: its thread scheduler."""

from __future__ import annotations


def reset_highs_threads() -> None:
    """Let the next HiGHS run in this process choose its own thread count.

    HiGHS keeps one thread scheduler per process, sized by the first run; a later run
    asking for another ``threads`` value is refused ("the scheduler has already been
    initialized") and returns no solution. Our solves in one process are sequential
    (one-thread stand-alone solves, then a joint solve on every core, then a least-core
    LP), so each one starts from a fresh scheduler.
    """
    import highspy

    reset = getattr(highspy.Highs, "resetThreadScheduler", None)
    if reset is not None:
        reset(True)
