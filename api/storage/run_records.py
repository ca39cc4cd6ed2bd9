"""Runs, their proposals and unmatched mentees, and the decisions recorded on proposals.

A run's results are written in one transaction together with its status ``done``, so its
proposals appear all at once or not at all. Decisions and consents use optimistic
concurrency: a write names the version it saw and fails with ``StaleVersionError`` if the
proposal moved on.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, delete, exists, func, or_, select, true, update
from sqlalchemy.orm import QueryableAttribute, Session

from api.access import Caller
from api.approval import decide_sides, institutions_of, status_of
from api.errors import Conflict, StaleVersionError, TooManyRequests
from api.storage.db import being_computed, serialise
from api.storage.repository import Page, audit, audit_entry, page
from api.storage.tables import (
    AlternativeRow,
    AuditRow,
    DecisionRow,
    MenteeRow,
    MentorRow,
    ProposalRow,
    RunRow,
    UnmatchedRow,
    UserRow,
    utcnow,
)

WEIGHT_SENSITIVE = "weight-sensitive"
SWAPPED_IN = "Закреплена советом взамен отклонённой пары; объяснение появится после повторного подбора"

# Scope (api.md): a proposal is within an institution's scope when its mentee or its mentor
# belongs there, whatever the run's scope; an unmatched mentee within its own institution's;
# a run within the scope of its institution, and a municipality-wide run within the scope of
# every institution that has a proposal or an unmatched mentee in it.


Scope = str | BindParameter[str] | None
"""An institution's code, a parameter standing for one (a statement prepared once), or None."""


def proposal_in(scope: Scope) -> ColumnElement[bool]:
    if scope is None:
        return true()
    return or_(ProposalRow.mentee_institution == scope, ProposalRow.mentor_institution == scope)


def unmatched_in(scope: Scope) -> ColumnElement[bool]:
    return true() if scope is None else UnmatchedRow.institution == scope


def run_in(scope: Scope) -> ColumnElement[bool]:
    if scope is None:
        return true()
    return or_(
        RunRow.institution == scope,
        RunRow.institution.is_(None)
        & (
            exists().where(ProposalRow.run_id == RunRow.id, proposal_in(scope))
            | exists().where(UnmatchedRow.run_id == RunRow.id, unmatched_in(scope))
        ),
    )


# Runs


QUEUE_FULL = (
    "Уже ждут или выполняются {limit} запусков подбора этой организации; дождитесь их завершения и повторите"
)


def lock_queue(session: Session, institution: str | None) -> None:
    """Serialise, until the transaction ends, every writer of one institution's queue (None: the
    municipality's; ``db.serialise``). Counting the active runs and inserting one then happen as
    one step, so racing requests cannot both pass the cap."""
    serialise(session.connection(), f"mentor-match run queue {institution or ''}")


def _ensure_room(session: Session, institution: str | None, limit: int | None) -> None:
    """Lock the institution's queue and refuse (429) when it already holds ``limit`` runs."""
    if limit is None:
        return
    lock_queue(session, institution)
    if count_active_runs(session, institution=institution) >= limit:
        session.rollback()
        raise TooManyRequests(QUEUE_FULL.format(limit=limit))


def create_run(
    session: Session,
    *,
    scope: str,
    institution: str | None,
    based_on: int | None,
    options: dict[str, Any],
    caller: Caller,
    mentees: list[str] | None = None,
    reserved: dict[str, int] | None = None,
    queue_limit: int | None = None,
) -> RunRow:
    """Queue a run; with ``queue_limit``, only while the institution has fewer runs queued or
    running (checked and inserted under ``lock_queue``), else ``TooManyRequests``."""
    _ensure_room(session, institution, queue_limit)
    if based_on is not None and mentees is None and reserved is None:
        # a re-run matches the mentees its base matched, with the places its base held back
        # (a cycle's municipal pass; the mentors resting from heavy years)
        base = session.execute(
            select(RunRow.mentees, RunRow.reserved).where(RunRow.id == based_on)
        ).one_or_none()
        if base is not None:
            mentees, reserved = base
    run = RunRow(
        reserved=reserved,
        scope=scope,
        institution=institution,
        based_on=based_on,
        mentees=mentees,
        options=options,
        status="queued",
        progress=0.0,
        attempts=0,
        created_by=caller.user_id,
    )
    session.add(run)
    session.flush()
    audit(
        session,
        caller,
        action="start",
        entity="run",
        entity_id=str(run.id),
        institution=institution,
        detail={"scope": scope, "based_on": based_on, "options": options, "mentees": mentees},
    )
    session.commit()
    return run


