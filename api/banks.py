"""The two banks as the service keeps them: imports, edits, erasure, and banks for a run.

An import is validated exactly as the batch command validates a file (``matcher.reading`` and
``matcher.validation``) and is written whole or not at all; every problem comes back at once.
A re-imported id overwrites that person with the file's values: the bank is the curator's
latest truth. The stored people of the file's institutions who are not in it are named in the
answer (``absent``); by default they stay in the bank, and with ``replace`` the file is the bank:
they are erased as ``DELETE`` erases a person (``api.storage.erasure``), in the import's own
transaction — refused (409, nothing written) while one of them is in an active or extended
program. People are stored as their validated fields and turned back into the library's
``Mentor``/``Mentee`` for a run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.access import Caller
from api.errors import Conflict
from api.person_keys import RunKeys
from api.schemas import DB_INT_MAX, BankImportPublic, PersonLeftPublic
from api.storage import erasure, program_records, repository
from api.storage.db import serialise
from api.storage.tables import MenteeRow, MentorRow
from matcher.errors import CellProblem, InputError
from matcher.model import MeetingFormat, Mentee, MenteeBank, Mentor, MentorBank, Person
from matcher.reading import FREE_TEXT, RawTable, control_character, control_message, read_table
from matcher.taxonomy import Taxonomy
from matcher.validation import (
    ID_RULE,
    check_references,
    is_safe_id,
    unknown_mentor_message,
    validate_mentees,
    validate_mentors,
)

Kind = Literal["mentors", "mentees"]
DEGREES = (1, 2, 3)
MENTOR_FIELDS = tuple(Mentor.model_fields)
MENTEE_FIELDS = tuple(Mentee.model_fields)


@dataclass(frozen=True, slots=True)
class Left:
    """A stored person the file did not name."""

    id: str
    institution: str
    full_name: str


@dataclass(frozen=True, slots=True)
class Imported:
    file: str
    created: list[str]
    updated: list[str]
    unchanged: list[str] = field(default_factory=list)
    absent: list[Left] = field(default_factory=list)
    """Stored people of the file's institutions not in the file, still in the bank."""
    removed: list[Left] = field(default_factory=list)
    """Those erased because the import replaced the bank."""
    replaced: bool = False
    left_aside: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()


def answer(imported: Imported) -> BankImportPublic:
    """The import's answer; ``rows`` counts every row of the file."""
    people = [*imported.created, *imported.updated, *imported.unchanged]

    def left(people: Sequence[Left]) -> list[PersonLeftPublic]:
        return [PersonLeftPublic(id=p.id, institution=p.institution, full_name=p.full_name) for p in people]

    return BankImportPublic(
        file=imported.file,
        rows=len(people),
        created=imported.created,
        updated=imported.updated,
        unchanged=imported.unchanged,
        absent=left(imported.absent),
        removed=left(imported.removed),
        replaced=imported.replaced,
        left_aside=list(imported.left_aside),
        notices=list(imported.notices),
    )


def _record(person: Person, fields: Sequence[str]) -> dict[str, Any]:
    """A validated person as column values (sets sorted, tuples as lists)."""
    data = person.model_dump(mode="json", include=set(fields))
    data["formats"] = sorted(data["formats"])
    return data


def mentor_of(row: MentorRow) -> Mentor:
    return Mentor.model_validate({name: getattr(row, name) for name in MENTOR_FIELDS})


def mentee_of(row: MenteeRow) -> Mentee:
    return Mentee.model_validate({name: getattr(row, name) for name in MENTEE_FIELDS})


