"""The whole model as an aggregated mixed-integer program, solved by HiGHS from the flow answer.

Notation as in ``cpsat``: r a candidate pair row, i its mentee, j its mentor, s_r its fit (the
float score), cov(r) the codes the mentor covers among the mentee's difficulties.

Group slots. A mentor j who may lead a group (max_group_j ≥ 2, capacity_j ≥ 1) gets one slot
per theme c and format f it could hold a group in: the members of slot (j, c, f) are j's rows
that cover c and can meet in f (in person: the pair may meet in person; remote: both accept
remote meetings). A slot with fewer than two members is dropped, and so is a slot whose members
are a subset of another slot's of the same mentor (any group it could hold, the other holds
too). So every group the contract allows fits some kept slot.

Columns: x_r (row r an individual pair), z_rk (row r a member of slot k), y_k (slot k holds a
group), all binary; m_i ∈ [0, 1] (mentee i matched) for mentees allowed several mentors; for
mentees allowed three or more, o_ic (code c covered by at most one of i's mentors). Write
u_r = x_r + Σ_k z_rk (row r proposed, in either form).

* u_r ≤ 1; pinned rows u_r = 1.
* Mentee limit and rule 4 as in ``cpsat``: Σ_{r of i} u_r ≤ max_mentors_i; at most one row of
  each class of equal cover sets and of each pair of nested classes; with three or more mentors
  the o_ic literals: Σ_{r of i covering c} u_r ≤ 1 + (n_ic − 1)(1 − o_ic) and
  u_r ≤ Σ_{c ∈ cov(r)} o_ic.
* Groups (rule 3): z_rk ≤ y_k; 2·y_k ≤ Σ_r z_rk ≤ max_group_j·y_k; a mentor leads at most one
  group, Σ_{k of j} y_k ≤ 1.
* Load (rule 3, a group counts once): Σ_{r of j} x_r + Σ_{k of j} y_k ≤ capacity_j.

Objective (lexicographic through one weight, as in ``cpsat``): maximise
BIG·matched + Σ_r s_r·u_r with BIG = 1 + Σ_i (the max_mentors_i largest s_r of mentee i), so one
more matched mentee outweighs any fit. The flow assignment (no groups) is feasible and is given
to HiGHS as its first solution, and the better of the two is returned: the answer is never
worse than the group-free one.

HiGHS is deterministic on one thread, and every limit here is deterministic: the search stops
when the proven gap in total fit is at most ``GAP`` of the flow fit (``mip_abs_gap``) or after
``MAX_NODES`` branch-and-bound nodes; the wall-clock ``time_limit`` is only a safety net far
above what the benchmarks need. The bound is HiGHS's dual bound less BIG·matched: a true upper
bound on the total fit of any assignment matching as many mentees.

Components of the candidate graph (mentees and mentors joined by candidate pairs) are solved
one by one: the model separates over them, so the sum of their bounds is a bound of the whole.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import ClassVar

import highspy
import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import csgraph

from matcher.solvers.base import Assignment, MatchingProblem, SolveStatus
from matcher.solvers.fairness import restrict
from matcher.solvers.flow import FlowSolver

Index = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
GAP = 0.004
"""The search stops once the total fit is proven within this share of the best (relative to the flow fit)."""
MAX_NODES = 5_000
"""Deterministic work limit: branch-and-bound nodes per component."""
SAFETY_SECONDS = 600.0
"""HiGHS's wall-clock limit, a safety net only: the deterministic limits end the search first."""
TOLERANCE = 1e-6
"""A bound within this of the objective (LP tolerances) counts as a proof of optimality."""
METHOD = "MIP (HiGHS) over group slots from the flow assignment: matched mentees, then total fit"


@dataclass(frozen=True, slots=True)
class _Slots:
    """Group slots: per slot its mentor, theme, format (1 remote); per membership its row and slot."""

    mentor: Index
    theme: Index
    remote: npt.NDArray[np.bool_]
    member_row: Index
    member_slot: Index


def _codes(problem: MatchingProblem) -> sparse.csr_matrix:
    covers = sparse.csr_matrix(problem.covers > 0, dtype=np.int8)
    covers.eliminate_zeros()
    covers.sort_indices()
    return covers


