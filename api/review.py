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


@dataclass(frozen=True, slots=True)
class People:
    """The bank rows of the people a page of results names, and the institutions' full names."""

    mentees: Mapping[str, MenteeRow]
    mentors: Mapping[str, MentorRow]
    institutions: Mapping[str, str]

    @classmethod
    def load(cls, session: Session, mentee_ids: Iterable[str], mentor_ids: Iterable[str]) -> People:
        return cls(
            mentees=repository.people_by_id(session, MenteeRow, mentee_ids),
            mentors=repository.people_by_id(session, MentorRow, mentor_ids),
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

    def mentee(self, mentee_id: str) -> PersonSummary | None:
        return self._summary(self.mentees.get(mentee_id))

    def mentor(self, mentor_id: str) -> PersonSummary | None:
        return self._summary(self.mentors.get(mentor_id))

    def proposal(self, row: ProposalRow) -> ProposalPublic:
        public = ProposalPublic.model_validate(row)
        return public.model_copy(
            update={"mentee": self.mentee(row.mentee_id), "mentor": self.mentor(row.mentor_id)}
        )

    def unmatched(self, row: UnmatchedRow) -> UnmatchedPublic:
        public = UnmatchedPublic.model_validate(row)
        mentors = [summary for m in row.candidates if (summary := self.mentor(m)) is not None]
        return public.model_copy(update={"mentee": self.mentee(row.mentee_id), "candidate_mentors": mentors})

    def alternative(self, row: AlternativeRow) -> AlternativePublic:
        return AlternativePublic(
            rank=row.rank,
            mentor_id=row.alternative_mentor_id,
            mentor=self.mentor(row.alternative_mentor_id),
            score=row.score,
            free_places=row.free_places,
        )


def people_of_proposals(session: Session, rows: Sequence[ProposalRow]) -> People:
    return People.load(session, (p.mentee_id for p in rows), (p.mentor_id for p in rows))


def people_of_unmatched(session: Session, rows: Sequence[UnmatchedRow]) -> People:
    return People.load(session, (u.mentee_id for u in rows), (m for u in rows for m in u.candidates))


def proposal_public(session: Session, row: ProposalRow) -> ProposalPublic:
    return people_of_proposals(session, [row]).proposal(row)


def alternatives_public(session: Session, proposal: ProposalRow) -> list[AlternativePublic]:
    rows = run_records.alternatives_of(session, proposal)
    people = People.load(session, (), (a.alternative_mentor_id for a in rows))
    return [people.alternative(row) for row in rows]


def meeting_format(mentee: MenteeRow, mentor: MentorRow) -> str:
    """Rule 2: in person only inside one institution and when both accept it, else remote."""
    in_person = "in_person" in mentee.formats and "in_person" in mentor.formats
    return "in_person" if in_person and mentee.institution == mentor.institution else "remote"


def swap_in(session: Session, proposal: ProposalRow, body: SwapCreate, caller: Caller) -> SwapPublic:
    """Reject ``proposal`` and pin its mentee with one of its alternatives."""
    alternative = next(
        (
            a
            for a in run_records.alternatives_of(session, proposal)
            if a.alternative_mentor_id == body.mentor_id
        ),
        None,
    )
    if alternative is None:
        raise Unacceptable(f"Наставник {body.mentor_id} не входит в альтернативы этой пары")
    if alternative.free_places <= 0:
        raise Unacceptable(
            "У этого наставника нет свободных мест: сначала освободите место или выберите другого"
        )
    people = People.load(session, [proposal.mentee_id], [body.mentor_id])
    mentee, mentor = people.mentees.get(proposal.mentee_id), people.mentors.get(body.mentor_id)
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
