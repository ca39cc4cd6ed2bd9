"""The pages read most (a run's proposals, the banks' lists, one proposal), as column selects.

Each page is one statement that joins the people's summaries and their institutions' names to
the proposals, and returns plain dicts in the shape of the response schemas: no ORM object is
built and nothing is loaded that the answer does not show (a run's JSON summary, a person's
bank fields). The total is counted only when the page alone cannot tell it.

The statements are Core selects on the tables' columns, run on a ``Connection`` (no ORM
compile state, loading or session per statement), built once per shape (which filters are set)
with the values as bound parameters, so a request neither rebuilds a statement nor recomputes its
cache key; they run on ``prepared.Statements`` (on PostgreSQL the driver's prepared statements,
in the event loop). A search by name builds its statements per request.

``run_visible``, ``_proposal_in`` and ``_name_matches`` are ``run_records.run_in``,
``proposal_in`` and ``name_matches`` on those columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    bindparam,
    exists,
    func,
    or_,
    select,
    true,
)

from api.storage.prepared import Prepared, Statements
from api.storage.run_records import WEIGHT_SENSITIVE, ProposalFilter
from api.storage.tables import Base

_TABLES = Base.metadata.tables
PROPOSALS: Table = _TABLES["proposals"]
UNMATCHED: Table = _TABLES["unmatched"]
RUNS: Table = _TABLES["runs"]
PROPOSAL_FIELDS = (
    "id",
    "run_id",
    "mentee_id",
    "mentor_id",
    "group_id",
    "format",
    "score",
    "covered",
    "explanation",
    "breakdown",
    "robustness",
    "status",
    "version",
    "mentee_consent",
    "mentor_consent",
    "mentee_institution",
    "mentor_institution",
    "sides",
    "updated_at",
)
SUMMARY_FIELDS = ("id", "full_name", "position", "institution", "institution_name")
_P = PROPOSALS.c
PAGE_ORDER = (_P.mentee_institution, _P.group_id, _P.id)

_mentee = _TABLES["mentees"].alias("mentee")
_mentor = _TABLES["mentors"].alias("mentor")
_mentee_place = _TABLES["institutions"].alias("mentee_place")
_mentor_place = _TABLES["institutions"].alias("mentor_place")
_SCOPE = bindparam("scope", type_=String)


def _summary_columns(person: Any, place: Any) -> list[ColumnElement[Any]]:
    return [
        person.c.id,
        person.c.full_name,
        person.c.position,
        person.c.institution,
        func.coalesce(place.c.name, person.c.institution),
    ]


@cache
def _proposals_with_people() -> Select[Any]:
    """Proposals with both people's summaries, each person by (institution, id); an erased person
    (no bank row) gives nulls."""
    return (
        select(
            *(_P[name] for name in PROPOSAL_FIELDS),
            *_summary_columns(_mentee, _mentee_place),
            *_summary_columns(_mentor, _mentor_place),
        )
        .outerjoin(_mentee, (_mentee.c.id == _P.mentee_id) & (_mentee.c.institution == _P.mentee_institution))
        .outerjoin(_mentee_place, _mentee_place.c.code == _mentee.c.institution)
        .outerjoin(_mentor, (_mentor.c.id == _P.mentor_id) & (_mentor.c.institution == _P.mentor_institution))
        .outerjoin(_mentor_place, _mentor_place.c.code == _mentor.c.institution)
    )


_MENTEE_AT = len(PROPOSAL_FIELDS)
_MENTOR_AT = _MENTEE_AT + len(SUMMARY_FIELDS)


def proposal_dict(row: Any) -> dict[str, Any]:
    """A row of ``_proposals_with_people`` as ``ProposalPublic`` reads it."""
    proposal = dict(zip(PROPOSAL_FIELDS, row, strict=False))
    for side, at in (("mentee", _MENTEE_AT), ("mentor", _MENTOR_AT)):
        summary = row[at : at + len(SUMMARY_FIELDS)]
        proposal[side] = None if summary[0] is None else dict(zip(SUMMARY_FIELDS, summary, strict=True))
    return proposal


def _proposal_in(scoped: bool) -> ColumnElement[bool]:
    """``run_records.proposal_in`` on the table's columns (no ORM statement to compile)."""
    return or_(_P.mentee_institution == _SCOPE, _P.mentor_institution == _SCOPE) if scoped else true()


@cache
def _run_visible(scoped: bool) -> Prepared:
    """``run_records.run_in`` on the table's columns: the run is the scope's own, or a
    municipality's run with a proposal or an unmatched mentee of the scope."""
    visible: ColumnElement[bool] = true()
    if scoped:
        visible = or_(
            RUNS.c.institution == _SCOPE,
            RUNS.c.institution.is_(None)
            & (
                exists().where(_P.run_id == RUNS.c.id, _proposal_in(True))
                | exists().where(UNMATCHED.c.run_id == RUNS.c.id, UNMATCHED.c.institution == _SCOPE)
            ),
        )
    return Prepared(select(RUNS.c.id).where(RUNS.c.id == bindparam("run_id"), visible))


async def run_visible(statements: Statements, run_id: int, *, scope: str | None) -> bool:
    """Whether the run exists within ``scope`` (its id only: the summary stays unread)."""
    query = _run_visible(scope is not None)
    return await statements.scalar(query, {"run_id": run_id, "scope": scope}) is not None


async def _total(statements: Statements, count: Prepared, values: dict[str, Any], found: int) -> int:
    """The number of matching rows: a short page tells it, a full or empty one is counted."""
    if 0 < found < values["limit"] or (found == 0 and values["offset"] == 0):
        return int(values["offset"]) + found
    return int(await statements.scalar(count, values) or 0)


