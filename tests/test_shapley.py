"""Shapley values and the core on games whose answers are known."""

from __future__ import annotations

import functools
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.sharing.shapley import (
    all_coalitions,
    evaluate_coalitions,
    exact_shapley,
    least_core,
    sampled_shapley,
)


def airport_cost(runway: dict[str, float], members: frozenset) -> float:
    """The airport game: a coalition pays for the longest runway any member needs."""
    return max((runway[p] for p in members), default=0.0)


def airport_shapley(runway: dict[str, float]) -> dict[str, float]:
    """Littlechild–Owen: each runway segment is split among the players who need it."""
    players = sorted(runway, key=runway.get)
    shares, running, previous = {}, 0.0, 0.0
    for k, p in enumerate(players):
        running += (runway[p] - previous) / (len(players) - k)
        previous = runway[p]
        shares[p] = running
    return shares


RUNWAY = {"A": 10.0, "B": 40.0, "C": 70.0, "D": 100.0}


def test_all_coalitions_counts_every_non_empty_subset():
    coalitions = all_coalitions("abcd")
    assert len(coalitions) == 15
    assert len(set(coalitions)) == 15
    assert frozenset() not in coalitions


def test_exact_shapley_of_the_airport_game():
    result = exact_shapley(list(RUNWAY), functools.partial(airport_cost, RUNWAY))
    expected = airport_shapley(RUNWAY)  # A 2.5, B 12.5, C 27.5, D 57.5
    assert result.method == "exact"
    for p, value in expected.items():
        assert result.values[p] == pytest.approx(value)
    assert result.values["A"] == pytest.approx(2.5)
    assert result.values["D"] == pytest.approx(57.5)


def test_exact_shapley_in_worker_processes_matches_in_process():
    cost = functools.partial(airport_cost, RUNWAY)
    seen = []
    parallel = exact_shapley(
        list(RUNWAY), cost, processes=2, progress=lambda done, total: seen.append((done, total))
    )
    serial = exact_shapley(list(RUNWAY), cost, processes=1)
    assert parallel.values.tolist() == pytest.approx(serial.values.tolist())
    assert seen[-1] == (15, 15)


def test_cache_is_used_and_filled():
    calls = []

    def cost(members):
        calls.append(members)
        return float(len(members))

    cache = {frozenset("a"): 1.0}
    values = evaluate_coalitions(cost, all_coalitions("ab"), cache=cache)
    assert values[frozenset("ab")] == 2.0
    assert frozenset("a") not in calls
    assert set(cache) == {frozenset(), frozenset("a"), frozenset("b"), frozenset("ab")}


def test_sampled_shapley_is_efficient_reproducible_and_close():
    cost = functools.partial(airport_cost, RUNWAY)
    first = sampled_shapley(list(RUNWAY), cost, samples=400, seed=7)
    again = sampled_shapley(list(RUNWAY), cost, samples=400, seed=7)
    exact = airport_shapley(RUNWAY)
    assert first.values.sum() == pytest.approx(100.0)
    assert first.values.tolist() == again.values.tolist()
    assert first.samples == 400
    for p, value in exact.items():
        assert abs(first.values[p] - value) <= 4 * first.standard_error[p] + 1e-9


def test_sampled_shapley_of_an_additive_game_has_no_error():
    own = {"x": 3.0, "y": 5.0, "z": 11.0}
    result = sampled_shapley(list(own), lambda s: sum(own[p] for p in s), samples=20)
    assert result.values.to_dict() == pytest.approx(own)
    assert result.standard_error.max() == pytest.approx(0.0)


def test_sampling_needs_two_orders():
    with pytest.raises(ValueError):
        sampled_shapley(["a", "b"], len, samples=1)


def test_core_of_an_additive_game_is_not_empty():
    own = {"x": 3.0, "y": 5.0, "z": 11.0}
    values = {c: sum(own[p] for p in c) for c in all_coalitions(own)}
    check = least_core(list(own), values)
    assert not check.empty
    assert check.allocation.sum() == pytest.approx(19.0)


def test_core_of_the_three_pairs_game_is_empty():
    """Any pair can do the job for 1, all three need 2: x(N)=2 but 1.5 is the most the pairs allow."""
    values = {c: {1: 1.0, 2: 1.0, 3: 2.0}[len(c)] for c in all_coalitions("abc")}
    check = least_core(list("abc"), values)
    assert check.empty
    assert check.epsilon == pytest.approx(1 / 3)
    assert check.allocation.to_dict() == pytest.approx({p: 2 / 3 for p in "abc"})


def test_core_of_a_single_player():
    check = least_core(["a"], {frozenset("a"): 4.0})
    assert not check.empty
    assert check.allocation["a"] == 4.0


@st.composite
def games(draw):
    """A random cost game on 2–5 players where players 'p0' and 'p1' are symmetric."""
    n = draw(st.integers(2, 5))
    players = [f"p{k}" for k in range(n)]
    rest = players[2:]
    table = {}
    for size in range(0, len(rest) + 1):
        for others in itertools.combinations(rest, size):
            for twins in (0, 1, 2):
                if twins == 0 and not others:
                    continue
                table[(twins, frozenset(others))] = draw(
                    st.floats(0, 1e9, allow_nan=False, allow_infinity=False)
                )

    def cost(members: frozenset) -> float:
        if not members:
            return 0.0
        twins = len(members & {"p0", "p1"})
        return table[(twins, frozenset(members - {"p0", "p1"}))]

    return players, cost


@settings(max_examples=60, deadline=None)
@given(games())
def test_shapley_efficiency_and_symmetry(game):
    players, cost = game
    result = exact_shapley(players, cost)
    grand = cost(frozenset(players))
    assert result.values.sum() == pytest.approx(grand, rel=1e-9, abs=1e-3)
    assert result.values["p0"] == pytest.approx(result.values["p1"], rel=1e-9, abs=1e-3)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=6))
def test_shapley_of_an_airport_game_matches_the_closed_form(lengths):
    runway = {f"m{k}": v for k, v in enumerate(lengths)}
    result = exact_shapley(list(runway), functools.partial(airport_cost, runway))
    for p, value in airport_shapley(runway).items():
        assert result.values[p] == pytest.approx(value, rel=1e-9, abs=1e-6)
