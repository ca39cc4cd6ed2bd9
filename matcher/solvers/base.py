"""What every solver takes and returns: arrays in, chosen pair-table rows out."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, Protocol

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matcher.scoring import PairTable


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    TIMED_OUT = "timed_out"


@dataclass(frozen=True, slots=True)
class MatchingProblem:
    """An instance: the candidate pairs and the limits they must respect.

    ``covers`` has one row per pair and one column per taxonomy code, holding the severity of
    each of the mentee's difficulties that the pair's mentor covers (contract rule 4 reads it).
    ``max_group`` is each mentor's largest group (1: individual mentoring only). ``pinned`` marks
    pair rows that must be chosen. Scores become integer costs as
    ``round(score × score_scale)``.
    """

    pairs: PairTable
    capacity: npt.NDArray[np.int64]
    max_group: npt.NDArray[np.int64]
    max_mentors: npt.NDArray[np.int64]
    covers: sparse.csr_matrix
    pinned: npt.NDArray[np.bool_]
    score_scale: int

    @property
    def n_mentees(self) -> int:
        return int(self.max_mentors.size)

    @property
    def n_mentors(self) -> int:
        return int(self.capacity.size)

    def covered_by(self, chosen: npt.NDArray[np.bool_]) -> npt.NDArray[np.float32]:
        """Per mentee, the severity of each difficulty its chosen mentors cover (mentees × codes)."""
        rows = np.flatnonzero(chosen)
        out = np.zeros((self.n_mentees, self.covers.shape[1]), dtype=np.float32)
        if rows.size:
            np.maximum.at(out, self.pairs.mentee_idx[rows], self.covers[rows].toarray())
        return out

    def integer_scores(self) -> npt.NDArray[np.int64]:
        return np.rint(self.pairs.score.astype(np.float64) * self.score_scale).astype(np.int64)


@dataclass(frozen=True, slots=True)
class Assignment:
    """The chosen rows of the pair table and the solver's account of them.

    ``objective`` is the total fit of the chosen pairs; ``bound`` is the best total fit the
    solver proved achievable among assignments that match as many mentees (equal to
    ``objective`` when optimal), or None when it proved none.

    Groups (contract rule 3): ``group_of`` gives, per entry of ``chosen``, the number of the
    group that row belongs to (−1: an individual pair); None means every row is individual
    (solvers that never form groups leave it so). Group ``k`` meets remotely when
    ``group_remote[k]`` and shares the difficulty in column ``group_theme[k]`` of
    ``MatchingProblem.covers``; all its rows have the same mentor.
    """

    chosen: npt.NDArray[np.int64]
    status: SolveStatus
    objective: float
    bound: float | None
    seconds: float
    method: str
    group_of: npt.NDArray[np.int64] | None = None
    group_remote: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    group_theme: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    group_free: Assignment | None = None
    """The group-free answer (min-cost flow, same problem and objective) the solver started from,
    when it solved one: the pipeline's comparison need not solve it again."""
    relaxations: tuple[object, ...] = ()
    """What the solver's own review may start from (the group-slot MIP: the LP relaxation of
    each component at its optimum); opaque to everyone else."""

    def groups(self) -> npt.NDArray[np.int64]:
        """Per entry of ``chosen``, its group number, −1 for an individual pair."""
        if self.group_of is None:
            return np.full(self.chosen.size, -1, dtype=np.int64)
        return self.group_of


class Solver(Protocol):
    name: ClassVar[str]

    def solve(self, problem: MatchingProblem, *, time_limit: float) -> Assignment: ...
