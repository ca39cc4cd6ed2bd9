"""The service's tables (SQLAlchemy 2, typed declarative). Only migrations change the schema.

People keep the parsed fields of their bank row in columns, lists and maps as JSON. A person is
unique by (institution, id) within each bank: two institutions may use the same id, and the same
person may be in both banks. Runs, proposals and unmatched mentees refer to people by institution
and id only (``api.person_keys``), so erasing a person leaves no name behind.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class InstitutionRow(Base):
    """An institution of the registry; ``name`` is its full name. An institution first met in a
    bank or a user's scope has its code as its name until the registry is imported."""

    __tablename__ = "institutions"

    code: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    short_name: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(Text, default="")
    municipality: Mapped[str] = mapped_column(Text, default="")
    head_name: Mapped[str] = mapped_column(Text, default="")
    head_position: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    role: Mapped[str] = mapped_column(String)
    institution: Mapped[str | None] = mapped_column(ForeignKey("institutions.code"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TokenRow(Base):
    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column()
    """None: valid until revoked."""
    revoked_at: Mapped[datetime | None] = mapped_column()


class PersonColumns:
    """The columns both banks share (interchange contract, «same meaning»)."""

    institution: Mapped[str] = mapped_column(ForeignKey("institutions.code"), primary_key=True, index=True)
    id: Mapped[str] = mapped_column(String, primary_key=True)
    full_name: Mapped[str] = mapped_column(Text)
    municipality: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[str] = mapped_column(Text, default="")
    subjects: Mapped[list[Any]] = mapped_column(default=list)
    levels: Mapped[list[Any]] = mapped_column(default=list)
    experience_years: Mapped[int | None] = mapped_column(Integer)
    formats: Mapped[list[Any]] = mapped_column(default=list)
    consent: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MentorRow(PersonColumns, Base):
    __tablename__ = "mentors"
    __table_args__ = (Index("ix_mentors_page", "id", "institution"),)
    """The list's order (``api.storage.pages``): a page walks the index instead of sorting the bank."""

    qualification: Mapped[str] = mapped_column(Text, default="")
    competences: Mapped[dict[str, Any]] = mapped_column(default=dict)
    about: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(Integer, default=2)
    max_group: Mapped[int] = mapped_column(Integer, default=1)


class MenteeRow(PersonColumns, Base):
    __tablename__ = "mentees"
    __table_args__ = (Index("ix_mentees_page", "id", "institution"),)

    category: Mapped[str] = mapped_column(Text, default="")
    difficulties: Mapped[dict[str, Any]] = mapped_column(default=dict)
    request: Mapped[str] = mapped_column(Text, default="")
    preferred_mentors: Mapped[list[Any]] = mapped_column(default=list)
    excluded_mentors: Mapped[list[Any]] = mapped_column(default=list)
    max_mentors: Mapped[int] = mapped_column(Integer, default=1)


class BankSizeRow(Base):
    """How many people one bank (``mentors`` or ``mentees``) holds in one institution, kept by the
    database's triggers on the banks (migration 0013), so that a list's total is not a count of
    the whole bank. Nothing in the service writes it."""

    __tablename__ = "bank_sizes"

    bank: Mapped[str] = mapped_column(String, primary_key=True)
    institution: Mapped[str] = mapped_column(String, primary_key=True)
    people: Mapped[int] = mapped_column(Integer)


class RunRow(Base):
    """A matching run. ``institution`` is None for a municipality-wide run."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String)
    institution: Mapped[str | None] = mapped_column(ForeignKey("institutions.code"), index=True)
    based_on: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    mentees: Mapped[list[Any] | None] = mapped_column(JSON)
    """Only these mentees (qualified ids «id@institution») are matched (None: the whole bank of
    the run's scope)."""
    reserved: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Places of mentors already proposed by an earlier run of the same cycle {qualified id: n}."""
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String, default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


class ProposalRow(Base):
    """One mentee–mentor assignment of a run, with the council's decision and both consents.

    ``mentee_institution`` and ``mentor_institution`` are the people's institutions at the time
    of the run: the proposal is within the scope of both. ``sides`` holds each institution's own
    decision on a pair that crosses institutions; ``status`` follows from them."""

    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint(
            "run_id",
            "mentee_institution",
            "mentee_id",
            "mentor_institution",
            "mentor_id",
            name="uq_proposals_pair",
        ),
        Index("ix_proposals_run_page", "run_id", "mentee_institution", "group_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[str] = mapped_column(String)
    mentor_id: Mapped[str] = mapped_column(String)
    group_id: Mapped[str] = mapped_column(String, default="")
    format: Mapped[str] = mapped_column(String)
    score: Mapped[float] = mapped_column(Float)
    covered: Mapped[list[Any]] = mapped_column(default=list)
    explanation: Mapped[str] = mapped_column(Text, default="")
    breakdown: Mapped[dict[str, Any]] = mapped_column(default=dict)
    robustness: Mapped[str] = mapped_column(String, default="")
    status: Mapped[str] = mapped_column(String, default="proposed")
    version: Mapped[int] = mapped_column(Integer, default=1)
    mentee_consent: Mapped[bool | None] = mapped_column(Boolean)
    mentor_consent: Mapped[bool | None] = mapped_column(Boolean)
    mentee_institution: Mapped[str | None] = mapped_column(String, index=True)
    mentor_institution: Mapped[str | None] = mapped_column(String, index=True)
    sides: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class UnmatchedRow(Base):
    __tablename__ = "unmatched"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[str] = mapped_column(String)
    reason: Mapped[str] = mapped_column(String)
    candidates: Mapped[list[Any]] = mapped_column(default=list)
    """The mentors in the way, as qualified ids «id@institution» (``api.person_keys``)."""
    explanation: Mapped[str] = mapped_column(Text, default="")
    fix: Mapped[str] = mapped_column(Text, default="")
    institution: Mapped[str | None] = mapped_column(String, index=True)
    fix_verified: Mapped[bool] = mapped_column(Boolean, default=False)


class ProgramRow(Base):
    """A mentoring program: an approved pair both participants agreed to, being carried out.

    ``status`` is active, extended, completed or ended_early (``matcher.programs``); the people
    are named by id and institution only, so erasing a person leaves no name behind."""

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    mentee_id: Mapped[str] = mapped_column(String, index=True)
    mentor_id: Mapped[str] = mapped_column(String, index=True)
    mentee_institution: Mapped[str] = mapped_column(String, index=True)
    mentor_institution: Mapped[str] = mapped_column(String, index=True)
    group_id: Mapped[str] = mapped_column(String, default="")
    format: Mapped[str] = mapped_column(String)
    form: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)
    covered: Mapped[list[Any]] = mapped_column(default=list)
    year: Mapped[str] = mapped_column(String)
    start: Mapped[date] = mapped_column(Date)
    planned_end: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String)
    end_reason: Mapped[str] = mapped_column(String, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlternativeRow(Base):
    """Another mentor who could take a proposed pair's mentee, as the run found it (rank 1–3)."""

    __tablename__ = "alternatives"
    __table_args__ = (Index("ix_alternatives_run_pair", "run_id", "mentee_id", "mentor_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    mentee_id: Mapped[str] = mapped_column(String)
    mentor_id: Mapped[str] = mapped_column(String)
    mentee_institution: Mapped[str | None] = mapped_column(String)
    mentor_institution: Mapped[str | None] = mapped_column(String)
    rank: Mapped[int] = mapped_column(Integer)
    alternative_mentor_id: Mapped[str] = mapped_column(String)
    alternative_mentor_institution: Mapped[str | None] = mapped_column(String)
    score: Mapped[float] = mapped_column(Float)
    free_places: Mapped[int] = mapped_column(Integer)


class DecisionRow(Base):
    """Each decision or consent recorded on a proposal, with who and when."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String)
    party: Mapped[str | None] = mapped_column(String)
    agree: Mapped[bool | None] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditRow(Base):
    """Who changed what, when. ``detail`` holds ids, counts, field names and a decision's comment;
    never the fields of a person's bank row."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_institution_at", "institution", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String)
    role: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)
    entity: Mapped[str] = mapped_column(String)
    entity_id: Mapped[str] = mapped_column(String)
    institution: Mapped[str | None] = mapped_column(String)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DocumentTemplateRow(Base):
    """An institution's own DOCX template of one document (``matcher.documents.templates.Form``),
    uploaded by its curator; documents of that institution are filled from it."""

    __tablename__ = "document_templates"

    institution: Mapped[str] = mapped_column(ForeignKey("institutions.code"), primary_key=True)
    form: Mapped[str] = mapped_column(String, primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuestionnaireRow(Base):
    """One end-of-program questionnaire (``matcher.questionnaires``): the party's scores about one
    program. ``answers`` (the open questions) is personal and goes with the person's erasure;
    the scores stay, anonymous, for the indicators."""

    __tablename__ = "questionnaires"
    __table_args__ = (UniqueConstraint("program_id", "party", name="uq_questionnaires_program_party"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    party: Mapped[str] = mapped_column(String)
    institution: Mapped[str] = mapped_column(String, index=True)
    """The institution of the person who filled it."""
    satisfaction: Mapped[int] = mapped_column(Integer)
    scales: Mapped[dict[str, Any]] = mapped_column(default=dict)
    overcome: Mapped[list[Any]] = mapped_column(default=list)
    partly: Mapped[list[Any]] = mapped_column(default=list)
    not_overcome: Mapped[list[Any]] = mapped_column(default=list)
    future: Mapped[str] = mapped_column(String, default="")
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source: Mapped[str] = mapped_column(Text, default="")
    """«api» or the name of the file it was imported from."""
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MonitoringTargetsRow(Base):
    """The targets of one school year («2026/27») in percent, set by the municipality; a year
    without a row has the defaults of ``matcher.monitoring.default_targets``."""

    __tablename__ = "monitoring_targets"

    year: Mapped[str] = mapped_column(String, primary_key=True)
    young_specialists: Mapped[float | None] = mapped_column(Float)
    mentee_satisfaction: Mapped[float | None] = mapped_column(Float)
    mentor_satisfaction: Mapped[float | None] = mapped_column(Float)
    completed: Mapped[float | None] = mapped_column(Float)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
