"""Re-runs that keep the base run's proposals unless changing them gains more than a tolerance.

When the council rejects one pair, a re-run must not reshuffle the whole list. The problem is
solved as usual first (the best fit F* with the most mentees matched); then again with a bonus λ
added to the fit of every pair the base run proposed, for λ = 1, ½, ¼, … down to 1/1024. The
first (largest) λ whose assignment matches as many mentees and keeps a total fit of at least
(1 − tolerance) · F* is taken: it keeps the most base pairs the tolerance allows. The fit
reported is the real one, without the bonus; the bound stays that of the plain solve.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from matcher.solvers.base import Assignment, MatchingProblem

BONUSES = tuple(2.0**-n for n in range(11))


def _matched(problem: MatchingProblem, assignment: Assignment) -> int:
    return int(np.unique(problem.pairs.mentee_idx[assignment.chosen]).size)


def solve_keeping_previous(
    problem: MatchingProblem,
    solve: Callable[[MatchingProblem], Assignment],
    previous: npt.NDArray[np.bool_],
    tolerance: float,
) -> Assignment:
    best = solve(problem)
    if not previous.any():
        return best
    floor = best.objective * (1.0 - tolerance) - 1e-9
    target = _matched(problem, best)
    score = problem.pairs.score
    for bonus in BONUSES:
        boosted = dataclasses.replace(problem.pairs, score=(score + bonus * previous).astype(np.float32))
        attempt = solve(dataclasses.replace(problem, pairs=boosted))
        fit = float(score[attempt.chosen].astype(np.float64).sum())
        if _matched(problem, attempt) >= target and fit >= floor:
            kept = int(previous[attempt.chosen].sum())
            return dataclasses.replace(
                attempt,
                objective=fit,
                bound=best.bound,
                status=best.status,
                method=f"{attempt.method}; {kept} of {int(previous.sum())} base pairs kept within "
                f"{tolerance:.0%} of the best fit",
            )
    return best
