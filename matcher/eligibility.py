"""The hard rules that decide whether a mentee–mentor pair may exist at all.

A pair is allowed when both consented, the mentor has room (capacity > 0), the mentee did not
exclude the mentor and the council did not forbid the pair, they are not the same person, the
mentor covers at least one of the mentee's difficulties (checked in ``scoring``, where the
coverage product is formed), and a meeting format fits (contract rule 2): in person only inside
one institution and if both accept it, otherwise remote if both accept that.

Everything here is arrays over bank positions; pairs are tested in bulk, never one by one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.identity import same_people, self_mentor_index
from matcher.model import Decisions, MeetingFormat, MenteeBank, MentorBank, Person

IN_PERSON_BIT = np.int8(1)
REMOTE_BIT = np.int8(2)
FORMAT_CODES: tuple[MeetingFormat, MeetingFormat] = (MeetingFormat.IN_PERSON, MeetingFormat.REMOTE)
"""``PairTable.format`` holds 0 for in person, 1 for remote."""

Index = npt.NDArray[np.int64]


def _format_bits(people: Sequence[Person]) -> npt.NDArray[np.int8]:
    return np.fromiter(
        (
            (IN_PERSON_BIT if MeetingFormat.IN_PERSON in p.formats else 0)
            | (REMOTE_BIT if MeetingFormat.REMOTE in p.formats else 0)
            for p in people
        ),
        dtype=np.int8,
        count=len(people),
    )


@dataclass(frozen=True, slots=True)
class PairKeys:
    """A set of (mentee position, mentor position) pairs as sorted int64 keys."""

    keys: Index
    n_mentors: int

    @classmethod
    def build(cls, pairs: Iterable[tuple[int, int]], n_mentors: int) -> PairKeys:
        keys = np.fromiter((i * n_mentors + j for i, j in pairs), dtype=np.int64)
        return cls(np.unique(keys), n_mentors)

    def contains(self, mentee_idx: Index, mentor_idx: Index) -> npt.NDArray[np.bool_]:
        if self.keys.size == 0:
            return np.zeros(mentee_idx.shape, dtype=bool)
        query = mentee_idx.astype(np.int64) * self.n_mentors + mentor_idx
        pos = np.minimum(np.searchsorted(self.keys, query), self.keys.size - 1)
        return np.asarray(self.keys[pos] == query)

    def pairs(self) -> tuple[Index, Index]:
        return self.keys // self.n_mentors, self.keys % self.n_mentors


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The banks reduced to what the hard rules need, by position."""

    mentee_institution: Index
    mentor_institution: Index
    mentee_formats: npt.NDArray[np.int8]
    mentor_formats: npt.NDArray[np.int8]
    mentee_active: npt.NDArray[np.bool_]
    mentor_consent: npt.NDArray[np.bool_]
    mentor_active: npt.NDArray[np.bool_]
    """Consented and has room (capacity > 0)."""
    self_mentor: Index
    """For each mentee, the position of the same person in the mentors' bank, or -1."""
    under_two_ids: tuple[tuple[int, int], ...]
    """(mentee, mentor) positions of one person entered under two ids (``identity.same_people``)."""
    banned: PairKeys
    preferred: PairKeys
    pinned: PairKeys
    previous: PairKeys

    @classmethod
    def build(cls, mentees: MenteeBank, mentors: MentorBank, decisions: Decisions) -> Eligibility:
        institutions: dict[str, int] = {}
        mentee_inst = [institutions.setdefault(m.institution, len(institutions)) for m in mentees.mentees]
        mentor_inst = [institutions.setdefault(m.institution, len(institutions)) for m in mentors.mentors]
        mentor_pos = {m.id: j for j, m in enumerate(mentors.mentors)}
        mentee_pos = {m.id: i for i, m in enumerate(mentees.mentees)}
        n = len(mentors)

        def keys(pairs: Iterable[tuple[str, str]]) -> PairKeys:
            known = ((mentee_pos.get(a), mentor_pos.get(b)) for a, b in pairs)
            return PairKeys.build(((i, j) for i, j in known if i is not None and j is not None), n)

        excluded = ((m.id, ex) for m in mentees.mentees for ex in m.excluded_mentors)
        preferred = ((m.id, pr) for m in mentees.mentees for pr in m.preferred_mentors)
        consent = np.fromiter((m.consent for m in mentors.mentors), dtype=bool, count=n)
        under_two_ids = same_people(mentees, mentors)
        capacity = np.fromiter((m.capacity for m in mentors.mentors), dtype=np.int64, count=n)
        return cls(
            mentee_institution=np.asarray(mentee_inst, dtype=np.int64),
            mentor_institution=np.asarray(mentor_inst, dtype=np.int64),
            mentee_formats=_format_bits(mentees.mentees),
            mentor_formats=_format_bits(mentors.mentors),
            mentee_active=np.fromiter((m.consent for m in mentees.mentees), dtype=bool, count=len(mentees)),
            mentor_consent=consent,
            mentor_active=consent & (capacity > 0),
            self_mentor=np.asarray(self_mentor_index(mentees, mentors, under_two_ids), dtype=np.int64),
            under_two_ids=tuple(under_two_ids),
            banned=keys([*excluded, *decisions.forbidden]),
            preferred=keys(preferred),
            pinned=keys(decisions.pinned),
            previous=keys(decisions.previous),
        )

    def formats(
        self, mentee_idx: Index, mentor_idx: Index
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """Whether each pair may meet in person, and whether it may meet remotely (rule 2)."""
        same = self.mentee_institution[mentee_idx] == self.mentor_institution[mentor_idx]
        shared = self.mentee_formats[mentee_idx] & self.mentor_formats[mentor_idx]
        return same & ((shared & IN_PERSON_BIT) != 0), (shared & REMOTE_BIT) != 0

    def allowed(
        self, mentee_idx: Index, mentor_idx: Index
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """Rules 1, 2 and 5 plus forbidden pairs, for pairs that already cover a difficulty.

        Returns the allowed mask and, per pair, whether it may meet in person and remotely.
        """
        in_person, remote = self.formats(mentee_idx, mentor_idx)
        ok = (
            (in_person | remote)
            & self.mentee_active[mentee_idx]
            & self.mentor_active[mentor_idx]
            & (self.self_mentor[mentee_idx] != mentor_idx)
            & ~self.banned.contains(mentee_idx, mentor_idx)
        )
        return ok, in_person, remote