def banks_for_run(session: Session, *, institution: str | None) -> tuple[MenteeBank, MentorBank]:
    """One institution's people, or everybody's when ``institution`` is None, under the ids the
    run gives the library (``RunKeys``). A mentee's preferred and excluded mentors name mentors by
    id: its own institution's mentor with that id, else the mentors of other institutions with it
    (the pool's; only they can meet it across institutions)."""
    keys = RunKeys(institution)
    mentees = repository.people_of(session, MenteeRow, institution=institution)
    mentors = repository.people_of(session, MentorRow, institution=institution)
    by_id: dict[str, list[MentorRow]] = defaultdict(list)
    for row in mentors:
        by_id[row.id].append(row)

    def named(mentee: MenteeRow, ids: Sequence[str]) -> list[str]:
        found: list[str] = []
        for mentor_id in ids:
            rows = by_id.get(mentor_id, [])
            own = [row for row in rows if row.institution == mentee.institution]
            found.extend(keys.key(row.institution, row.id) for row in own or rows)
        return list(dict.fromkeys(found))

    return (
        MenteeBank(
            tuple(
                Mentee.model_validate(
                    {
                        **{name: getattr(row, name) for name in MENTEE_FIELDS},
                        "id": keys.key(row.institution, row.id),
                        "preferred_mentors": named(row, row.preferred_mentors),
                        "excluded_mentors": named(row, row.excluded_mentors),
                    }
                )
                for row in mentees
            ),
            source="mentees",
        ),
        MentorBank(
            tuple(
                Mentor.model_validate(
                    {
                        **{name: getattr(row, name) for name in MENTOR_FIELDS},
                        "id": keys.key(row.institution, row.id),
                    }
                )
                for row in mentors
            ),
            source="mentors",
        ),
    )


def _row_numbers(table: RawTable) -> dict[str, int]:
    return {cells.get("id", ""): number for cells, number in zip(table.rows, table.row_numbers, strict=True)}


POOL_SOURCE_RU = "вашей организации и муниципального пула (дистанционно)"


def referable_mentors(session: Session, caller: Caller, mentees: Sequence[Mentee]) -> MentorBank:
    """The mentors a caller's mentees may prefer or exclude, by the municipal pool's rules, never
    by raw existence: the caller's own institution's mentors, and those of other institutions
    who joined the pool (consent and remote meetings) in a municipality of the file's mentees.
    A municipal curator's file may name every mentor. Anything else is answered alike, whether
    or not such an id exists elsewhere."""
    if caller.scope is None:
        everybody = repository.people_of(session, MentorRow, institution=None)
        return MentorBank(tuple(mentor_of(row) for row in everybody), source="")
    municipalities = {mentee.municipality for mentee in mentees if mentee.municipality}
    own = repository.people_of(session, MentorRow, institution=caller.scope)
    pool = [
        row
        for row in repository.pool_mentors(session, municipalities=municipalities)
        if row.institution != caller.scope and MeetingFormat.REMOTE.value in row.formats
    ]
    return MentorBank(tuple(mentor_of(row) for row in (*own, *pool)), source=POOL_SOURCE_RU)


def _scope_problems(people: Sequence[Person], table: RawTable, caller: Caller) -> list[CellProblem]:
    """Rows the caller may not write: another institution's people. Ids are the institution's
    own (people are keyed by institution and id), so whether another institution uses an id is
    never looked at."""
    if caller.scope is None:
        return []
    rows = _row_numbers(table)
    return [
        CellProblem(
            table.file,
            rows[person.id],
            table.headers.get("institution", "institution"),
            person.institution,
            f"можно загружать только людей своей организации ({caller.scope})",
        )
        for person in people
        if person.institution != caller.scope
    ]


def _control_character(column: str, value: object) -> str | None:
    """The first control character in a field's text, list items or keys (edits and imports alike)."""
    texts = [value] if isinstance(value, str) else list(value) if isinstance(value, list | dict) else []
    for text in texts:
        if isinstance(text, str) and (found := control_character(text, free_text=column in FREE_TEXT)):
            return found
    return None


def _storage_problems(
    records: Sequence[dict[str, Any]], file: str, rows: Mapping[str, int], headers: Mapping[str, str]
) -> list[CellProblem]:
    """Values no database column can hold the same way everywhere (huge numbers), and control
    characters, which no export can write."""
    problems = []
    for record in records:
        for column, value in record.items():
            if isinstance(value, int) and not isinstance(value, bool) and value > DB_INT_MAX:
                message = "слишком большое число"
            elif (found := _control_character(column, value)) is not None:
                message = control_message(found)
            else:
                continue
            problems.append(
                CellProblem(file, rows.get(record["id"], 0), headers.get(column, column), str(value), message)
            )
    return problems


