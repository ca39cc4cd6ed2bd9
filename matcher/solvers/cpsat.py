"""CP-SAT (OR-Tools): the whole matching problem solved exactly, groups included.

Notation: r is a candidate pair row, i its mentee, j its mentor, c a taxonomy code, s_r the
integer fit round(score × score_scale) and cov(r) the codes c with covers[r, c] > 0. The pair
table holds each mentee–mentor pair once, so a mentee is never both an individual mentee and
a group member of the same mentor.

Variables and constraints:

* x_r: row r is proposed, individually or as a group member. Pinned rows have x_r = 1.
* Mentee limit (rule 4): Σ_{r of i} x_r ≤ max_mentors_i.
* Groups (rule 3), for each mentor j with max_group_j ≥ 2, capacity_j ≥ 1 and at least two rows
  that could join a group (rows covering a code and able to meet in some format): y_j (j leads
  a group); g_r ⇒ x_r (row r is a member); one theme literal t_jc per code those rows cover,
  with Σ_c t_jc = y_j and g_r ⇒ ∨_{c ∈ cov(r)} t_jc (the members share a difficulty the mentor
  covers); 2·y_j ≤ Σ_r g_r ≤ max_group_j·y_j. Where some rows meet only remotely (format 1) and
  others cannot meet remotely, a literal remote_j with g_r ⇒ remote_j for the former and
  g_r ⇒ ¬remote_j for the latter: the group meets in person only if every member may,
  otherwise remotely, which every member must then accept.
* Mentor load (rule 3, a group counts once): Σ_{r of j} (x_r − g_r) + y_j ≤ capacity_j.
* Rule 4, for mentees with max_mentors_i > 1 and several rows. Rows are grouped into classes by
  their cover set; at most one row of each class and of each pair of classes S ⊂ T is chosen:
  two mentors whose cover sets are equal or nested cannot serve one mentee. For two mentors
  that is exactly "each covers a difficulty the other does not"; for three or more it is a cut,
  and for mentees with max_mentors_i ≥ 3 "uniquely covered" literals o_ic complete the rule:
  o_ic ⇒ Σ_{r of i, c ∈ cov(r)} x_r ≤ 1 for each code c two or more of their rows cover, and
  x_r ⇒ ∨_{c ∈ cov(r)} o_ic (nothing to add when r alone covers one of its codes). So each
  chosen mentor of a mentee with several covers a difficulty none of the mentee's others covers.

Objective (``pipeline.OBJECTIVE``, lexicographic through weights): maximise
BIG·matched + Σ_r s_r·x_r, where ``matched`` counts mentees with a chosen row (through a literal
m_i ≤ Σ_{r of i} x_r for mentees allowed several mentors, through the rows themselves for the
others). Fits are ≥ 0, and BIG = 1 + Σ_i (the max_mentors_i largest s_r of mentee i) exceeds
every assignment's total fit, hence every difference between two totals: one more matched
mentee outweighs any change in fit.

Search: two seeded workers (``SUBSOLVERS``) for the search time left of ``time_limit`` after
building. When no mentor can lead a group, FlowSolver's assignment is the hint (on 2,000 × 10,000
pipeline instances it neither speeds nor slows the proof; it starts the search from a full
assignment).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model
from scipy import sparse

from matcher.solvers.base import Assignment, MatchingProblem, SolveStatus
from matcher.solvers.flow import FlowSolver

Index = npt.NDArray[np.int64]
WORKERS = 2
SUBSOLVERS = ("max_lp", "core")
"""The full-search workers for the 2 cores: the LP with all its constraints and cuts, and
unsat-core bounds. With CP-SAT's default choice for 2 workers, a 500 × 100 instance allowing 2
mentors per mentee still had a bound of 2.6 × the optimum after 10 s; with these, optimal in 0.3 s."""
SEARCH_FLOOR = 0.1
"""The search gets what is left of the time limit after building, but at least this share of it."""
METHOD = "CP-SAT (OR-Tools), exact: matched mentees, then total fit; groups and rule 4 modelled"


@dataclass(slots=True)
class _Group:
    """The literals of the one group mentor ``mentor`` may lead."""

    mentor: int
    leads: cp_model.IntVar
    members: Index
    member: list[cp_model.IntVar]
    themes: Index
    theme: list[cp_model.IntVar]


@dataclass(slots=True)
class _Model:
    """A problem's CP-SAT model and the literals needed to hint it and read its solution."""

    model: cp_model.CpModel
    x: list[cp_model.IntVar]
    codes: list[Index]
    big: int
    fit_ceiling: int
    groups: list[_Group] = field(default_factory=list)
    matched: list[tuple[cp_model.IntVar, Index]] = field(default_factory=list)
    unique: list[tuple[cp_model.IntVar, Index]] = field(default_factory=list)