def get_run(session: Session, run_id: int, *, scope: str | None) -> RunRow | None:
    return session.scalar(select(RunRow).where(RunRow.id == run_id, run_in(scope)))


def ancestors(session: Session, run_id: int) -> list[int]:
    """The runs ``run_id`` is based on, nearest first (its base, that base's base, …)."""
    found: list[int] = []
    current = session.scalar(select(RunRow.based_on).where(RunRow.id == run_id))
    while current is not None and current not in found:
        found.append(current)
        current = session.scalar(select(RunRow.based_on).where(RunRow.id == current))
    return found


def count_active_runs(session: Session, *, institution: str | None) -> int:
    """Runs of ``institution`` (None: municipality-wide runs) queued or being computed."""
    mine = RunRow.institution.is_(None) if institution is None else RunRow.institution == institution
    query = select(func.count()).select_from(RunRow).where(mine, RunRow.status.in_(("queued", "running")))
    return session.scalar(query) or 0


def list_runs(session: Session, *, scope: str | None, limit: int, offset: int) -> Page[RunRow]:
    return page(
        session, select(RunRow).where(run_in(scope)).order_by(RunRow.id.desc()), limit=limit, offset=offset
    )


def requeue_run(session: Session, run: RunRow, *, caller: Caller, queue_limit: int | None = None) -> RunRow:
    """A failed run goes back to the queue with its request unchanged (within ``queue_limit``,
    as ``create_run``)."""
    _ensure_room(session, run.institution, queue_limit)
    run.status, run.progress, run.error = "queued", 0.0, None
    run.started_at = run.finished_at = None
    run.queued_at = utcnow()
    audit(
        session,
        caller,
        action="restart",
        entity="run",
        entity_id=str(run.id),
        institution=run.institution,
    )
    session.commit()
    return run


def claim_run(session: Session, run_id: int) -> RunRow | None:
    """Move a queued run to running; None when it is not queued (another worker took it)."""
    claimed = session.execute(
        update(RunRow)
        .where(RunRow.id == run_id, RunRow.status == "queued")
        .values(status="running", started_at=utcnow(), attempts=RunRow.attempts + 1, progress=0.0)
    )
    session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(RunRow, run_id)


def set_progress(session: Session, run_id: int, fraction: float) -> None:
    session.execute(
        update(RunRow).where(RunRow.id == run_id, RunRow.status == "running").values(progress=fraction)
    )
    session.commit()


def finish_run(
    session: Session,
    run_id: int,
    *,
    proposals: Sequence[dict[str, Any]],
    unmatched: Sequence[dict[str, Any]],
    alternatives: Sequence[dict[str, Any]],
    summary: dict[str, Any],
    changes: dict[str, Any] | None,
) -> None:
    """The run's proposals, unmatched mentees, alternatives and its status ``done``, in one
    transaction."""
    for table in (ProposalRow, UnmatchedRow, AlternativeRow):
        session.execute(delete(table).where(table.run_id == run_id))
    now = utcnow()
    session.add_all(
        ProposalRow(**{"status": "proposed", **p}, run_id=run_id, version=1, updated_at=now)
        for p in proposals
    )
    session.add_all(UnmatchedRow(run_id=run_id, **u) for u in unmatched)
    session.add_all(AlternativeRow(run_id=run_id, **a) for a in alternatives)
    session.execute(
        update(RunRow)
        .where(RunRow.id == run_id)
        .values(status="done", progress=1.0, summary=summary, changes=changes, error=None, finished_at=now)
    )
    session.commit()


def fail_run(session: Session, run_id: int, reason: str) -> None:
    session.rollback()
    session.execute(
        update(RunRow).where(RunRow.id == run_id).values(status="failed", error=reason, finished_at=utcnow())
    )
    session.commit()


