"""Supply and demand: which difficulty areas have more requests than mentors can cover, and where.

The regulations build the mentee bank first and then look for mentors "in accordance with the
list of requests" [003 roadmap 4.1–4.2; 004 roadmap 2–4]. This module compares, per institution
and for the municipality and per taxonomy area, the requests (mentees with that difficulty) with
the mentors who cover it and their places, after a run (or before one, with no proposals):

* **requests** — consenting mentees with the difficulty; **covered** — of them, those whose
  proposals cover it; **uncovered** — the rest; **waiting** — of those, the mentees who can still
  take a mentor (unmatched, or with fewer mentors than their «Максимум наставников»): the others
  have their mentor, and the area is left to another teacher of their school;
* **mentors**, **places** — consenting mentors of the institution with the competence and the
  places they had for the run (capacity less running programs); **free places** — what the run
  left them; **shortage** — requests beyond those places (a mentor's places count in every area
  the mentor covers, so it is the least shortage);
* **remote mentors**, **remote places** — consenting mentors of *other* institutions who accept
  remote meetings, cover the area and still have free places; **remote closable** — waiting
  requests of mentees who accept remote meetings that those places could take; **to recruit** —
  the waiting requests left after that: whom the curator should recruit.

It also lists the mentees left **unmatched for lack of a competence** (the run's diagnosis says
no mentor covers their difficulties, or only mentors they cannot meet), with the areas their own
institution has no mentor for and the remote mentors of other institutions who could take them.
Pure functions of ids and codes; names appear only where the results are written.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matcher.model import MeetingFormat, Mentee, Mentor, UnmatchedReason

MUNICIPALITY = ""
"""The ``institution`` of the municipality's rows (every institution together)."""
HELPERS_LISTED = 10
"""Remote mentors listed per lacking mentee (the most any reader names); the rest are counted: a
region's mentee may have thousands."""
LACK_OF_COMPETENCE = frozenset({UnmatchedReason.NO_COMPATIBLE_MENTOR, UnmatchedReason.FORMAT_MISMATCH})
"""Diagnoses that mean no mentor the mentee can meet has the competence."""


@dataclass(frozen=True, slots=True)
class Placed:
    """One proposed (or running) pair: what the balance needs of it."""

    mentee_id: str
    mentor_id: str
    covered: tuple[str, ...]
    group_id: str = ""


@dataclass(frozen=True, slots=True)
class AreaBalance:
    institution: str
    area: str
    requests: int
    covered: int
    waiting: int
    mentors: int
    places: int
    free_places: int
    remote_mentors: int
    remote_places: int
    remote_closable: int

    @property
    def uncovered(self) -> int:
        return self.requests - self.covered

    @property
    def shortage(self) -> int:
        return max(0, self.requests - self.places)

    @property
    def to_recruit(self) -> int:
        return self.waiting - self.remote_closable


@dataclass(frozen=True, slots=True)
class LackingMentee:
    """A mentee left unmatched because no mentor they can meet has the competence."""

    mentee_id: str
    institution: str
    reason: UnmatchedReason
    areas: tuple[str, ...]
    """Difficulties no mentor of the mentee's own institution covers (all of them when some do)."""
    accepts_remote: bool
    remote_mentors: tuple[str, ...]
    """The best ``HELPERS_LISTED`` of the mentors of other institutions who accept remote
    meetings, cover one of ``areas`` and have free places: those working at one of the mentee's
    education levels first, then the best covering."""
    remote_mentor_count: int
    """How many such mentors there are in all."""


@dataclass(frozen=True, slots=True)
class SupplyDemand:
    areas: tuple[AreaBalance, ...]
    lacking: tuple[LackingMentee, ...]

    def of(self, institution: str) -> SupplyDemand:
        """Only one institution's rows and mentees (``MUNICIPALITY`` for the municipality's rows)."""
        return SupplyDemand(
            tuple(a for a in self.areas if a.institution == institution),
            tuple(m for m in self.lacking if m.institution == institution),
        )


def mentor_load(placed: Iterable[Placed]) -> Counter[str]:
    """Places the pairs take: a pair one, a group once."""
    return Counter(
        mentor for mentor, _ in {(p.mentor_id, p.group_id or f"pair:{p.mentee_id}") for p in placed}
    )


def _remote(mentor: Mentor) -> bool:
    return MeetingFormat.REMOTE in mentor.formats


def _with_municipality(counts: dict[tuple[str, str], list[int]]) -> None:
    """Add to ``counts``, per area, the municipality's row: the sum of every institution's."""
    totals: dict[tuple[str, str], list[int]] = {}
    for (_, area), values in counts.items():
        total = totals.setdefault((MUNICIPALITY, area), [0] * len(values))
        for index, value in enumerate(values):
            total[index] += value
    counts.update(totals)


