"""The runs queue of worker processes (PostgreSQL only): procrastinate's own schema.

With SQLite the service computes runs in its own process and needs no queue. The schema is the
one the installed procrastinate ships (``SchemaManager.get_schema``); its version is pinned in
the lock file, and a newer procrastinate brings its own migrations, applied by a later revision.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DROP_FUNCTIONS = """
DO $$
DECLARE f record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%'
    LOOP
        EXECUTE 'DROP FUNCTION IF EXISTS ' || f.signature || ' CASCADE';
    END LOOP;
END $$;
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        with bind.connection.dbapi_connection.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(SchemaManager.get_schema())  # no parameters: its «%» stay as they are


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in (
        "procrastinate_events",
        "procrastinate_periodic_defers",
        "procrastinate_jobs",
        "procrastinate_workers",
    ):
        bind.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    bind.exec_driver_sql(_DROP_FUNCTIONS)
    for kind in ("procrastinate_job_to_defer_v", "procrastinate_job_event_type", "procrastinate_job_status"):
        bind.exec_driver_sql(f"DROP TYPE IF EXISTS {kind} CASCADE")
