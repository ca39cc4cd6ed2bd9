"""A run may be limited to named mentees (a mentee who asked to replace the mentor is matched alone),
and may hold places of mentors that an earlier run of the same yearly cycle proposed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as table:
        table.add_column(sa.Column("mentees", sa.JSON(), nullable=True))
        table.add_column(sa.Column("reserved", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as table:
        table.drop_column("reserved")
        table.drop_column("mentees")
