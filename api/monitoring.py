"""Monitoring in the service: questionnaires in (one by one or a whole file), indicators out.

An intake file is read and validated by the library exactly as the banks are (``read_table``
with the questionnaire's kind, then ``matcher.questionnaires``); then every row is checked
against the database — the program exists within the caller's scope, the party's institution
is the caller's (an institution records its own participant's questionnaire, as with consent;
the municipal role any), the ФИО, when given, is the participant's — and the file is written
whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from api.access import Caller
from api.errors import Forbidden, NotFound, Unacceptable
from api.monitoring_schemas import QuestionnaireCreate
from api.storage import monitoring_records, program_records, repository
from api.storage.tables import MenteeRow, MentorRow, ProgramRow
from matcher.errors import CellProblem, InputError
from matcher.institutions import InstitutionRegistry
from matcher.monitoring import Monitoring, indicators
from matcher.programs import year_bounds
from matcher.questionnaires import (
    OPEN_QUESTIONS,
    OUTCOMES,
    SCALES,
    Future,
    Party,
    Questionnaire,
    QuestionnaireTable,
    difficulty_codes,
    validate_questionnaires,
)
from matcher.reading import read_table
from matcher.taxonomy import Taxonomy, normalise_term

PARTICIPANT_RU = {Party.MENTEE: "наставляемый", Party.MENTOR: "наставник"}


@dataclass(frozen=True, slots=True)
class ImportedQuestionnaires:
    file: str
    created: list[int]
    updated: list[int]
    left_aside: tuple[str, ...]


def participant_institution(program: ProgramRow, party: Party) -> str:
    return program.mentee_institution if party is Party.MENTEE else program.mentor_institution


def refusal(program: ProgramRow, party: Party, caller: Caller) -> str | None:
    """Why ``caller`` may not record ``party``'s questionnaire of ``program`` (None: it may)."""
    if caller.scope is not None and participant_institution(program, party) != caller.scope:
        return f"анкету {party.label_ru} из другой организации вносит его организация"
    return None


def _same_name(written: str, stored: str) -> bool:
    return normalise_term(written).replace("ё", "е") == normalise_term(stored).replace("ё", "е")


def import_questionnaires(
    session: Session, *, party: Party, data: bytes, filename: str, caller: Caller, taxonomy: Taxonomy
) -> ImportedQuestionnaires:
    table = read_table(data, name=filename, kind=party.kind)  # type: ignore[arg-type]
    intake = validate_questionnaires(table, party, taxonomy)
    items = _checked(session, intake, caller)
    written = monitoring_records.save_questionnaires(session, items, source=intake.file, caller=caller)
    return ImportedQuestionnaires(intake.file, written.created, written.updated, intake.left_aside)


def _checked(
    session: Session, intake: QuestionnaireTable, caller: Caller
) -> list[tuple[ProgramRow, Questionnaire]]:
    party = intake.party
    problems: list[CellProblem] = []
    items: list[tuple[ProgramRow, Questionnaire]] = []
    for number, questionnaire in zip(intake.rows, intake.questionnaires, strict=True):
        program = program_records.get_program(session, questionnaire.program_id, scope=caller.scope)
        column, value = intake.headers["program"], str(questionnaire.program_id)
        if program is None:
            problems.append(
                CellProblem(intake.file, number, column, value, "программа с таким номером не найдена")
            )
            continue
        refused = refusal(program, party, caller)
        if refused is not None:
            problems.append(CellProblem(intake.file, number, column, value, refused))
            continue
        person: MenteeRow | MentorRow | None = (
            session.get(MenteeRow, {"institution": program.mentee_institution, "id": program.mentee_id})
            if party is Party.MENTEE
            else session.get(MentorRow, {"institution": program.mentor_institution, "id": program.mentor_id})
        )
        if (
            questionnaire.full_name
            and person is not None
            and not _same_name(questionnaire.full_name, person.full_name)
        ):
            problems.append(
                CellProblem(
                    intake.file,
                    number,
                    intake.headers["full_name"],
                    questionnaire.full_name,
                    f"в программе {program.id} {PARTICIPANT_RU[party]} — {person.full_name}: "
                    "проверьте номер программы",
                )
            )
            continue
        items.append((program, questionnaire))
    if problems:
        raise InputError(problems)
    return items


