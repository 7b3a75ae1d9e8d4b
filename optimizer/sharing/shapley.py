"""Shapley values and the core of a cost game.

A cost game is a set of players *N* (municipality codes) and a characteristic function
*c(S)* [yen/year]: what coalition *S* ⊆ *N* would pay if its members shared facilities
only among themselves, with c(∅) = 0. It is given here as a callable on frozensets of
codes. Evaluating it may take a solver run, so values are cached in a plain dict that
the caller may seed (e.g. with stand-alone costs) and that survives between calls, and
batches of coalitions are evaluated in worker processes.

Shapley value (cost share of player *i*)::

    φ_i = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (c(S ∪ {i}) − c(S))

computed exactly from all 2^n coalition values for small games, or estimated by
permutation sampling for large ones: for a random order of the players, player *i*'s
marginal cost is c(P_i ∪ {i}) − c(P_i) with P_i the players before it; the estimate is the
mean over *m* orders, its standard error the sample standard deviation ÷ √m. Every order
charges exactly c(N) in total, so the estimate is efficient whatever *m*.

Core of a cost game: the allocations *x* with x(N) = c(N) and x(S) ≤ c(S) for every
coalition *S* (no group would rather leave). It may be empty — for facility-location
games it is empty exactly when the LP relaxation has an integrality gap (Goemans and
Skutella 2004). The least-core LP::

    min ε   s.t.  Σ_{i∈N} x_i = c(N),   Σ_{i∈S} x_i − ε ≤ c(S)   for every ∅ ≠ S ⊊ N

has ε* ≤ 0 exactly when the core is non-empty; ε* is the smallest subsidy per coalition
that would make some allocation stable. It is solved with HiGHS directly (no PuLP).
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Callable, Hashable, Iterable, Mapping, MutableMapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.solving.least_core import least_excess_allocation

__all__ = [
    "CostFunction",
    "Progress",
    "ShapleyResult",
    "CoreCheck",
    "all_coalitions",
    "evaluate_coalitions",
    "exact_shapley",
    "sampled_shapley",
    "least_core",
]

log = logging.getLogger(__name__)

CostFunction = Callable[[frozenset], float]
"""c(S) [yen/year] for a coalition S given as a frozenset of player ids."""

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while coalitions are evaluated."""


@dataclass(frozen=True)
class ShapleyResult:
    """Shapley cost shares.

    Attributes
    ----------
    values
        Index player id; each player's share [yen/year].
    method
        ``exact`` or ``sampled``.
    samples
        Number of sampled orders (``None`` when exact).
    standard_error
        Index player id; standard error of each sampled share [yen/year] (zeros when exact).
    coalitions_evaluated
        Distinct coalition values used (from the cache or computed).
    seconds
        Wall time of the computation [s].
    """

    values: pd.Series
    method: str
    samples: int | None
    standard_error: pd.Series
    coalitions_evaluated: int
    seconds: float


@dataclass(frozen=True)
class CoreCheck:
    """Result of the least-core LP.

    Attributes
    ----------
    empty
        True when no allocation satisfies every coalition (ε* > tolerance).
    epsilon
        ε* [yen/year]: least extra cost a coalition must be allowed over its own value.
    allocation
        A least-core allocation [yen/year], index player id.
    """

    empty: bool
    epsilon: float
    allocation: pd.Series


def all_coalitions(players: Iterable[Hashable]) -> list[frozenset]:
    """Every non-empty coalition of ``players``, smallest first (2^n − 1 of them)."""
    ordered = list(players)
    return [
        frozenset(members)
        for size in range(1, len(ordered) + 1)
        for members in itertools.combinations(ordered, size)
    ]


_WORKER_COST: CostFunction | None = None


def _install_worker_cost(cost: CostFunction) -> None:
    global _WORKER_COST
    _WORKER_COST = cost


def _worker_evaluate(members: frozenset) -> float:
    assert _WORKER_COST is not None, "worker started without a cost function"
    return float(_WORKER_COST(members))


def evaluate_coalitions(
    cost: CostFunction,
    coalitions: Iterable[frozenset],
    *,
    cache: MutableMapping[frozenset, float] | None = None,
    processes: int | None = 1,
    progress: Progress | None = None,
) -> dict[frozenset, float]:
    """c(S) for every coalition asked for, computing only those not in ``cache``.

    Parameters
    ----------
    cost
        The characteristic function. With ``processes`` > 1 it must be picklable (a
        module-level function or a ``functools.partial`` of one); it is sent once to
        each worker.
    coalitions
        Coalitions to evaluate; the empty coalition is worth 0.
    cache
        Known values; new values are added to it.
    processes
        Worker processes; 1 (or a single coalition to compute) evaluates in this process.
    progress
        ``progress(done, total)`` after each computed coalition.

    Returns
    -------
    dict
        Value of every requested coalition [yen/year].
    """
    cache = {} if cache is None else cache
    cache.setdefault(frozenset(), 0.0)
    wanted = list(dict.fromkeys(frozenset(c) for c in coalitions))
    todo = [c for c in wanted if c not in cache]
    total = len(todo)
    if total:
        log.info("evaluating %d coalition(s) with %s process(es)", total, processes or 1)
    if processes is None or processes <= 1 or total <= 1:
        for done, members in enumerate(todo, start=1):
            cache[members] = float(cost(members))
            if progress:
                progress(done, total)
    else:
        workers = min(processes, total)
        chunk = max(1, total // (workers * 8))
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_install_worker_cost, initargs=(cost,)
        ) as pool:
            results = pool.map(_worker_evaluate, todo, chunksize=chunk)
            for done, (members, value) in enumerate(zip(todo, results, strict=True), start=1):
                cache[members] = value
                if progress:
                    progress(done, total)
    return {c: cache[c] for c in wanted}


