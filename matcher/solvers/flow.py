"""Min-cost flow (OR-Tools): exact for one mentor per mentee, in bulk arrays.

The network is source → mentee (capacity 1) → mentor (one arc per candidate pair, cost
−round(fit × scale)) → sink (capacity = the mentor's remaining load). ``solve_max_flow_with_min_cost``
first maximises the flow — the number of matched mentees — then minimises cost among maximum
flows, which is the documented lexicographic objective: as many mentees matched as possible,
then the largest total fit.

Pinned pairs are placed first and use up capacity. Mentees allowed several mentors then get
them in rounds: each round is the same network restricted to pairs whose mentor covers a
difficulty the mentee's mentors do not cover yet (contract rule 4), valued first by the newly
covered severity (1–3 per difficulty), then by fit. Each round is exact, the rounds together
are not (the ``cpsat`` solver is exact jointly).
"""

from __future__ import annotations

import time
from typing import ClassVar

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matcher.solvers.base import Assignment, MatchingProblem, SolveStatus

Index = npt.NDArray[np.int64]


def max_flow_min_cost(
    tails: Index, heads: Index, costs: Index, left_cap: Index, right_cap: Index
) -> npt.NDArray[np.bool_]:
    """Which left–right arcs carry flow in a maximum flow of minimum cost."""
    n_left, n_right = left_cap.size, right_cap.size
    source, sink = n_left + n_right, n_left + n_right + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    left = np.arange(n_left, dtype=np.int64)
    right = np.arange(n_right, dtype=np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n_left, source), left, left_cap, np.zeros(n_left, dtype=np.int64)
    )
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, n_left + heads, np.ones_like(tails), costs)
    flow.add_arcs_with_capacity_and_unit_cost(
        n_left + right, np.full(n_right, sink), right_cap, np.zeros(n_right, dtype=np.int64)
    )
    total = int(left_cap.sum())
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status}")
    return np.asarray(flow.flows(pair_arcs)) > 0


METHOD = "min-cost max-flow (OR-Tools)"


