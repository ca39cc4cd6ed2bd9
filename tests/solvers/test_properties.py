"""Hypothesis: every hard rule holds in every solver's proposal, and in the pipeline's pairs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from matcher.eligibility import Eligibility
from matcher.model import Decisions, MeetingFormat, MenteeBank, MentorBank
from matcher.options import Options
from matcher.pipeline import run_batch
from matcher.scoring import score_pairs
from matcher.solvers import SOLVERS, MatchingProblem, SolveStatus, get_solver
from matcher.taxonomy import load_taxonomy
from matcher.vectorising import ProfileVectorizer
from tests.solvers.hard_rules import HardRules
from tests.strategies import Row, banks, matching_problems, problem_from_rows

TIME_LIMIT = 10.0
TAXONOMY = load_taxonomy()


def two_mentor_problem(capacity: list[int], pinned: list[int]) -> MatchingProblem:
    """Mentee 0, allowed 2 mentors: mentor 0 covers its difficulty 0 (fit 0.9), mentor 1 covers
    difficulties 0 and 1 (fit 0.1)."""
    return problem_from_rows(
        [Row(0, 0, fit=900, covers={0: 2}), Row(0, 1, fit=100, covers={0: 2, 1: 1})],
        capacity=capacity,
        max_group=[1, 1],
        max_mentors=[2],
        n_codes=2,
        pinned=pinned,
    )


@pytest.mark.parametrize("name", sorted(SOLVERS))
@settings(max_examples=60, deadline=None)
@given(problem=matching_problems(pins="consistent"))
def test_rule_3_and_pins_hold(name: str, problem: MatchingProblem) -> None:
    """Load ≤ capacity (a group once), group size, theme and format, max_mentors, pins chosen."""
    assignment = get_solver(name).solve(problem, time_limit=TIME_LIMIT)

    assert assignment.status is not SolveStatus.INFEASIBLE
    breaks = HardRules(problem).breaks_assignment(assignment)
    assert [b for b in breaks if not b.startswith("new coverage")] == []


@pytest.mark.parametrize("name", sorted(SOLVERS))
@settings(max_examples=60, deadline=None)
@given(problem=matching_problems(pins="consistent"))
def test_rule_4_each_mentor_covers_a_difficulty_the_others_do_not(
    name: str, problem: MatchingProblem
) -> None:
    assignment = get_solver(name).solve(problem, time_limit=TIME_LIMIT)

    assert [b for b in HardRules(problem).breaks_assignment(assignment) if b.startswith("new coverage")] == []


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_rule_4_when_a_later_mentor_covers_all_an_earlier_one_does(name: str) -> None:
    problem = two_mentor_problem(capacity=[1, 1], pinned=[])

    assignment = get_solver(name).solve(problem, time_limit=TIME_LIMIT)

    assert HardRules(problem).breaks_assignment(assignment) == []
    assert assignment.chosen.tolist() == [0]


@pytest.mark.parametrize("name", sorted(SOLVERS))
@settings(max_examples=60, deadline=None)
@given(problem=matching_problems(pins="any"))
def test_conflicting_pins_are_reported_infeasible_never_hidden(name: str, problem: MatchingProblem) -> None:
    assignment = get_solver(name).solve(problem, time_limit=TIME_LIMIT)

    if assignment.status is SolveStatus.INFEASIBLE:
        assert assignment.chosen.tolist() == np.flatnonzero(problem.pinned).tolist()
        assert assignment.bound is None
    else:
        assert HardRules(problem).breaks_assignment(assignment) == []


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_a_pin_on_a_mentor_without_capacity_is_infeasible(name: str) -> None:
    problem = two_mentor_problem(capacity=[0, 1], pinned=[0])

    assignment = get_solver(name).solve(problem, time_limit=TIME_LIMIT)

    assert assignment.status is SolveStatus.INFEASIBLE
    assert assignment.chosen.tolist() == [0]


def _breaks_rules_1_2_5(
    mentees: MenteeBank, mentors: MentorBank, mentee_idx: int, mentor_idx: int, fmt: MeetingFormat
) -> list[str]:
    mentee, mentor = mentees.mentees[mentee_idx], mentors.mentors[mentor_idx]
    found = []
    if not (mentee.consent and mentor.consent):
        found.append("no consent")
    if mentor.id in mentee.excluded_mentors:
        found.append("excluded")
    if mentor.id == mentee.id:
        found.append("self")
    both = mentee.formats & mentor.formats
    if fmt is MeetingFormat.IN_PERSON and not (
        mentee.institution == mentor.institution and MeetingFormat.IN_PERSON in both
    ):
        found.append("in person across institutions or without both accepting it")
    if fmt is MeetingFormat.REMOTE and MeetingFormat.REMOTE not in both:
        found.append("remote without both accepting it")
    return found


@settings(max_examples=40, deadline=None)
@given(people=banks())
def test_pipeline_pair_table_keeps_rules_1_2_5(people: tuple[MenteeBank, MentorBank]) -> None:
    mentees, mentors = people
    options = Options(candidates_per_mentee=1000)
    vectorizer = ProfileVectorizer(TAXONOMY, text_components=options.text_components).fit(mentees, mentors)
    pairs = score_pairs(
        vectorizer.transform_mentees(mentees),
        vectorizer.transform_mentors(mentors),
        Eligibility.build(mentees, mentors, Decisions()),
        options,
    )

    for i, j, fmt, remote in zip(
        pairs.mentee_idx.tolist(),
        pairs.mentor_idx.tolist(),
        pairs.format.tolist(),
        pairs.can_remote.tolist(),
        strict=True,
    ):
        as_paired = MeetingFormat.REMOTE if fmt == 1 else MeetingFormat.IN_PERSON
        assert _breaks_rules_1_2_5(mentees, mentors, i, j, as_paired) == []
        if remote:
            assert _breaks_rules_1_2_5(mentees, mentors, i, j, MeetingFormat.REMOTE) == []


@pytest.mark.slow(5)
@pytest.mark.parametrize("name", sorted(SOLVERS))
@settings(max_examples=25, deadline=None)
@given(people=banks())
def test_run_batch_proposes_no_pair_breaking_rules_1_2_5(
    name: str, people: tuple[MenteeBank, MentorBank]
) -> None:
    mentees, mentors = people
    position = {m.id: k for k, m in enumerate(mentees.mentees)}
    mentor_position = {m.id: k for k, m in enumerate(mentors.mentors)}

    result = run_batch(
        mentees, mentors, options=Options(solver=name, time_limit=TIME_LIMIT), taxonomy=TAXONOMY
    )

    for proposal in result.proposals:
        i, j = position[proposal.mentee_id], mentor_position[proposal.mentor_id]
        assert _breaks_rules_1_2_5(mentees, mentors, i, j, proposal.format) == []
