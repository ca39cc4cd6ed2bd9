"""Migration 0009 on a database that already holds people, a run and its results (both databases):
people become keyed by (institution, id), the references without an institution column become
qualified ids, and afterwards another institution may use the same id."""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from api.storage.db import alembic_config, make_engine, migrate

NOW = datetime(2026, 12, 1, tzinfo=UTC)
PERSON = {
    "full_name": "Иванова Анна",
    "municipality": "",
    "position": "",
    "subjects": "[]",
    "levels": "[]",
    "formats": '["remote"]',
    "consent": True,
    "created_at": NOW,
    "updated_at": NOW,
}


def _insert(connection: Any, table: str, **values: Any) -> None:
    columns = ", ".join(values)
    connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES (:{', :'.join(values)})"), values)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def test_0009_keys_people_by_institution_and_qualifies_old_references(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0008")
    with engine.begin() as connection:
        for code in ("school-1", "school-2"):
            _insert(connection, "institutions", code=code, name=code)
        _insert(
            connection,
            "mentors",
            id="T-01",
            institution="school-2",
            qualification="",
            competences="{}",
            about="",
            capacity=2,
            max_group=1,
            **PERSON,
        )
        _insert(
            connection,
            "mentees",
            id="M-01",
            institution="school-1",
            category="",
            difficulties="{}",
            request="",
            preferred_mentors="[]",
            excluded_mentors="[]",
            max_mentors=1,
            **PERSON,
        )
        _insert(
            connection,
            "runs",
            id=1,
            scope="municipality",
            options="{}",
            status="done",
            progress=1.0,
            attempts=1,
            created_at=NOW,
            mentees='["M-01"]',
            reserved='{"T-01": 1}',
        )
        _insert(
            connection,
            "unmatched",
            run_id=1,
            mentee_id="M-01",
            reason="capacity_exhausted",
            candidates='["T-01"]',
            explanation="",
            fix="",
            institution="school-1",
            fix_verified=False,
        )
    migrate(engine)
    with engine.begin() as connection:
        mentees, reserved = connection.execute(text("SELECT mentees, reserved FROM runs")).one()
        assert _json(mentees) == ["M-01@school-1"] and _json(reserved) == {"T-01@school-2": 1}
        candidates = connection.execute(text("SELECT candidates FROM unmatched")).scalar_one()
        assert _json(candidates) == ["T-01@school-2"]
        _insert(
            connection,
            "mentors",
            id="T-01",
            institution="school-1",
            qualification="",
            competences="{}",
            about="",
            capacity=1,
            max_group=1,
            **PERSON,
        )
        rows = connection.execute(text("SELECT institution FROM mentors WHERE id = 'T-01' ORDER BY 1"))
        assert [row[0] for row in rows] == ["school-1", "school-2"]
    engine.dispose()


def _migrate_in_a_process(database_url: str) -> str:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            return str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one())
    finally:
        engine.dispose()


def test_processes_starting_together_on_a_new_database_migrate_it_once(database_url: str) -> None:
    """``serve --workers N`` and the workers each migrate as they start: on a new database all of
    them come up (before, all but one failed with «table already exists»)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(3, mp_context=context) as pool:
        versions = list(pool.map(_migrate_in_a_process, [database_url] * 3))
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert versions == [head] * 3