def _unique_codes(cover: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Per mentor (row), the codes no other mentor (row) of the same mentee covers."""
    unique: npt.NDArray[np.bool_] = cover & (cover.sum(axis=0) == 1)[None, :]
    return unique


def _capacity_free_bound(problem: MatchingProblem) -> float:
    """Σ over mentees of their ``max_mentors`` best candidate fits: no assignment does better."""
    pairs = problem.pairs
    order = np.lexsort((-pairs.score, pairs.mentee_idx))
    sorted_mentees = pairs.mentee_idx[order]
    rank = np.arange(order.size) - np.searchsorted(sorted_mentees, sorted_mentees, side="left")
    within = rank < problem.max_mentors[sorted_mentees]
    return float(pairs.score[order][within].astype(np.float64).sum())


def _pins_break_rules(problem: MatchingProblem) -> bool:
    """Pins over a mentor's capacity or a mentee's max_mentors, or a pinned mentor with nothing
    of its own to cover (rule 4)."""
    pairs, pinned = problem.pairs, problem.pinned
    if not pinned.any():
        return False
    load = np.bincount(pairs.mentor_idx[pinned], minlength=problem.n_mentors)
    per_mentee = np.bincount(pairs.mentee_idx[pinned], minlength=problem.n_mentees)
    if (load > problem.capacity).any() or (per_mentee > problem.max_mentors).any():
        return True
    rows = np.flatnonzero(pinned)
    for i in np.flatnonzero(per_mentee > 1).tolist():
        mine = rows[pairs.mentee_idx[rows] == i]
        if not _unique_codes(problem.covers[mine].toarray() > 0).any(axis=1).all():
            return True
    return False


def _leaves_each_mentor_its_own(
    problem: MatchingProblem, chosen: npt.NDArray[np.bool_], rows: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Candidate rows whose mentor would leave every mentor the mentee already has a difficulty
    that only that mentor covers (rule 4, read for every mentor, not only the newest)."""
    ok = rows.copy()
    mentee = problem.pairs.mentee_idx
    candidates = np.flatnonzero(rows)
    for i in np.unique(mentee[candidates]).tolist():
        existing = np.flatnonzero(chosen & (mentee == i))
        own = _unique_codes(problem.covers[existing].toarray() > 0)
        mine = candidates[mentee[candidates] == i]
        cover = problem.covers[mine].toarray() > 0
        ok[mine] = (own[None, :, :] & ~cover[:, None, :]).any(axis=2).all(axis=1)
    return ok


class FlowSolver:
    """Exact for one mentor per mentee (``bound`` = objective); with extra mentors in rounds the
    status speaks of each round, and ``bound`` is the capacity-free bound (every mentee with
    their ``max_mentors`` best candidates), which no assignment can exceed."""

    name: ClassVar[str] = "flow"

    def solve(self, problem: MatchingProblem, *, time_limit: float) -> Assignment:
        started = time.perf_counter()
        pairs = problem.pairs
        mentee = pairs.mentee_idx.astype(np.int64)
        mentor = pairs.mentor_idx.astype(np.int64)
        chosen = problem.pinned.copy()
        if _pins_break_rules(problem):
            picked = np.flatnonzero(chosen).astype(np.int64)
            return Assignment(
                chosen=picked,
                status=SolveStatus.INFEASIBLE,
                objective=float(pairs.score[picked].astype(np.float64).sum()),
                bound=None,
                seconds=time.perf_counter() - started,
                method=METHOD,
            )
        load = np.bincount(mentor[chosen], minlength=problem.n_mentors)
        has = np.bincount(mentee[chosen], minlength=problem.n_mentees)
        open_rows = ~chosen & (has[mentee] == 0)
        chosen |= self._round(problem, open_rows, -problem.integer_scores(), load)
        covered = problem.covered_by(chosen)
        rounds = int(problem.max_mentors.max(initial=1)) - 1
        for _ in range(rounds):
            load = np.bincount(mentor[chosen], minlength=problem.n_mentors)
            has = np.bincount(mentee[chosen], minlength=problem.n_mentees)
            new = np.asarray(problem.covers.multiply(covered[mentee] == 0).sum(axis=1)).ravel()
            rows = ~chosen & (has[mentee] > 0) & (has[mentee] < problem.max_mentors[mentee]) & (new > 0)
            rows &= _leaves_each_mentor_its_own(problem, chosen, rows)
            if not rows.any():
                break
            gain = np.rint(problem.score_scale * (new + pairs.score)).astype(np.int64)
            chosen |= self._round(problem, rows, -gain, load)
            covered = problem.covered_by(chosen)
        picked = np.flatnonzero(chosen)
        objective = float(pairs.score[picked].astype(np.float64).sum())
        return Assignment(
            chosen=picked,
            status=SolveStatus.OPTIMAL,
            objective=objective,
            bound=objective if rounds == 0 else max(objective, _capacity_free_bound(problem)),
            seconds=time.perf_counter() - started,
            method=METHOD + ("" if rounds == 0 else ", extra mentors in rounds"),
        )

    @staticmethod
    def _round(
        problem: MatchingProblem, rows: npt.NDArray[np.bool_], costs: Index, load: Index
    ) -> npt.NDArray[np.bool_]:
        idx = np.flatnonzero(rows)
        picked = np.zeros(rows.size, dtype=bool)
        if idx.size == 0:
            return picked
        mentee = problem.pairs.mentee_idx[idx].astype(np.int64)
        mentor = problem.pairs.mentor_idx[idx].astype(np.int64)
        left = np.ones(problem.n_mentees, dtype=np.int64)
        right = np.maximum(problem.capacity - load, 0)
        picked[idx] = max_flow_min_cost(mentee, mentor, costs[idx], left, right)
        return picked
