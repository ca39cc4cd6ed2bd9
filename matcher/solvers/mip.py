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
import functools
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import ClassVar

import highspy
import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import csgraph

from matcher.child_processes import end_with_parent
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
    """The whole model as arrays; HiGHS only ever gets the columns a step needs (``highs``)."""

    matrix: sparse.csc_matrix
    row_lower: Floats
    row_upper: Floats
    cost: Floats
    integer: npt.NDArray[np.bool_]
    n_rows: int
    slots: _Slots
    several: Index
    big: float
    start: Floats

    @property
    def n_cols(self) -> int:
        return int(self.matrix.shape[1])

    def highs(
        self, columns: Index, cost: Floats, *, integer: bool, rows: Index | None = None
    ) -> highspy.Highs:
        """A silent HiGHS over ``columns`` (the other columns stay at 0) and ``rows`` (default
        all; a row left out must hold at 0 for every column outside ``columns``)."""
        rows = np.arange(self.matrix.shape[0]) if rows is None else rows
        sub = self.matrix[rows][:, columns].tocsc()
        lp = highspy.HighsLp()
        lp.num_col_ = int(columns.size)
        lp.num_row_ = int(rows.size)
        lp.col_cost_ = cost[columns]
        lp.col_lower_ = np.zeros(columns.size)
        lp.col_upper_ = np.ones(columns.size)
        lp.row_lower_ = self.row_lower[rows]
        lp.row_upper_ = self.row_upper[rows]
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = sub.indptr.astype(np.int32)
        lp.a_matrix_.index_ = sub.indices.astype(np.int32)
        lp.a_matrix_.value_ = sub.data.astype(np.float64)
        lp.a_matrix_.num_col_ = int(columns.size)
        lp.a_matrix_.num_row_ = int(rows.size)
        if integer:
            kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
            lp.integrality_ = [kinds[int(k)] for k in self.integer[columns].tolist()]
        highs = _quiet_highs()
        highs.passModel(lp)
        highs.setOptionValue("time_limit", SAFETY_SECONDS)
        return highs


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
    matrix = rows.matrix(n_cols)
    integer = np.ones(n_cols, dtype=bool)
    integer[m0:o0] = False
    first = np.zeros(n_cols)
    first[:n] = start
    if n_m:
        first[m0:o0] = (per_mentee[several] @ start.astype(np.float64)) > 0
    for k, (_, coverers) in enumerate(literals):
        first[o0 + k] = float(start[coverers].sum() <= 1)
    return _Model(
        matrix,
        np.concatenate(rows.lo) if rows.lo else np.zeros(0),
        np.concatenate(rows.hi) if rows.hi else np.zeros(0),
        cost,
        integer,
        n,
        slots,
        several,
        big,
        first,
    )


def _component_rows(problem: MatchingProblem) -> list[Index]:
    """The pair rows of each connected component of the candidate graph (mentees and mentors
    joined by candidate pairs), none empty."""
    n_i = problem.n_mentees
    mentee = problem.pairs.mentee_idx.astype(np.int64)
    graph = sparse.coo_matrix(
        (np.ones(len(problem.pairs)), (mentee, n_i + problem.pairs.mentor_idx.astype(np.int64))),
        shape=(n_i + problem.n_mentors,) * 2,
    )
    count, labels = csgraph.connected_components(graph, directed=False)
    label = labels[mentee]
    order = np.argsort(label, kind="stable")
    return [rows for rows in np.split(order, np.searchsorted(label[order], np.arange(1, count))) if rows.size]


@dataclass(slots=True)
class _Part:
    chosen: Index
    group_of: Index
    group_remote: list[bool]
    group_theme: list[int]
    bound: float
    """HiGHS's dual bound less BIG·matched, uncapped: summed over components it bounds the whole."""
    relaxation: PartRelaxation | None = None


def _lexicographic(problem: MatchingProblem, chosen: Index) -> tuple[int, float]:
    matched = int(np.unique(problem.pairs.mentee_idx[chosen]).size)
    return matched, float(problem.pairs.score[chosen].astype(np.float64).sum())