@cache
def _proposal_conditions(
    scoped: bool, status: bool, institution: bool, weight_sensitive: bool | None
) -> tuple[ColumnElement[bool], ...]:
    conditions: list[ColumnElement[bool]] = [_P.run_id == bindparam("run_id"), _proposal_in(scoped)]
    if status:
        conditions.append(_P.status == bindparam("status"))
    if institution:
        wanted = bindparam("institution", type_=String)
        conditions.append(or_(_P.mentee_institution == wanted, _P.mentor_institution == wanted))
    if weight_sensitive is not None:
        sensitive = _P.robustness.startswith(WEIGHT_SENSITIVE)
        conditions.append(sensitive if weight_sensitive else ~sensitive)
    return tuple(conditions)


@cache
def _proposals_statements(
    scoped: bool, status: bool, institution: bool, weight_sensitive: bool | None
) -> tuple[Prepared, Prepared]:
    """The page and the count for one shape of filter (without a name)."""
    conditions = _proposal_conditions(scoped, status, institution, weight_sensitive)
    # the page's ids first, from the index alone, then the people of those 50: joined before the
    # offset, every skipped row was joined too (a run of 16,974 proposals: the page in the middle
    # 18–21 → 2.6–3.5 ms, the last page 31–37 → 2.6–3.6 ms, the first the same)
    ids = select(_P.id).where(*conditions).order_by(*PAGE_ORDER)
    chosen = ids.limit(bindparam("limit")).offset(bindparam("offset")).subquery("page")
    page = _proposals_with_people().join(chosen, chosen.c.id == _P.id).order_by(*PAGE_ORDER)
    return Prepared(page), Prepared(select(func.count()).select_from(PROPOSALS).where(*conditions))


def _name_matches(name: str, columns: Iterable[ColumnElement[str]]) -> ColumnElement[bool]:
    """``run_records.name_matches`` on the tables' columns: a part of a name, as typed, in lower
    case or capitalised (SQLite folds only Latin case)."""
    spellings = {name, name.lower(), name.capitalize(), name.title()}
    return or_(*(column.contains(spelling, autoescape=True) for column in columns for spelling in spellings))


def _by_name(shape: tuple[Any, ...], name: str) -> tuple[Prepared, Prepared]:
    """The page and the count of proposals whose mentee's or mentor's name holds ``name``."""
    conditions = (
        *_proposal_conditions(*shape),
        _name_matches(name, (_mentee.c.full_name, _mentor.c.full_name)),
    )
    joined = _proposals_with_people().where(*conditions)
    page = joined.order_by(*PAGE_ORDER).limit(bindparam("limit")).offset(bindparam("offset"))
    matching = joined.with_only_columns(_P.id).subquery()
    count = select(func.count()).select_from(matching)
    return Prepared(page, reused=False), Prepared(count, reused=False)


async def proposals_page(
    statements: Statements,
    run_id: int,
    where: ProposalFilter,
    *,
    limit: int,
    offset: int,
    scope: str | None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the run's proposals within ``scope`` with the people's summaries, by the mentee's
    institution, then group, then id, and the number of all that match."""
    shape = (
        scope is not None,
        where.status is not None,
        where.institution is not None,
        where.weight_sensitive,
    )
    page, count = _by_name(shape, where.name) if where.name else _proposals_statements(*shape)
    values = {
        "run_id": run_id,
        "scope": scope,
        "status": where.status,
        "institution": where.institution,
        "limit": limit,
        "offset": offset,
    }
    items = [proposal_dict(row) for row in await statements.rows(page, values)]
    return items, await _total(statements, count, values, len(items))


@cache
def _one_proposal(scoped: bool) -> Prepared:
    return Prepared(_proposals_with_people().where(_P.id == bindparam("proposal_id"), _proposal_in(scoped)))


async def proposal(statements: Statements, proposal_id: int, *, scope: str | None) -> dict[str, Any] | None:
    """One proposal within ``scope`` with the people's summaries, or None."""
    row = await statements.first(
        _one_proposal(scope is not None), {"proposal_id": proposal_id, "scope": scope}
    )
    return None if row is None else proposal_dict(row)


@cache
def _people_statements(
    table_name: str, fields: tuple[str, ...], scoped: bool, institution: bool
) -> tuple[Prepared, Prepared]:
    table = _TABLES[table_name]

    def within(place: ColumnElement[str]) -> list[ColumnElement[bool]]:
        conditions = []
        if scoped:
            conditions.append(place == _SCOPE)
        if institution:
            conditions.append(place == bindparam("institution", type_=String))
        return conditions

    page = (
        select(*(table.c[name] for name in fields))
        .where(*within(table.c.institution))
        .order_by(table.c.id, table.c.institution)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    # the total from the banks' sizes per institution (kept by the database), not a count of the
    # bank: the municipal role's page counted all 101,200 mentors of a region for every page
    sizes = _TABLES["bank_sizes"].c
    total = select(func.coalesce(func.sum(sizes.people), 0)).where(
        sizes.bank == table_name, *within(sizes.institution)
    )
    return Prepared(page), Prepared(total)


async def people_page(
    statements: Statements,
    table_name: str,
    fields: tuple[str, ...],
    *,
    scope: str | None,
    institution: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """A page of one bank's people (``mentors`` or ``mentees``) within ``scope`` (only
    ``institution`` when given), by id and institution, as dicts of ``fields``, and the number of
    all that match."""
    page, count = _people_statements(table_name, fields, scope is not None, institution is not None)
    values = {"scope": scope, "institution": institution, "limit": limit, "offset": offset}
    items = [dict(zip(fields, row, strict=True)) for row in await statements.rows(page, values)]
    return items, await _total(statements, count, values, len(items))