def fail_interrupted_runs(
    session: Session, reason: str, *, alive: Collection[int] = (), queued_before: datetime | None = None
) -> list[int]:
    """Runs left queued or running by a process that stopped (all but those ``alive`` in a
    queue, those a live process is computing, and, with ``queued_before``, those queued since,
    whose job may be being deferred this very moment); they can be started again."""
    unfinished = select(RunRow.id).where(RunRow.status.in_(("queued", "running")))
    if queued_before is not None:
        unfinished = unfinished.where(
            or_(RunRow.status == "running", RunRow.queued_at.is_(None), RunRow.queued_at < queued_before)
        )
    ids = [run_id for run_id in session.scalars(unfinished) if run_id not in alive]
    computed = being_computed(session.connection(), ids)
    ids = [run_id for run_id in ids if run_id not in computed]
    if ids:
        session.execute(
            update(RunRow)
            .where(RunRow.id.in_(ids), RunRow.status.in_(("queued", "running")))
            .values(status="failed", error=reason, finished_at=utcnow())
        )
    session.commit()
    return ids


# Proposals, unmatched mentees, decisions


@dataclass(frozen=True, slots=True)
class ProposalFilter:
    """Which of a run's proposals to list: by status, institution (of the mentee or the mentor),
    weight sensitivity and a part of either person's name."""

    status: str | None = None
    institution: str | None = None
    weight_sensitive: bool | None = None
    name: str | None = None


def name_matches(name: str, *columns: QueryableAttribute[str]) -> ColumnElement[bool]:
    """A part of a name, as typed, in lower case or capitalised: SQLite folds only Latin case."""
    spellings = {name, name.lower(), name.capitalize(), name.title()}
    return or_(*(column.contains(spelling, autoescape=True) for column in columns for spelling in spellings))


def list_proposals(
    session: Session,
    run_id: int,
    where: ProposalFilter,
    *,
    limit: int,
    offset: int,
    scope: str | None = None,
) -> Page[ProposalRow]:
    """A page of the run's proposals within ``scope``, by the mentee's institution, then group, then
    the mentee's name."""
    query = select(ProposalRow).where(ProposalRow.run_id == run_id, proposal_in(scope))
    if where.status is not None:
        query = query.where(ProposalRow.status == where.status)
    if where.institution is not None:
        query = query.where(
            or_(
                ProposalRow.mentee_institution == where.institution,
                ProposalRow.mentor_institution == where.institution,
            )
        )
    if where.weight_sensitive is not None:
        sensitive = ProposalRow.robustness.startswith(WEIGHT_SENSITIVE)
        query = query.where(sensitive if where.weight_sensitive else ~sensitive)
    if where.name:
        query = (
            query.outerjoin(
                MenteeRow,
                (MenteeRow.id == ProposalRow.mentee_id)
                & (MenteeRow.institution == ProposalRow.mentee_institution),
            )
            .outerjoin(
                MentorRow,
                (MentorRow.id == ProposalRow.mentor_id)
                & (MentorRow.institution == ProposalRow.mentor_institution),
            )
            .where(name_matches(where.name, MenteeRow.full_name, MentorRow.full_name))
        )
    ordered = query.order_by(ProposalRow.mentee_institution, ProposalRow.group_id, ProposalRow.id)
    return page(session, ordered, limit=limit, offset=offset)


def institutions_of_run(session: Session, run_id: int, *, scope: str | None) -> list[str]:
    """The institutions of the people of a run's proposals and unmatched mentees within ``scope``."""
    in_run = ProposalRow.run_id == run_id
    found = set(session.scalars(select(ProposalRow.mentee_institution).where(in_run, proposal_in(scope))))
    found |= set(session.scalars(select(ProposalRow.mentor_institution).where(in_run, proposal_in(scope))))
    found |= set(
        session.scalars(
            select(UnmatchedRow.institution).where(UnmatchedRow.run_id == run_id, unmatched_in(scope))
        )
    )
    return sorted(code for code in found if code is not None)


def alternatives_of(session: Session, proposal: ProposalRow) -> list[AlternativeRow]:
    query = select(AlternativeRow).where(
        AlternativeRow.run_id == proposal.run_id,
        AlternativeRow.mentee_id == proposal.mentee_id,
        AlternativeRow.mentor_id == proposal.mentor_id,
        AlternativeRow.mentee_institution == proposal.mentee_institution,
        AlternativeRow.mentor_institution == proposal.mentor_institution,
    )
    return list(session.scalars(query.order_by(AlternativeRow.rank)))