def _run(highs: highspy.Highs, start: Floats | None, abs_gap: float) -> tuple[Floats | None, float]:
    """Branch and bound from ``start``: the best solution's columns (None if none) and the dual bound."""
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", abs_gap)
    highs.setOptionValue("mip_max_nodes", MAX_NODES)
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


def binding_rows(model: _Model, columns: Index) -> Index:
    """The rows that ``columns`` (each in [0, 1], the others at 0) could break; every other row
    is implied: the sum of its positive coefficients over ``columns`` is at most its upper
    limit and of its negative ones at least its lower limit, so it holds and may be left out."""
    sub = model.matrix[:, columns]
    most = np.asarray(sub.maximum(0).sum(axis=1)).ravel()
    least = np.asarray(sub.minimum(0).sum(axis=1)).ravel()
    slack = 1e-9
    return np.flatnonzero((most > model.row_upper + slack) | (least < model.row_lower - slack))


def _restricted_mip(
    model: _Model, columns: Index, start: Floats | None, abs_gap: float
) -> tuple[Floats | None, float]:
    """The MIP over ``columns`` only (the others at 0), from ``start``: the best solution over
    all columns (None if none) and the dual bound of the restricted MIP."""
    columns = np.unique(columns)
    highs = model.highs(columns, model.cost, integer=True, rows=binding_rows(model, columns))
    values, dual = _run(highs, None if start is None else start[columns], abs_gap)
    if values is None:
        return None, dual
    full = np.zeros(model.n_cols)
    full[columns] = values
    return full, dual


MIP_LEVEL_COLUMNS = 30_000
"""The first MIP takes the columns the LP or the flow use; the columns of zero reduced cost (as
good as the LP's at its optimum) join them while there are at most this many columns in all
(at a region there are 200,000, and that MIP took fourteen times as long for the same gap)."""
PRICING_TOLERANCE = 1e-7
"""A column left out of the LP enters it when its reduced cost exceeds this."""
FIRST_PER_MENTEE = 3
"""The LP starts from each mentee's best pairs (and the start's); pricing adds the rest it needs."""
DUAL_SIMPLEX = 1
PRIMAL_SIMPLEX = 4
"""The first restricted LP is solved by the dual simplex; after columns join, the basis is still
primal feasible and the primal simplex goes on from it (presolve off, so HiGHS keeps its basis)."""
PRICING_SHARE = 0.25
PRICING_MIN = 2_000
"""Partial pricing: per round, the columns with the largest reduced costs join, at most this
share of those already inside (and at least ``PRICING_MIN``)."""


@dataclass(frozen=True, slots=True)
class _Relaxation:
    """An optimum of the LP relaxation over all columns: values, reduced costs d = c − Aᵀy (≤ 0
    at an optimum for a column at 0) and the bound, a true upper bound of the LP (and so of the
    MIP): the restricted LP's value plus the positive reduced costs of the columns left out."""

    values: Floats
    reduced_cost: Floats
    bound: float


