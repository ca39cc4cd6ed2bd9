"""Every query and write of the service; routes and jobs call these, never SQL of their own.

Reads take the caller's scope (an institution code, or None for every institution) and return
None for anything outside it, so routes answer 404 without learning more. Writes that change
what a curator or the council sees also append to the audit log in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select, text, update
from sqlalchemy.orm import Session

from api.access import Caller
from api.person_keys import qualified, split
from api.storage.tables import (
    AuditRow,
    DocumentTemplateRow,
    InstitutionRow,
    MenteeRow,
    MentorRow,
    TokenRow,
    UserRow,
    utcnow,
)
from matcher.institutions import Institution, InstitutionKind, InstitutionRegistry, guess_kind

Person = TypeVar("Person", MentorRow, MenteeRow)
ENTITY = {MentorRow: "mentor", MenteeRow: "mentee"}
"""How the audit log names one person of each bank (a whole bank is its table's name)."""
Row = TypeVar("Row")
KINDS = frozenset(kind.value for kind in InstitutionKind)
ID_CHUNK = 500
"""Ids per ``IN (…)`` query: well below every database's parameter limit."""


@dataclass(frozen=True, slots=True)
class Page(Generic[Row]):
    items: list[Row]
    total: int


def page(session: Session, query: Select[Row], *, limit: int, offset: int) -> Page[Row]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return Page(list(session.scalars(query.limit(limit).offset(offset))), total)


def audit_entry(
    caller: Caller,
    *,
    action: str,
    entity: str,
    entity_id: str,
    institution: str | None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The values of one audit log row: who, what, which institution's, and the detail."""
    return {
        "user_id": caller.user_id,
        "actor": caller.name,
        "role": caller.role.value,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "institution": institution,
        "detail": detail or {},
    }


def audit(
    session: Session,
    caller: Caller,
    *,
    action: str,
    entity: str,
    entity_id: str,
    institution: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    entry = audit_entry(
        caller, action=action, entity=entity, entity_id=entity_id, institution=institution, detail=detail
    )
    session.add(AuditRow(**entry))


# Institutions, users and tokens


REGISTRY_FIELDS = ("short_name", "kind", "municipality", "head_name", "head_position", "address")


def institution_of(row: InstitutionRow) -> Institution:
    fields = {name: getattr(row, name) for name in REGISTRY_FIELDS}
    return Institution(code=row.code, full_name=row.name, **fields)


def _registered() -> ColumnElement[bool]:
    """Rows the registry was imported for; the others were only met as a code in a bank."""
    return InstitutionRow.kind != ""


def institution(session: Session, code: str) -> Institution | None:
    row = session.scalar(select(InstitutionRow).where(InstitutionRow.code == code, _registered()))
    return None if row is None else institution_of(row)


def institutions(session: Session) -> list[Institution]:
    rows = session.scalars(select(InstitutionRow).where(_registered()).order_by(InstitutionRow.code))
    return [institution_of(row) for row in rows]


def list_institutions(
    session: Session, *, codes: Collection[str] | None, limit: int, offset: int
) -> Page[InstitutionRow]:
    """Registered institutions, only ``codes`` when given (a caller's scope and its partners)."""
    query = select(InstitutionRow).where(_registered()).order_by(InstitutionRow.code)
    if codes is not None:
        query = query.where(InstitutionRow.code.in_(sorted(codes)))
    return page(session, query, limit=limit, offset=offset)


def upsert_institutions(
    session: Session, items: Sequence[Institution], *, caller: Caller
) -> tuple[list[str], list[str]]:
    """Insert new codes and overwrite known ones (also codes first met in a bank); one transaction."""
    codes = [item.code for item in items]
    known = {
        row.code: row for row in session.scalars(select(InstitutionRow).where(InstitutionRow.code.in_(codes)))
    }
    created: list[str] = []
    updated: list[str] = []
    for item in items:
        values = {"name": item.full_name, **item.model_dump(mode="json", include=set(REGISTRY_FIELDS))}
        row = known.get(item.code)
        if row is None:
            session.add(InstitutionRow(code=item.code, version=1, **values))
            created.append(item.code)
            continue
        registered = row.kind != ""
        for key, value in values.items():
            setattr(row, key, value)
        row.version = row.version + 1 if registered else 1
        (updated if registered else created).append(item.code)
    for code in [*created, *updated]:
        audit(session, caller, action="import", entity="institution", entity_id=code, institution=code)
    session.commit()
    return created, updated


def ensure_institutions(session: Session, codes: Iterable[str]) -> None:
    wanted = set(codes)
    known = set(session.scalars(select(InstitutionRow.code).where(InstitutionRow.code.in_(wanted))))
    session.add_all(InstitutionRow(code=code, name=code) for code in sorted(wanted - known))
    session.flush()


def ping(session: Session) -> None:
    """Raise if the database does not answer."""
    session.execute(select(1))


def institution_exists(session: Session, code: str) -> bool:
    return session.get(InstitutionRow, code) is not None


def institution_names(session: Session) -> dict[str, str]:
    """Every known code's full name (the code itself until the registry is imported)."""
    return {row.code: row.name for row in session.scalars(select(InstitutionRow))}


def institution_registry(session: Session, codes: Iterable[str]) -> InstitutionRegistry:
    """The registry's entries for ``codes`` as the library's ``Institution`` (documents use them)."""
    rows = session.scalars(select(InstitutionRow).where(InstitutionRow.code.in_(sorted(set(codes)))))
    return InstitutionRegistry(
        Institution(
            code=row.code,
            full_name=row.name or row.code,
            short_name=row.short_name,
            kind=InstitutionKind(row.kind) if row.kind in KINDS else guess_kind(row.code),
            municipality=row.municipality,
            head_name=row.head_name,
            head_position=row.head_position,
            address=row.address,
        )
        for row in rows
    )


def document_templates(session: Session, institution: str) -> list[DocumentTemplateRow]:
    query = select(DocumentTemplateRow).where(DocumentTemplateRow.institution == institution)
    return list(session.scalars(query.order_by(DocumentTemplateRow.form)))


def save_document_template(
    session: Session, caller: Caller, *, institution: str, form: str, content: bytes
) -> DocumentTemplateRow:
    row = session.get(DocumentTemplateRow, (institution, form))
    if row is None:
        row = DocumentTemplateRow(institution=institution, form=form)
        session.add(row)
    row.content, row.uploaded_by, row.uploaded_at = content, caller.user_id, utcnow()
    audit(
        session,
        caller,
        action="upload",
        entity="document_template",
        entity_id=form,
        institution=institution,
        detail={"bytes": len(content)},
    )
    session.commit()
    return row


def delete_document_template(session: Session, caller: Caller, *, institution: str, form: str) -> bool:
    row = session.get(DocumentTemplateRow, (institution, form))
    if row is None:
        return False
    session.delete(row)
    audit(
        session, caller, action="delete", entity="document_template", entity_id=form, institution=institution
    )
    session.commit()
    return True


def create_user(
    session: Session,
    *,
    name: str,
    role: str,
    institution: str | None,
    token_hash: str,
    expires_at: datetime | None = None,
) -> UserRow:
    if institution is not None:
        ensure_institutions(session, [institution])
    user = UserRow(name=name, role=role, institution=institution)
    session.add(user)
    session.flush()
    session.add(TokenRow(user_id=user.id, token_hash=token_hash, expires_at=expires_at))
    session.commit()
    return user


def user_for_token(session: Session, token_hash: str) -> UserRow | None:
    """The user of a token that is neither revoked nor expired."""
    now = utcnow()
    query = select(UserRow).join(TokenRow, TokenRow.user_id == UserRow.id)
    return session.scalar(
        query.where(
            TokenRow.token_hash == token_hash,
            TokenRow.revoked_at.is_(None),
            or_(TokenRow.expires_at.is_(None), TokenRow.expires_at > now),
        )
    )


def revoke_tokens(session: Session, user_id: int) -> int | None:
    """Revoke every live token of a user; how many, or None when there is no such user."""
    if session.get(UserRow, user_id) is None:
        return None
    revoked = session.execute(
        update(TokenRow)
        .where(TokenRow.user_id == user_id, TokenRow.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    session.commit()
    return int(revoked.rowcount)  # type: ignore[attr-defined]


# People


def _in_scope(table: type[Person], scope: str | None) -> ColumnElement[bool]:
    return table.institution == scope if scope is not None else table.id.is_not(None)


def people_with_id(
    session: Session, table: type[Person], person_id: str, *, scope: str | None, institution: str | None
) -> list[Person]:
    """The people of ``scope`` with this id (several only for the municipal role, when more than
    one institution uses it), of ``institution`` alone when given."""
    query = select(table).where(table.id == person_id, _in_scope(table, scope))
    if institution is not None:
        query = query.where(table.institution == institution)
    return list(session.scalars(query.order_by(table.institution)))


def people_of(session: Session, table: type[Person], *, institution: str | None) -> list[Person]:
    """A bank for a run: one institution's people, or everybody's (institution None).

    On PostgreSQL a whole bank is read by one server process: the planner made a region's
    100,000 mentors a parallel scan and sort, three server processes at full priority beside the
    niced worker that asked, spilling the sort to disk, while the councils' requests waited for
    the cores (seen in ``pg_stat_activity`` at the open loop's slowest moments)."""
    if institution is None and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    query = select(table).order_by(table.institution, table.id)
    if institution is not None:
        query = query.where(table.institution == institution)
    return list(session.scalars(query))


def pool_mentors(session: Session, *, municipalities: Iterable[str]) -> list[MentorRow]:
    """Mentors of every institution in these municipalities who consented to be matched."""
    wanted = sorted(set(municipalities))
    if not wanted:
        return []
    query = select(MentorRow).where(MentorRow.municipality.in_(wanted), MentorRow.consent.is_(True))
    return list(session.scalars(query.order_by(MentorRow.institution, MentorRow.id)))


def institutions_with(session: Session, table: type[Person]) -> list[str]:
    """The institutions that have people in a bank."""
    return sorted(session.scalars(select(table.institution).distinct()))


def qualified_ids_of(session: Session, table: type[Person]) -> list[str]:
    """Everybody in a bank as qualified ids «id@institution» (``api.person_keys``)."""
    rows = session.execute(select(table.institution, table.id).order_by(table.institution, table.id))
    return [qualified(institution, person_id) for institution, person_id in rows]


def mentor_capacities(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """The capacity of each of these mentors (qualified ids), as the bank has it."""
    found = people_by_key(session, MentorRow, (split(key) for key in keys))
    return {qualified(*key): row.capacity for key, row in found.items()}


def cycle_user(session: Session) -> UserRow:
    """The user the command line's yearly cycle acts as (no token: it cannot sign in)."""
    name = "Годовой цикл (командная строка)"
    user = session.scalar(select(UserRow).where(UserRow.name == name, UserRow.role == "municipal"))
    if user is None:
        user = UserRow(name=name, role="municipal", institution=None)
        session.add(user)
        session.commit()
    return user


def people_by_key(
    session: Session, table: type[Person], keys: Iterable[tuple[str | None, str]]
) -> dict[tuple[str, str], Person]:
    """The people named by (institution, id), by that pair; those no longer in the bank are left out."""
    wanted = {(institution, person_id) for institution, person_id in keys if institution is not None}
    ids = sorted({person_id for _, person_id in wanted})
    found: dict[tuple[str, str], Person] = {}
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        for row in session.scalars(select(table).where(table.id.in_(chunk))):
            if (row.institution, row.id) in wanted:
                found[row.institution, row.id] = row
    return found


@dataclass(frozen=True, slots=True)
class Upserted:
    """What writing a file's people did: ids created, changed, and met again with the same values."""

    created: list[str]
    updated: list[str]
    unchanged: list[str]


def absent_people(
    session: Session,
    table: type[Person],
    *,
    institutions: Collection[str],
    present: Collection[tuple[str, str]],
) -> list[Person]:
    """The stored people of ``institutions`` whose (institution, id) is not in ``present``."""
    if not institutions:
        return []
    query = select(table).where(table.institution.in_(sorted(set(institutions))))
    wanted = set(present)
    rows = session.scalars(query.order_by(table.institution, table.id))
    return [row for row in rows if (row.institution, row.id) not in wanted]


def upsert_people(
    session: Session,
    table: type[Person],
    records: Sequence[dict[str, Any]],
    *,
    caller: Caller,
    absent: Sequence[Person] = (),
    removed: bool = False,
    commit: bool = True,
) -> Upserted:
    """Insert new people and overwrite known ones (same institution and id) with the file's
    values, all in one transaction (committed unless ``commit`` is False, for a caller that has
    more to write in it). A known person whose values are all the file's already is left alone
    (``unchanged``: no write, no new ``updated_at``).

    The audit entry of each institution lists the ids created, updated and unchanged, and the ids
    of ``absent`` (stored, not in the file) under ``removed`` when the import erased them, else
    under ``absent``; ids only, never names.
    """
    ensure_institutions(session, {record["institution"] for record in records})
    existing = people_by_key(session, table, ((record["institution"], record["id"]) for record in records))
    done = Upserted([], [], [])
    by_institution: dict[str, dict[str, list[str]]] = defaultdict(
        lambda: {"created": [], "updated": [], "unchanged": []}
    )
    now = utcnow()
    for record in records:
        row = existing.get((record["institution"], record["id"]))
        if row is None:
            session.add(table(**record, created_at=now, updated_at=now))
            outcome = "created"
        elif all(getattr(row, key) == value for key, value in record.items()):
            outcome = "unchanged"
        else:
            for key, value in record.items():
                setattr(row, key, value)
            row.updated_at = now
            outcome = "updated"
        getattr(done, outcome).append(record["id"])
        by_institution[record["institution"]][outcome].append(record["id"])
    left_out = "removed" if removed else "absent"
    for row in absent:
        by_institution[row.institution].setdefault(left_out, []).append(row.id)
    for institution, detail in sorted(by_institution.items()):
        rows = sum(len(detail[outcome]) for outcome in ("created", "updated", "unchanged"))
        audit(
            session,
            caller,
            action="import",
            entity=table.__tablename__,
            entity_id="",
            institution=institution,
            detail={**detail, "rows": rows},
        )
    if commit:
        session.commit()
    return done


def update_person(session: Session, row: Person, changes: dict[str, Any], *, caller: Caller) -> Person:
    """Apply already validated field values; the audit records which fields changed, not to what."""
    changed = sorted(key for key, value in changes.items() if getattr(row, key) != value)
    if "institution" in changes:
        ensure_institutions(session, [changes["institution"]])
    for key in changed:
        setattr(row, key, changes[key])
    if changed:
        row.updated_at = utcnow()
        audit(
            session,
            caller,
            action="update",
            entity=ENTITY[type(row)],
            entity_id=row.id,
            institution=row.institution,
            detail={"fields": changed},
        )
    session.commit()
    return row


# Audit log


def list_audit(
    session: Session,
    *,
    scope: str | None,
    entity: str | None,
    entity_id: str | None,
    limit: int,
    offset: int,
) -> Page[AuditRow]:
    query = select(AuditRow).order_by(AuditRow.id.desc())
    if scope is not None:
        query = query.where(AuditRow.institution == scope)
    if entity is not None:
        query = query.where(AuditRow.entity == entity)
    if entity_id is not None:
        query = query.where(AuditRow.entity_id == entity_id)
    return page(session, query, limit=limit, offset=offset)