def alternatives_of_run(session: Session, run_id: int, *, scope: str | None = None) -> list[AlternativeRow]:
    """The alternatives of a run's proposals within ``scope``, proposal by proposal, best first."""
    query = (
        select(AlternativeRow)
        .join(
            ProposalRow,
            (ProposalRow.run_id == AlternativeRow.run_id)
            & (ProposalRow.mentee_id == AlternativeRow.mentee_id)
            & (ProposalRow.mentor_id == AlternativeRow.mentor_id)
            & (ProposalRow.mentee_institution == AlternativeRow.mentee_institution)
            & (ProposalRow.mentor_institution == AlternativeRow.mentor_institution),
        )
        .where(AlternativeRow.run_id == run_id, proposal_in(scope))
        .order_by(ProposalRow.id, AlternativeRow.rank)
    )
    return list(session.scalars(query))


def decision_comments(session: Session, run_id: int) -> dict[int, str]:
    """Each proposal's comment of its latest decision (consents carry none), by proposal id."""
    query = (
        select(DecisionRow.proposal_id, DecisionRow.comment)
        .join(ProposalRow, ProposalRow.id == DecisionRow.proposal_id)
        .where(ProposalRow.run_id == run_id, DecisionRow.kind != "consent")
        .order_by(DecisionRow.proposal_id, DecisionRow.version)
    )
    return {proposal_id: comment for proposal_id, comment in session.execute(query)}


def proposals_of(session: Session, run_id: int, *, scope: str | None = None) -> list[ProposalRow]:
    """A run's proposals within ``scope`` (None: all of them, as the run's own job reads them)."""
    query = select(ProposalRow).where(ProposalRow.run_id == run_id, proposal_in(scope))
    return list(session.scalars(query.order_by(ProposalRow.id)))


def list_unmatched(
    session: Session,
    run_id: int,
    *,
    limit: int,
    offset: int,
    scope: str | None = None,
    institution: str | None = None,
    name: str | None = None,
) -> Page[UnmatchedRow]:
    query = select(UnmatchedRow).where(UnmatchedRow.run_id == run_id, unmatched_in(scope))
    if institution is not None:
        query = query.where(UnmatchedRow.institution == institution)
    if name:
        query = query.outerjoin(
            MenteeRow,
            (MenteeRow.id == UnmatchedRow.mentee_id) & (MenteeRow.institution == UnmatchedRow.institution),
        ).where(name_matches(name, MenteeRow.full_name))
    return page(
        session, query.order_by(UnmatchedRow.institution, UnmatchedRow.id), limit=limit, offset=offset
    )


def unmatched_of(session: Session, run_id: int, *, scope: str | None = None) -> list[UnmatchedRow]:
    query = select(UnmatchedRow).where(UnmatchedRow.run_id == run_id, unmatched_in(scope))
    return list(session.scalars(query.order_by(UnmatchedRow.id)))


def partner_institutions(session: Session, scope: str) -> set[str]:
    """The institutions ``scope`` shares a proposal with, and ``scope`` itself."""
    query = select(ProposalRow.mentee_institution, ProposalRow.mentor_institution).where(proposal_in(scope))
    return {code for pair in session.execute(query.distinct()) for code in pair if code} | {scope}


def get_proposal(session: Session, proposal_id: int, *, scope: str | None) -> ProposalRow | None:
    return session.scalar(select(ProposalRow).where(ProposalRow.id == proposal_id, proposal_in(scope)))


