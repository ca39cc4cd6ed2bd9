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
    sorted_mentees = pairs.mentee_idx[order]
    free = problem.capacity - load
    taken = {(int(pairs.mentee_idx[r]), int(pairs.mentor_idx[r])) for r in chosen.tolist()}
    out: list[Alternative] = []
    for row in chosen.tolist():
        i, j = int(pairs.mentee_idx[row]), int(pairs.mentor_idx[row])
        lo, hi = np.searchsorted(sorted_mentees, [i, i + 1])
        others = [r for r in order[lo:hi].tolist() if (i, int(pairs.mentor_idx[r])) not in taken]
        for rank, r in enumerate(others[:ALTERNATIVES_LISTED], start=1):
            k = int(pairs.mentor_idx[r])
            out.append(
                Alternative(
                    mentee_id=mentees.mentees[i].id,
                    mentor_id=mentors.mentors[j].id,
                    rank=rank,
                    alternative_mentor_id=mentors.mentors[k].id,
                    score=round(float(pairs.score[r]), 4),
                    free_places=int(max(free[k], 0)),
                )
            )
    return out
