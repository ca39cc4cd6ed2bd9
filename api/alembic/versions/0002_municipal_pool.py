"""The municipal pool: the institutions registry, each side of a proposal, mentoring programs.

Institutions get the registry's fields (full and short name, kind, municipality, head,
address). Proposals and unmatched mentees remember the institutions of their people at the
time of the run, so a proposal is within the scope of the mentee's and of the mentor's
institution (api.md), and each institution's decision on a cross-institution pair is kept.
Programs are the approved, agreed pairs being carried out.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REGISTRY_COLUMNS = ("short_name", "kind", "municipality", "head_name", "head_position", "address")


def upgrade() -> None:
    with op.batch_alter_table("institutions") as table:
        for name in REGISTRY_COLUMNS:
            table.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
        table.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("proposals") as table:
        table.add_column(sa.Column("mentee_institution", sa.String(), nullable=True))
        table.add_column(sa.Column("mentor_institution", sa.String(), nullable=True))
        table.add_column(sa.Column("sides", sa.JSON(), nullable=True))
    op.create_index("ix_proposals_mentee_institution", "proposals", ["mentee_institution"])
    op.create_index("ix_proposals_mentor_institution", "proposals", ["mentor_institution"])
    with op.batch_alter_table("unmatched") as table:
        table.add_column(sa.Column("institution", sa.String(), nullable=True))
    op.create_index("ix_unmatched_institution", "unmatched", ["institution"])
    for name, column, bank, person in (
        ("proposals", "mentee_institution", "mentees", "mentee_id"),
        ("proposals", "mentor_institution", "mentors", "mentor_id"),
        ("unmatched", "institution", "mentees", "mentee_id"),
    ):
        op.execute(
            f"UPDATE {name} SET {column} = COALESCE("
            f"(SELECT institution FROM runs WHERE runs.id = {name}.run_id), "
            f"(SELECT institution FROM {bank} WHERE {bank}.id = {name}.{person}))"
        )
    op.create_table(
        "programs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "proposal_id", sa.Integer(), sa.ForeignKey("proposals.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("mentee_id", sa.String(), nullable=False),
        sa.Column("mentor_id", sa.String(), nullable=False),
        sa.Column("mentee_institution", sa.String(), nullable=False),
        sa.Column("mentor_institution", sa.String(), nullable=False),
        sa.Column("group_id", sa.String(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("form", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("covered", sa.JSON(), nullable=False),
        sa.Column("year", sa.String(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("planned_end", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("end_reason", sa.String(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_programs_mentee_institution", "programs", ["mentee_institution"])
    op.create_index("ix_programs_mentor_institution", "programs", ["mentor_institution"])
    op.create_index("ix_programs_mentor_id", "programs", ["mentor_id"])
    op.create_index("ix_programs_mentee_id", "programs", ["mentee_id"])


def downgrade() -> None:
    op.drop_table("programs")
    op.drop_index("ix_unmatched_institution", "unmatched")
    with op.batch_alter_table("unmatched") as table:
        table.drop_column("institution")
    op.drop_index("ix_proposals_mentor_institution", "proposals")
    op.drop_index("ix_proposals_mentee_institution", "proposals")
    with op.batch_alter_table("proposals") as table:
        for name in ("sides", "mentor_institution", "mentee_institution"):
            table.drop_column(name)
    with op.batch_alter_table("institutions") as table:
        for name in ("version", *REGISTRY_COLUMNS):
            table.drop_column(name)