class _ColumnGeneration:
    """The LP relaxation of a ``_Model`` solved over a growing set of its columns.

    HiGHS holds some columns and, of the rows they touch, only those the columns could break: a
    row that holds for every value in [0, 1] of the columns inside (the sum of its positive
    coefficients is at most its upper limit, of its negative ones at least its lower limit) is
    implied, left out, and gets the dual 0. After each solve every column is priced with the row
    duals y (d = c − Aᵀy, one sparse product). The restricted optimum is an optimum of the whole
    LP when no column left out has d > 0 (LP duality: y is then dual feasible for all columns),
    and for any y the restricted value plus Σ max(d, 0) over the left-out columns (each bounded
    by 1) is an upper bound of the whole LP (the Lagrangian bound), so the bound is exact at
    convergence and valid at every step. The columns with the largest d > 0 (at most
    ``PRICING_SHARE`` of those inside, and at least ``PRICING_MIN``) join, with the rows they
    make binding (HiGHS keeps its basis), until none is left or the caller's ``enough`` says the
    bound already decides.
    """

    def __init__(self, model: _Model, columns: Index, cost: Floats) -> None:
        self.model = model
        self.cost = cost
        self.by_row = model.matrix.tocsr()
        self.transposed = model.matrix.T.tocsr()
        n_rows = model.matrix.shape[0]
        self.most = np.zeros(n_rows)
        self.least = np.zeros(n_rows)
        self.inside = np.zeros(model.n_cols, dtype=bool)
        self.columns = np.zeros(0, dtype=np.int64)
        self.rows = np.zeros(0, dtype=np.int64)
        self.row_position = np.full(n_rows, -1, dtype=np.int64)
        self.highs = model.highs(self.columns, cost, integer=False, rows=self.rows)
        self.highs.setOptionValue("presolve", "off")
        self.highs.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
        self._add(np.unique(columns), always=(model.row_lower > 0) | (model.row_upper < 0))

    def recost(self, cost: Floats) -> None:
        self.cost = cost
        picked = np.arange(self.columns.size, dtype=np.int32)
        self.highs.changeColsCost(picked.size, picked, cost[self.columns])

    def solve(self, enough: float = -np.inf) -> _Relaxation | None:
        """The LP optimum (None when infeasible over all columns); stops early with a valid
        bound once it is at most ``enough``."""
        while True:
            # HiGHS's clock runs over every run of one instance: the safety net is per run
            self.highs.setOptionValue("time_limit", self.highs.getRunTime() + SAFETY_SECONDS)
            self.highs.run()
            if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                if self.inside.all() or self.highs.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
                    return None
                self._add(np.flatnonzero(~self.inside))
                continue
            solution = self.highs.getSolution()
            duals = np.zeros(self.model.matrix.shape[0])
            duals[self.rows] = np.asarray(solution.row_dual)
            reduced = self.cost - self.transposed @ duals
            outside = ~self.inside
            entering = np.flatnonzero(outside & (reduced > PRICING_TOLERANCE))
            value = float(self.highs.getInfo().objective_function_value)
            bound = value + float(reduced[entering].sum())
            if entering.size == 0 or bound <= enough:
                values = np.zeros(self.model.n_cols)
                values[self.columns] = np.asarray(solution.col_value)
                reduced[self.columns] = np.asarray(solution.col_dual)
                return _Relaxation(values, reduced, bound)
            batch = max(PRICING_MIN, int(PRICING_SHARE * self.columns.size))
            if entering.size > batch:
                entering = entering[np.argpartition(-reduced[entering], batch)[:batch]]
            self._add(np.sort(entering))
            self.highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)

    def _add(self, entering: Index, always: npt.NDArray[np.bool_] | None = None) -> None:
        sub = self.model.matrix[:, entering]
        self.most += np.asarray(sub.maximum(0).sum(axis=1)).ravel()
        self.least += np.asarray(sub.minimum(0).sum(axis=1)).ravel()
        slack = 1e-9
        binding = (self.most > self.model.row_upper + slack) | (self.least < self.model.row_lower - slack)
        if always is not None:
            binding |= always
        new_rows = np.flatnonzero(binding & (self.row_position < 0))
        if new_rows.size:
            old = self.by_row[new_rows][:, self.columns].tocsr()
            self.highs.addRows(
                new_rows.size,
                self.model.row_lower[new_rows],
                self.model.row_upper[new_rows],
                old.nnz,
                old.indptr[:-1].astype(np.int32),
                old.indices.astype(np.int32),
                old.data.astype(np.float64),
            )
            self.row_position[new_rows] = np.arange(self.rows.size, self.rows.size + new_rows.size)
            self.rows = np.concatenate([self.rows, new_rows])
        present = sparse.csc_matrix(
            (sub.data * (self.row_position[sub.indices] >= 0), sub.indices, sub.indptr), shape=sub.shape
        )
        present.eliminate_zeros()
        self.highs.addCols(
            entering.size,
            self.cost[entering],
            np.zeros(entering.size),
            np.ones(entering.size),
            present.nnz,
            present.indptr[:-1].astype(np.int32),
            self.row_position[present.indices].astype(np.int32),
            present.data.astype(np.float64),
        )
        self.inside[entering] = True
        self.columns = np.concatenate([self.columns, entering])


