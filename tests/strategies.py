"""Hypothesis strategies: random matching problems and random banks.

``matching_problems`` builds a ``MatchingProblem`` the way the pipeline does, in miniature:
mentees with difficulties (code → severity), mentors with competences, candidate pairs only
where the mentor covers a difficulty, ``covers`` holding those severities. Scores are whole
multiples of 1 / ``SCALE``, so integer-scaled totals compare exactly.

``banks`` builds small mentee and mentor banks from ``matcher.model`` classes, drawing ids from
one pool (so a person may be in both banks) and institutions, formats, consent (mostly given),
exclusions and preferences at random, for tests that run the real pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from hypothesis import strategies as st
from scipy import sparse

from matcher.model import MeetingFormat, Mentee, MenteeBank, Mentor, MentorBank
from matcher.scoring import PairTable
from matcher.solvers import MatchingProblem
from tests.solvers.hard_rules import HardRules

SCALE = 1000
CODES = ("methods", "ict", "parents")
INSTITUTIONS = ("ОО-1", "ОО-2", "ДОУ-3")
FORMATS: tuple[frozenset[MeetingFormat], ...] = (
    frozenset(MeetingFormat),
    frozenset(MeetingFormat),
    frozenset({MeetingFormat.IN_PERSON}),
    frozenset({MeetingFormat.REMOTE}),
    frozenset(),
)
"""Both formats twice as often as either alone; nothing at all now and then."""
SUBJECTS = ("математика", "физика", "русский язык")
TEXTS = (
    "",
    "Нужна помощь с дисциплиной на уроке и планированием урока",
    "Подготовка к ОГЭ и ЕГЭ, работа с родителями",
    "Цифровая образовательная среда, электронный журнал",
    "Двадцать лет веду уроки математики, готовлю к олимпиадам",
)


@st.composite
def _some_codes(draw: st.DrawFn, n_codes: int) -> frozenset[int]:
    """One code for sure, each other code with probability ½ (sizable overlaps, many pairs)."""
    first = draw(st.integers(0, n_codes - 1))
    others = draw(st.lists(st.booleans(), min_size=n_codes, max_size=n_codes))
    return frozenset({first, *(c for c, kept in enumerate(others) if kept)})


class Row(NamedTuple):
    """One candidate pair, as a test writes it: fit in 1/SCALE units, covered code → severity."""

    mentee: int
    mentor: int
    fit: int
    covers: dict[int, int]
    format: int = 0
    can_remote: bool = True


def problem_from_rows(
    rows: Sequence[Row],
    *,
    capacity: Sequence[int],
    max_group: Sequence[int],
    max_mentors: Sequence[int],
    n_codes: int,
    pinned: Sequence[int] = (),
) -> MatchingProblem:
    """The problem with these candidate pairs (a remote-only pair may always meet remotely)."""
    n, n_mentees = len(rows), len(max_mentors)
    mentee = np.asarray([row.mentee for row in rows], dtype=np.int64)
    fmt = np.asarray([row.format for row in rows], dtype=np.int8)
    covers = sparse.lil_matrix((n, n_codes), dtype=np.float32)
    for r, row in enumerate(rows):
        for code, severity in row.covers.items():
            covers[r, code] = severity
    chosen_pins = np.zeros(n, dtype=bool)
    chosen_pins[list(pinned)] = True
    return MatchingProblem(
        pairs=PairTable(
            mentee_idx=mentee.astype(np.int32),
            mentor_idx=np.asarray([row.mentor for row in rows], dtype=np.int32),
            format=fmt,
            can_remote=(fmt == 1) | np.asarray([row.can_remote for row in rows], dtype=bool),
            score=(np.asarray([row.fit for row in rows], dtype=np.float64) / SCALE).astype(np.float32),
            components={},
            allowed_per_mentee=np.bincount(mentee, minlength=n_mentees),
            cut_best=np.full(n_mentees, -1.0, dtype=np.float32),
        ),
        capacity=np.asarray(capacity, dtype=np.int64),
        max_group=np.asarray(max_group, dtype=np.int64),
        max_mentors=np.asarray(max_mentors, dtype=np.int64),
        covers=sparse.csr_matrix(covers),
        pinned=chosen_pins,
        score_scale=SCALE,
    )


@st.composite
def matching_problems(
    draw: st.DrawFn,
    *,
    min_mentees: int = 1,
    max_mentees: int = 5,
    max_mentors: int = 4,
    max_codes: int = 4,
    max_rows: int | None = None,
    mentors_per_mentee: int = 3,
    group_size: int = 4,
    max_capacity: int = 3,
    pins: str = "any",
) -> MatchingProblem:
    """A random problem; ``pins``: "none", "consistent" (pins alone break no rule) or "any"."""
    n_codes = draw(st.integers(1, max_codes))
    n_i = draw(st.integers(min_mentees, max_mentees))
    n_j = draw(st.integers(1, max_mentors))
    difficulties = [{c: draw(st.integers(1, 3)) for c in draw(_some_codes(n_codes))} for _ in range(n_i)]
    competences = [draw(_some_codes(n_codes)) for _ in range(n_j)]
    possible = [(i, j) for i in range(n_i) for j in range(n_j) if difficulties[i].keys() & competences[j]]
    keep = draw(st.lists(st.booleans(), min_size=len(possible), max_size=len(possible)))
    pairs = draw(
        st.permutations([pair for pair, kept in zip(possible, keep, strict=True) if kept][:max_rows])
    )
    rows = [
        Row(
            mentee=i,
            mentor=j,
            fit=draw(st.integers(0, SCALE)),
            covers={c: difficulties[i][c] for c in difficulties[i].keys() & competences[j]},
            format=draw(st.integers(0, 1)),
            can_remote=draw(st.booleans()),
        )
        for i, j in pairs
    ]
    problem = problem_from_rows(
        rows,
        capacity=draw(st.lists(st.integers(0, max_capacity), min_size=n_j, max_size=n_j)),
        max_group=draw(st.lists(st.integers(1, group_size), min_size=n_j, max_size=n_j)),
        max_mentors=draw(st.lists(st.integers(1, mentors_per_mentee), min_size=n_i, max_size=n_i)),
        n_codes=n_codes,
        pinned=draw(st.lists(st.integers(0, len(rows) - 1), max_size=3)) if pins != "none" and rows else [],
    )
    return _keep_consistent_pins(problem) if pins == "consistent" else problem


def _keep_consistent_pins(problem: MatchingProblem) -> MatchingProblem:
    """The problem with only those pins (in row order) that, as individual pairs, break no rule."""
    rules = HardRules(replace(problem, pinned=np.zeros_like(problem.pinned)))
    kept: list[int] = []
    for r in np.flatnonzero(problem.pinned).tolist():
        if not rules.breaks([*kept, r], [-1] * (len(kept) + 1)):
            kept.append(r)
    pinned = np.zeros_like(problem.pinned)
    pinned[kept] = True
    return replace(problem, pinned=pinned)


def reorder(problem: MatchingProblem, order: npt.NDArray[np.int64]) -> MatchingProblem:
    """The same problem with its pair-table rows in ``order``."""
    return replace(
        problem,
        pairs=problem.pairs.take(order),
        covers=sparse.csr_matrix(problem.covers[order]),
        pinned=problem.pinned[order],
    )


@st.composite
def banks(draw: st.DrawFn, *, max_people: int = 6) -> tuple[MenteeBank, MentorBank]:
    """Small random banks; ids come from one pool, so some people are in both banks."""
    pool = [f"p{k}" for k in range(2 * max_people)]
    mentor_ids = draw(st.lists(st.sampled_from(pool), unique=True, min_size=2, max_size=max_people))
    mentee_ids = draw(st.lists(st.sampled_from(pool), unique=True, min_size=2, max_size=max_people))
    levels = st.dictionaries(st.sampled_from(CODES), st.integers(1, 3), min_size=1)
    person = {
        "full_name": st.just("Иванова Анна Петровна"),
        "institution": st.sampled_from(INSTITUTIONS),
        "subjects": st.lists(st.sampled_from(SUBJECTS), max_size=2).map(tuple),
        "experience_years": st.none() | st.integers(0, 40),
        "formats": st.sampled_from(FORMATS),
        "consent": st.sampled_from((True, True, True, False)),
    }
    mentors = [
        draw(
            st.builds(
                Mentor,
                id=st.just(mentor_id),
                competences=levels,
                about=st.sampled_from(TEXTS),
                capacity=st.integers(0, 3),
                max_group=st.integers(1, 3),
                **person,
            )
        )
        for mentor_id in mentor_ids
    ]
    some_mentors = st.lists(st.sampled_from(mentor_ids), unique=True, max_size=2).map(tuple)
    mentees = [
        draw(
            st.builds(
                Mentee,
                id=st.just(mentee_id),
                difficulties=levels,
                request=st.sampled_from(TEXTS),
                excluded_mentors=some_mentors,
                preferred_mentors=some_mentors,
                max_mentors=st.integers(1, 2),
                **person,
            )
        )
        for mentee_id in mentee_ids
    ]
    return MenteeBank(tuple(mentees)), MentorBank(tuple(mentors))


def random_problem(
    seed: int,
    *,
    n_mentees: int,
    n_mentors: int,
    n_codes: int = 8,
    rows_per_mentee: int = 10,
    max_mentors: int = 3,
    max_group: int = 4,
) -> MatchingProblem:
    """A larger random problem (numpy, no shrinking) shaped like ``matching_problems``' ones."""
    rng = np.random.default_rng(seed)
    difficulties = (rng.random((n_mentees, n_codes)) < 0.3) * rng.integers(1, 4, (n_mentees, n_codes))
    difficulties[np.arange(n_mentees), rng.integers(0, n_codes, n_mentees)] = rng.integers(1, 4, n_mentees)
    competences = rng.random((n_mentors, n_codes)) < 0.3
    mentee = np.repeat(np.arange(n_mentees), rows_per_mentee)
    mentor = rng.integers(0, n_mentors, mentee.size)
    keys = np.unique(mentee * n_mentors + mentor)
    mentee, mentor = keys // n_mentors, keys % n_mentors
    covered = difficulties[mentee] * competences[mentor]
    keep = covered.any(axis=1)
    mentee, mentor, covered = mentee[keep], mentor[keep], covered[keep]
    fmt = (rng.random(mentee.size) < 0.4).astype(np.int8)
    return MatchingProblem(
        pairs=PairTable(
            mentee_idx=mentee.astype(np.int32),
            mentor_idx=mentor.astype(np.int32),
            format=fmt,
            can_remote=(fmt == 1) | (rng.random(mentee.size) < 0.7),
            score=(rng.integers(0, SCALE + 1, mentee.size) / SCALE).astype(np.float32),
            components={},
            allowed_per_mentee=np.bincount(mentee, minlength=n_mentees),
            cut_best=np.full(n_mentees, -1.0, dtype=np.float32),
        ),
        capacity=rng.integers(0, 4, n_mentors),
        max_group=rng.integers(1, max_group + 1, n_mentors),
        max_mentors=rng.integers(1, max_mentors + 1, n_mentees),
        covers=sparse.csr_matrix(covered.astype(np.float32)),
        pinned=np.zeros(mentee.size, dtype=bool),
        score_scale=SCALE,
    )
