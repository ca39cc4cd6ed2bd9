"""Proof that keeping only each mentee's top k pairs lost nothing.

The one-mentor-per-mentee core of the problem is a linear program whose relaxation is exact
(bipartite b-matching): maximise Σ (B + fit) x over the kept pairs, each mentee at most once,
each mentor at most its capacity, with B = mentees + 1 so that matching one more mentee
outweighs any fit. Its dual gives each mentee a value u_i and each mentor a price v_j ≥ 0 with
u_i + v_j ≥ B + fit for every kept pair. A pair that was cut can improve the optimum only if
B + fit > u_i + v_j; since v_j ≥ 0, a mentee whose best cut fit satisfies B + fit ≤ u_i has no
such pair. When every pruned mentee passes, the duals are feasible for all allowed pairs and
the kept pairs hold an optimum of the whole problem. HiGHS (through scipy) solves the LP.

A mentee that fails this quick test is checked pair by pair: all its allowed pairs are scored,
and those that beat the dual (B + fit > u_i + v_j) join the kept pairs; the LP is solved again,
until no pair beats it (column generation).

The LP needs only a few arrays of the problem (``PruningLP``): the batch command sends them to
its side process (``matcher.side_process``), which has ``scipy.optimize`` imported already and
solves the LP while the command solves the assignment; this module imports ``scipy.optimize``
only when it solves an LP itself.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy import sparse

if TYPE_CHECKING:  # the side process that solves the LP needs none of the solvers' modules
    from matcher.solvers.base import MatchingProblem

TOLERANCE = 1e-7


@dataclass(frozen=True, slots=True)
class PruningCertificate:
    unproved: npt.NDArray[np.bool_]
    """Per mentee: pruned, and the dual does not rule out a better cut pair at a glance."""
    mentee_value: npt.NDArray[np.float64]
    mentor_price: npt.NDArray[np.float64]
    big: float
    seconds: float

    @property
    def unproved_mentees(self) -> int:
        return int(self.unproved.sum())

    @property
    def proved(self) -> bool:
        return not self.unproved.any()

    def improving(
        self,
        mentee_idx: npt.NDArray[np.int64],
        mentor_idx: npt.NDArray[np.int64],
        score: npt.NDArray[np.float32],
    ) -> npt.NDArray[np.bool_]:
        """Pairs whose fit beats the dual (B + fit > u_i + v_j): the only cut pairs that could help."""
        slack = self.mentee_value[mentee_idx] + self.mentor_price[mentor_idx] - self.big
        return np.asarray(score.astype(np.float64) > slack + TOLERANCE)

    def settled(self, mentees: npt.NDArray[np.int64]) -> PruningCertificate:
        """The same certificate with ``mentees`` checked pair by pair and found to lose nothing."""
        unproved = self.unproved.copy()
        unproved[mentees] = False
        return dataclasses.replace(self, unproved=unproved)


@dataclass(frozen=True, slots=True)
class PruningLP:
    """What the LP of a problem's kept pairs needs, and no more (it is sent to another process)."""

    mentee_idx: npt.NDArray[np.int32]
    mentor_idx: npt.NDArray[np.int32]
    score: npt.NDArray[np.float32]
    pinned: npt.NDArray[np.bool_]
    cut_best: npt.NDArray[np.float32]
    capacity: npt.NDArray[np.int64]
    n_mentees: int
    n_mentors: int

    @classmethod
    def of(cls, problem: MatchingProblem) -> PruningLP:
        pairs = problem.pairs
        return cls(
            pairs.mentee_idx,
            pairs.mentor_idx,
            pairs.score,
            problem.pinned,
            pairs.cut_best,
            np.asarray(problem.capacity, dtype=np.int64),
            problem.n_mentees,
            problem.n_mentors,
        )


def certify(lp: PruningLP) -> PruningCertificate:
    from scipy.optimize import linprog  # 0.45 s to import: only where an LP is solved

    started = time.perf_counter()
    pruned = lp.cut_best >= 0
    nothing = np.zeros(lp.n_mentees, dtype=bool)
    n_pairs, n_mentees, n_mentors = lp.score.size, lp.n_mentees, lp.n_mentors
    if not pruned.any() or n_pairs == 0:
        empty = np.zeros(0)
        return PruningCertificate(nothing, empty, empty, 0.0, time.perf_counter() - started)
    big = float(n_mentees + 1)
    rows = np.arange(n_pairs)
    ones = np.ones(n_pairs)
    limits = sparse.vstack(
        [
            sparse.csr_matrix((ones, (lp.mentee_idx, rows)), shape=(n_mentees, n_pairs)),
            sparse.csr_matrix((ones, (lp.mentor_idx, rows)), shape=(n_mentors, n_pairs)),
        ]
    ).tocsr()
    room = np.concatenate([np.ones(n_mentees), lp.capacity.astype(np.float64)])
    bounds = np.column_stack([lp.pinned.astype(np.float64), np.ones(n_pairs)])
    result = linprog(
        -(big + lp.score.astype(np.float64)),
        A_ub=limits,
        b_ub=room,
        bounds=bounds,
        method="highs-ds",
        options={"presolve": False},  # presolve took two thirds of the time on this plain LP
    )
    if result.status != 0:
        empty = np.zeros(0)
        return PruningCertificate(pruned, empty, empty, big, time.perf_counter() - started)
    value = -np.asarray(result.ineqlin.marginals[:n_mentees], dtype=np.float64)
    price = -np.asarray(result.ineqlin.marginals[n_mentees:], dtype=np.float64)
    unproved = pruned & (value < big + lp.cut_best - TOLERANCE)
    return PruningCertificate(unproved, value, price, big, time.perf_counter() - started)