@dataclass(frozen=True, slots=True)
class PartRelaxation:
    """The LP relaxation the solver converged on for one component of the candidate graph,
    handed to the review so that its rescorings start warm instead of from nothing: the
    component's rows of the pair table, its model, the columns its LP started from, and the
    column generation at the optimum."""

    rows: Index
    model: _Model
    first: Index
    generation: _ColumnGeneration

    def again(self) -> _ColumnGeneration:
        """The same column generation solved again from its start: the same optimum, columns and
        basis (HiGHS is deterministic on one thread), for a second chain in this process."""
        generation = _ColumnGeneration(self.model, self.first, self.model.cost)
        generation.solve()
        return generation


def _first_columns(problem: MatchingProblem, model: _Model) -> Index:
    """Where the LP starts: each mentee's ``FIRST_PER_MENTEE`` best pairs and the start's rows, as
    individual pairs and as members of every slot, those slots, and every (matched, cover)
    column; pricing adds the rest the LP needs."""
    n = model.n_rows
    mentee = problem.pairs.mentee_idx.astype(np.int64)
    order = np.lexsort((-problem.pairs.score.astype(np.float64), mentee))
    ranked = mentee[order]
    rank = np.arange(order.size) - np.searchsorted(ranked, ranked)
    rows = np.zeros(n, dtype=bool)
    rows[order[rank < FIRST_PER_MENTEE]] = True
    rows |= model.start[:n] > 0.5
    rows |= problem.pinned
    slots = model.slots
    members = np.flatnonzero(rows[slots.member_row])
    y0 = n + slots.member_row.size
    return np.concatenate(
        [
            np.flatnonzero(rows),
            n + members,
            y0 + np.unique(slots.member_slot[members]),
            np.arange(y0 + slots.mentor.size, model.n_cols),
        ]
    ).astype(np.int64)


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


def _solve_part(problem: MatchingProblem, flow_rows: Index | None, big: float, gap: float) -> _Part | None:
    """One component: the LP relaxation (column generation) is the bound; the MIP over the
    columns the LP or flow use (and those whose reduced cost is zero, up to
    ``MIP_LEVEL_COLUMNS``) gives a first answer P;
    reduced-cost fixing then keeps only the columns that can appear in an assignment better
    than P (a column at 0 whose reduced cost exceeds bound − P cannot), and the MIP over them,
    from P, closes the gap within the deterministic limits. ``flow_rows`` None: flow found the
    pins infeasible (they may still fit as a group), the whole MIP is solved from nothing.
    None when the component has no assignment keeping the rules."""
    start = np.zeros(len(problem.pairs), dtype=bool)
    if flow_rows is not None:
        start[flow_rows] = True
    flow_value = _lexicographic(problem, flow_rows) if flow_rows is not None else (-1, 0.0)
    model = build(problem, start, big)
    everything = np.arange(model.n_cols, dtype=np.int64)
    first = _first_columns(problem, model) if flow_rows is not None else everything
    generation = _ColumnGeneration(model, first, model.cost)
    lp = generation.solve()
    if lp is None and flow_rows is not None:  # the safety net struck: the flow answer, a valid bound
        candidates = np.unique(problem.pairs.mentee_idx).size
        bound = big * (candidates - flow_value[0]) + fit_ceiling(problem)
        return _Part(flow_rows, np.full(flow_rows.size, -1, dtype=np.int64), [], [], bound)
    if lp is None:
        return None
    abs_gap = gap * max(flow_value[1], 1.0)
    best: Floats | None = model.start if flow_rows is not None else None
    if flow_rows is not None:
        support = np.flatnonzero((lp.values > 1e-6) | (model.start > 0.5))
        level = np.flatnonzero(lp.reduced_cost >= -1e-9)
        if np.union1d(support, level).size <= MIP_LEVEL_COLUMNS:
            support = np.union1d(support, level)
        values, _ = _restricted_mip(model, support, model.start, abs_gap)
        best = model.start if values is None else values
    dual = lp.bound
    value = -np.inf if best is None else float(best @ model.cost)
    if lp.bound - value > abs_gap:
        kept = everything
        if best is not None:
            margin = lp.bound - value + 1e-9 * abs(lp.bound) + 1e-6
            kept = np.flatnonzero((lp.values > 1e-6) | (lp.reduced_cost >= -margin) | (best > 0.5))
        values, reduced = _restricted_mip(model, kept, best, abs_gap)
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
    relaxation = PartRelaxation(np.zeros(0, np.int64), model, first, generation)
    return _Part(chosen, group_of, remote, slots.theme[used].tolist(), dual - big * matched, relaxation)


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
        chosen: list[Index] = []
        group_of: list[Index] = []
        remote: list[bool] = []
        theme: list[int] = []
        relaxations: list[PartRelaxation] = []
        bound = 0.0
        flow_mask = np.zeros(len(problem.pairs), dtype=bool)
        flow_mask[flow.chosen] = True
        for rows in _component_rows(problem):
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
            if part.relaxation is not None:
                relaxations.append(dataclasses.replace(part.relaxation, rows=rows))
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
            group_free=flow,
            relaxations=tuple(relaxations),
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


