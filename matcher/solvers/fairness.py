"""The ``maxmin`` objective: first raise the worst fit, then the total, as reviewer assignment does.

Among assignments that match as many mentees as the plain objective does, find the largest
threshold τ such that every proposed pair has fit ≥ τ (pinned pairs excepted: the council
chose them), by bisection over the distinct integer scores; then solve the plain objective on
the pairs at or above τ. Works with any solver: each step is an ordinary solve.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import numpy.typing as npt

from matcher.solvers.base import Assignment, MatchingProblem, Solver


def restrict(problem: MatchingProblem, rows: npt.NDArray[np.int64]) -> MatchingProblem:
    """The same problem with only the given pair-table rows as candidates."""
    return dataclasses.replace(
        problem, pairs=problem.pairs.take(rows), covers=problem.covers[rows], pinned=problem.pinned[rows]
    )


def matched_mentees(problem: MatchingProblem, chosen: npt.NDArray[np.int64]) -> int:
    return int(np.unique(problem.pairs.mentee_idx[chosen]).size)


def solve_maxmin(problem: MatchingProblem, solver: Solver, *, time_limit: float) -> Assignment:
    started = time.perf_counter()
    plain = solver.solve(problem, time_limit=time_limit)
    target = matched_mentees(problem, plain.chosen)
    scores = problem.integer_scores()
    thresholds = np.unique(scores)
    best_rows = np.arange(len(problem.pairs), dtype=np.int64)
    best = plain
    lo, hi = 0, thresholds.size - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        rows = np.flatnonzero((scores >= thresholds[mid]) | problem.pinned)
        attempt = solver.solve(restrict(problem, rows), time_limit=time_limit)
        if matched_mentees(problem, rows[attempt.chosen]) >= target:
            best, best_rows, lo = attempt, rows, mid + 1
        else:
            hi = mid - 1
    return dataclasses.replace(
        best,
        chosen=best_rows[best.chosen],
        seconds=time.perf_counter() - started,
        method=f"{best.method}; maxmin: worst fit raised by bisection, then total fit",
    )
