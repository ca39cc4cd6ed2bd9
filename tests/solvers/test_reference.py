"""Solvers against exact references on small instances, in integer units (matched, Σ fit).

* One mentor per mentee, no groups: scipy's ``linear_sum_assignment`` on the capacity-expanded
  matrix (each mentor repeated ``capacity`` times; cost −(BIG + fit) for candidate pairs, 0
  otherwise; zero-cost assignments dropped) is the lexicographic optimum; BIG exceeds any total fit.
* Several mentors, groups and pins: plain enumeration of every assignment of ≤ 8 rows (each row
  off, individual, or a member of its mentor's one group), kept when it breaks no hard rule.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from scipy.optimize import linear_sum_assignment

from matcher.solvers import SOLVERS, MatchingProblem, SolveStatus, get_solver
from tests.solvers.hard_rules import HardRules
from tests.solvers.test_contract import matched_and_fit
from tests.strategies import matching_problems

TIME_LIMIT = 10.0


def assignment_reference(problem: MatchingProblem) -> tuple[int, int]:
    """The lexicographic optimum with one mentor per mentee and no groups, by scipy."""
    fits = problem.integer_scores()
    big = int(fits.sum()) + 1
    slots = np.repeat(np.arange(problem.n_mentors), problem.capacity)
    cost = np.zeros((problem.n_mentees, slots.size), dtype=np.int64)
    for i, j, fit in zip(problem.pairs.mentee_idx, problem.pairs.mentor_idx, fits, strict=True):
        cost[i, slots == j] = -(big + fit)
    rows, cols = linear_sum_assignment(cost)
    taken = cost[rows, cols][cost[rows, cols] < 0]
    return int(taken.size), int((-taken - big).sum())


def brute_force(problem: MatchingProblem) -> tuple[int, int] | None:
    """The lexicographic optimum over every assignment; None when none keeps the hard rules."""
    rules = HardRules(problem)
    mentee, mentor = problem.pairs.mentee_idx.tolist(), problem.pairs.mentor_idx.tolist()
    fits = problem.integer_scores().tolist()
    states = [(0, 1, 2) if problem.max_group[j] >= 2 else (0, 1) for j in mentor]
    best: tuple[int, int] | None = None
    for state in product(*states):
        chosen = [r for r, s in enumerate(state) if s]
        group_of = [mentor[r] if state[r] == 2 else -1 for r in chosen]
        if rules.breaks(chosen, group_of):
            continue
        value = (len({mentee[r] for r in chosen}), sum(fits[r] for r in chosen))
        best = value if best is None else max(best, value)
    return best


@pytest.mark.parametrize("name", sorted(set(SOLVERS) - {"auto"}))  # auto is flow on all of these
@settings(max_examples=60, deadline=None)
@given(
    problem=matching_problems(max_mentees=6, max_mentors=4, mentors_per_mentee=1, group_size=1, pins="none")
)
def test_one_mentor_each_matches_linear_sum_assignment(name: str, problem: MatchingProblem) -> None:
    assignment = get_solver(name).solve(problem, time_limit=TIME_LIMIT)

    assert assignment.status is SolveStatus.OPTIMAL
    assert matched_and_fit(problem, assignment) == assignment_reference(problem)


@settings(max_examples=100, deadline=None)
@given(
    problem=matching_problems(
        min_mentees=3, max_mentees=4, max_mentors=3, max_rows=8, max_capacity=2, pins="any"
    )
)
def test_cpsat_matches_brute_force_with_groups_several_mentors_and_pins(problem: MatchingProblem) -> None:
    expected = brute_force(problem)

    assignment = get_solver("cpsat").solve(problem, time_limit=TIME_LIMIT)

    if expected is None:
        assert assignment.status is SolveStatus.INFEASIBLE
    else:
        assert assignment.status is SolveStatus.OPTIMAL
        assert matched_and_fit(problem, assignment) == expected