RESCORING_CHAINS = 2
"""Below ``FROM_OPTIMUM_MIN_PAIRS``, rescorings are judged in this many chains in this process,
each starting from the solver's own LP optimum and then from the rescoring before it: the scores
at even places, then those at odd places (``robustness`` lists each weight's lowered and raised
move side by side, so a chain is the lowered or the raised moves: a rescoring after another
weight's re-optimises faster than after the opposite move of the same weight)."""
FROM_OPTIMUM_MIN_PAIRS = 50_000
"""From this many candidate pairs each rescoring starts from the solver's own LP optimum, one
weight's move away, in a process forked for it (as many at a time as cores, at most
``MOVE_PROCESSES``), instead of from the rescoring before it, two moves away."""
MOVE_PROCESSES = 2
Scores = list[npt.NDArray[np.float32]]
Kept = list[npt.NDArray[np.bool_]]


@dataclass(slots=True)
class _Review:
    """The review's view of one component judged by its LP: its rows, its problem, the chosen
    rows in it (local), its model and where its column generation starts."""

    rows: Index
    problem: MatchingProblem
    chosen: npt.NDArray[np.bool_]
    model: _Model
    first: Index
    solved: PartRelaxation | None


@dataclass(frozen=True, slots=True)
class _Judging:
    """What judging a rescoring needs: the problem, its components judged by their LP, the rows
    judged by flow, the proposal and the gap."""

    problem: MatchingProblem
    reviews: list[_Review]
    flow_rows: Index
    chosen: Index
    gap: float


_FORKED_MOVES: list[tuple[_Judging, Scores]] = []
"""What forked processes inherit: the judging and the scores (all of them, or one chain's each)."""


def kept_under_rescoring(
    problem: MatchingProblem,
    chosen: Index,
    scores: Scores,
    gap: float = GAP,
    relaxations: tuple[object, ...] = (),
) -> Kept:
    """For each rescoring, which chosen rows the proposal keeps: all of them when the proposal,
    rescored, is still within ``gap`` of the rescored bound (it stays a proven answer);
    otherwise those the rescored optimum also takes. Component by component, as the solver
    solved them: where the solver searched, the component's LP relaxation (u_r ≥ ½ of its
    optimum), by column generation warm-started from the solver's own optimum (``relaxations``):
    on a large problem each rescoring from it (``FROM_OPTIMUM_MIN_PAIRS``), on a small one in two
    chains, each rescoring from the one before (``RESCORING_CHAINS``); where flow was
    exact (no groups, one mentor each), min-cost flow, the solver's own answer there. The LPs
    stop as soon as valid bounds decide the first test — the review speaks of the proposal and a
    proven bound only."""
    return start_kept_under_rescoring(problem, chosen, scores, gap, relaxations)()


