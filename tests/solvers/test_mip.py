"""The group-slot MIP (``mip``, behind ``auto``): exact against brute force, a true bound at its
default gap, never worse than the group-free flow answer, and under the ``maxmin`` objective and
continuity with an earlier run (the wrappers of ``fairness`` and ``continuity``)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.options import Options
from matcher.pipeline import problem_of
from matcher.solvers import MatchingProblem, SolveStatus, get_solver, mip
from matcher.solvers.continuity import solve_keeping_previous
from matcher.solvers.fairness import solve_maxmin
from matcher.solvers.mip import MipSolver
from matcher.synthetic import generate_banks, write_banks
from matcher.taxonomy import load_taxonomy
from matcher.validation import load_banks
from tests.solvers.hard_rules import HardRules
from tests.solvers.test_contract import matched_and_fit
from tests.solvers.test_reference import brute_force
from tests.strategies import SCALE, matching_problems

TIME_LIMIT = 10.0
STABILITY_TOLERANCE = 0.02
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


NO_PINS = matching_problems(min_mentees=2, max_mentees=6, max_mentors=4, max_rows=12, pins="none")


@settings(max_examples=40, deadline=None)
@given(problem=NO_PINS)
def test_maxmin_with_the_mip_raises_the_worst_fit_and_matches_as_many(problem: MatchingProblem) -> None:
    solver = MipSolver(gap=0.0)
    plain = solver.solve(problem, time_limit=TIME_LIMIT)

    fair = solve_maxmin(problem, solver, time_limit=TIME_LIMIT)

    assert HardRules(problem).breaks_assignment(fair) == []
    assert matched_and_fit(problem, fair)[0] == matched_and_fit(problem, plain)[0]
    if plain.chosen.size:
        scores = problem.integer_scores()
        assert scores[fair.chosen].min() >= scores[plain.chosen].min()


@settings(max_examples=40, deadline=None)
@given(problem=NO_PINS, data=st.data())
def test_continuity_with_the_mip_keeps_the_fit_within_tolerance(
    problem: MatchingProblem, data: st.DataObject
) -> None:
    solver = MipSolver(gap=0.0)
    plain = solver.solve(problem, time_limit=TIME_LIMIT)
    marks = data.draw(st.lists(st.booleans(), min_size=len(problem.pairs), max_size=len(problem.pairs)))
    previous = np.asarray(marks, dtype=bool)

    kept = solve_keeping_previous(
        problem, lambda p: solver.solve(p, time_limit=TIME_LIMIT), previous, STABILITY_TOLERANCE
    )

    assert HardRules(problem).breaks_assignment(kept) == []
    matched, fit = matched_and_fit(problem, kept)
    best_matched, best_fit = matched_and_fit(problem, plain)
    assert matched == best_matched
    assert fit >= (1 - STABILITY_TOLERANCE) * best_fit - 2  # integer rounding of float32 fits


@settings(max_examples=40, deadline=None)
@given(problem=NO_PINS)
def test_continuity_with_the_mip_keeps_an_earlier_optimum_whole(problem: MatchingProblem) -> None:
    solver = MipSolver(gap=0.0)
    plain = solver.solve(problem, time_limit=TIME_LIMIT)
    previous = np.zeros(len(problem.pairs), dtype=bool)
    previous[plain.chosen] = True

    kept = solve_keeping_previous(
        problem, lambda p: solver.solve(p, time_limit=TIME_LIMIT), previous, STABILITY_TOLERANCE
    )

    assert set(plain.chosen.tolist()) <= set(kept.chosen.tolist())


@pytest.mark.parametrize("seed", [3, 11, 29])
def test_column_generation_reaches_the_whole_lp_optimum(seed: int, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Column generation (implied rows left out, batches of columns, warm starts) ends at the
    optimum of the LP over every column and every row, solved at once."""
    rng = np.random.default_rng(seed)
    taxonomy = load_taxonomy()
    mentors, mentees = generate_banks(
        n_mentees=int(rng.integers(80, 160)),
        n_mentors=int(rng.integers(40, 100)),
        n_institutions=int(rng.integers(2, 6)),
        seed=seed,
        group_leader_share=0.5,
        two_mentors_share=0.3,
    )
    mentor_bank, mentee_bank = load_banks(*write_banks(mentors, mentees, tmp_path), taxonomy)
    problem = problem_of(mentee_bank, mentor_bank, options=Options(), taxonomy=taxonomy)
    flow = get_solver("flow").solve(problem, time_limit=TIME_LIMIT)
    start = np.zeros(len(problem.pairs), dtype=bool)
    start[flow.chosen] = True
    model = mip.build(problem, start, mip.fit_ceiling(problem) + 1.0)
    everything = np.arange(model.n_cols)
    whole = model.highs(everything, model.cost, integer=False)
    whole.run()

    generated = mip._ColumnGeneration(model, mip._first_columns(problem, model), model.cost).solve()

    assert generated is not None
    optimum = whole.getInfo().objective_function_value
    assert generated.bound == pytest.approx(optimum, rel=1e-9)
    assert float(generated.values @ model.cost) == pytest.approx(optimum, rel=1e-9)
    assert np.count_nonzero(generated.values) < model.n_cols


