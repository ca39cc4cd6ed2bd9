"""A run's proposals in page order: the index the proposals page walks (run, the mentee's
institution, group, id), so a page joins the people of its own rows only, not of the whole run.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_proposals_run_page", "proposals", ["run_id", "mentee_institution", "group_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_proposals_run_page", table_name="proposals")