def start_kept_under_rescoring(
    problem: MatchingProblem,
    chosen: Index,
    scores: Scores,
    gap: float = GAP,
    relaxations: tuple[object, ...] = (),
) -> Callable[[], Kept]:
    """``kept_under_rescoring``, started; the returned function waits for it. On a small problem
    the chains start at once, each in a process forked for it (where processes can be forked and
    there is more than one core), so the caller explains and writes while they go on; on a large
    one everything is done when the function is called (each rescoring forked then, see
    ``_each_from_optimum``)."""
    judging = _Judging(problem, *_reviews(problem, chosen, relaxations), chosen, gap)
    if len(problem.pairs) >= FROM_OPTIMUM_MIN_PAIRS:
        return functools.partial(_each_from_optimum, judging, scores)
    chains = [list(range(first, len(scores), RESCORING_CHAINS)) for first in range(RESCORING_CHAINS)]
    chained_scores = [[scores[k] for k in chain] for chain in chains]

    def placed(judged: list[Kept]) -> Kept:
        out: Kept = [np.zeros(0, dtype=bool)] * len(scores)
        for chain, kept in zip(chains, judged, strict=True):
            for k, mask in zip(chain, kept, strict=True):
                out[k] = mask
        return out

    forked = _forked_chains(judging, chained_scores)
    if forked is not None:
        return lambda: placed(forked())
    return lambda: placed(_chains_here(judging, chained_scores))


def _chains_here(judging: _Judging, chains: list[Scores]) -> list[Kept]:
    """The chains one after the other in this process: the first takes the solver's own column
    generation, the second solves that optimum again first."""
    return [_kept_in_chain(judging, chain, handed=c == 0) for c, chain in enumerate(chains)]


def _forked_chains(judging: _Judging, chains: list[Scores]) -> Callable[[], list[Kept]] | None:
    """Each chain in a process forked for it now, from the solver's own optimum (each process
    has its own copy); the returned function collects them. ``None`` where processes cannot be
    forked or there is one core: the caller judges the chains itself."""
    if _cores() < 2:
        return None
    executors: list[ProcessPoolExecutor] = []
    futures: list[Future[Kept]] = []
    _FORKED_MOVES[:] = [(judging, chain) for chain in chains]
    try:
        for c in range(len(chains)):
            executor = _forked_process()
            executors.append(executor)
            futures.append(executor.submit(_forked_chain, c))  # forked here, inheriting the judging
    except (OSError, BrokenProcessPool):
        for executor in executors:
            executor.shutdown(cancel_futures=True)
        return None
    finally:
        _FORKED_MOVES.clear()

    def collect() -> list[Kept]:
        try:
            return [future.result() for future in futures]
        except BrokenProcessPool:
            return _chains_here(judging, chains)
        finally:
            for executor in executors:
                executor.shutdown()

    return functools.cache(collect)


