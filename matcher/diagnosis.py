"""Why a mentee is left without a mentor, and the smallest change that would place them.

For every unmatched mentee who consented, the mentors who cover at least one of their
difficulties are sorted by what stands in the way: full (they are candidates, but their load is
taken), no meeting format fits, on leave (capacity 0), excluded by the mentee or forbidden.
Changes are tried from the cheapest — one more place for a full mentor, allowing remote
meetings for one pair, one place for a mentor on leave, lifting one exclusion, recruiting a
mentor in the mentee's most severe difficulty. Each change is applied together with the pair
it opens (the council would make the change for this mentee) and verified: a fix is reported as
verified only if the mentee is then placed and nobody who was matched before loses their mentor
count (the number matched grows by one). Where the change leaves the pair's mentor a free place
(one more place, a mentor back from leave, or a mentor with room left), the proposal plus that
one pair is such an assignment, so it is verified without solving again and it describes the
proposal itself; otherwise the whole problem is solved again with the run's solver.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matcher.documents.declension import Case, decline_name, surname_initials
from matcher.eligibility import Eligibility
from matcher.model import MenteeBank, MentorBank, Unmatched, UnmatchedReason
from matcher.options import ScoringWeights
from matcher.scoring import PairTable, combine, pair_components
from matcher.solvers.base import Assignment, MatchingProblem
from matcher.taxonomy import Taxonomy
from matcher.vectorising import Profiles

TRIES_PER_KIND = 2
NAMED = 5


@dataclass(frozen=True, slots=True)
class _Change:
    kind: str
    mentor: int

    def text_ru(self, ctx: Context) -> str:
        """The change as the council would make it, naming the mentor."""
        if self.kind == "place":
            return f"добавить одно место наставнику {_named(ctx, self.mentor, Case.DATIVE)}"
        if self.kind == "remote":
            with_mentor = _named(ctx, self.mentor, Case.INSTRUMENTAL)
            return f"разрешить дистанционный формат для пары с наставником {with_mentor}"
        if self.kind == "leave":
            return (
                f"попросить наставника {_named(ctx, self.mentor, Case.ACCUSATIVE)} (сейчас без нагрузки) "
                "взять одного наставляемого"
            )
        return f"снять исключение или запрет пары с наставником {_named(ctx, self.mentor, Case.INSTRUMENTAL)}"


@dataclass(frozen=True, slots=True)
class Context:
    """What diagnosis needs from the run."""

    problem: MatchingProblem
    mentees: MenteeBank
    mentors: MentorBank
    mentee_profiles: Profiles
    mentor_profiles: Profiles
    eligibility: Eligibility
    weights: ScoringWeights
    taxonomy: Taxonomy
    solve: Callable[[MatchingProblem], Assignment]
    matched_before: int
    load: npt.NDArray[np.int64] | None = None
    """Each mentor's load in the proposal (a group once); None: always solve again."""


def _with_pair(ctx: Context, i: int, j: int, remote_only: bool) -> MatchingProblem:
    """The problem with the pair (i, j) added as a candidate."""
    glob, cols = np.array([i], dtype=np.int64), np.array([j], dtype=np.int64)
    comps = pair_components(ctx.mentee_profiles, ctx.mentor_profiles, ctx.eligibility, glob, cols)
    in_person, _ = ctx.eligibility.formats(glob, cols)
    pairs = ctx.problem.pairs
    fmt = 1 if remote_only or not in_person[0] else 0
    added = PairTable(
        mentee_idx=np.concatenate([pairs.mentee_idx, glob.astype(np.int32)]),
        mentor_idx=np.concatenate([pairs.mentor_idx, cols.astype(np.int32)]),
        format=np.concatenate([pairs.format, np.array([fmt], dtype=np.int8)]),
        can_remote=np.concatenate([pairs.can_remote, np.array([True])]),
        score=np.concatenate([pairs.score, combine(comps, ctx.weights)]),
        components={n: np.concatenate([v, comps[n]]) for n, v in pairs.components.items()},
        allowed_per_mentee=pairs.allowed_per_mentee,
        cut_best=pairs.cut_best,
    )
    covers = ctx.mentee_profiles.topics[glob].multiply(ctx.mentor_profiles.topics[cols] > 0)
    return dataclasses.replace(
        ctx.problem,
        pairs=added,
        covers=sparse.vstack([ctx.problem.covers, sparse.csr_matrix(covers, dtype=np.float32)]).tocsr(),
        pinned=np.concatenate([ctx.problem.pinned, [True]]),
    )


def _with_place(ctx: Context, i: int, j: int) -> MatchingProblem:
    capacity = ctx.problem.capacity.copy()
    capacity[j] += 1
    pairs = ctx.problem.pairs
    pinned = ctx.problem.pinned | ((pairs.mentee_idx == i) & (pairs.mentor_idx == j))
    return dataclasses.replace(ctx.problem, capacity=capacity, pinned=pinned)


def _places(ctx: Context, i: int, problem: MatchingProblem) -> bool:
    chosen = ctx.solve(problem).chosen
    matched = np.unique(problem.pairs.mentee_idx[chosen])
    return bool(np.isin(i, matched)) and matched.size > ctx.matched_before


def _named(ctx: Context, j: int, case: Case) -> str:
    """The mentor as «Фамилия И. О.» in the case the sentence needs."""
    return surname_initials(decline_name(ctx.mentors.mentors[j].full_name, case))


def _same_level_first(ctx: Context, i: int, mentors: list[int]) -> list[int]:
    """The mentors who work at one of the mentee's levels of education, if there are any."""
    levels = set(ctx.mentees.mentees[i].levels)
    same = [j for j in mentors if levels & set(ctx.mentors.mentors[j].levels)]
    return same or mentors