def group_slots(problem: MatchingProblem, codes: sparse.csr_matrix) -> _Slots:
    """Every (mentor, theme, format) with two or more possible members, less dominated ones."""
    pairs = problem.pairs
    mentor = pairs.mentor_idx.astype(np.int64)
    leads = (problem.max_group >= 2) & (problem.capacity >= 1)
    entries = codes.tocoo()
    row, code = entries.row.astype(np.int64), entries.col.astype(np.int64)
    keep = leads[mentor[row]]
    row, code = row[keep], code[keep]
    in_person = pairs.format[row] == 0
    can_remote = pairs.can_remote[row]
    row = np.concatenate([row[in_person], row[can_remote]])
    code = np.concatenate([code[in_person], code[can_remote]])
    fmt = np.concatenate([np.zeros(int(in_person.sum()), np.int64), np.ones(int(can_remote.sum()), np.int64)])
    n_codes = codes.shape[1]
    key = (mentor[row] * n_codes + code) * 2 + fmt
    order = np.lexsort((row, key))
    row, key = row[order], key[order]
    uniq, start, count = np.unique(key, return_index=True, return_counts=True)
    slot_mentor: list[int] = []
    slot_theme: list[int] = []
    slot_remote: list[bool] = []
    member_row: list[Index] = []
    member_slot: list[int] = []
    by_mentor: dict[int, list[tuple[frozenset[int], int, int, Index]]] = {}
    for k, s, n in zip(uniq.tolist(), start.tolist(), count.tolist(), strict=True):
        if n < 2:
            continue
        members = row[s : s + n]
        j, rest = divmod(k, 2 * n_codes)
        by_mentor.setdefault(j, []).append((frozenset(members.tolist()), rest // 2, rest % 2, members))
    for j, slots in by_mentor.items():
        slots.sort(key=lambda item: -len(item[0]))
        kept: list[frozenset[int]] = []
        for members_set, theme, fmt_k, members in slots:
            if any(members_set <= other for other in kept):
                continue
            kept.append(members_set)
            member_row.append(members)
            member_slot.extend([len(slot_mentor)] * members.size)
            slot_mentor.append(j)
            slot_theme.append(theme)
            slot_remote.append(bool(fmt_k))
    return _Slots(
        mentor=np.asarray(slot_mentor, dtype=np.int64),
        theme=np.asarray(slot_theme, dtype=np.int64),
        remote=np.asarray(slot_remote, dtype=np.bool_),
        member_row=np.concatenate(member_row) if member_row else np.zeros(0, np.int64),
        member_slot=np.asarray(member_slot, dtype=np.int64),
    )


class _Rows:
    """Constraint rows gathered as triplets, with their lower and upper limits."""

    def __init__(self) -> None:
        self.r: list[Index] = []
        self.c: list[Index] = []
        self.v: list[Floats] = []
        self.lo: list[Floats] = []
        self.hi: list[Floats] = []
        self.count = 0

    def add(self, matrix: sparse.spmatrix, lo: Floats | float, hi: Floats | float) -> None:
        """Rows lo ≤ matrix @ columns ≤ hi (matrix already over all columns)."""
        coo = sparse.coo_matrix(matrix)
        n = coo.shape[0]
        if n == 0:
            return
        self.r.append(coo.row.astype(np.int64) + self.count)
        self.c.append(coo.col.astype(np.int64))
        self.v.append(coo.data.astype(np.float64))
        self.lo.append(np.broadcast_to(np.asarray(lo, dtype=np.float64), (n,)).copy())
        self.hi.append(np.broadcast_to(np.asarray(hi, dtype=np.float64), (n,)).copy())
        self.count += n

    def matrix(self, n_cols: int) -> sparse.csc_matrix:
        if not self.r:
            return sparse.csc_matrix((0, n_cols))
        return sparse.csc_matrix(
            (np.concatenate(self.v), (np.concatenate(self.r), np.concatenate(self.c))),
            shape=(self.count, n_cols),
        )


def _selector(
    rows: Index, cols: Index, shape: tuple[int, int], values: Floats | None = None
) -> sparse.csr_matrix:
    data = np.ones(rows.size) if values is None else values
    return sparse.csr_matrix((data, (rows, cols)), shape=shape)


def fit_ceiling(problem: MatchingProblem) -> float:
    """Σ over mentees of their max_mentors largest fits: no assignment's total fit exceeds it."""
    mentee = problem.pairs.mentee_idx.astype(np.int64)
    fits = problem.pairs.score.astype(np.float64)
    order = np.lexsort((-fits, mentee))
    ranked = mentee[order]
    rank = np.arange(order.size) - np.searchsorted(ranked, ranked)
    return float(np.maximum(fits[order][rank < problem.max_mentors[ranked]], 0).sum())


@dataclass(slots=True)
class _Model:
    highs: highspy.Highs
    n_rows: int
    slots: _Slots
    several: Index
    big: float
    start: Floats


def _rule_4_cliques(
    problem: MatchingProblem, codes: sparse.csr_matrix, several: Index
) -> tuple[Index, Index]:
    """(clique number, row) pairs: at most one row of each class of equal or nested cover sets."""
    clique_of: list[int] = []
    row_of: list[int] = []
    mentee = problem.pairs.mentee_idx.astype(np.int64)
    wanted = np.zeros(problem.n_mentees, dtype=bool)
    wanted[several] = True
    rows = np.flatnonzero(wanted[mentee])
    order = rows[np.argsort(mentee[rows], kind="stable")]
    bounds = np.flatnonzero(np.diff(mentee[order])) + 1
    count = 0
    for group in np.split(order, bounds):
        classes: dict[frozenset[int], list[int]] = {}
        for r in group.tolist():
            classes.setdefault(
                frozenset(codes.indices[codes.indptr[r] : codes.indptr[r + 1]].tolist()), []
            ).append(r)
        keys = list(classes)
        for a, s in enumerate(keys):
            if len(classes[s]) > 1:
                row_of.extend(classes[s])
                clique_of.extend([count] * len(classes[s]))
                count += 1
            for t in keys[a + 1 :]:
                if s <= t or t <= s:
                    row_of.extend(classes[s] + classes[t])
                    clique_of.extend([count] * (len(classes[s]) + len(classes[t])))
                    count += 1
    return np.asarray(clique_of, dtype=np.int64), np.asarray(row_of, dtype=np.int64)


def _unique_cover(
    problem: MatchingProblem, codes: sparse.csr_matrix, mentees: Index
) -> tuple[list[tuple[int, Index]], list[tuple[int, list[int]]]]:
    """For mentees allowed three or more mentors: per o_ic its coverers, per row the o it needs."""
    mentee = problem.pairs.mentee_idx.astype(np.int64)
    literals: list[tuple[int, Index]] = []
    needs: list[tuple[int, list[int]]] = []
    for i in mentees.tolist():
        rows = np.flatnonzero(mentee == i)
        sub = codes[rows]
        shared = np.flatnonzero(np.asarray(sub.sum(axis=0)).ravel() >= 2)
        position = {}
        for c in shared.tolist():
            position[c] = len(literals)
            literals.append((c, rows[sub[:, c].toarray().ravel() > 0]))
        for r in rows.tolist():
            own = codes.indices[codes.indptr[r] : codes.indptr[r + 1]].tolist()
            if own and all(c in position for c in own):
                needs.append((r, [position[c] for c in own]))
    return literals, needs


def build(problem: MatchingProblem, start: npt.NDArray[np.bool_], big: float) -> _Model:
    """The HiGHS model of the module docstring, with ``start`` (chosen rows) as first solution."""
    pairs = problem.pairs
    n = len(pairs)
    mentee = pairs.mentee_idx.astype(np.int64)
    mentor = pairs.mentor_idx.astype(np.int64)
    fits = pairs.score.astype(np.float64)
    codes = _codes(problem)
    slots = group_slots(problem, codes)
    n_z, n_y = slots.member_row.size, slots.mentor.size
    degree = np.bincount(mentee, minlength=problem.n_mentees)
    several = np.flatnonzero((problem.max_mentors > 1) & (degree > 1)).astype(np.int64)
    many = np.flatnonzero((problem.max_mentors > 2) & (degree > 2)).astype(np.int64)
    literals, needs = _unique_cover(problem, codes, many)
    n_m, n_o = several.size, len(literals)
    z0, y0 = n, n + n_z
    m0 = y0 + n_y
    o0 = m0 + n_m
    n_cols = o0 + n_o

    # u = U @ columns: row r proposed in either form
    u = _selector(
        np.concatenate([np.arange(n), slots.member_row]),
        np.concatenate([np.arange(n), z0 + np.arange(n_z)]),
        (n, n_cols),
    )
    rows = _Rows()
    in_slots = np.zeros(n, dtype=bool)
    in_slots[slots.member_row] = True
    rows.add(u[in_slots], -np.inf, 1.0)
    if problem.pinned.any():
        rows.add(u[problem.pinned], 1.0, np.inf)
    per_mentee = _selector(mentee, np.arange(n), (problem.n_mentees, n))
    limited = np.flatnonzero(degree > problem.max_mentors)
    rows.add(per_mentee[limited] @ u, -np.inf, problem.max_mentors[limited].astype(np.float64))
    clique, clique_row = _rule_4_cliques(problem, codes, several)
    if clique.size:
        rows.add(_selector(clique, clique_row, (int(clique.max()) + 1, n)) @ u, -np.inf, 1.0)
    if n_m:
        matched = _selector(np.arange(n_m), m0 + np.arange(n_m), (n_m, n_cols))
        rows.add(matched - per_mentee[several] @ u, -np.inf, 0.0)
    for k, (_, coverers) in enumerate(literals):
        limit = float(coverers.size)
        cover_sum = _selector(np.zeros(coverers.size, np.int64), coverers, (1, n)) @ u
        rows.add(
            cover_sum
            + _selector(np.zeros(1, np.int64), np.array([o0 + k]), (1, n_cols), np.array([limit - 1])),
            -np.inf,
            limit,
        )
    for r, needed in needs:
        need = _selector(np.zeros(1, np.int64), np.array([r]), (1, n)) @ u
        rows.add(
            need - _selector(np.zeros(len(needed), np.int64), o0 + np.asarray(needed), (1, n_cols)),
            -np.inf,
            0.0,
        )
    # groups: z ≤ y, 2y ≤ Σ z ≤ G·y, one group per mentor, load
    member = np.arange(n_z)
    rows.add(
        _selector(
            np.concatenate([member, member]),
            np.concatenate([z0 + member, y0 + slots.member_slot]),
            (n_z, n_cols),
            np.concatenate([np.ones(n_z), -np.ones(n_z)]),
        ),
        -np.inf,
        0.0,
    )
    size = _selector(slots.member_slot, z0 + member, (n_y, n_cols))
    leads = _selector(np.arange(n_y), y0 + np.arange(n_y), (n_y, n_cols))
    rows.add(size - leads.multiply(problem.max_group[slots.mentor][:, None].astype(np.float64)), -np.inf, 0.0)
    rows.add(size - 2 * leads, 0.0, np.inf)
    slot_of_mentor = _selector(slots.mentor, y0 + np.arange(n_y), (problem.n_mentors, n_cols))
    rows.add(slot_of_mentor[np.unique(slots.mentor)], -np.inf, 1.0)
    load = _selector(mentor, np.arange(n), (problem.n_mentors, n_cols)) + slot_of_mentor
    degree_j = np.bincount(mentor, minlength=problem.n_mentors)
    binding = np.flatnonzero(degree_j > problem.capacity)
    rows.add(load[binding], -np.inf, problem.capacity[binding].astype(np.float64))

    single = np.ones(problem.n_mentees, dtype=bool)
    single[several] = False
    row_gain = fits + big * single[mentee]
    cost = np.concatenate(
        [row_gain, row_gain[slots.member_row], np.zeros(n_y), np.full(n_m, big), np.zeros(n_o)]
    )
    upper = np.ones(n_cols)
    matrix = rows.matrix(n_cols)
    highs = _quiet_highs()
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = matrix.shape[0]
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = upper
    lp.row_lower_ = np.concatenate(rows.lo) if rows.lo else np.zeros(0)
    lp.row_upper_ = np.concatenate(rows.hi) if rows.hi else np.zeros(0)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = matrix.shape[0]
    integer, continuous = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
    lp.integrality_ = [integer] * m0 + [continuous] * n_m + [integer] * n_o
    highs.passModel(lp)
    first = np.zeros(n_cols)
    first[:n] = start
    if n_m:
        first[m0:o0] = (per_mentee[several] @ start.astype(np.float64)) > 0
    for k, (_, coverers) in enumerate(literals):
        first[o0 + k] = float(start[coverers].sum() <= 1)
    return _Model(highs, n, slots, several, big, first)


def _component_labels(problem: MatchingProblem) -> tuple[int, Index]:
    """Connected components of the candidate graph, as a label per pair row."""
    n_i = problem.n_mentees
    graph = sparse.coo_matrix(
        (
            np.ones(len(problem.pairs)),
            (problem.pairs.mentee_idx.astype(np.int64), n_i + problem.pairs.mentor_idx.astype(np.int64)),
        ),
        shape=(n_i + problem.n_mentors,) * 2,
    )
    count, labels = csgraph.connected_components(graph, directed=False)
    return int(count), labels[problem.pairs.mentee_idx.astype(np.int64)].astype(np.int64)


@dataclass(slots=True)
class _Part:
    chosen: Index
    group_of: Index
    group_remote: list[bool]
    group_theme: list[int]
    bound: float
    """HiGHS's dual bound less BIG·matched, uncapped: summed over components it bounds the whole."""


def _lexicographic(problem: MatchingProblem, chosen: Index) -> tuple[int, float]:
    matched = int(np.unique(problem.pairs.mentee_idx[chosen]).size)
    return matched, float(problem.pairs.score[chosen].astype(np.float64).sum())


def _run(highs: highspy.Highs, start: Floats | None, abs_gap: float) -> tuple[Floats | None, float]:
    """Branch and bound from ``start``: the best solution's columns (None if none) and the dual bound."""
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", abs_gap)
    highs.setOptionValue("mip_max_nodes", MAX_NODES)
    highs.setOptionValue("time_limit", SAFETY_SECONDS)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = start
        solution.value_valid = True
        highs.setSolution(solution)
    highs.run()
    info = highs.getInfo()
    if info.primal_solution_status != 2:
        return None, float(info.mip_dual_bound)
    return np.asarray(highs.getSolution().col_value), float(info.mip_dual_bound)


@dataclass(frozen=True, slots=True)
class _Relaxation:
    values: Floats
    reduced_cost: Floats
    bound: float


_BANNER_SHOWN = threading.Event()
_BANNER_LOCK = threading.Lock()


def _quiet_highs() -> highspy.Highs:
    """A silent single-threaded HiGHS. Its first construction in a process prints an English
    copyright banner on the C-level standard output, which the curator's terminal (and the
    command's own summary on stdout) must not get: that one time, stdout goes to /dev/null."""
    with _BANNER_LOCK:
        if _BANNER_SHOWN.is_set():
            highs = highspy.Highs()  # type: ignore[no-untyped-call]
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                with open(os.devnull, "wb") as devnull:
                    os.dup2(devnull.fileno(), 1)
                    highs = highspy.Highs()  # type: ignore[no-untyped-call]
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _BANNER_SHOWN.set()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    return highs


def _relaxation(highs: highspy.Highs) -> _Relaxation | None:
    """The LP relaxation (dual simplex): its solution, reduced costs and value, a true bound;
    None when it is infeasible (pins that no assignment keeps)."""
    relaxed = _quiet_highs()
    lp = highs.getLp()
    lp.integrality_ = []
    relaxed.passModel(lp)
    relaxed.setOptionValue("time_limit", SAFETY_SECONDS)
    relaxed.run()
    if relaxed.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    solution = relaxed.getSolution()
    return _Relaxation(
        np.asarray(solution.col_value),
        np.abs(np.asarray(solution.col_dual)),
        float(relaxed.getInfo().objective_function_value),
    )


def _fix(highs: highspy.Highs, columns: Index, upper: Floats) -> None:
    picked = columns.astype(np.int32)
    highs.changeColsBounds(picked.size, picked, np.zeros(picked.size), upper)


def _solve_part(problem: MatchingProblem, flow_rows: Index | None, big: float, gap: float) -> _Part | None:
    """One component: the LP relaxation is the bound; the MIP restricted to the columns the LP or
    flow use gives a first answer P; reduced-cost fixing then keeps only the columns that can
    appear in an assignment better than P (a column at 0 whose reduced cost exceeds LP − P
    cannot), and the MIP over them, from P, closes the gap within the deterministic limits.
    ``flow_rows`` None: flow found the pins infeasible (they may still fit as a group), the whole
    MIP is solved from nothing. None when the component has no assignment keeping the rules."""
    start = np.zeros(len(problem.pairs), dtype=bool)
    if flow_rows is not None:
        start[flow_rows] = True
    flow_value = _lexicographic(problem, flow_rows) if flow_rows is not None else (-1, 0.0)
    model = build(problem, start, big)
    highs = model.highs
    cost = np.asarray(highs.getLp().col_cost_)
    upper = np.asarray(highs.getLp().col_upper_)
    lp = _relaxation(highs)
    if lp is None and flow_rows is not None:  # the safety net struck: the flow answer, a valid bound
        candidates = np.unique(problem.pairs.mentee_idx).size
        bound = big * (candidates - flow_value[0]) + fit_ceiling(problem)
        return _Part(flow_rows, np.full(flow_rows.size, -1, dtype=np.int64), [], [], bound)
    if lp is None:
        return None
    abs_gap = gap * max(flow_value[1], 1.0)
    unused = np.flatnonzero((lp.values < 1e-6) & (model.start < 0.5))
    best: Floats | None = model.start if flow_rows is not None else None
    if flow_rows is not None:
        _fix(highs, unused, np.zeros(unused.size))
        values, _ = _run(highs, model.start, abs_gap)
        best = model.start if values is None else values
        _fix(highs, unused, upper[unused])
    dual = lp.bound
    value = -np.inf if best is None else float(best @ cost)
    if lp.bound - value > abs_gap:
        if best is not None:
            margin = lp.bound - value + 1e-9 * abs(lp.bound) + 1e-6
            fixed = np.flatnonzero((lp.values < 1e-6) & (lp.reduced_cost > margin) & (best < 0.5))
            _fix(highs, fixed, np.zeros(fixed.size))
        values, reduced = _run(highs, best, abs_gap)
        dual = min(lp.bound, max(reduced, value))
        best = best if values is None else values
    if best is None:
        return None
    n = model.n_rows
    slots = model.slots
    individual = np.flatnonzero(best[:n] > 0.5)
    member = np.flatnonzero(best[n : n + slots.member_row.size] > 0.5)
    rows_in = slots.member_row[member]
    slot_in = slots.member_slot[member]
    chosen = np.concatenate([individual, rows_in]).astype(np.int64)
    matched, fit = _lexicographic(problem, chosen)
    if flow_rows is not None and (matched, fit) < flow_value:
        chosen, rows_in, slot_in = flow_rows, np.zeros(0, np.int64), np.zeros(0, np.int64)
        matched = flow_value[0]
    used, group_index = np.unique(slot_in, return_inverse=True)
    group_of = np.concatenate(
        [np.full(chosen.size - rows_in.size, -1, dtype=np.int64), group_index.astype(np.int64)]
    )
    remote = [bool((problem.pairs.format[rows_in[slot_in == s]] == 1).any()) for s in used.tolist()]
    return _Part(chosen, group_of, remote, slots.theme[used].tolist(), dual - big * matched)


class MipSolver:
    """The aggregated MIP of the module docstring, component by component.

    Status: ``optimal`` when the bound meets the objective, ``feasible`` when the search stopped
    at the proven gap ``gap`` (or a deterministic limit) first, ``infeasible`` when no
    assignment keeps the pins and the rules. ``bound`` is a true upper bound of the total fit
    among assignments matching as many mentees: the components' bounds share one BIG, so their
    sum bounds the whole.
    """

    name: ClassVar[str] = "mip"

    def __init__(self, gap: float = GAP) -> None:
        self.gap = gap

    def solve(self, problem: MatchingProblem, *, time_limit: float) -> Assignment:
        started = time.perf_counter()
        flow = FlowSolver().solve(problem, time_limit=time_limit)
        feasible = flow.status is not SolveStatus.INFEASIBLE
        big = fit_ceiling(problem) + 1.0
        count, label = _component_labels(problem)
        order = np.argsort(label, kind="stable")
        bounds = np.searchsorted(label[order], np.arange(1, count))
        chosen: list[Index] = []
        group_of: list[Index] = []
        remote: list[bool] = []
        theme: list[int] = []
        bound = 0.0
        flow_mask = np.zeros(len(problem.pairs), dtype=bool)
        flow_mask[flow.chosen] = True
        for rows in np.split(order, bounds):
            if rows.size == 0:
                continue
            part_problem = restrict(problem, rows)
            part_flow = np.flatnonzero(flow_mask[rows]).astype(np.int64)
            if feasible and not _needs_search(part_problem):
                chosen.append(rows[part_flow])
                group_of.append(np.full(part_flow.size, -1, dtype=np.int64))
                bound += _lexicographic(part_problem, part_flow)[1]
                continue
            part = _solve_part(part_problem, part_flow if feasible else None, big, self.gap)
            if part is None:
                return _infeasible(problem, started)
            chosen.append(rows[part.chosen])
            group_of.append(np.where(part.group_of >= 0, part.group_of + len(remote), -1))
            remote += part.group_remote
            theme += part.group_theme
            bound += part.bound
        picked = np.concatenate(chosen) if chosen else np.zeros(0, np.int64)
        groups = np.concatenate(group_of) if group_of else np.zeros(0, np.int64)
        order_out = np.argsort(picked, kind="stable")
        objective = float(problem.pairs.score[picked].astype(np.float64).sum())
        bound = max(min(bound, big - 1.0), objective)
        return Assignment(
            chosen=picked[order_out],
            status=SolveStatus.OPTIMAL if bound - objective <= TOLERANCE else SolveStatus.FEASIBLE,
            objective=objective,
            bound=bound,
            seconds=time.perf_counter() - started,
            method=f"{METHOD}, proven gap target {self.gap:.1%}",
            group_of=groups[order_out],
            group_remote=np.asarray(remote, dtype=np.bool_),
            group_theme=np.asarray(theme, dtype=np.int64),
        )


def _infeasible(problem: MatchingProblem, started: float) -> Assignment:
    picked = np.flatnonzero(problem.pinned).astype(np.int64)
    return Assignment(
        chosen=picked,
        status=SolveStatus.INFEASIBLE,
        objective=float(problem.pairs.score[picked].astype(np.float64).sum()),
        bound=None,
        seconds=time.perf_counter() - started,
        method=METHOD,
    )


def _needs_search(problem: MatchingProblem) -> bool:
    """Whether flow may be beaten: some mentor may lead a group, or some mentee take several."""
    leads = (problem.max_group >= 2) & (problem.capacity >= 1)
    several = problem.max_mentors > 1
    return bool(leads[problem.pairs.mentor_idx].any() or several[problem.pairs.mentee_idx].any())


def kept_under_rescoring(
    problem: MatchingProblem, chosen: Index, scores: list[npt.NDArray[np.float32]], gap: float = GAP
) -> list[npt.NDArray[np.bool_]]:
    """For each rescoring, which chosen rows the proposal keeps: all of them when the proposal,
    rescored, is still within ``gap`` of the rescored LP bound (it stays a proven answer);
    otherwise those the rescored LP optimum also takes (u_r ≥ ½). One model, one LP warm-started
    per rescoring: the review speaks of the proposal and a proven bound only."""
    start = np.zeros(len(problem.pairs), dtype=bool)
    start[chosen] = True
    big = fit_ceiling(problem) + 1.0
    model = build(problem, start, big)
    relaxed = _quiet_highs()
    lp = model.highs.getLp()
    lp.integrality_ = []
    relaxed.passModel(lp)
    base_cost = np.asarray(lp.col_cost_)
    n, slots = model.n_rows, model.slots
    single = np.ones(problem.n_mentees, dtype=bool)
    single[model.several] = False
    mentee = problem.pairs.mentee_idx.astype(np.int64)
    columns = np.arange(n + slots.member_row.size, dtype=np.int32)
    first_matched = n + slots.member_row.size + slots.mentor.size
    matched_columns = np.arange(first_matched, first_matched + model.several.size, dtype=np.int32)
    out = []
    for score in scores:
        rescored = dataclasses.replace(problem, pairs=dataclasses.replace(problem.pairs, score=score))
        ceiling = fit_ceiling(rescored) + 1.0
        gain = score.astype(np.float64) + ceiling * single[mentee]
        cost = base_cost.copy()
        cost[:n] = gain
        cost[n : n + slots.member_row.size] = gain[slots.member_row]
        cost[matched_columns] = ceiling
        relaxed.changeColsCost(columns.size, columns, cost[columns])
        relaxed.changeColsCost(matched_columns.size, matched_columns, cost[matched_columns])
        relaxed.run()
        values = np.asarray(relaxed.getSolution().col_value)
        bound = float(relaxed.getInfo().objective_function_value)
        proposal = float(model.start @ cost)
        fit = float(score[chosen].astype(np.float64).sum())
        if relaxed.getModelStatus() == highspy.HighsModelStatus.kOptimal and bound - proposal <= gap * max(
            fit, 1.0
        ):
            out.append(np.ones(chosen.size, dtype=bool))
            continue
        taken = values[:n].copy()
        np.add.at(taken, slots.member_row, values[n : n + slots.member_row.size])
        out.append(taken[chosen] >= 0.5)
    return out