def _cores() -> int:
    """The cores this process may use; 1 where it cannot tell (and cannot fork: Linux only)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def _forked_process() -> ProcessPoolExecutor:
    """An executor of one process, forked at its first submission (inheriting ``_FORKED_MOVES``),
    that ends with this one."""
    context = multiprocessing.get_context("fork")
    return ProcessPoolExecutor(1, mp_context=context, initializer=end_with_parent, initargs=(os.getpid(),))


def _forked_chain(c: int) -> Kept:
    judging, scores = _FORKED_MOVES[c]
    return _kept_in_chain(judging, scores, handed=True)


def _reviews(
    problem: MatchingProblem, chosen: Index, relaxations: tuple[object, ...]
) -> tuple[list[_Review], Index]:
    """The components judged by their LP (with the solver's optimum where it handed one over for
    the same rows) and the rows judged by flow."""
    handed = {
        relaxation.rows.tobytes(): relaxation
        for relaxation in relaxations
        if isinstance(relaxation, PartRelaxation)
    }
    proposed = np.zeros(len(problem.pairs), dtype=bool)
    proposed[chosen] = True
    reviews: list[_Review] = []
    by_flow: list[Index] = []
    for rows in _component_rows(problem):
        part = restrict(problem, rows)
        solved = handed.get(rows.tobytes())
        if solved is None and not _needs_search(part):
            by_flow.append(rows)
            continue
        if solved is not None:
            reviews.append(_Review(rows, part, proposed[rows], solved.model, solved.first, solved))
            continue
        model = build(part, proposed[rows], fit_ceiling(problem) + 1.0)
        reviews.append(_Review(rows, part, proposed[rows], model, _first_columns(part, model), None))
    return reviews, (np.concatenate(by_flow) if by_flow else np.zeros(0, np.int64))


def _each_from_optimum(judging: _Judging, scores: Scores) -> Kept:
    """Each rescoring from the solver's optimum, in a process forked for it alone (an executor of
    one worker each, so that no worker takes a second rescoring from the state the first left),
    a batch of one per core at a time; the processes inherit the models and the optima instead
    of receiving copies. Where no process can be started, each rescoring in this process after
    solving the optimum again (the same state: HiGHS is deterministic on one thread)."""
    processes = min(_cores(), MOVE_PROCESSES)
    _FORKED_MOVES[:] = [(judging, scores)]
    try:
        if processes > 1:
            return _forked_moves(len(scores), processes)
    except (OSError, BrokenProcessPool):
        pass
    finally:
        _FORKED_MOVES.clear()
    return [_kept_in_chain(judging, [score], handed=False)[0] for score in scores]


def _forked_moves(count: int, processes: int) -> Kept:
    """Rescorings ``0 … count − 1``, each in a process forked for it (an executor of one worker,
    shut down when its rescoring is judged), ``processes`` at a time: the next is forked as soon
    as one ends."""
    out: dict[int, npt.NDArray[np.bool_]] = {}
    running: dict[Future[npt.NDArray[np.bool_]], tuple[int, ProcessPoolExecutor]] = {}

    def collect(finished: set[Future[npt.NDArray[np.bool_]]]) -> None:
        for future in finished:
            k, executor = running.pop(future)
            executor.shutdown()
            out[k] = future.result()

    try:
        for k in range(count):
            if len(running) == processes:
                collect(wait(running, return_when=FIRST_COMPLETED).done)
            executor = _forked_process()
            running[executor.submit(_forked_move, k)] = (k, executor)
        collect(wait(running).done)
    finally:
        for _, executor in running.values():
            executor.shutdown(cancel_futures=True)
    return [out[k] for k in range(count)]


def _forked_move(k: int) -> npt.NDArray[np.bool_]:
    judging, scores = _FORKED_MOVES[0]
    return _kept_in_chain(judging, [scores[k]], handed=True)[0]


def _kept_in_chain(judging: _Judging, scores: Scores, *, handed: bool) -> Kept:
    """``kept_under_rescoring`` for one chain of rescorings. Every chain starts from the solver's
    optimum: ``handed`` takes the solver's column generation itself (a forked process has its
    own copy; in this process only the first chain may change it), otherwise it is solved again
    from the same start, which gives the same optimum and basis."""
    problem, reviews, flow_rows, chosen = judging.problem, judging.reviews, judging.flow_rows, judging.chosen
    generations: list[_ColumnGeneration | None] = [
        (review.solved.generation if handed else review.solved.again()) if review.solved else None
        for review in reviews
    ]
    proposed = np.zeros(len(problem.pairs), dtype=bool)
    proposed[chosen] = True
    columns = [_proposal_columns(review) for review in reviews]
    out = []
    for score in scores:
        rescored = dataclasses.replace(problem, pairs=dataclasses.replace(problem.pairs, score=score))
        ceiling = fit_ceiling(rescored) + 1.0
        allowed = judging.gap * max(float(score[chosen].astype(np.float64).sum()), 1.0)
        kept = np.zeros(len(problem.pairs), dtype=bool)
        slack = 0.0
        if flow_rows.size:
            by_flow = restrict(rescored, flow_rows)
            answer = FlowSolver().solve(by_flow, time_limit=SAFETY_SECONDS)
            own = np.flatnonzero(proposed[flow_rows]).astype(np.int64)
            if answer.status is SolveStatus.INFEASIBLE:  # pins only groups can keep: none kept
                slack = np.inf
            else:
                kept[flow_rows[answer.chosen]] = True
                slack = _gain(by_flow, answer.chosen, ceiling) - _gain(by_flow, own, ceiling)
        costs = [_rescored_cost(review, score[review.rows], ceiling) for review in reviews]
        proposals = [float(columns[k] @ cost) for k, cost in enumerate(costs)]
        fits = np.array([float(score[r.rows][r.chosen].astype(np.float64).sum()) for r in reviews])
        share = fits / fits.sum() if fits.sum() > 0 else np.full(len(reviews), 1.0 / max(len(reviews), 1))
        room = allowed - slack
        solutions: list[_Relaxation | None] = []
        for k, review in enumerate(reviews):
            generation = generations[k]
            if generation is None:
                generation = generations[k] = _ColumnGeneration(review.model, review.first, costs[k])
            else:
                generation.recost(costs[k])
            solutions.append(generation.solve(enough=proposals[k] + room * share[k]))
        bounds = [np.inf if lp is None else lp.bound for lp in solutions]
        if sum(bounds) - sum(proposals) <= room:
            out.append(np.ones(chosen.size, dtype=bool))
            continue
        for k, review in enumerate(reviews):
            generation = generations[k]
            lp = None if solutions[k] is None or generation is None else generation.solve()
            if lp is None:
                continue
            n, slots = review.model.n_rows, review.model.slots
            taken = lp.values[:n].copy()
            np.add.at(taken, slots.member_row, lp.values[n : n + slots.member_row.size])
            kept[review.rows[taken >= 0.5]] = True
        out.append(kept[chosen])
    return out


def _gain(problem: MatchingProblem, chosen: Index, ceiling: float) -> float:
    """The LP's objective of an assignment: ``ceiling`` per matched mentee plus the total fit."""
    matched, fit = _lexicographic(problem, chosen)
    return ceiling * matched + fit


