"""Initial schema: institutions, users and tokens, both banks, runs, proposals, decisions, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _person_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("institution", sa.String(), sa.ForeignKey("institutions.code"), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("municipality", sa.Text(), nullable=False),
        sa.Column("position", sa.Text(), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("experience_years", sa.Integer(), nullable=True),
        sa.Column("formats", sa.JSON(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
    ]


def upgrade() -> None:
    op.create_table(
        "institutions",
        sa.Column("code", sa.String(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("institution", sa.String(), sa.ForeignKey("institutions.code"), nullable=True),
        _timestamp("created_at"),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        _timestamp("created_at"),
    )
    op.create_index("ix_tokens_user_id", "tokens", ["user_id"])
    op.create_table(
        "mentors",
        *_person_columns(),
        sa.Column("qualification", sa.Text(), nullable=False),
        sa.Column("competences", sa.JSON(), nullable=False),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("max_group", sa.Integer(), nullable=False),
    )
    op.create_index("ix_mentors_institution", "mentors", ["institution"])
    op.create_table(
        "mentees",
        *_person_columns(),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("difficulties", sa.JSON(), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("preferred_mentors", sa.JSON(), nullable=False),
        sa.Column("excluded_mentors", sa.JSON(), nullable=False),
        sa.Column("max_mentors", sa.Integer(), nullable=False),
    )
    op.create_index("ix_mentees_institution", "mentees", ["institution"])
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("institution", sa.String(), sa.ForeignKey("institutions.code"), nullable=True),
        sa.Column("based_on", sa.Integer(), sa.ForeignKey("runs.id"), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        _timestamp("created_at"),
        _timestamp("started_at", nullable=True),
        _timestamp("finished_at", nullable=True),
    )
    op.create_index("ix_runs_institution", "runs", ["institution"])
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("mentee_id", sa.String(), nullable=False),
        sa.Column("mentor_id", sa.String(), nullable=False),
        sa.Column("group_id", sa.String(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("covered", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.Column("robustness", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("mentee_consent", sa.Boolean(), nullable=True),
        sa.Column("mentor_consent", sa.Boolean(), nullable=True),
        _timestamp("updated_at"),
        sa.UniqueConstraint("run_id", "mentee_id", "mentor_id", name="uq_proposals_pair"),
    )
    op.create_index("ix_proposals_run_id", "proposals", ["run_id"])
    op.create_table(
        "unmatched",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("mentee_id", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
    )
    op.create_index("ix_unmatched_run_id", "unmatched", ["run_id"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "proposal_id", sa.Integer(), sa.ForeignKey("proposals.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("party", sa.String(), nullable=True),
        sa.Column("agree", sa.Boolean(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        _timestamp("at"),
    )
    op.create_index("ix_decisions_proposal_id", "decisions", ["proposal_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        _timestamp("at"),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("entity", sa.String(), nullable=False),
        sa.Column("entity_id", sa.String(), nullable=False),
        sa.Column("institution", sa.String(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_institution_at", "audit_log", ["institution", "at"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "decisions",
        "unmatched",
        "proposals",
        "runs",
        "mentees",
        "mentors",
        "tokens",
        "users",
        "institutions",
    ):
        op.drop_table(table)
