"""Erasing a person whose consent was withdrawn (152-ФЗ): nothing personal stays anywhere.

The bank row goes. Proposals and unmatched records keep the id, the institution, status, format
and score, so the indicators still count the pair, but lose what was derived from the person's
fields (explanation, covered difficulties, breakdown, candidates, advice). The end-of-program
questionnaires of the person's programs keep their scores, anonymous, and lose the open answers.
Comments on the person's proposals and programs are cleared, in the decisions and in the audit
log; in every other comment, open answer and audit entry of the institutions concerned the
person's name is replaced.
Documents are made from the database when asked, so every later export follows.

On SQLite the service deletes securely (``PRAGMA secure_delete=ON``, set on every connection by
``db``) and checkpoints the write-ahead log after an erasure (``wal_checkpoint(TRUNCATE)``), so
neither the database file nor its ``-wal`` keeps the erased values. PostgreSQL keeps dead row
versions until ``VACUUM``: see the README.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from api.access import Caller
from api.storage.repository import ENTITY, Person, audit
from api.storage.tables import (
    AuditRow,
    DecisionRow,
    MenteeRow,
    ProgramRow,
    ProposalRow,
    QuestionnaireRow,
    UnmatchedRow,
)

log = logging.getLogger(__name__)

ERASED_RU = "[удалено]"
CHECKPOINT_TRIES = 20
CHECKPOINT_PAUSE_SECONDS = 0.1
NAME_PART_MIN = 3
"""Parts of a name shorter than this (initials) are not searched for on their own."""


def _name_pattern(full_name: str) -> re.Pattern[str] | None:
    """The whole name and each of its words, as whole words, any case."""
    parts = sorted(
        {full_name.strip(), *(p for p in re.split(r"\W+", full_name) if len(p) >= NAME_PART_MIN)},
        key=len,
        reverse=True,
    )
    parts = [p for p in parts if p]
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in parts) + r")(?!\w)", re.IGNORECASE)


def _scrubbed(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(ERASED_RU, value)
    if isinstance(value, list):
        return [_scrubbed(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, pattern) for key, item in value.items()}
    return value


def erase_person(session: Session, row: Person, *, caller: Caller) -> None:
    """Erase ``row`` and every trace of its fields, in one transaction; then clean the files."""
    erase_row(session, row, caller=caller)
    session.commit()
    checkpoint(session)


def erase_row(session: Session, row: Person, *, caller: Caller, reason: str = "") -> None:
    """Erase ``row`` and every trace of its fields within the caller's transaction: no commit,
    no checkpoint (``erase_person`` does both; an import that replaces a bank erases everybody
    absent from the file, then commits once and checkpoints). ``reason`` goes to the audit entry
    (``import``: left out of a replacing import)."""
    kind = ENTITY[type(row)]
    person_id, institution, full_name = row.id, row.institution, row.full_name
    mentee = isinstance(row, MenteeRow)
    own = (
        (ProposalRow.mentee_id == person_id) & (ProposalRow.mentee_institution == institution)
        if mentee
        else (ProposalRow.mentor_id == person_id) & (ProposalRow.mentor_institution == institution)
    )
    proposal_ids = list(session.scalars(select(ProposalRow.id).where(own)))
    institutions = {institution}
    for mentee_side, mentor_side in session.execute(
        select(ProposalRow.mentee_institution, ProposalRow.mentor_institution).where(own)
    ):
        institutions.update(i for i in (mentee_side, mentor_side) if i)

    session.execute(update(ProposalRow).where(own).values(explanation="", covered=[], breakdown={}))
    if isinstance(row, MenteeRow):
        session.execute(
            update(UnmatchedRow)
            .where(UnmatchedRow.mentee_id == person_id, UnmatchedRow.institution == institution)
            .values(explanation="", fix="", candidates=[])
        )
    person_programs = (
        (ProgramRow.mentee_id == person_id) & (ProgramRow.mentee_institution == institution)
        if mentee
        else (ProgramRow.mentor_id == person_id) & (ProgramRow.mentor_institution == institution)
    )
    session.execute(update(ProgramRow).where(person_programs).values(comment=""))
    # the questionnaires of the person's programs keep their scores (the indicators count them)
    # and lose the open answers, which speak of the person and the partner
    session.execute(
        update(QuestionnaireRow)
        .where(QuestionnaireRow.program_id.in_(select(ProgramRow.id).where(person_programs)))
        .values(answers={})
    )
    if proposal_ids:
        session.execute(
            update(DecisionRow).where(DecisionRow.proposal_id.in_(proposal_ids)).values(comment="")
        )

    pattern = _name_pattern(full_name)
    if pattern is not None:
        for decision in session.scalars(select(DecisionRow).where(DecisionRow.comment != "")):
            decision.comment = pattern.sub(ERASED_RU, decision.comment)
        for program in session.scalars(select(ProgramRow).where(ProgramRow.comment != "")):
            program.comment = pattern.sub(ERASED_RU, program.comment)
        for questionnaire in session.scalars(select(QuestionnaireRow)):
            answers = _scrubbed(questionnaire.answers, pattern)
            if answers != questionnaire.answers:
                questionnaire.answers = answers
    audited = select(AuditRow).where(
        or_(AuditRow.institution.in_(institutions), AuditRow.institution.is_(None))
    )
    own_entries = {str(pid) for pid in proposal_ids}
    for entry in session.scalars(audited):
        detail = dict(entry.detail)
        if entry.entity == "proposal" and entry.entity_id in own_entries and "comment" in detail:
            detail["comment"] = ""
        if pattern is not None:
            detail = _scrubbed(detail, pattern)
        if detail != entry.detail:
            entry.detail = detail

    audit(
        session,
        caller,
        action="erase",
        entity=kind,
        entity_id=person_id,
        institution=institution,
        detail={"proposals": len(proposal_ids), **({"reason": reason} if reason else {})},
    )
    session.delete(row)


def checkpoint(session: Session) -> None:
    """SQLite: copy the write-ahead log into the database and empty it, so the erased values are
    in neither file. Retried while other connections still read; PostgreSQL: nothing to do."""
    engine = session.get_bind()
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        return
    for _ in range(CHECKPOINT_TRIES):
        with engine.connect() as connection:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
        if not busy:
            return
        time.sleep(CHECKPOINT_PAUSE_SECONDS)
    log.warning("write-ahead log not checkpointed after an erasure: the database stayed busy")
