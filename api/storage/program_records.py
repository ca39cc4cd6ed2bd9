"""Mentoring programs: made from an approved, agreed proposal, then extended or ended.

A program is within the scope of its mentee's and its mentor's institutions, like the proposal
it came from. Every change names the version it saw (``StaleVersionError`` otherwise) and goes
to the audit log with who and when. The lifecycle's rules are ``matcher.programs``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, or_, select, true, update
from sqlalchemy.orm import Session

from api.access import Caller
from api.errors import Conflict
from api.person_keys import EVERYBODY, RunKeys, qualified
from api.storage.repository import Page, audit, page
from api.storage.tables import ProgramRow, ProposalRow, utcnow
from matcher.heavy_years import ProgramSpan
from matcher.programs import ProgramStatus, RunningProgram, Term, school_year

RUNNING = (ProgramStatus.ACTIVE.value, ProgramStatus.EXTENDED.value)


def program_in(scope: str | None) -> ColumnElement[bool]:
    if scope is None:
        return true()
    return or_(ProgramRow.mentee_institution == scope, ProgramRow.mentor_institution == scope)


def create_program(
    session: Session, proposal: ProposalRow, *, term: Term, form: str, kind: str, caller: Caller
) -> ProgramRow:
    now = utcnow()
    program = ProgramRow(
        proposal_id=proposal.id,
        mentee_id=proposal.mentee_id,
        mentor_id=proposal.mentor_id,
        mentee_institution=proposal.mentee_institution or "",
        mentor_institution=proposal.mentor_institution or "",
        group_id=proposal.group_id,
        format=proposal.format,
        form=form,
        kind=kind,
        covered=list(proposal.covered),
        year=school_year(term.start),
        start=term.start,
        planned_end=term.planned_end,
        status=ProgramStatus.ACTIVE.value,
        end_reason="",
        comment="",
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(program)
    session.flush()
    _audit(session, program, caller, "start", {"proposal_id": proposal.id, "start": term.start.isoformat()})
    session.commit()
    return program


def program_of_proposal(session: Session, proposal_id: int) -> ProgramRow | None:
    return session.scalar(select(ProgramRow).where(ProgramRow.proposal_id == proposal_id))


def get_program(session: Session, program_id: int, *, scope: str | None) -> ProgramRow | None:
    return session.scalar(select(ProgramRow).where(ProgramRow.id == program_id, program_in(scope)))


def list_programs(
    session: Session,
    *,
    scope: str | None,
    status: str | None,
    year: str | None,
    institution: str | None,
    limit: int,
    offset: int,
) -> Page[ProgramRow]:
    query = select(ProgramRow).where(program_in(scope))
    if status is not None:
        query = query.where(ProgramRow.status == status)
    if year is not None:
        query = query.where(ProgramRow.year == year)
    if institution is not None:
        query = query.where(program_in(institution))
    return page(session, query.order_by(ProgramRow.id), limit=limit, offset=offset)


def programs_of(session: Session, *, scope: str | None = None) -> list[ProgramRow]:
    return list(session.scalars(select(ProgramRow).where(program_in(scope)).order_by(ProgramRow.id)))


def running(
    session: Session, keys: RunKeys = EVERYBODY, *, besides: Collection[int] = ()
) -> list[RunningProgram]:
    """Programs that occupy their mentors (active or extended), for the next run, their people
    named as the run names them (``RunKeys``; by default qualified ids); none opened from the
    proposals ``besides`` (left out here, not in the statement: a region's run has more
    proposals than SQLite takes parameters)."""
    rows = session.execute(
        select(
            ProgramRow.mentee_institution,
            ProgramRow.mentee_id,
            ProgramRow.mentor_institution,
            ProgramRow.mentor_id,
            ProgramRow.group_id,
            ProgramRow.proposal_id,
        ).where(ProgramRow.status.in_(RUNNING))
    )
    return [
        RunningProgram(keys.key(mentee_at, mentee), keys.key(mentor_at, mentor), group)
        for mentee_at, mentee, mentor_at, mentor, group, proposal in rows
        if proposal is None or proposal not in besides
    ]


def people_in_running_programs(
    session: Session, *, mentors: bool, institutions: Collection[str]
) -> set[tuple[str, str]]:
    """The (institution, id) of the mentors (else mentees) of these institutions who are in an
    active or extended program."""
    if not institutions:
        return set()
    at, person = (
        (ProgramRow.mentor_institution, ProgramRow.mentor_id)
        if mentors
        else (ProgramRow.mentee_institution, ProgramRow.mentee_id)
    )
    query = select(at, person).where(ProgramRow.status.in_(RUNNING), at.in_(sorted(institutions)))
    return {(institution, person_id) for institution, person_id in session.execute(query)}


def spans(session: Session) -> list[ProgramSpan]:
    """Every program's mentor, mentee and days (for the heavy years, ``matcher.heavy_years``)."""
    rows = session.execute(
        select(
            ProgramRow.mentor_institution,
            ProgramRow.mentor_id,
            ProgramRow.mentee_institution,
            ProgramRow.mentee_id,
            ProgramRow.start,
            ProgramRow.ended_on,
            ProgramRow.planned_end,
        )
    )
    return [
        ProgramSpan(qualified(mentor_at, mentor), qualified(mentee_at, mentee), start, ended or planned)
        for mentor_at, mentor, mentee_at, mentee, start, ended, planned in rows
    ]


