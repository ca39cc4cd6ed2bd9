"""For each proposal, the next mentors who could take that mentee within the rules."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matcher.model import Alternative, MenteeBank, MentorBank
from matcher.solvers.base import MatchingProblem

ALTERNATIVES_LISTED = 3


def alternatives_for(
    problem: MatchingProblem,
    chosen: npt.NDArray[np.int64],
    load: npt.NDArray[np.int64],
    mentees: MenteeBank,
    mentors: MentorBank,
) -> list[Alternative]:
    """Up to three candidate mentors per proposed pair, best fit first, that the mentee does not
    already have, with the free places each mentor has left in this proposal."""
    pairs = problem.pairs
    order = np.lexsort((-pairs.score, pairs.mentee_idx))
    keys = pairs.mentee_idx.astype(np.int64) * max(problem.n_mentors, 1) + pairs.mentor_idx
    others = order[~np.isin(keys[order], keys[chosen])]  # pairs the mentee does not have, best first
    mentee_of = pairs.mentee_idx[others]
    rank = np.arange(others.size) - np.searchsorted(mentee_of, mentee_of, side="left")
    listed = others[rank < ALTERNATIVES_LISTED]
    starts = np.searchsorted(pairs.mentee_idx[listed], np.arange(problem.n_mentees + 1)).tolist()
    alternative_mentor = pairs.mentor_idx[listed].tolist()
    alternative_score = [round(score, 4) for score in pairs.score[listed].astype(np.float64).tolist()]
    free = np.maximum(problem.capacity - load, 0).tolist()
    out: list[Alternative] = []
    for i, j in zip(pairs.mentee_idx[chosen].tolist(), pairs.mentor_idx[chosen].tolist(), strict=True):
        for number, at in enumerate(range(starts[i], starts[i + 1]), start=1):
            k = alternative_mentor[at]
            out.append(
                Alternative(
                    mentee_id=mentees.mentees[i].id,
                    mentor_id=mentors.mentors[j].id,
                    rank=number,
                    alternative_mentor_id=mentors.mentors[k].id,
                    score=alternative_score[at],
                    free_places=int(free[k]),
                )
            )
    return out
