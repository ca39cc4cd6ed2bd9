"""Monitoring: the end-of-program questionnaires and each school year's targets.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "questionnaires",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "program_id", sa.Integer(), sa.ForeignKey("programs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("party", sa.String(), nullable=False),
        sa.Column("institution", sa.String(), nullable=False),
        sa.Column("satisfaction", sa.Integer(), nullable=False),
        sa.Column("scales", sa.JSON(), nullable=False),
        sa.Column("overcome", sa.JSON(), nullable=False),
        sa.Column("partly", sa.JSON(), nullable=False),
        sa.Column("not_overcome", sa.JSON(), nullable=False),
        sa.Column("future", sa.String(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("program_id", "party", name="uq_questionnaires_program_party"),
    )
    op.create_index("ix_questionnaires_program_id", "questionnaires", ["program_id"])
    op.create_index("ix_questionnaires_institution", "questionnaires", ["institution"])
    op.create_table(
        "monitoring_targets",
        sa.Column("year", sa.String(), primary_key=True),
        sa.Column("young_specialists", sa.Float(), nullable=True),
        sa.Column("mentee_satisfaction", sa.Float(), nullable=True),
        sa.Column("mentor_satisfaction", sa.Float(), nullable=True),
        sa.Column("completed", sa.Float(), nullable=True),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("monitoring_targets")
    op.drop_index("ix_questionnaires_institution", "questionnaires")
    op.drop_index("ix_questionnaires_program_id", "questionnaires")
    op.drop_table("questionnaires")