def _rows_by(keys: Index, size: int) -> list[Index]:
    """Row numbers grouped by key 0..size−1, each group in increasing order."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(1, size))
    return np.split(order, bounds)


def _fit_ceiling(problem: MatchingProblem, fits: Index) -> int:
    """Σ over mentees of their max_mentors largest fits: no assignment's total fit exceeds it."""
    mentee = problem.pairs.mentee_idx.astype(np.int64)
    order = np.lexsort((-fits, mentee))
    ranked = mentee[order]
    rank = np.arange(order.size) - np.searchsorted(ranked, ranked)
    return int(np.maximum(fits[order][rank < problem.max_mentors[ranked]], 0).sum())


def _add_mentee_rules(m: _Model, problem: MatchingProblem, rows: Index, mentee: int) -> None:
    """Mentee limit and rule 4 for one mentee's rows; a literal for "matched" when it may have several."""
    xs = [m.x[r] for r in rows]
    limit = int(problem.max_mentors[mentee])
    if limit == 1:
        m.model.add_at_most_one(xs)
    elif limit < rows.size:
        m.model.add(cp_model.LinearExpr.sum(xs) <= limit)
    if limit <= 1 or rows.size <= 1:
        return
    matched = m.model.new_bool_var(f"matched_{mentee}")
    m.model.add(cp_model.LinearExpr.sum(xs) >= matched)
    m.matched.append((matched, rows))
    _add_nested_cover_conflicts(m, rows)
    if limit >= 3 and rows.size >= 3:
        _add_unique_cover_literals(m, problem, rows, mentee)


def _add_nested_cover_conflicts(m: _Model, rows: Index) -> None:
    """At most one of two mentors whose cover sets are equal or nested: rule 4 for two mentors.

    Rows are grouped by the set of codes they cover; one at-most-one per class and per pair of
    classes S ⊂ T. Exactly rule 4 when a mentee has two mentors, a valid cut with more.
    """
    classes: dict[frozenset[int], list[cp_model.IntVar]] = {}
    for r in rows:
        classes.setdefault(frozenset(m.codes[r].tolist()), []).append(m.x[r])
    for s, members in classes.items():
        if len(members) > 1:
            m.model.add_at_most_one(members)
        for t, others in classes.items():
            if s < t:
                m.model.add_at_most_one([*members, *others])


def _add_unique_cover_literals(m: _Model, problem: MatchingProblem, rows: Index, mentee: int) -> None:
    """Rule 4 for three mentors or more: each chosen row is the only chosen coverer of one of its codes."""
    counts = np.bincount(np.concatenate([m.codes[r] for r in rows]), minlength=problem.covers.shape[1])
    unique = {int(c): m.model.new_bool_var(f"unique_{mentee}_{c}") for c in np.flatnonzero(counts >= 2)}
    for c, literal in unique.items():
        coverers = np.asarray([r for r in rows if c in m.codes[r]], dtype=np.int64)
        m.model.add(cp_model.LinearExpr.sum([m.x[r] for r in coverers]) <= 1).only_enforce_if(literal)
        m.unique.append((literal, coverers))
    for r in rows:
        codes = m.codes[r].tolist()
        if codes and all(c in unique for c in codes):
            m.model.add_bool_or([~m.x[r], *(unique[c] for c in codes)])


