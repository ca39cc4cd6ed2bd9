"""A run's alternatives for each proposal, and whether an unmatched mentee's fix was verified.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alternatives",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("mentee_id", sa.String(), nullable=False),
        sa.Column("mentor_id", sa.String(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("alternative_mentor_id", sa.String(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("free_places", sa.Integer(), nullable=False),
    )
    op.create_index("ix_alternatives_run_pair", "alternatives", ["run_id", "mentee_id", "mentor_id"])
    with op.batch_alter_table("unmatched") as table:
        table.add_column(sa.Column("fix_verified", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("unmatched") as table:
        table.drop_column("fix_verified")
    op.drop_index("ix_alternatives_run_pair", table_name="alternatives")
    op.drop_table("alternatives")