def questionnaire_of(body: QuestionnaireCreate, taxonomy: Taxonomy) -> Questionnaire:
    """The library's questionnaire from a request; ``Unacceptable`` naming the field otherwise."""
    party = Party(body.party)
    for field, given, allowed in (
        ("scales", body.scales, SCALES[party]),
        ("answers", body.answers, OPEN_QUESTIONS[party]),
    ):
        unknown = sorted(set(given) - set(allowed))
        if unknown:
            raise Unacceptable(
                f"в анкете {party.label_ru} нет вопросов {', '.join(unknown)}; есть: {', '.join(allowed)}",
                column=field,
            )
    outcomes: dict[str, tuple[str, ...]] = {}
    for field in OUTCOMES:
        try:
            outcomes[field] = difficulty_codes(getattr(body, field), taxonomy)
        except ValueError as error:
            raise Unacceptable(str(error), column=field) from None
    codes = [code for found in outcomes.values() for code in found]
    if len(codes) != len(set(codes)):
        raise Unacceptable("одно затруднение отмечено в нескольких ответах вопроса 2", column="overcome")
    return Questionnaire(
        program_id=0,
        party=party,
        satisfaction=body.satisfaction,
        scales=dict(body.scales),
        overcome=outcomes["overcome"],
        partly=outcomes["partly"],
        not_overcome=outcomes["not_overcome"],
        future=Future(body.future) if body.future else None,
        answers={name: text for name, text in body.answers.items() if text.strip()},
    )


def record_questionnaire(
    session: Session, program: ProgramRow, body: QuestionnaireCreate, *, caller: Caller, taxonomy: Taxonomy
) -> None:
    """Record (or replace) one party's questionnaire of ``program``."""
    questionnaire = questionnaire_of(body, taxonomy)
    refused = refusal(program, questionnaire.party, caller)
    if refused is not None:
        raise Forbidden(refused[0].upper() + refused[1:])
    questionnaire = replace(questionnaire, program_id=program.id)
    monitoring_records.save_questionnaires(session, [(program, questionnaire)], source="api", caller=caller)


@dataclass(frozen=True, slots=True)
class MonitoringReport:
    """The indicators and the names the reports give the institutions."""

    monitoring: Monitoring
    registry: InstitutionRegistry

    def name(self, code: str | None) -> str:
        return "Муниципалитет (все организации)" if code is None else self.registry.get(code).full_name

    def short_name(self, code: str | None) -> str:
        return "Муниципалитет" if code is None else self.registry.get(code).name


def monitoring_report(
    session: Session, *, year: str, institution: str | None, caller: Caller
) -> MonitoringReport:
    """The indicators of ``year`` the caller may see: its own institution, or (municipal role)
    every institution and the municipality, or the one ``institution`` asked for."""
    year_bounds(year)
    scope = caller.scope
    if institution is not None and (
        not caller.sees(institution) or not repository.institution_exists(session, institution)
    ):
        raise NotFound("Организация не найдена")
    if scope is not None:
        codes = [scope]
    elif institution is not None:
        codes = [institution]
    else:
        codes = sorted(monitoring_records.institutions_with_data(session))
    registry = repository.institution_registry(session, codes)
    codes.sort(key=lambda code: registry.get(code).full_name)
    monitoring = indicators(
        year,
        mentees=monitoring_records.mentees(session, scope),
        programs=monitoring_records.programs(session, scope),
        answers=monitoring_records.answers(session, scope),
        targets=monitoring_records.targets(session, year),
        institutions=codes,
        municipality=scope is None and institution is None,
    )
    return MonitoringReport(monitoring, registry)


def template_rows(
    session: Session, *, party: Party, year: str, caller: Caller, taxonomy: Taxonomy
) -> list[tuple[int, str, str]]:
    """(program, participant's ФИО, difficulties) of the programs ending in ``year`` whose
    ``party`` the caller records: the rows of the intake workbook."""
    first, last = year_bounds(year)
    rows = []
    for program in program_records.programs_of(session, scope=caller.scope):
        end = program.ended_on or program.planned_end
        if not first <= end <= last or refusal(program, party, caller) is not None:
            continue
        person: MenteeRow | MentorRow | None = (
            session.get(MenteeRow, {"institution": program.mentee_institution, "id": program.mentee_id})
            if party is Party.MENTEE
            else session.get(MentorRow, {"institution": program.mentor_institution, "id": program.mentor_id})
        )
        difficulties = "; ".join(taxonomy[code].short_ru for code in program.covered if code in taxonomy)
        rows.append((program.id, person.full_name if person is not None else "", difficulties))
    return rows
