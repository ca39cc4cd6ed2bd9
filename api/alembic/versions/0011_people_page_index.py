"""The banks in list order: an index on (id, institution) of mentors and of mentees, so a page of
``GET /mentors`` or ``/mentees`` walks the index instead of sorting the whole bank (1,200 rows of
the sample each request; 100,000 at a region).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_mentors_page", "mentors", ["id", "institution"])
    op.create_index("ix_mentees_page", "mentees", ["id", "institution"])


def downgrade() -> None:
    op.drop_index("ix_mentees_page", table_name="mentees")
    op.drop_index("ix_mentors_page", table_name="mentors")
