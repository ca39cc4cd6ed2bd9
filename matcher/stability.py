"""Blocking pairs: would a mentee and a mentor both rather be together than with what they got?

Fit is both sides' preference. A mentee's bar is the best fit among its proposed pairs (none:
any fit); a mentor's bar is the lowest fit among its mentees when its load is full (not full:
any fit). A candidate pair not proposed, whose fit beats both bars, is blocking. Only the
candidate pairs kept after scoring are examined.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matcher.solvers.base import MatchingProblem


def blocking_pairs(
    problem: MatchingProblem, chosen: npt.NDArray[np.int64], load: npt.NDArray[np.int64] | None = None
) -> int:
    """How many candidate pairs block the assignment ``chosen`` (rows of the pair table).

    ``load`` is each mentor's load as the contract counts it (a group once); by default, the
    number of chosen rows per mentor.
    """
    pairs = problem.pairs
    mentee = pairs.mentee_idx.astype(np.int64)
    mentor = pairs.mentor_idx.astype(np.int64)
    score = pairs.score.astype(np.float64)
    mentee_bar = np.full(problem.n_mentees, -1.0)
    np.maximum.at(mentee_bar, mentee[chosen], score[chosen])
    lowest = np.full(problem.n_mentors, np.inf)
    np.minimum.at(lowest, mentor[chosen], score[chosen])
    used = np.bincount(mentor[chosen], minlength=problem.n_mentors) if load is None else load
    mentor_bar = np.where(used >= problem.capacity, lowest, -1.0)
    free = np.ones(len(pairs), dtype=bool)
    free[chosen] = False
    blocking = free & (score > mentee_bar[mentee]) & (score > mentor_bar[mentor])
    return int(blocking.sum())