def ended_early_pairs(session: Session, keys: RunKeys = EVERYBODY) -> set[tuple[str, str]]:
    """Pairs whose program ended early: never proposed again (named as the run names them)."""
    query = select(
        ProgramRow.mentee_institution,
        ProgramRow.mentee_id,
        ProgramRow.mentor_institution,
        ProgramRow.mentor_id,
    ).where(ProgramRow.status == ProgramStatus.ENDED_EARLY.value)
    return {
        (keys.key(mentee_at, mentee), keys.key(mentor_at, mentor))
        for mentee_at, mentee, mentor_at, mentor in session.execute(query)
    }


def change_program(
    session: Session,
    program: ProgramRow,
    *,
    version: int,
    values: dict[str, Any],
    action: str,
    comment: str,
    caller: Caller,
) -> ProgramRow:
    """Apply a lifecycle step if ``version`` is still current, and audit it."""
    bumped = session.execute(
        update(ProgramRow)
        .where(ProgramRow.id == program.id, ProgramRow.version == version)
        .values(**values, comment=comment, version=version + 1, updated_at=utcnow())
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        session.refresh(program)
        raise Conflict(
            f"Программа {program.id} уже изменена (текущая версия {program.version}); обновите её и повторите"
        )
    detail = {key: value.isoformat() if isinstance(value, date) else value for key, value in values.items()}
    _audit(session, program, caller, action, detail | {"comment": comment, "version": version + 1})
    session.commit()
    session.refresh(program)
    return program


def close_finished(
    session: Session, *, on: date, caller: Caller, ids: Iterable[int] | None = None
) -> list[int]:
    """Programs whose planned end is before ``on`` are completed (the yearly cycle does this)."""
    query = select(ProgramRow).where(ProgramRow.status.in_(RUNNING), ProgramRow.planned_end < on)
    if ids is not None:
        query = query.where(ProgramRow.id.in_(list(ids)))
    closed = []
    for program in session.scalars(query):
        program.status = ProgramStatus.COMPLETED.value
        program.ended_on = program.planned_end
        program.version += 1
        program.updated_at = utcnow()
        _audit(session, program, caller, "complete", {"ended_on": program.planned_end.isoformat()})
        closed.append(program.id)
    session.commit()
    return closed


def _audit(
    session: Session, program: ProgramRow, caller: Caller, action: str, detail: dict[str, Any]
) -> None:
    audit(
        session,
        caller,
        action=action,
        entity="program",
        entity_id=str(program.id),
        institution=caller.scope or program.mentee_institution,
        detail={"mentee_id": program.mentee_id, "mentor_id": program.mentor_id, **detail},
    )
