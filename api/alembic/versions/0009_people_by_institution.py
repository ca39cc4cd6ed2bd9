"""People are keyed by (institution, id): two institutions may use the same id.

Mentors and mentees get the primary key (institution, id); a proposal is unique in its run by
both people's institutions and ids; alternatives remember the institutions of the pair and of
the alternative mentor. Where a run refers to people without an institution column (the
unmatched mentees' candidates, the mentees a run is limited to, the places it holds) the
reference becomes the qualified id «id@institution» (ids never hold «@»). Existing rows were
unique by id, so each reference is qualified with the institution its id had.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import SAWarning

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAIR = ("run_id", "mentee_id", "mentor_id")
KEYED_PAIR = ("run_id", "mentee_institution", "mentee_id", "mentor_institution", "mentor_id")


def _primary_key(table: str, columns: list[str]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # the copy's columns keep their old primary_key flag; the new constraint is what counts
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Table '_alembic_tmp_", SAWarning)
            with op.batch_alter_table(table, recreate="always") as batch:
                batch.create_primary_key(f"{table}_pkey", columns)
    else:
        op.drop_constraint(f"{table}_pkey", table, type_="primary")
        op.create_primary_key(f"{table}_pkey", table, columns)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _qualify(ids: dict[str, str], person_id: str) -> str:
    return f"{person_id}@{ids[person_id]}" if person_id in ids and "@" not in person_id else person_id


def upgrade() -> None:
    _primary_key("mentors", ["institution", "id"])
    _primary_key("mentees", ["institution", "id"])
    with op.batch_alter_table("proposals") as table:
        table.drop_constraint("uq_proposals_pair", type_="unique")
        table.create_unique_constraint("uq_proposals_pair", list(KEYED_PAIR))
    with op.batch_alter_table("alternatives") as table:
        for column in ("mentee_institution", "mentor_institution", "alternative_mentor_institution"):
            table.add_column(sa.Column(column, sa.String(), nullable=True))
    for column, source in (
        ("mentee_institution", "proposals.mentee_institution"),
        ("mentor_institution", "proposals.mentor_institution"),
    ):
        op.execute(
            f"UPDATE alternatives SET {column} = (SELECT {source} FROM proposals WHERE "
            "proposals.run_id = alternatives.run_id AND proposals.mentee_id = alternatives.mentee_id "
            "AND proposals.mentor_id = alternatives.mentor_id)"
        )
    op.execute(
        "UPDATE alternatives SET alternative_mentor_institution = (SELECT institution FROM mentors "
        "WHERE mentors.id = alternatives.alternative_mentor_id)"
    )
    bind = op.get_bind()
    mentors = {row[0]: row[1] for row in bind.execute(sa.text("SELECT id, institution FROM mentors"))}
    mentees = {row[0]: row[1] for row in bind.execute(sa.text("SELECT id, institution FROM mentees"))}
    for row_id, candidates in bind.execute(sa.text("SELECT id, candidates FROM unmatched")).all():
        qualified = [_qualify(mentors, c) for c in _json(candidates) or []]
        bind.execute(
            sa.text("UPDATE unmatched SET candidates = :c WHERE id = :id").bindparams(
                sa.bindparam("c", type_=sa.JSON)
            ),
            {"c": qualified, "id": row_id},
        )
    for row_id, limited, reserved in bind.execute(sa.text("SELECT id, mentees, reserved FROM runs")).all():
        limited, reserved = _json(limited), _json(reserved)
        if limited is None and reserved is None:
            continue
        bind.execute(
            sa.text("UPDATE runs SET mentees = :m, reserved = :r WHERE id = :id").bindparams(
                sa.bindparam("m", type_=sa.JSON(none_as_null=True)),
                sa.bindparam("r", type_=sa.JSON(none_as_null=True)),
            ),
            {
                "m": None if limited is None else [_qualify(mentees, m) for m in limited],
                "r": None if reserved is None else {_qualify(mentors, k): n for k, n in reserved.items()},
                "id": row_id,
            },
        )


def downgrade() -> None:
    with op.batch_alter_table("alternatives") as table:
        for column in ("alternative_mentor_institution", "mentor_institution", "mentee_institution"):
            table.drop_column(column)
    with op.batch_alter_table("proposals") as table:
        table.drop_constraint("uq_proposals_pair", type_="unique")
        table.create_unique_constraint("uq_proposals_pair", list(PAIR))
    _primary_key("mentees", ["id"])
    _primary_key("mentors", ["id"])
