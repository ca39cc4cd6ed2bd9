"""What a reviewer reads of a run: proposals, alternatives and the unmatched with each person's
summary (ФИО, position, institution), for the API and the council's page alike.

A summary holds only what a pair needs, whichever institution the person is from; a person whose
data was erased has none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.access import Caller
from api.errors import Unacceptable
from api.person_keys import split
from api.schemas import (
    AlternativePublic,
    PersonSummary,
    ProposalPublic,
    SwapCreate,
    SwapPublic,
    UnmatchedPublic,
)
from api.storage import repository, run_records
from api.storage.tables import AlternativeRow, MenteeRow, MentorRow, ProposalRow, UnmatchedRow

Key = tuple[str | None, str]
"""A person's (institution, id); the institution is None only on rows older than the pool."""


@dataclass(frozen=True, slots=True)
class People:
    """The bank rows of the people a page of results names, and the institutions' full names."""

    mentees: Mapping[tuple[str, str], MenteeRow]
    mentors: Mapping[tuple[str, str], MentorRow]
    institutions: Mapping[str, str]

    @classmethod
    def load(cls, session: Session, mentees: Iterable[Key], mentors: Iterable[Key]) -> People:
        """The people named by (institution, id)."""
        return cls(
            mentees=repository.people_by_key(session, MenteeRow, mentees),
            mentors=repository.people_by_key(session, MentorRow, mentors),
            institutions=repository.institution_names(session),
        )

    def _summary(self, person: MenteeRow | MentorRow | None) -> PersonSummary | None:
        if person is None:
            return None
        return PersonSummary(
            id=person.id,
            full_name=person.full_name,
            position=person.position,
            institution=person.institution,
            institution_name=self.institutions.get(person.institution, person.institution),
        )

    def mentee(self, institution: str | None, mentee_id: str) -> PersonSummary | None:
        return None if institution is None else self._summary(self.mentees.get((institution, mentee_id)))

    def mentor(self, institution: str | None, mentor_id: str) -> PersonSummary | None:
        return None if institution is None else self._summary(self.mentors.get((institution, mentor_id)))

    def proposal(self, row: ProposalRow) -> ProposalPublic:
        public = ProposalPublic.model_validate(row)
        return public.model_copy(
            update={
                "mentee": self.mentee(row.mentee_institution, row.mentee_id),
                "mentor": self.mentor(row.mentor_institution, row.mentor_id),
            }
        )

    def unmatched(self, row: UnmatchedRow) -> UnmatchedPublic:
        candidates = [split(key) for key in row.candidates]
        public = UnmatchedPublic.model_validate(row).model_copy(
            update={"candidates": [person_id for _, person_id in candidates]}
        )
        mentors = [summary for key in candidates if (summary := self.mentor(*key)) is not None]
        return public.model_copy(
            update={"mentee": self.mentee(row.institution, row.mentee_id), "candidate_mentors": mentors}
        )

    def alternative(self, row: AlternativeRow) -> AlternativePublic:
        return AlternativePublic(
            rank=row.rank,
            mentor_id=row.alternative_mentor_id,
            mentor=self.mentor(row.alternative_mentor_institution, row.alternative_mentor_id),
            score=row.score,
            free_places=row.free_places,
        )


def proposal_people(rows: Iterable[ProposalRow]) -> tuple[list[Key], list[Key]]:
    """(institution, id) of the mentees and of the mentors of these proposals."""
    listed = list(rows)
    return (
        [(p.mentee_institution, p.mentee_id) for p in listed],
        [(p.mentor_institution, p.mentor_id) for p in listed],
    )


def people_of_proposals(session: Session, rows: Sequence[ProposalRow]) -> People:
    return People.load(session, *proposal_people(rows))


def people_of_unmatched(session: Session, rows: Sequence[UnmatchedRow]) -> People:
    return People.load(
        session, ((u.institution, u.mentee_id) for u in rows), (split(m) for u in rows for m in u.candidates)
    )


def proposal_public(session: Session, row: ProposalRow) -> ProposalPublic:
    return people_of_proposals(session, [row]).proposal(row)


def alternatives_public(session: Session, proposal: ProposalRow) -> list[AlternativePublic]:
    rows = run_records.alternatives_of(session, proposal)
    people = People.load(
        session, (), ((a.alternative_mentor_institution, a.alternative_mentor_id) for a in rows)
    )
    return [people.alternative(row) for row in rows]


def meeting_format(mentee: MenteeRow, mentor: MentorRow) -> str:
    """Rule 2: in person only inside one institution and when both accept it, else remote."""
    in_person = "in_person" in mentee.formats and "in_person" in mentor.formats
    return "in_person" if in_person and mentee.institution == mentor.institution else "remote"


def swap_in(session: Session, proposal: ProposalRow, body: SwapCreate, caller: Caller) -> SwapPublic:
    """Reject ``proposal`` and pin its mentee with one of its alternatives."""
    found = [
        a
        for a in run_records.alternatives_of(session, proposal)
        if a.alternative_mentor_id == body.mentor_id
        and body.mentor_institution in (None, a.alternative_mentor_institution)
    ]
    if not found:
        raise Unacceptable(f"Наставник {body.mentor_id} не входит в альтернативы этой пары")
    if len(found) > 1:
        raise Unacceptable(
            f"Наставник {body.mentor_id} есть среди альтернатив нескольких организаций: "
            "укажите mentor_institution"
        )
    alternative = found[0]
    if alternative.free_places <= 0:
        raise Unacceptable(
            "У этого наставника нет свободных мест: сначала освободите место или выберите другого"
        )
    mentee_key = (proposal.mentee_institution, proposal.mentee_id)
    mentor_key = (alternative.alternative_mentor_institution, alternative.alternative_mentor_id)
    people = People.load(session, [mentee_key], [mentor_key])
    mentee = None if mentee_key[0] is None else people.mentees.get((mentee_key[0], mentee_key[1]))
    mentor = None if mentor_key[0] is None else people.mentors.get((mentor_key[0], mentor_key[1]))
    if mentee is None or mentor is None:
        raise Unacceptable("Данные наставника или наставляемого удалены: замена невозможна")
    pinned = run_records.swap_in(
        session,
        proposal,
        alternative=alternative,
        mentor_institution=mentor.institution,
        meeting_format=meeting_format(mentee, mentor),
        comment=body.comment,
        version=body.version,
        caller=caller,
    )
    people = people_of_proposals(session, [proposal, pinned])
    return SwapPublic(rejected=people.proposal(proposal), pinned=people.proposal(pinned))
