"""Programs in the service: start one from a proposal, extend it, end it, replace the mentor.

The rules are the library's (``matcher.programs``); a step the program's state does not allow
is a 409 with the library's Russian reason. A mentor's replacement ends the program early and
queues a run for that mentee alone in the mentee's institution (remote mentors of other
institutions come in the municipal pass of the yearly cycle), where the old pair is forbidden
because it ended early.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy.orm import Session

from api.access import Caller
from api.errors import Conflict
from api.mentoring_kinds import mentoring_kind_ru
from api.person_keys import qualified
from api.storage import program_records, repository, run_records
from api.storage.tables import MenteeRow, MentorRow, ProgramRow, ProposalRow, RunRow
from matcher.programs import (
    EndReason,
    ProgramStatus,
    ProgramTransitionError,
    Term,
    extend,
    finish,
    planned_term,
)

AGREED_STATUSES = frozenset({"approved", "pinned"})


@contextmanager
def _refused_as_conflict() -> Iterator[None]:
    try:
        yield
    except ProgramTransitionError as error:
        raise Conflict(error.message_ru) from None


def _kind(session: Session, proposal: ProposalRow) -> str:
    mentor = session.get(MentorRow, {"institution": proposal.mentor_institution, "id": proposal.mentor_id})
    mentee = session.get(MenteeRow, {"institution": proposal.mentee_institution, "id": proposal.mentee_id})
    if mentor is None or mentee is None:
        return "традиционная"
    return mentoring_kind_ru(
        proposal.format, grouped=bool(proposal.group_id), mentor=mentor, mentees=[mentee]
    )


def start_program(
    session: Session, proposal: ProposalRow, *, start: date, months: int, form: str, caller: Caller
) -> ProgramRow:
    """The program of an approved (or pinned) pair to which both participants agreed."""
    if proposal.status not in AGREED_STATUSES:
        raise Conflict("Программу открывают только по одобренной паре (для пары двух организаций — обеими)")
    if not (proposal.mentee_consent and proposal.mentor_consent):
        raise Conflict("Программу открывают, когда согласие дали и наставник, и наставляемый")
    if program_records.program_of_proposal(session, proposal.id) is not None:
        raise Conflict("По этой паре программа уже открыта")
    with _refused_as_conflict():
        term = planned_term(start, months)
    return program_records.create_program(
        session, proposal, term=term, form=form, kind=_kind(session, proposal), caller=caller
    )


def _term(program: ProgramRow) -> Term:
    return Term(program.start, program.planned_end)


def extend_program(
    session: Session, program: ProgramRow, *, until: date, comment: str, version: int, caller: Caller
) -> ProgramRow:
    with _refused_as_conflict():
        term = extend(ProgramStatus(program.status), _term(program), until)
    values = {"planned_end": term.planned_end, "status": ProgramStatus.EXTENDED.value}
    return program_records.change_program(
        session, program, version=version, values=values, action="extend", comment=comment, caller=caller
    )


def complete_program(
    session: Session, program: ProgramRow, *, on: date, comment: str, version: int, caller: Caller
) -> ProgramRow:
    with _refused_as_conflict():
        finish(ProgramStatus(program.status), _term(program), on)
    values = {"ended_on": on, "status": ProgramStatus.COMPLETED.value}
    return program_records.change_program(
        session, program, version=version, values=values, action="complete", comment=comment, caller=caller
    )


def end_program(
    session: Session,
    program: ProgramRow,
    *,
    reason: EndReason,
    on: date,
    comment: str,
    version: int,
    caller: Caller,
) -> ProgramRow:
    with _refused_as_conflict():
        finish(ProgramStatus(program.status), _term(program), on)
    values = {"ended_on": on, "status": ProgramStatus.ENDED_EARLY.value, "end_reason": reason.value}
    return program_records.change_program(
        session, program, version=version, values=values, action="end_early", comment=comment, caller=caller
    )


def replace_mentor(
    session: Session, program: ProgramRow, *, on: date, comment: str, version: int, caller: Caller
) -> tuple[ProgramRow, RunRow]:
    """End the program early on the mentee's petition and queue a run for that mentee alone."""
    ended = end_program(
        session, program, reason=EndReason.REPLACEMENT, on=on, comment=comment, version=version, caller=caller
    )
    if not repository.institution_exists(session, ended.mentee_institution):
        raise Conflict("Организация наставляемого не найдена: подбор нового наставника невозможен")
    run = run_records.create_run(
        session,
        scope="institution",
        institution=ended.mentee_institution,
        based_on=None,
        options={},
        caller=caller,
        mentees=[qualified(ended.mentee_institution, ended.mentee_id)],
    )
    return ended, run