@settings(max_examples=40, deadline=None)
@given(problem=SMALL)
def test_the_restricted_mip_rows_leave_out_only_rows_that_hold(problem: MatchingProblem) -> None:
    """Every row ``binding_rows`` leaves out holds for every 0/1 value of the columns."""
    model = mip.build(problem, np.zeros(len(problem.pairs), dtype=bool), mip.fit_ceiling(problem) + 1.0)
    columns = np.arange(model.n_cols)
    left_out = np.setdiff1d(np.arange(model.matrix.shape[0]), mip.binding_rows(model, columns))
    rows = model.matrix.tocsr()[left_out]
    highest = np.asarray(rows.maximum(0).sum(axis=1)).ravel()
    lowest = np.asarray(rows.minimum(0).sum(axis=1)).ravel()
    assert (highest <= model.row_upper[left_out] + 1e-9).all()
    assert (lowest >= model.row_lower[left_out] - 1e-9).all()


def test_rescorings_judged_in_forked_processes_say_what_one_process_says(
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    """On a large problem each rescoring starts from the solver's LP optimum in a process forked
    for it; with one core, here, after solving that optimum again: the answer is the same. On a
    small one the two chains give the same in forked processes as here. The
    group-free answer the run reports is the flow answer the solver started from."""
    from matcher.options import ScoringWeights
    from matcher.robustness import perturbations
    from matcher.scoring import combine

    taxonomy = load_taxonomy()
    mentors, mentees = generate_banks(
        n_mentees=150, n_mentors=90, n_institutions=4, seed=11, group_leader_share=0.5, two_mentors_share=0.3
    )
    mentor_bank, mentee_bank = load_banks(*write_banks(mentors, mentees, tmp_path), taxonomy)
    problem = problem_of(mentee_bank, mentor_bank, options=Options(), taxonomy=taxonomy)
    answer = MipSolver().solve(problem, time_limit=TIME_LIMIT)
    flow = get_solver("flow").solve(problem, time_limit=TIME_LIMIT)
    assert answer.group_free is not None
    assert answer.group_free.chosen.tolist() == flow.chosen.tolist()
    scores = [combine(problem.pairs.components, moved) for _, moved in perturbations(ScoringWeights())]

    monkeypatch.setattr(mip, "FROM_OPTIMUM_MIN_PAIRS", 0)
    forked = mip.kept_under_rescoring(problem, answer.chosen, scores, 0.0, answer.relaxations)
    monkeypatch.setattr(mip, "FROM_OPTIMUM_MIN_PAIRS", 10**9)
    started = mip.start_kept_under_rescoring(problem, answer.chosen, scores, 0.0, answer.relaxations)
    chained_forked = started()  # on a small problem each chain in a process forked at the start
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0})
    chained = mip.kept_under_rescoring(problem, answer.chosen, scores, 0.0, answer.relaxations)
    monkeypatch.setattr(mip, "FROM_OPTIMUM_MIN_PAIRS", 0)
    alone = mip.kept_under_rescoring(problem, answer.chosen, scores, 0.0, answer.relaxations)

    # the chains judged in forked processes (each from the solver's own optimum) and here (the
    # second after solving that optimum again) say the same
    assert [mask.tolist() for mask in chained_forked] == [mask.tolist() for mask in chained]

    assert [mask.tolist() for mask in forked] == [mask.tolist() for mask in alone]
    assert len(alone) == len(scores) and not all(mask.all() for mask in alone)
    # whether a rescoring keeps the whole proposal is decided by the rescored LP's optimum value,
    # the same from any start: the chains of a small problem agree on it
    assert [mask.all() for mask in chained] == [mask.all() for mask in forked]
