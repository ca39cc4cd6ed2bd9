"""Proof that keeping only each mentee's top k pairs lost nothing.

The one-mentor-per-mentee core of the problem is a linear program whose relaxation is exact
(bipartite b-matching): maximise Σ (B + fit) x over the kept pairs, each mentee at most once,
each mentor at most its capacity, with B = mentees + 1 so that matching one more mentee
outweighs any fit. Its dual gives each mentee a value u_i and each mentor a price v_j ≥ 0 with
u_i + v_j ≥ B + fit for every kept pair. A pair that was cut can improve the optimum only if
B + fit > u_i + v_j; since v_j ≥ 0, a mentee whose best cut fit satisfies B + fit ≤ u_i has no
such pair. When every pruned mentee passes, the duals are feasible for all allowed pairs and
the kept pairs hold an optimum of the whole problem. HiGHS (through scipy) solves the LP.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from matcher.solvers.base import MatchingProblem

TOLERANCE = 1e-7


@dataclass(frozen=True, slots=True)
class PruningCertificate:
    pruned_mentees: int
    """Mentees who had more allowed pairs than were kept."""
    unproved_mentees: int
    """Pruned mentees for whom the dual does not rule out a better cut pair."""
    seconds: float

    @property
    def proved(self) -> bool:
        return self.unproved_mentees == 0


def certify_pruning(problem: MatchingProblem) -> PruningCertificate:
    started = time.perf_counter()
    pairs = problem.pairs
    pruned = pairs.cut_best >= 0
    if not pruned.any() or len(pairs) == 0:
        return PruningCertificate(int(pruned.sum()), 0, time.perf_counter() - started)
    n_pairs, n_mentees, n_mentors = len(pairs), problem.n_mentees, problem.n_mentors
    big = float(n_mentees + 1)
    rows = np.arange(n_pairs)
    ones = np.ones(n_pairs)
    limits = sparse.vstack(
        [
            sparse.csr_matrix((ones, (pairs.mentee_idx, rows)), shape=(n_mentees, n_pairs)),
            sparse.csr_matrix((ones, (pairs.mentor_idx, rows)), shape=(n_mentors, n_pairs)),
        ]
    ).tocsr()
    room = np.concatenate([np.ones(n_mentees), problem.capacity.astype(np.float64)])
    bounds = np.column_stack([problem.pinned.astype(np.float64), np.ones(n_pairs)])
    result = linprog(
        -(big + pairs.score.astype(np.float64)), A_ub=limits, b_ub=room, bounds=bounds, method="highs"
    )
    if result.status != 0:
        return PruningCertificate(int(pruned.sum()), int(pruned.sum()), time.perf_counter() - started)
    value = -result.ineqlin.marginals[:n_mentees]
    unproved = pruned & (value < big + pairs.cut_best - TOLERANCE)
    return PruningCertificate(int(pruned.sum()), int(unproved.sum()), time.perf_counter() - started)
