"""A council's decision or a participant's consent on a proposal: one short transaction each.

The proposal has been read with its people (``pages.proposal``: the answer shows them). The
change is written with ``UPDATE … WHERE id = :id AND version = :seen`` (optimistic concurrency:
a stale version changes nothing and raises ``StaleVersionError``), and the decision's row and its
audit entry are inserted in the same transaction, with nothing flushed, refreshed or read back
(the statements are prepared once, with bound values). The dict read is updated to what was
written.

On PostgreSQL the three are one statement (the update and both inserts as data-modifying
``WITH`` clauses, the inserts taking the updated row: none when the version is stale), so a
decision is one round trip to the server on a connection in autocommit mode instead of five
(``BEGIN``, three statements, ``COMMIT``). SQLite has no data-modifying ``WITH`` and no round
trips: it runs the three statements in a transaction.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table, Update, bindparam, cast, func, insert, select, update

from api.access import Caller
from api.approval import decide_sides, institutions_of, status_of
from api.errors import StaleVersionError
from api.storage.prepared import Prepared, Statements
from api.storage.run_records import decision_entries
from api.storage.tables import AuditRow, Base, DecisionRow, ProposalRow, utcnow

_PROPOSALS = Base.metadata.tables[ProposalRow.__tablename__]


def _bump(columns: tuple[str, ...]) -> Update:
    """``UPDATE proposals SET columns…, version, updated_at WHERE id AND version`` (built once per
    set of columns by ``_bumped`` and ``_in_one_statement``)."""
    table = _PROPOSALS
    values = {name: bindparam(name, type_=table.c[name].type) for name in (*columns, "version", "updated_at")}
    return (
        update(table)
        .where(table.c.id == bindparam("proposal_id"), table.c.version == bindparam("seen"))
        .values(values)
    )


@cache
def _bumped(columns: tuple[str, ...]) -> Prepared:
    """SQLite: the bump alone, built once."""
    return Prepared(_bump(columns))


_DECISIONS = Base.metadata.tables[DecisionRow.__tablename__]
_AUDITS = Base.metadata.tables[AuditRow.__tablename__]
_ENTRY_COLUMNS = {
    "decision": tuple(c.name for c in _DECISIONS.c if c.name != "id"),
    "audit": tuple(c.name for c in _AUDITS.c if c.name != "id"),
}


def _entry(prefix: str, table: Table) -> Prepared:
    """SQLite: the insert of one entry, every column but the id bound by its name."""
    names = _ENTRY_COLUMNS[prefix]
    return Prepared(insert(table).values({name: bindparam(name, type_=table.c[name].type) for name in names}))


_DECISION = _entry("decision", _DECISIONS)
_AUDIT = _entry("audit", _AUDITS)


@cache
def _in_one_statement(columns: tuple[str, ...]) -> Prepared:
    """PostgreSQL: the bump and both inserts in one statement, which counts the rows bumped (0 or
    1). The inserts' values are bound as ``decision_<column>`` and ``audit_<column>``."""
    bumped = _bump(columns).returning(_PROPOSALS.c.id).cte("bumped")

    def inserted(prefix: str, table: Table) -> Any:
        names = _ENTRY_COLUMNS[prefix]
        types = {name: table.c[name].type for name in names}
        values = select(
            *(cast(bindparam(f"{prefix}_{name}", type_=types[name]), types[name]) for name in names)
        )
        return insert(table).from_select(names, values.select_from(bumped)).cte(f"{prefix}_inserted")

    return Prepared(
        select(func.count())
        .select_from(bumped)
        .add_cte(inserted("decision", _DECISIONS), inserted("audit", _AUDITS))
    )


_VERSION = Prepared(select(_PROPOSALS.c.version).where(_PROPOSALS.c.id == bindparam("proposal_id")))


async def _write(
    statements: Statements,
    proposal: dict[str, Any],
    caller: Caller,
    values: dict[str, Any],
    *,
    version: int,
    **entry: Any,
) -> None:
    changes = {**values, "version": version + 1, "updated_at": utcnow()}
    bump = {**changes, "proposal_id": proposal["id"], "seen": version}
    decision, audited = decision_entries(proposal, caller, version=version + 1, **entry)
    decision["at"] = audited["at"] = changes["updated_at"]
    if statements.dialect.name == "postgresql":
        entries = {f"decision_{name}": value for name, value in decision.items()}
        entries |= {f"audit_{name}": value for name, value in audited.items()}
        written = await statements.scalar(_in_one_statement(tuple(values)), {**bump, **entries})
    else:
        written = await statements.changed(_bumped(tuple(values)), bump)
        if written == 1:
            await statements.changed(_DECISION, decision)
            await statements.changed(_AUDIT, audited)
    if written != 1:
        await statements.rollback()
        current = await statements.scalar(_VERSION, {"proposal_id": proposal["id"]})
        raise StaleVersionError(proposal["id"], current or version)
    await statements.commit()
    proposal.update(changes)


async def decide(
    statements: Statements,
    proposal: dict[str, Any],
    *,
    decision: str,
    comment: str,
    version: int,
    caller: Caller,
) -> None:
    """The caller's institution decides its side of the pair; the municipal role both sides."""
    institutions = institutions_of(proposal["mentee_institution"], proposal["mentor_institution"])
    sides = decide_sides(proposal["sides"] or {}, institutions, decision=decision, scope=caller.scope)
    values = {"status": status_of(sides, institutions), "sides": sides}
    await _write(statements, proposal, caller, values, version=version, kind=decision, comment=comment)


async def consent(
    statements: Statements, proposal: dict[str, Any], *, party: str, agree: bool, version: int, caller: Caller
) -> None:
    """One participant's written agreement with the pair (or refusal of it)."""
    values = {f"{party}_consent": agree}
    await _write(
        statements, proposal, caller, values, version=version, kind="consent", party=party, agree=agree
    )
