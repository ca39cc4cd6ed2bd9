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

from matcher.model import MeetingFormat, Mentee, Mentor, UnmatchedReason

MUNICIPALITY = ""
"""The ``institution`` of the municipality's rows (every institution together)."""
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
    """Mentors of other institutions who accept remote meetings, cover one of ``areas`` and have
    free places: those working at one of the mentee's education levels first, then the best
    covering."""


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

    requests: Counter[tuple[str, str]] = Counter()
    covered: Counter[tuple[str, str]] = Counter()
    waiting: Counter[tuple[str, str]] = Counter()
    remote_open: Counter[tuple[str, str]] = Counter()  # waiting requests of mentees who accept remote
    for mentee in (m for m in mentees if m.consent):
        room = len(mentors_of[mentee.id]) < mentee.max_mentors
        for area in mentee.difficulties:
            for where in (mentee.institution, MUNICIPALITY):
                requests[where, area] += 1
                if area in covered_of[mentee.id]:
                    covered[where, area] += 1
                elif room:
                    waiting[where, area] += 1
                    if MeetingFormat.REMOTE in mentee.formats:
                        remote_open[where, area] += 1

    supply: dict[str, Counter[tuple[str, str]]] = {
        name: Counter() for name in ("mentors", "places", "free", "remote_mentors", "remote_places")
    }
    for mentor in able:
        for area in mentor.competences:
            for where in (mentor.institution, MUNICIPALITY):
                supply["mentors"][where, area] += 1
                supply["places"][where, area] += mentor.capacity
                supply["free"][where, area] += free[mentor.id]
                if _remote(mentor) and free[mentor.id]:
                    supply["remote_mentors"][where, area] += 1
                    supply["remote_places"][where, area] += free[mentor.id]

    rows = []
    for where, area in sorted(requests):
        if where == MUNICIPALITY:  # every remote mentor with free places may help
            remote_mentors = supply["remote_mentors"][where, area]
            remote_places = supply["remote_places"][where, area]
        else:  # only those of other institutions
            remote_mentors = (
                supply["remote_mentors"][MUNICIPALITY, area] - supply["remote_mentors"][where, area]
            )
            remote_places = supply["remote_places"][MUNICIPALITY, area] - supply["remote_places"][where, area]
        rows.append(
            AreaBalance(
                institution=where,
                area=area,
                requests=requests[where, area],
                covered=covered[where, area],
                waiting=waiting[where, area],
                mentors=supply["mentors"][where, area],
                places=supply["places"][where, area],
                free_places=supply["free"][where, area],
                remote_mentors=remote_mentors,
                remote_places=remote_places,
                remote_closable=min(remote_open[where, area], remote_places),
            )
        )
    return SupplyDemand(tuple(rows), tuple(_lacking(mentees, able, free, unmatched)))


def _lacking(
    mentees: Sequence[Mentee],
    able: Sequence[Mentor],
    free: Mapping[str, int],
    unmatched: Mapping[str, UnmatchedReason],
) -> Iterable[LackingMentee]:
    own_areas: dict[str, set[str]] = defaultdict(set)
    for mentor in able:
        own_areas[mentor.institution].update(mentor.competences)
    for mentee in mentees:
        reason = unmatched.get(mentee.id)
        if reason not in LACK_OF_COMPETENCE:
            continue
        assert reason is not None
        missing = tuple(a for a in mentee.difficulties if a not in own_areas[mentee.institution])
        areas = missing or tuple(mentee.difficulties)
        helpers = sorted(
            (
                m
                for m in able
                if m.institution != mentee.institution
                and _remote(m)
                and free[m.id]
                and m.id not in mentee.excluded_mentors
                and m.id != mentee.id
                and any(a in m.competences for a in areas)
            ),
            key=lambda m: (
                not set(m.levels) & set(mentee.levels),
                -sum(m.competences.get(a, 0) for a in areas),
                m.id,
            ),
        )
        yield LackingMentee(
            mentee_id=mentee.id,
            institution=mentee.institution,
            reason=reason,
            areas=areas,
            accepts_remote=MeetingFormat.REMOTE in mentee.formats,
            remote_mentors=tuple(m.id for m in helpers),
        )