def _ids(ctx: Context, mentors: list[int]) -> str:
    """At most five names, then «и ещё N»."""
    names = [surname_initials(ctx.mentors.mentors[j].full_name) for j in mentors[:NAMED]]
    more = f" и ещё {len(mentors) - NAMED}" if len(mentors) > NAMED else ""
    return ", ".join(names) + more


def _covering(ctx: Context, i: int) -> npt.NDArray[np.int64]:
    """Consenting mentors covering at least one of mentee i's difficulties, other than i."""
    row = ctx.mentee_profiles.topics[i]
    hits = np.asarray((ctx.mentor_profiles.topics @ row.T).todense()).ravel() > 0
    hits &= ctx.eligibility.mentor_consent
    if ctx.eligibility.self_mentor[i] >= 0:
        hits[ctx.eligibility.self_mentor[i]] = False
    return np.flatnonzero(hits)


def diagnose(ctx: Context, unmatched: Unmatched, i: int, verify: bool) -> Unmatched:
    """``unmatched`` with its precise reason, the mentors named, and the smallest fix."""
    if unmatched.reason is UnmatchedReason.NO_CONSENT:
        return unmatched
    covering = _covering(ctx, i)
    idx = np.full(covering.size, i, dtype=np.int64)
    in_person, remote = ctx.eligibility.formats(idx, covering)
    banned = ctx.eligibility.banned.contains(idx, covering)
    on_leave = ~ctx.eligibility.mentor_active[covering]
    pairs = ctx.problem.pairs
    candidates = pairs.mentor_idx[pairs.mentee_idx == i].astype(np.int64)
    full = [int(j) for j in candidates[np.argsort(-pairs.score[pairs.mentee_idx == i], kind="stable")]]
    no_format = [int(j) for j in covering[~(in_person | remote) & ~banned & ~on_leave]]
    leave = [int(j) for j in covering[on_leave & ~banned]]
    excluded = [int(j) for j in covering[banned]]
    changes = [
        *(_Change("place", j) for j in _same_level_first(ctx, i, full)),
        *(_Change("remote", j) for j in _same_level_first(ctx, i, no_format)),
        *(_Change("leave", j) for j in _same_level_first(ctx, i, leave)),
        *(_Change("lift", j) for j in _same_level_first(ctx, i, excluded)),
    ]
    reason, explanation = _reason(ctx, full, no_format, leave, excluded)
    if not changes:
        worst = max(ctx.mentees.mentees[i].difficulties.items(), key=lambda item: item[1])[0]
        levels = ", ".join(ctx.mentees.mentees[i].levels)
        recruit = f"привлечь наставника с компетенцией «{ctx.taxonomy[worst].label_ru}»" + (
            f" (уровень образования: {levels})" if levels else ""
        )
        return dataclasses.replace(unmatched, reason=reason, explanation=explanation, fix=recruit)
    tried: dict[str, int] = {}
    for change in changes:
        if tried.get(change.kind, 0) >= TRIES_PER_KIND:
            continue
        tried[change.kind] = tried.get(change.kind, 0) + 1
        if _room_left(ctx, change) or (verify and _places(ctx, i, _apply(ctx, i, change))):
            return dataclasses.replace(
                unmatched, reason=reason, explanation=explanation, fix=change.text_ru(ctx), fix_verified=True
            )
    return dataclasses.replace(unmatched, reason=reason, explanation=explanation, fix=changes[0].text_ru(ctx))


def _room_left(ctx: Context, change: _Change) -> bool:
    """Whether the proposal plus the pair the change opens keeps every rule: the mentee has no
    mentor yet, so only the mentor's load can stand in the way."""
    if ctx.load is None or change.mentor < 0:
        return False
    if change.kind in ("place", "leave"):
        return True
    return bool(ctx.load[change.mentor] < ctx.problem.capacity[change.mentor])


def _apply(ctx: Context, i: int, change: _Change) -> MatchingProblem:
    if change.kind == "place":
        return _with_place(ctx, i, change.mentor)
    problem = _with_pair(ctx, i, change.mentor, remote_only=change.kind == "remote")
    if change.kind == "leave":
        capacity = problem.capacity.copy()
        capacity[change.mentor] = max(capacity[change.mentor], 1)
        problem = dataclasses.replace(problem, capacity=capacity)
    return problem


def _reason(
    ctx: Context, full: list[int], no_format: list[int], leave: list[int], excluded: list[int]
) -> tuple[UnmatchedReason, str]:
    if full:
        return UnmatchedReason.CAPACITY_EXHAUSTED, f"все подходящие наставники заняты: {_ids(ctx, full)}"
    if no_format:
        return UnmatchedReason.FORMAT_MISMATCH, (
            "наставники, закрывающие затруднения, недоступны в приемлемом формате (очно — только в своей "
            f"организации, дистанционно — только по согласию обоих): {_ids(ctx, no_format)}"
        )
    if leave:
        return UnmatchedReason.CAPACITY_EXHAUSTED, (
            f"затруднения закрывают только наставники без нагрузки (0 мест): {_ids(ctx, leave)}"
        )
    if excluded:
        return UnmatchedReason.EXCLUDED, (
            "все наставники, закрывающие затруднения, исключены наставляемым или запрещены: "
            + _ids(ctx, excluded)
        )
    return UnmatchedReason.NO_COMPATIBLE_MENTOR, (
        "ни один наставник с согласием не закрывает ни одного затруднения этого педагога"
    )