def _running_refusal(kind: Kind, busy: Sequence[MentorRow | MenteeRow]) -> Conflict:
    people = "; ".join(f"{row.id} ({row.full_name}, {row.institution})" for row in busy)
    who = "наставников" if kind == "mentors" else "наставляемых"
    return Conflict(
        f"Файл не может заменить банк: в нём нет {who}, у которых идёт программа наставничества "
        f"(реализуется или продлена): {people}. Добавьте их в файл или сначала завершите их "
        "программы; ничего не записано"
    )


def _write(
    session: Session,
    table: type[repository.Person],
    records: list[dict[str, Any]],
    *,
    caller: Caller,
    replace: bool,
) -> tuple[repository.Upserted, list[Left]]:
    """The import's writes, uncommitted, and the stored people of the file's institutions that
    the file leaves out: with ``replace`` erased, unless one is in a running program. Imports of
    the same institution's bank wait for each other (``serialise``), so that two files replacing it
    at once leave the one written last, not a mixture of both (or neither)."""
    institutions = {record["institution"] for record in records}
    present = {(record["institution"], record["id"]) for record in records}
    kind: Kind = "mentors" if table is MentorRow else "mentees"
    for institution in sorted(institutions):  # one import of an institution's bank at a time
        serialise(session.connection(), f"mentor-match {kind} bank of {institution}")
    absent = repository.absent_people(session, table, institutions=institutions, present=present)
    if replace and absent:
        running = program_records.people_in_running_programs(
            session, mentors=kind == "mentors", institutions=institutions
        )
        busy = [row for row in absent if (row.institution, row.id) in running]
        if busy:
            raise _running_refusal(kind, busy)
    done = repository.upsert_people(
        session, table, records, caller=caller, absent=absent, removed=replace, commit=False
    )
    if replace:
        for row in absent:
            erasure.erase_row(session, row, caller=caller, reason="import")
    return done, [Left(row.id, row.institution, row.full_name) for row in absent]


def import_bank(
    session: Session,
    kind: Kind,
    *,
    data: bytes,
    filename: str,
    caller: Caller,
    taxonomy: Taxonomy,
    replace: bool = False,
) -> Imported:
    """Validate the whole file, then write every row in one transaction; else ``InputError``.

    The stored people of the file's institutions (a curator's file has only its own) whose id
    the file does not hold are ``absent``: kept, and named in the answer; with ``replace`` they are
    erased in the same transaction (``removed``), unless one of them is in a running program
    (``Conflict``, nothing written)."""
    table = read_table(data, name=filename, kind=kind, keep_cell_problems=True)
    people: Sequence[Person]
    if kind == "mentors":
        mentors = validate_mentors(table, taxonomy)
        people, fields, notices = mentors.mentors, MENTOR_FIELDS, mentors.notices
    else:
        bank = validate_mentees(table, taxonomy)
        check_references(bank, referable_mentors(session, caller, bank.mentees), mentee_table=table)
        people, fields, notices = bank.mentees, MENTEE_FIELDS, bank.notices
    records = [_record(person, fields) for person in people]
    problems = _scope_problems(people, table, caller)
    problems += _storage_problems(records, table.file, _row_numbers(table), table.headers)
    if problems:
        raise InputError(sorted(problems, key=lambda problem: problem.row))
    if kind == "mentors":
        done, left = _write(session, MentorRow, records, caller=caller, replace=replace)
    else:
        done, left = _write(session, MenteeRow, records, caller=caller, replace=replace)
    session.commit()
    if replace and left:
        erasure.checkpoint(session)
    return Imported(
        file=table.file,
        created=done.created,
        updated=done.updated,
        unchanged=done.unchanged,
        absent=[] if replace else left,
        removed=left if replace else [],
        replaced=replace,
        left_aside=table.left_aside,
        notices=notices,
    )