def _subset_sizes(n: int) -> np.ndarray:
    """Members of each of the 2^n coalitions, indexed by their bit mask."""
    masks = np.arange(2**n, dtype=np.int64)
    sizes = np.zeros_like(masks)
    for bit in range(n):
        sizes += (masks >> bit) & 1
    return sizes


def _mask_of(members: frozenset, position: Mapping[Hashable, int]) -> int:
    return sum(1 << position[p] for p in members)


def exact_shapley(
    players: Sequence[Hashable],
    cost: CostFunction,
    *,
    cache: MutableMapping[frozenset, float] | None = None,
    processes: int | None = 1,
    progress: Progress | None = None,
) -> ShapleyResult:
    """Exact Shapley values from all 2^n coalition values.

    The sum over coalitions is vectorised on bit masks: with v[m] the value of the
    coalition whose members are the set bits of m, φ_i = Σ_{m ∌ i} w(|m|) ·
    (v[m | 2^i] − v[m]), w(s) = s! (n − s − 1)! / n!.
    """
    started = time.perf_counter()
    players = list(players)
    n = len(players)
    if n == 0:
        raise ValueError("a game needs at least one player")
    position = {p: k for k, p in enumerate(players)}
    values = evaluate_coalitions(
        cost, all_coalitions(players), cache=cache, processes=processes, progress=progress
    )
    v = np.zeros(2**n)
    for members, value in values.items():
        v[_mask_of(members, position)] = value
    sizes = _subset_sizes(n)
    weight_by_size = np.array(
        [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    )
    masks = np.arange(2**n, dtype=np.int64)
    shares = np.empty(n)
    for k in range(n):
        without = masks[((masks >> k) & 1) == 0]
        marginal = v[without | (1 << k)] - v[without]
        shares[k] = float(np.dot(weight_by_size[sizes[without]], marginal))
    return ShapleyResult(
        values=pd.Series(shares, index=players, name="shapley"),
        method="exact",
        samples=None,
        standard_error=pd.Series(0.0, index=players, name="standard_error"),
        coalitions_evaluated=len(values) + 1,
        seconds=time.perf_counter() - started,
    )


def sampled_shapley(
    players: Sequence[Hashable],
    cost: CostFunction,
    *,
    samples: int,
    seed: int = 0,
    cache: MutableMapping[frozenset, float] | None = None,
    processes: int | None = 1,
    progress: Progress | None = None,
) -> ShapleyResult:
    """Shapley values estimated from ``samples`` random orders of the players.

    The orders are drawn first (``numpy.random.default_rng(seed)``, so a seed gives the
    same estimate every time), then every distinct prefix coalition is evaluated once
    (in parallel), then the marginal costs are averaged.
    """
    if samples < 2:
        raise ValueError("sampling needs at least 2 orders to state a standard error")
    started = time.perf_counter()
    players = list(players)
    n = len(players)
    rng = np.random.default_rng(seed)
    orders = [rng.permutation(n) for _ in range(samples)]
    prefixes = [
        frozenset(players[k] for k in order[:length])
        for order in orders
        for length in range(1, n + 1)
    ]
    values = evaluate_coalitions(
        cost, prefixes, cache=cache, processes=processes, progress=progress
    )
    values[frozenset()] = 0.0
    marginals = np.empty((samples, n))
    for row, order in enumerate(orders):
        before = 0.0
        members: set = set()
        for k in order:
            members.add(players[k])
            after = values[frozenset(members)]
            marginals[row, k] = after - before
            before = after
    error = marginals.std(axis=0, ddof=1) / math.sqrt(samples)
    return ShapleyResult(
        values=pd.Series(marginals.mean(axis=0), index=players, name="shapley"),
        method="sampled",
        samples=samples,
        standard_error=pd.Series(error, index=players, name="standard_error"),
        coalitions_evaluated=len(values),
        seconds=time.perf_counter() - started,
    )


def least_core(
    players: Sequence[Hashable],
    values: Mapping[frozenset, float],
    *,
    tolerance: float = 1e-7,
) -> CoreCheck:
    """Solve the least-core LP of a cost game whose every coalition value is known.

    Parameters
    ----------
    players
        The players *N*.
    values
        c(S) for every non-empty S ⊆ N [yen/year].
    tolerance
        Relative to max |c(S)|: ε* above ``tolerance`` × scale means an empty core.
    """
    players = list(players)
    n = len(players)
    grand = frozenset(players)
    if n == 1:  # the only allocation charges the lone player c(N); nothing can block it
        return CoreCheck(False, 0.0, pd.Series([values[grand]], index=players, name="least_core"))
    proper = [c for c in all_coalitions(players) if c != grand]
    scale = max(1.0, max(abs(values[c]) for c in [*proper, grand]))
    position = {p: k for k, p in enumerate(players)}

    rows = [(sorted(position[p] for p in members), values[members] / scale) for members in proper]
    solution = np.append(*least_excess_allocation(n, rows, values[grand] / scale)) * scale
    epsilon = float(solution[n])
    return CoreCheck(
        empty=epsilon > tolerance * scale,
        epsilon=epsilon,
        allocation=pd.Series(solution[:n], index=players, name="least_core"),
    )