def _add_group(m: _Model, problem: MatchingProblem, rows: Index, mentor: int) -> _Group | None:
    """The group mentor ``mentor`` may lead (rule 3), or None when it cannot lead one."""
    fmt, can_remote = problem.pairs.format[rows], problem.pairs.can_remote[rows]
    joinable = np.asarray([m.codes[r].size > 0 for r in rows]) & ((fmt == 0) | can_remote)
    members = rows[joinable]
    if problem.max_group[mentor] < 2 or problem.capacity[mentor] < 1 or members.size < 2:
        return None
    model = m.model
    leads = model.new_bool_var(f"leads_{mentor}")
    member = [model.new_bool_var(f"member_{r}") for r in members]
    themes = np.unique(np.concatenate([m.codes[r] for r in members]))
    theme = [model.new_bool_var(f"theme_{mentor}_{c}") for c in themes]
    position = {int(c): k for k, c in enumerate(themes)}
    model.add(cp_model.LinearExpr.sum(theme) == leads)
    for literal, r in zip(member, members, strict=True):
        model.add_implication(literal, m.x[r])
        model.add_bool_or([~literal, *(theme[position[int(c)]] for c in m.codes[r])])
    size = cp_model.LinearExpr.sum(member)
    model.add(size >= 2 * leads)
    model.add(size <= int(problem.max_group[mentor]) * leads)
    remote_only, in_person_only = fmt[joinable] == 1, ~can_remote[joinable]
    if remote_only.any() and in_person_only.any():
        remote = model.new_bool_var(f"remote_{mentor}")
        for k in np.flatnonzero(remote_only):
            model.add_implication(member[k], remote)
        for k in np.flatnonzero(in_person_only):
            model.add_implication(member[k], ~remote)
    return _Group(mentor, leads, members, member, themes, theme)


def build_model(problem: MatchingProblem) -> _Model:
    """The CP-SAT model of the module docstring."""
    covers = sparse.csr_matrix(problem.covers, copy=True)
    covers.eliminate_zeros()
    covers.sort_indices()
    fits = problem.integer_scores()
    ceiling = _fit_ceiling(problem, fits)
    model = cp_model.CpModel()
    n = len(problem.pairs)
    m = _Model(
        model=model,
        x=[model.new_bool_var(f"x_{r}") for r in range(n)],
        codes=np.split(covers.indices.astype(np.int64), covers.indptr[1:-1]) if n else [],
        big=ceiling + 1,
        fit_ceiling=ceiling,
    )
    for r in np.flatnonzero(problem.pinned):
        model.add(m.x[r] == 1)
    mentee = problem.pairs.mentee_idx.astype(np.int64)
    for i, rows in enumerate(_rows_by(mentee, problem.n_mentees)):
        if rows.size:
            _add_mentee_rules(m, problem, rows, i)
    for j, rows in enumerate(_rows_by(problem.pairs.mentor_idx.astype(np.int64), problem.n_mentors)):
        if rows.size == 0:
            continue
        load = [m.x[r] for r in rows]
        weights = [1] * rows.size
        group = _add_group(m, problem, rows, j)
        if group is not None:
            m.groups.append(group)
            load += [group.leads, *group.member]
            weights += [1] + [-1] * len(group.member)
        model.add(cp_model.LinearExpr.weighted_sum(load, weights) <= int(problem.capacity[j]))
    several = np.zeros(n, dtype=bool)
    for _, rows in m.matched:
        several[rows] = True
    model.maximize(
        cp_model.LinearExpr.weighted_sum(m.x, np.where(several, fits, fits + m.big).tolist())
        + m.big * cp_model.LinearExpr.sum([literal for literal, _ in m.matched])
    )
    return m


def _hint(m: _Model, chosen: npt.NDArray[np.bool_]) -> None:
    """Hint a solution without groups (FlowSolver's) to every literal of a model without groups."""
    for literal, value in zip(m.x, chosen.tolist(), strict=True):
        m.model.add_hint(literal, value)
    for literal, rows in m.matched:
        m.model.add_hint(literal, bool(chosen[rows].any()))
    for literal, rows in m.unique:
        m.model.add_hint(literal, bool(chosen[rows].sum() <= 1))


@dataclass(frozen=True, slots=True)
class _Groups:
    of: Index
    remote: npt.NDArray[np.bool_]
    theme: Index