def _bump(session: Session, proposal: ProposalRow, version: int, values: dict[str, Any]) -> None:
    """Apply ``values`` only if ``version`` is still current (optimistic concurrency)."""
    bumped = session.execute(
        update(ProposalRow)
        .where(ProposalRow.id == proposal.id, ProposalRow.version == version)
        .values(**values, version=version + 1, updated_at=utcnow())
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        session.refresh(proposal)
        raise StaleVersionError(proposal.id, proposal.version)


def swap_in(
    session: Session,
    proposal: ProposalRow,
    *,
    alternative: AlternativeRow,
    mentor_institution: str,
    meeting_format: str,
    comment: str,
    version: int,
    caller: Caller,
) -> ProposalRow:
    """Reject ``proposal`` and pin its mentee with the alternative's mentor, in one transaction.

    Each is the caller's decision for its side (``api.approval``). The pinned pair joins the run as
    a proposal of its own; the next run based on this one keeps it, with the explanation the
    library gives it then."""
    exists_already = select(ProposalRow.id).where(
        ProposalRow.run_id == proposal.run_id,
        ProposalRow.mentee_id == proposal.mentee_id,
        ProposalRow.mentee_institution == proposal.mentee_institution,
        ProposalRow.mentor_id == alternative.alternative_mentor_id,
        ProposalRow.mentor_institution == mentor_institution,
    )
    if session.scalar(exists_already) is not None:
        raise Conflict("Эта пара уже есть в подборе: примите решение по ней")
    institutions = institutions_of(proposal.mentee_institution, proposal.mentor_institution)
    sides = decide_sides(proposal.sides or {}, institutions, decision="reject", scope=caller.scope)
    _bump(session, proposal, version, {"status": status_of(sides, institutions), "sides": sides})
    _record(session, proposal, caller, kind="reject", comment=comment, version=version + 1)
    institutions = institutions_of(proposal.mentee_institution, mentor_institution)
    pinned_sides = decide_sides({}, institutions, decision="pin", scope=caller.scope)
    pinned = ProposalRow(
        run_id=proposal.run_id,
        mentee_id=proposal.mentee_id,
        mentor_id=alternative.alternative_mentor_id,
        mentee_institution=proposal.mentee_institution,
        mentor_institution=mentor_institution,
        group_id="",
        format=meeting_format,
        score=alternative.score,
        covered=[],
        explanation=SWAPPED_IN,
        breakdown={},
        robustness="",
        status=status_of(pinned_sides, institutions),
        sides=pinned_sides,
        version=1,
        updated_at=utcnow(),
    )
    session.add(pinned)
    session.flush()
    _record(session, pinned, caller, kind="pin", comment=comment, version=1)
    session.commit()
    session.refresh(proposal)
    return pinned


@dataclass(frozen=True, slots=True)
class RecordedDecision:
    """A decision or consent recorded on a proposal, with the name of the user who made it."""

    decision: DecisionRow
    actor: str | None


def decisions_since(session: Session, proposal_id: int, version: int) -> list[RecordedDecision]:
    """What was recorded on a proposal after ``version``, oldest first."""
    query = (
        select(DecisionRow, UserRow.name)
        .outerjoin(UserRow, UserRow.id == DecisionRow.user_id)
        .where(DecisionRow.proposal_id == proposal_id, DecisionRow.version > version)
        .order_by(DecisionRow.version)
    )
    return [RecordedDecision(row, name) for row, name in session.execute(query)]


def _record(
    session: Session,
    proposal: ProposalRow,
    caller: Caller,
    *,
    kind: str,
    version: int,
    comment: str = "",
) -> None:
    decision, entry = decision_entries(
        {name: getattr(proposal, name) for name in DECIDED_FIELDS},
        caller,
        kind=kind,
        version=version,
        comment=comment,
    )
    session.add(DecisionRow(**decision))
    session.add(AuditRow(**entry))


DECIDED_FIELDS = ("id", "run_id", "mentee_id", "mentor_id", "mentee_institution")
"""What a decision's record and audit entry name of the proposal."""


def decision_entries(
    proposal: Mapping[str, Any],
    caller: Caller,
    *,
    kind: str,
    version: int,
    comment: str = "",
    party: str | None = None,
    agree: bool | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values of a decision's (or consent's) row and of its audit entry, which name the
    proposal by its ``DECIDED_FIELDS``."""
    decision = {
        "proposal_id": proposal["id"],
        "kind": kind,
        "party": party,
        "agree": agree,
        "comment": comment,
        "version": version,
        "user_id": caller.user_id,
    }
    detail: dict[str, Any] = {
        "run_id": proposal["run_id"],
        "mentee_id": proposal["mentee_id"],
        "mentor_id": proposal["mentor_id"],
        "version": version,
    }
    if kind == "consent":
        detail |= {"party": party, "agree": agree}
    else:
        detail |= {"decision": kind, "comment": comment}
    entry = audit_entry(
        caller,
        action="consent" if kind == "consent" else "decision",
        entity="proposal",
        entity_id=str(proposal["id"]),
        institution=caller.scope or proposal["mentee_institution"],
        detail=detail,
    )
    return decision, entry
