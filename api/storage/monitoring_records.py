"""Questionnaires and yearly targets as the service stores them, and the records the indicators
are computed from (``matcher.monitoring``), read within the caller's scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.access import Caller
from api.storage.program_records import program_in
from api.storage.repository import audit
from api.storage.tables import (
    MenteeRow,
    MonitoringTargetsRow,
    ProgramRow,
    QuestionnaireRow,
    utcnow,
)
from matcher.monitoring import Answer, MenteeRecord, ProgramRecord, Targets, default_targets
from matcher.programs import ProgramStatus
from matcher.questionnaires import Party, Questionnaire


@dataclass(frozen=True, slots=True)
class Written:
    created: list[int]
    updated: list[int]


def save_questionnaires(
    session: Session,
    items: Sequence[tuple[ProgramRow, Questionnaire]],
    *,
    source: str,
    caller: Caller,
) -> Written:
    """Write each questionnaire (replacing the party's earlier one for the program) in one
    transaction, and audit it by program id and counts only."""
    created: list[int] = []
    updated: list[int] = []
    for program, questionnaire in items:
        party = questionnaire.party
        row = session.scalar(
            select(QuestionnaireRow).where(
                QuestionnaireRow.program_id == program.id, QuestionnaireRow.party == party.value
            )
        )
        if row is None:
            row = QuestionnaireRow(program_id=program.id, party=party.value, created_by=caller.user_id)
            session.add(row)
            created.append(program.id)
        else:
            updated.append(program.id)
        row.institution = program.mentee_institution if party is Party.MENTEE else program.mentor_institution
        row.satisfaction = questionnaire.satisfaction
        row.scales = dict(questionnaire.scales)
        row.overcome = list(questionnaire.overcome)
        row.partly = list(questionnaire.partly)
        row.not_overcome = list(questionnaire.not_overcome)
        row.future = questionnaire.future.value if questionnaire.future else ""
        row.answers = dict(questionnaire.answers)
        row.source = source
        row.updated_at = utcnow()
        audit(
            session,
            caller,
            action="questionnaire",
            entity="program",
            entity_id=str(program.id),
            institution=row.institution,
            detail={"party": party.value, "source": "api" if source == "api" else "file"},
        )
    session.commit()
    return Written(created, updated)


def questionnaires_of(session: Session, program_id: int) -> list[QuestionnaireRow]:
    query = select(QuestionnaireRow).where(QuestionnaireRow.program_id == program_id)
    return list(session.scalars(query.order_by(QuestionnaireRow.party)))


def targets(session: Session, year: str) -> Targets:
    """The targets set for ``year``, or 003's defaults."""
    row = session.get(MonitoringTargetsRow, year)
    if row is None:
        return default_targets(year)
    return Targets(row.young_specialists, row.mentee_satisfaction, row.mentor_satisfaction, row.completed)


def set_targets(session: Session, year: str, values: Targets, *, caller: Caller) -> Targets:
    row = session.get(MonitoringTargetsRow, year)
    if row is None:
        row = MonitoringTargetsRow(year=year)
        session.add(row)
    for name, value in asdict(values).items():
        setattr(row, name, value)
    row.updated_by = caller.user_id
    row.updated_at = utcnow()
    audit(
        session,
        caller,
        action="targets",
        entity="monitoring",
        entity_id=year,
        institution=None,
        detail=asdict(values),
    )
    session.commit()
    return values


def mentees(session: Session, scope: str | None) -> list[MenteeRecord]:
    query = select(MenteeRow.id, MenteeRow.institution, MenteeRow.experience_years, MenteeRow.category)
    if scope is not None:
        query = query.where(MenteeRow.institution == scope)
    return [MenteeRecord(*row) for row in session.execute(query)]


def programs(session: Session, scope: str | None) -> list[ProgramRecord]:
    query = select(
        ProgramRow.id,
        ProgramRow.mentee_id,
        ProgramRow.mentee_institution,
        ProgramRow.mentor_institution,
        ProgramRow.start,
        ProgramRow.planned_end,
        ProgramRow.ended_on,
        ProgramRow.status,
    ).where(program_in(scope))
    return [
        ProgramRecord(pid, mentee, mentee_at, mentor_at, start, planned, ended, ProgramStatus(status))
        for pid, mentee, mentee_at, mentor_at, start, planned, ended, status in session.execute(query)
    ]


def answers(session: Session, scope: str | None) -> list[Answer]:
    query = select(
        QuestionnaireRow.program_id,
        QuestionnaireRow.party,
        QuestionnaireRow.satisfaction,
        QuestionnaireRow.overcome,
        QuestionnaireRow.partly,
        QuestionnaireRow.not_overcome,
    ).join(ProgramRow, ProgramRow.id == QuestionnaireRow.program_id)
    if scope is not None:
        query = query.where(or_(QuestionnaireRow.institution == scope, program_in(scope)))
    return [
        Answer(pid, Party(party), satisfaction, len(overcome), len(partly), len(not_overcome))
        for pid, party, satisfaction, overcome, partly, not_overcome in session.execute(query)
    ]


def institutions_with_data(session: Session) -> set[str]:
    """Institutions that have mentees or programs: the rows of the municipality's report."""
    found = set(session.scalars(select(MenteeRow.institution).distinct()))
    for mentee_at, mentor_at in session.execute(
        select(ProgramRow.mentee_institution, ProgramRow.mentor_institution).distinct()
    ):
        found.update((mentee_at, mentor_at))
    return {code for code in found if code}