def _rescored_cost(review: _Review, score: npt.NDArray[np.float32], ceiling: float) -> Floats:
    """The component's LP objective under ``score``, with the whole problem's ``ceiling``."""
    model, n, slots = review.model, review.model.n_rows, review.model.slots
    single = np.ones(review.problem.n_mentees, dtype=bool)
    single[model.several] = False
    gain = score.astype(np.float64) + ceiling * single[review.problem.pairs.mentee_idx.astype(np.int64)]
    cost = model.cost.copy()
    cost[:n] = gain
    cost[n : n + slots.member_row.size] = gain[slots.member_row]
    first_matched = n + slots.member_row.size + slots.mentor.size
    cost[first_matched : first_matched + model.several.size] = ceiling
    return cost


def _proposal_columns(review: _Review) -> Floats:
    """The proposal in the component's columns (each pair individual: it gains as much as in a
    group), for its value under any rescoring."""
    model, n, slots = review.model, review.model.n_rows, review.model.slots
    columns = np.zeros(model.n_cols)
    columns[:n] = review.chosen
    first_matched = n + slots.member_row.size + slots.mentor.size
    mentees = review.problem.pairs.mentee_idx[review.chosen]
    columns[first_matched : first_matched + model.several.size] = np.isin(model.several, mentees)
    return columns