def balance(
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    placed: Sequence[Placed],
    unmatched: Mapping[str, UnmatchedReason],
) -> SupplyDemand:
    """Supply and demand after the pairs ``placed`` (empty: before a run).

    ``mentors`` carry the places they had for the run in ``capacity``; ``unmatched`` is the run's
    diagnosis of each mentee left without a mentor.
    """
    able = [m for m in mentors if m.consent and m.capacity > 0]
    load = mentor_load(placed)
    free = {m.id: max(0, m.capacity - load[m.id]) for m in able}
    covered_of: dict[str, set[str]] = defaultdict(set)
    mentors_of: dict[str, set[str]] = defaultdict(set)
    for p in placed:
        covered_of[p.mentee_id].update(p.covered)
        mentors_of[p.mentee_id].add(p.mentor_id)

    # per (institution, area): requests, covered, waiting, and waiting of those who accept remote
    demand: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for mentee in (m for m in mentees if m.consent):
        room = len(mentors_of[mentee.id]) < mentee.max_mentors
        remote = MeetingFormat.REMOTE in mentee.formats
        covered = covered_of.get(mentee.id, ())
        for area in mentee.difficulties:
            counts = demand[mentee.institution, area]
            counts[0] += 1
            if area in covered:
                counts[1] += 1
            elif room:
                counts[2] += 1
                counts[3] += remote
    # per (institution, area): mentors, places, free places, remote mentors, remote places
    supply: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for mentor in able:
        places, left = mentor.capacity, free[mentor.id]
        remote = _remote(mentor) and left > 0
        for area in mentor.competences:
            counts = supply[mentor.institution, area]
            counts[0] += 1
            counts[1] += places
            counts[2] += left
            if remote:
                counts[3] += 1
                counts[4] += left
    _with_municipality(demand)
    _with_municipality(supply)

    nothing = [0, 0, 0, 0, 0]
    rows = []
    for where, area in sorted(demand):
        requests, covered_count, waiting, remote_open = demand[where, area]
        mentors_count, places, free_places, remote_mentors, remote_places = supply.get((where, area), nothing)
        if where != MUNICIPALITY:  # only the remote mentors of other institutions
            everywhere = supply.get((MUNICIPALITY, area), nothing)
            remote_mentors, remote_places = everywhere[3] - remote_mentors, everywhere[4] - remote_places
        rows.append(
            AreaBalance(
                institution=where,
                area=area,
                requests=requests,
                covered=covered_count,
                waiting=waiting,
                mentors=mentors_count,
                places=places,
                free_places=free_places,
                remote_mentors=remote_mentors,
                remote_places=remote_places,
                remote_closable=min(remote_open, remote_places),
            )
        )
    return SupplyDemand(tuple(rows), tuple(_lacking(mentees, able, free, unmatched)))


class _RemoteHelpers:
    """The mentors who accept remote meetings and have free places, as arrays: per mentor its
    institution, its education levels as bits and its degree in every area, ordered by id."""

    def __init__(self, able: Sequence[Mentor], free: Mapping[str, int]) -> None:
        mentors = sorted((m for m in able if _remote(m) and free[m.id]), key=lambda m: m.id)
        self.ids = [m.id for m in mentors]
        self.position = {mentor_id: j for j, mentor_id in enumerate(self.ids)}
        institutions = {name: k for k, name in enumerate(sorted({m.institution for m in mentors}))}
        self.institutions = institutions
        self.institution = np.asarray([institutions[m.institution] for m in mentors], dtype=np.int64)
        self.level_bits: dict[str, int] = {}
        self.levels = np.asarray([self.bits(m.levels) for m in mentors], dtype=np.int64)
        self.areas = {area: k for k, area in enumerate(sorted({a for m in mentors for a in m.competences}))}
        self.degrees = np.zeros((len(mentors), len(self.areas)), dtype=np.int64)
        for j, mentor in enumerate(mentors):
            for area, degree in mentor.competences.items():
                self.degrees[j, self.areas[area]] = degree

    def bits(self, levels: Iterable[str]) -> int:
        return sum(1 << self.level_bits.setdefault(level, len(self.level_bits)) for level in set(levels))

    def best(self, mentee: Mentee, areas: Sequence[str]) -> tuple[tuple[str, ...], int]:
        """The best ``HELPERS_LISTED`` who could take ``mentee`` for ``areas`` (those at one of
        the mentee's levels first, then by the degrees in those areas, then by id), and how many
        could."""
        columns = [self.areas[a] for a in areas if a in self.areas]
        if not columns:
            return (), 0
        strength = self.degrees[:, columns].sum(axis=1)
        can = strength > 0
        own = self.institutions.get(mentee.institution)
        if own is not None:
            can &= self.institution != own
        for mentor_id in (*mentee.excluded_mentors, mentee.id):
            if (j := self.position.get(mentor_id)) is not None:
                can[j] = False
        rows = np.flatnonzero(can)
        other_level = (self.levels[rows] & self.bits(mentee.levels)) == 0
        order = np.lexsort((rows, -strength[rows], other_level))[:HELPERS_LISTED]  # rows: by id
        return tuple(self.ids[j] for j in rows[order].tolist()), int(rows.size)


def _lacking(
    mentees: Sequence[Mentee],
    able: Sequence[Mentor],
    free: Mapping[str, int],
    unmatched: Mapping[str, UnmatchedReason],
) -> Iterable[LackingMentee]:
    lacking = [m for m in mentees if unmatched.get(m.id) in LACK_OF_COMPETENCE]
    if not lacking:
        return
    own_areas: dict[str, set[str]] = defaultdict(set)
    for mentor in able:
        own_areas[mentor.institution].update(mentor.competences)
    helpers = _RemoteHelpers(able, free)
    for mentee in lacking:
        missing = tuple(a for a in mentee.difficulties if a not in own_areas[mentee.institution])
        areas = missing or tuple(mentee.difficulties)
        best, count = helpers.best(mentee, areas)
        yield LackingMentee(
            mentee_id=mentee.id,
            institution=mentee.institution,
            reason=unmatched[mentee.id],
            areas=areas,
            accepts_remote=MeetingFormat.REMOTE in mentee.formats,
            remote_mentors=best,
            remote_mentor_count=count,
        )