def _read_groups(solver: cp_model.CpSolver, m: _Model, problem: MatchingProblem, chosen: Index) -> _Groups:
    """Group numbers per chosen row, and each group's format and shared difficulty."""
    group_of_row = np.full(len(problem.pairs), -1, dtype=np.int64)
    remote: list[bool] = []
    theme: list[int] = []
    for group in m.groups:
        if not solver.boolean_value(group.leads):
            continue
        inside = np.asarray([solver.boolean_value(v) for v in group.member], dtype=bool)
        picked = group.members[inside]
        group_of_row[picked] = len(remote)
        remote.append(bool((problem.pairs.format[picked] == 1).any()))
        theme.append(int(group.themes[[solver.boolean_value(v) for v in group.theme]][0]))
    return _Groups(group_of_row[chosen], np.asarray(remote, dtype=bool), np.asarray(theme, dtype=np.int64))


class CpSatSolver:
    """Exact CP-SAT model of the whole problem (see the module docstring).

    Status: OPTIMAL → optimal, ``bound`` = ``objective``. A solution without proof at the time
    limit → timed_out, with the best assignment found and as ``bound`` the best total fit proven
    for assignments matching as many mentees: objective + (min(⌊B⌋ − BIG·matched, fit ceiling)
    − integer fit) / score_scale, B being CP-SAT's best objective bound (integer units, so the
    bound inherits the rounding of scores to 1/score_scale). Infeasible (pins that break a
    rule) → infeasible with the pinned rows only; no solution at the time limit → timed_out with
    the pinned rows only; in both cases ``bound`` is None.
    """

    name: ClassVar[str] = "cpsat"

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def solve(self, problem: MatchingProblem, *, time_limit: float) -> Assignment:
        started = time.perf_counter()
        m = build_model(problem)
        if not m.groups:
            hint = FlowSolver().solve(problem, time_limit=time_limit).chosen
            chosen_hint = np.zeros(len(problem.pairs), dtype=bool)
            chosen_hint[hint] = True
            _hint(m, chosen_hint)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = WORKERS
        solver.parameters.subsolvers.extend(SUBSOLVERS)
        solver.parameters.random_seed = self.seed
        solver.parameters.max_time_in_seconds = max(
            time_limit - (time.perf_counter() - started), SEARCH_FLOOR * time_limit
        )
        status = solver.solve(m.model)
        if status == cp_model.MODEL_INVALID:
            raise RuntimeError(f"CP-SAT model invalid: {m.model.validate()}")
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            picked = np.flatnonzero(problem.pinned).astype(np.int64)
            return Assignment(
                chosen=picked,
                status=SolveStatus.INFEASIBLE if status == cp_model.INFEASIBLE else SolveStatus.TIMED_OUT,
                objective=float(problem.pairs.score[picked].astype(np.float64).sum()),
                bound=None,
                seconds=time.perf_counter() - started,
                method=METHOD,
            )
        return self._assignment(solver, m, problem, status == cp_model.OPTIMAL, started)

    @staticmethod
    def _assignment(
        solver: cp_model.CpSolver, m: _Model, problem: MatchingProblem, optimal: bool, started: float
    ) -> Assignment:
        chosen = np.flatnonzero([solver.boolean_value(v) for v in m.x]).astype(np.int64)
        objective = float(problem.pairs.score[chosen].astype(np.float64).sum())
        fit = int(problem.integer_scores()[chosen].sum())
        matched = int(np.unique(problem.pairs.mentee_idx[chosen]).size)
        proven = min(math.floor(solver.best_objective_bound) - m.big * matched, m.fit_ceiling)
        groups = _read_groups(solver, m, problem, chosen)
        return Assignment(
            chosen=chosen,
            status=SolveStatus.OPTIMAL if optimal else SolveStatus.TIMED_OUT,
            objective=objective,
            bound=objective if optimal else objective + (proven - fit) / problem.score_scale,
            seconds=time.perf_counter() - started,
            method=METHOD,
            group_of=groups.of if m.groups else None,
            group_remote=groups.remote,
            group_theme=groups.theme,
        )
