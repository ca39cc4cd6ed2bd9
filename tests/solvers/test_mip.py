"""The group-slot MIP (``mip``, behind ``auto``): exact against brute force, a true bound at its
default gap, and never worse than the group-free flow answer."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.options import Options
from matcher.pipeline import problem_of
from matcher.solvers import MatchingProblem, SolveStatus, get_solver
from matcher.solvers.mip import MipSolver
from matcher.synthetic import generate_banks, write_banks
from matcher.taxonomy import load_taxonomy
from matcher.validation import load_banks
from tests.solvers.hard_rules import HardRules
from tests.solvers.test_contract import matched_and_fit
from tests.solvers.test_reference import brute_force
from tests.strategies import SCALE, matching_problems

TIME_LIMIT = 10.0
SMALL = matching_problems(min_mentees=3, max_mentees=4, max_mentors=3, max_rows=8, max_capacity=2, pins="any")


@settings(max_examples=100, deadline=None)
@given(problem=SMALL)
def test_mip_without_gap_matches_brute_force_with_groups_several_mentors_and_pins(
    problem: MatchingProblem,
) -> None:
    expected = brute_force(problem)

    assignment = MipSolver(gap=0.0).solve(problem, time_limit=TIME_LIMIT)

    if expected is None:
        assert assignment.status is SolveStatus.INFEASIBLE
    else:
        assert HardRules(problem).breaks_assignment(assignment) == []
        assert matched_and_fit(problem, assignment) == expected


@settings(max_examples=100, deadline=None)
@given(problem=SMALL)
def test_auto_bound_is_true_and_its_gap_as_stated(problem: MatchingProblem) -> None:
    expected = brute_force(problem)

    assignment = get_solver("auto").solve(problem, time_limit=TIME_LIMIT)

    if expected is None:
        assert assignment.status is SolveStatus.INFEASIBLE
        return
    matched, fit = matched_and_fit(problem, assignment)
    assert matched == expected[0]
    assert assignment.bound is not None
    assert fit <= expected[1] <= assignment.bound * SCALE + 1e-3  # scores are float32
    assert assignment.bound - assignment.objective <= 0.004 * max(assignment.objective, 1.0) + 1e-6


@settings(max_examples=80, deadline=None)
@given(problem=matching_problems(max_mentees=8, max_mentors=5, pins="consistent"))
def test_never_worse_than_flow(problem: MatchingProblem) -> None:
    flow = get_solver("flow").solve(problem, time_limit=TIME_LIMIT)
    mip = get_solver("mip").solve(problem, time_limit=TIME_LIMIT)

    assert HardRules(problem).breaks_assignment(mip) == []
    if flow.status is not SolveStatus.INFEASIBLE:
        assert matched_and_fit(problem, mip) >= matched_and_fit(problem, flow)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_never_worse_than_flow_on_generated_banks(seed: int, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    taxonomy = load_taxonomy()
    mentors, mentees = generate_banks(
        n_mentees=int(rng.integers(60, 160)),
        n_mentors=int(rng.integers(40, 120)),
        n_institutions=int(rng.integers(2, 8)),
        seed=seed,
        group_leader_share=float(rng.uniform(0.2, 0.8)),
        two_mentors_share=float(rng.uniform(0.0, 0.5)),
    )
    mentor_bank, mentee_bank = load_banks(*write_banks(mentors, mentees, tmp_path), taxonomy)
    problem = problem_of(mentee_bank, mentor_bank, options=Options(), taxonomy=taxonomy)

    flow = get_solver("flow").solve(problem, time_limit=TIME_LIMIT)
    chosen = get_solver("auto").solve(problem, time_limit=TIME_LIMIT)

    assert HardRules(problem).breaks_assignment(chosen) == []
    assert matched_and_fit(problem, chosen) >= matched_and_fit(problem, flow)
    assert chosen.bound is not None and chosen.bound >= chosen.objective


@settings(max_examples=20, deadline=None)
@given(problem=SMALL, data=st.data())
def test_the_answer_does_not_depend_on_anything_but_the_problem(
    problem: MatchingProblem, data: st.DataObject
) -> None:
    first = get_solver("auto").solve(problem, time_limit=TIME_LIMIT)
    again = get_solver("auto").solve(problem, time_limit=data.draw(st.sampled_from([0.01, 100.0])))

    assert first.chosen.tolist() == again.chosen.tolist()
    assert first.groups().tolist() == again.groups().tolist()
