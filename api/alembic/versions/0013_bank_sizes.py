"""The number of people of each bank in each institution, kept by the database itself.

A page of ``GET /mentors`` or ``/mentees`` for the municipal role counted the whole bank for its
total (``COUNT(*)`` over 101,200 mentors of a region: an index-only scan of about 8 ms of the
server's CPU per page, a sequential scan of 40 ms before the table is vacuumed). The total is now
the sum of one row per institution. Triggers on both banks keep the rows exact, whichever
statement writes the people (imports, erasures, a change of institution, by the service or by
hand), in the writer's own transaction: PostgreSQL once per statement over its transition tables,
SQLite once per row. The table starts from the people stored when it is made.

On SQLite a later migration that rebuilds ``mentors`` or ``mentees`` (``batch_alter_table`` with
``recreate``) drops their triggers with the old table, and must create them again (``_triggers``).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BANKS = ("mentors", "mentees")
_ADD = "ON CONFLICT (bank, institution) DO UPDATE SET people = bank_sizes.people + excluded.people"


def _postgresql_triggers(bank: str) -> list[str]:
    def counted(moves: str) -> str:
        # one row per institution whose number changed: an edit that keeps the institution
        # writes nothing here (and waits for no other writer of the institution)
        return (
            f"INSERT INTO bank_sizes (bank, institution, people) SELECT '{bank}', institution, "
            f"sum(change) FROM ({moves}) AS moves GROUP BY institution HAVING sum(change) <> 0 {_ADD};"
        )

    came = "SELECT institution, 1 AS change FROM new_people"
    left = "SELECT institution, -1 AS change FROM old_people"
    function = f"bank_sizes_{bank}"
    return [
        f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN {counted(came)}
          ELSIF TG_OP = 'DELETE' THEN {counted(left)}
          ELSE {counted(f"{left} UNION ALL {came}")}
          END IF;
          RETURN NULL;
        END $$""",
        f"CREATE TRIGGER {bank}_counted_in AFTER INSERT ON {bank} REFERENCING NEW TABLE AS new_people "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {bank}_counted_out AFTER DELETE ON {bank} REFERENCING OLD TABLE AS old_people "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {bank}_counted_moved AFTER UPDATE ON {bank} REFERENCING OLD TABLE AS old_people "
        f"NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def _sqlite_triggers(bank: str) -> list[str]:
    def counted(institution: str, people: int) -> str:
        return (
            f"INSERT INTO bank_sizes (bank, institution, people) VALUES ('{bank}', {institution}, {people}) "
            f"{_ADD};"
        )

    return [
        f"CREATE TRIGGER {bank}_counted_in AFTER INSERT ON {bank} BEGIN {counted('NEW.institution', 1)} END",
        f"CREATE TRIGGER {bank}_counted_out AFTER DELETE ON {bank} "
        f"BEGIN {counted('OLD.institution', -1)} END",
        f"CREATE TRIGGER {bank}_counted_moved AFTER UPDATE OF institution ON {bank} "
        f"WHEN OLD.institution IS NOT NEW.institution "
        f"BEGIN {counted('OLD.institution', -1)} {counted('NEW.institution', 1)} END",
    ]


def _triggers(bank: str) -> list[str]:
    if op.get_bind().dialect.name == "postgresql":
        return _postgresql_triggers(bank)
    return _sqlite_triggers(bank)


def upgrade() -> None:
    op.create_table(
        "bank_sizes",
        sa.Column("bank", sa.String(), primary_key=True),
        sa.Column("institution", sa.String(), primary_key=True),
        sa.Column("people", sa.Integer(), nullable=False),
    )
    for bank in BANKS:
        op.execute(
            f"INSERT INTO bank_sizes (bank, institution, people) "
            f"SELECT '{bank}', institution, count(*) FROM {bank} GROUP BY institution"
        )
        for statement in _triggers(bank):
            op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for bank in BANKS:
        for trigger in ("counted_in", "counted_out", "counted_moved"):
            op.execute(f"DROP TRIGGER {bank}_{trigger}" + (f" ON {bank}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION bank_sizes_{bank}()")
    op.drop_table("bank_sizes")
