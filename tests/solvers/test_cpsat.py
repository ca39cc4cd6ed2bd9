"""What only the CP-SAT solver does: groups (contract rule 3) and stopping at the time limit."""

from __future__ import annotations

import pytest

from matcher.solvers import MatchingProblem, SolveStatus, get_solver
from tests.solvers.hard_rules import HardRules
from tests.strategies import Row, problem_from_rows, random_problem

TIME_LIMIT = 10.0


def one_mentor(rows: list[Row], *, capacity: int, max_group: int, n_codes: int = 2) -> MatchingProblem:
    return problem_from_rows(
        rows,
        capacity=[capacity],
        max_group=[max_group],
        max_mentors=[1] * (max(row.mentee for row in rows) + 1),
        n_codes=n_codes,
    )


def test_a_group_counts_once_in_the_mentor_load() -> None:
    problem = one_mentor([Row(i, 0, fit=500, covers={0: 2}) for i in range(3)], capacity=1, max_group=3)

    assignment = get_solver("cpsat").solve(problem, time_limit=TIME_LIMIT)

    assert assignment.status is SolveStatus.OPTIMAL
    assert assignment.chosen.tolist() == [0, 1, 2]
    assert assignment.groups().tolist() == [0, 0, 0]
    assert assignment.group_theme.tolist() == [0]
    assert assignment.group_remote.tolist() == [False]
    assert assignment.bound == assignment.objective


def test_a_mentor_leads_one_group_of_at_most_max_group() -> None:
    problem = one_mentor([Row(i, 0, fit=500, covers={0: 2}) for i in range(4)], capacity=2, max_group=2)

    assignment = get_solver("cpsat").solve(problem, time_limit=TIME_LIMIT)

    groups = assignment.groups().tolist()
    assert assignment.chosen.size == 3
    assert sorted(groups) == [-1, 0, 0]
    assert HardRules(problem).breaks_assignment(assignment) == []


def test_group_members_share_a_difficulty_the_mentor_covers() -> None:
    rows = [
        Row(0, 0, fit=500, covers={0: 2}),
        Row(1, 0, fit=500, covers={1: 2}),
        Row(2, 0, fit=400, covers={0: 1, 1: 3}),
    ]
    problem = one_mentor(rows, capacity=1, max_group=3)

    assignment = get_solver("cpsat").solve(problem, time_limit=TIME_LIMIT)

    assert assignment.chosen.size == 2
    assert 2 in assignment.chosen.tolist()
    shared = problem.covers[assignment.chosen].toarray() > 0
    assert shared[:, assignment.group_theme[0]].all()


def test_a_group_with_a_remote_only_member_meets_remotely_without_in_person_only_members() -> None:
    rows = [
        Row(0, 0, fit=500, covers={0: 2}, format=1),
        Row(1, 0, fit=400, covers={0: 2}, format=0, can_remote=False),
        Row(2, 0, fit=300, covers={0: 2}, format=0, can_remote=True),
    ]
    problem = one_mentor(rows, capacity=1, max_group=3)

    assignment = get_solver("cpsat").solve(problem, time_limit=TIME_LIMIT)

    assert assignment.chosen.tolist() == [0, 2]
    assert assignment.groups().tolist() == [0, 0]
    assert assignment.group_remote.tolist() == [True]


def test_several_mentors_each_cover_something_the_others_do_not() -> None:
    rows = [
        Row(0, 0, fit=900, covers={0: 3, 1: 1}),
        Row(0, 1, fit=800, covers={1: 1, 2: 2}),
        Row(0, 2, fit=700, covers={0: 3, 2: 2}),
        Row(0, 3, fit=100, covers={3: 1}),
    ]
    problem = problem_from_rows(rows, capacity=[1] * 4, max_group=[1] * 4, max_mentors=[3], n_codes=4)

    assignment = get_solver("cpsat").solve(problem, time_limit=TIME_LIMIT)

    assert assignment.chosen.tolist() == [0, 1, 3]


@pytest.mark.parametrize("time_limit", [0.3, 2.0])
def test_at_the_time_limit_the_best_assignment_found_keeps_every_rule(time_limit: float) -> None:
    problem = random_problem(3, n_mentees=2000, n_mentors=300)

    assignment = get_solver("cpsat").solve(problem, time_limit=time_limit)

    assert assignment.status in (SolveStatus.OPTIMAL, SolveStatus.TIMED_OUT)
    assert HardRules(problem).breaks_assignment(assignment) == []
    if assignment.bound is None:
        assert assignment.status is SolveStatus.TIMED_OUT
        assert assignment.chosen.size == 0  # nothing found in time, and nothing pinned
    else:
        assert assignment.bound >= assignment.objective