def _resolve_degrees(
    value: Mapping[str, int], column: str, taxonomy: Taxonomy, problems: list[CellProblem]
) -> dict[str, int]:
    """Taxonomy codes for codes or labels, each with a degree 1–3."""
    resolved: dict[str, int] = {}
    for term, degree in value.items():
        code = taxonomy.resolve(term)
        if code is None:
            problems.append(CellProblem("", 0, column, term, "неизвестный код таксономии"))
        elif degree not in DEGREES:
            problems.append(CellProblem("", 0, column, f"{term}:{degree}", "степень должна быть 1, 2 или 3"))
        else:
            resolved[code] = max(degree, resolved.get(code, 0))
    return resolved


def _problems_of(error: ValidationError) -> list[CellProblem]:
    return [
        CellProblem(
            "",
            0,
            str(detail["loc"][0]) if detail["loc"] else "",
            "" if isinstance(detail["input"], dict) else str(detail["input"]),
            "обязательное поле не заполнено" if detail["type"] == "missing" else "недопустимое значение",
        )
        for detail in error.errors(include_url=False)
    ]


def _reference_problems(
    session: Session, caller: Caller, mentee: Mentee, patch: Mapping[str, Any]
) -> list[CellProblem]:
    """Preferred and excluded mentors set by a PATCH, checked as an import checks them: ids of
    the safe characters, naming a mentor the caller may refer to by the pool's rules (a mentor of
    another institution outside the pool is answered as one that does not exist)."""
    columns = [
        column for column in ("preferred_mentors", "excluded_mentors") if patch.get(column) is not None
    ]
    if not columns:
        return []
    bank = referable_mentors(session, caller, [mentee])
    known = {mentor.id for mentor in bank.mentors}
    problems = []
    for column in columns:
        for mentor_id in getattr(mentee, column):
            if not is_safe_id(mentor_id):
                problems.append(CellProblem("", 0, column, mentor_id, ID_RULE))
            elif mentor_id not in known:
                problems.append(CellProblem("", 0, column, mentor_id, unknown_mentor_message(bank.source)))
    return problems


def edit_person(
    session: Session,
    row: MentorRow | MenteeRow,
    changes: Mapping[str, Any],
    *,
    caller: Caller,
    taxonomy: Taxonomy,
) -> None:
    """Apply a PATCH after checking the whole person again; ``InputError`` lists every problem."""
    problems: list[CellProblem] = []
    patch = dict(changes)
    for column in ("competences", "difficulties"):
        if patch.get(column) is not None:
            patch[column] = _resolve_degrees(patch[column], column, taxonomy, problems)
    new_institution = patch.get("institution")
    if new_institution is not None and not caller.sees(new_institution):
        problems.append(
            CellProblem(
                "", 0, "institution", new_institution, "нельзя перевести человека в чужую организацию"
            )
        )
    if problems:
        raise InputError(problems)
    try:
        if isinstance(row, MentorRow):
            record = _record(Mentor.model_validate({**mentor_of(row).model_dump(), **patch}), MENTOR_FIELDS)
        else:
            record = _record(Mentee.model_validate({**mentee_of(row).model_dump(), **patch}), MENTEE_FIELDS)
    except ValidationError as error:
        raise InputError(_problems_of(error)) from None
    problems = _storage_problems([record], "", {}, {})
    if isinstance(row, MenteeRow):
        problems += _reference_problems(session, caller, Mentee.model_validate(record), patch)
    if problems:
        raise InputError(problems)
    if record["institution"] != row.institution and repository.people_with_id(
        session, type(row), row.id, scope=None, institution=record["institution"]
    ):
        raise Conflict(f"В организации {record['institution']} уже есть человек с идентификатором {row.id}")
    if isinstance(row, MentorRow):
        repository.update_person(session, row, record, caller=caller)
    else:
        repository.update_person(session, row, record, caller=caller)
