"""One set of checks run on every solver in ``SOLVERS``: what ``Solver.solve`` promises."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from matcher.scoring import PairTable
from matcher.solvers import SOLVERS, Assignment, MatchingProblem, SolveStatus, get_solver, mip
from tests.strategies import matching_problems, reorder

TIME_LIMIT = 10.0
EXACT = ("cpsat",)
"""Solvers whose lexicographic optimum does not depend on anything but the problem."""
GAP_TARGETED = ("auto", "mip")
"""Solvers that may stop at a proven gap (``MipSolver``: ``mip.GAP`` of each component's fit, or
of 1 where the fit is smaller): ``feasible`` with a bound that close. Hypothesis found tiny
problems (fits of 0.001) where the MIP stopped 0.0006 below its bound, within that gap."""


def matched_and_fit(problem: MatchingProblem, assignment: Assignment) -> tuple[int, int]:
    """The objective in integer units: (mentees matched, Σ round(score × scale) of chosen rows)."""
    matched = int(np.unique(problem.pairs.mentee_idx[assignment.chosen]).size)
    return matched, int(problem.integer_scores()[assignment.chosen].sum())


@pytest.mark.parametrize("name", sorted(SOLVERS))
@settings(max_examples=40, deadline=None)
@given(problem=matching_problems(pins="consistent"))
def test_assignment_is_well_formed(name: str, problem: MatchingProblem) -> None:
    assignment = get_solver(name).solve(problem, time_limit=TIME_LIMIT)

    if name in GAP_TARGETED and assignment.status is SolveStatus.FEASIBLE:
        assert assignment.bound is not None
        assert assignment.bound - assignment.objective <= mip.GAP * (assignment.bound + problem.n_mentees)
    else:
        assert assignment.status is SolveStatus.OPTIMAL
    assert assignment.chosen.dtype == np.int64
    assert assignment.chosen.ndim == 1
    assert np.unique(assignment.chosen).size == assignment.chosen.size
    assert ((assignment.chosen >= 0) & (assignment.chosen < len(problem.pairs))).all()
    assert assignment.objective == pytest.approx(
        problem.pairs.score[assignment.chosen].astype(np.float64).sum()
    )
    assert assignment.bound is None or assignment.bound >= assignment.objective - 1e-9
    assert assignment.seconds >= 0
    assert assignment.method
    groups = assignment.groups()
    n_groups = assignment.group_remote.size
    assert groups.shape == assignment.chosen.shape
    assert assignment.group_theme.size == n_groups
    assert set(groups.tolist()) - {-1} == set(range(n_groups))


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_no_candidate_pairs_gives_an_empty_optimal_assignment(name: str) -> None:
    empty = np.zeros(0, dtype=np.int64)
    problem = MatchingProblem(
        pairs=PairTable(
            mentee_idx=empty.astype(np.int32),
            mentor_idx=empty.astype(np.int32),
            format=empty.astype(np.int8),
            can_remote=empty.astype(bool),
            score=empty.astype(np.float32),
            components={},
            allowed_per_mentee=np.zeros(2, dtype=np.int64),
            cut_best=np.full(2, -1.0, dtype=np.float32),
        ),
        capacity=np.asarray([2], dtype=np.int64),
        max_group=np.asarray([3], dtype=np.int64),
        max_mentors=np.asarray([1, 2], dtype=np.int64),
        covers=sparse.csr_matrix((0, 3), dtype=np.float32),
        pinned=np.zeros(0, dtype=bool),
        score_scale=1000,
    )

    assignment = get_solver(name).solve(problem, time_limit=TIME_LIMIT)

    assert assignment.status is SolveStatus.OPTIMAL
    assert assignment.chosen.size == 0
    assert assignment.objective == 0.0


def _assert_row_order_irrelevant(name: str, problem: MatchingProblem, data: st.DataObject) -> None:
    order = np.asarray(data.draw(st.permutations(range(len(problem.pairs)))), dtype=np.int64)
    solver = get_solver(name)

    as_given = solver.solve(problem, time_limit=TIME_LIMIT)
    shuffled = solver.solve(reorder(problem, order), time_limit=TIME_LIMIT)

    assert matched_and_fit(reorder(problem, order), shuffled) == matched_and_fit(problem, as_given)


@pytest.mark.parametrize("name", sorted(SOLVERS))
@settings(max_examples=30, deadline=None)
@given(
    problem=matching_problems(mentors_per_mentee=1, group_size=1, pins="consistent"),
    data=st.data(),
)
def test_row_order_is_irrelevant_to_the_objective(
    name: str, problem: MatchingProblem, data: st.DataObject
) -> None:
    _assert_row_order_irrelevant(name, problem, data)


@pytest.mark.parametrize("name", EXACT)
@settings(max_examples=30, deadline=None)
@given(problem=matching_problems(pins="consistent"), data=st.data())
def test_row_order_is_irrelevant_to_exact_solvers_with_groups_and_several_mentors(
    name: str, problem: MatchingProblem, data: st.DataObject
) -> None:
    _assert_row_order_irrelevant(name, problem, data)
