"""The busiest statements on PostgreSQL go to the driver as prepared statements
(``api.storage.prepared``): they answer what SQLAlchemy's execution answers, a value the database
cannot hold is still the client's 422 and changes nothing, and a connection the server dropped is
replaced, not handed to the next request."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from api.storage import pages
from api.storage.db import answering_engine, make_engine, migrate
from api.storage.run_records import ProposalFilter
from tests.api.service import Service, import_banks, proposals, run_to_end

SCHOOL = "school-1"


def test_pages_and_one_proposal_equal_sqlalchemys_rows(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    run = run_to_end(curator, {"scope": "institution"})
    first = proposals(curator, run["id"])[0]
    decided = curator.post(
        f"/api/v1/proposals/{first['id']}/decision",
        json={"decision": "approve", "comment": "Согласовано", "version": first["version"]},
    )
    assert decided.status_code == 200, decided.text
    engine = answering_engine(service.database_url, make_engine(service.database_url))
    try:
        with engine.connect() as connection:
            for scope in (None, SCHOOL, "elsewhere"):
                statement = pages._one_proposal(scope is not None)
                values = {"proposal_id": first["id"], "scope": scope}
                expected = connection.execute(statement.statement, values).all()
                assert [tuple(row) for row in statement.rows(connection, values)] == [
                    tuple(row) for row in expected
                ]
            page, count = pages._proposals_statements(False, False, False, None)
            values: dict[str, Any] = {"run_id": run["id"], "limit": 50, "offset": 0}
            assert [tuple(row) for row in page.rows(connection, values)] == [
                tuple(row) for row in connection.execute(page.statement, values).all()
            ]
            assert count.scalar(connection, values) == connection.scalar(count.statement, values)
            items, total = pages.proposals_page(
                connection, run["id"], ProposalFilter(), limit=1000, offset=0, scope=SCHOOL
            )
            assert total == len(items) == len(proposals(curator, run["id"]))
            read = pages.proposal(connection, first["id"], scope=None)
            assert read is not None
            assert read["updated_at"].utcoffset().total_seconds() == 0
            assert read["sides"] == {SCHOOL: "approve"}
            assert isinstance(read["breakdown"], dict) and isinstance(read["covered"], list)
    finally:
        engine.dispose()


def test_a_nul_character_in_a_comment_is_refused_and_changes_nothing(backend: str, service: Service) -> None:
    """PostgreSQL's text holds no NUL character (SQLite stores it as sent)."""
    if backend != "postgresql":
        pytest.skip("SQLite stores a NUL character")
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    run = run_to_end(curator, {"scope": "institution"})
    first = proposals(curator, run["id"])[0]
    refused = curator.post(
        f"/api/v1/proposals/{first['id']}/decision",
        json={"decision": "approve", "comment": "Со\x00гласовано", "version": first["version"]},
    )
    assert refused.status_code == 422, refused.text
    assert "недопустимый символ" in refused.text
    after = next(p for p in proposals(curator, run["id"]) if p["id"] == first["id"])
    assert (after["version"], after["status"]) == (first["version"], first["status"])
    audit = curator.get("/api/v1/audit", params={"limit": 1000}).json()["items"]
    assert not [entry for entry in audit if entry["action"] == "decision"]


def test_a_connection_the_server_dropped_is_replaced(backend: str, database_url: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no server to drop a connection")
    schema = make_engine(database_url)
    migrate(schema)
    schema.dispose()
    engine = answering_engine(database_url, make_engine(database_url))
    statement = pages._run_visible(False)
    try:
        with engine.connect() as connection:
            backend_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        admin = make_engine(database_url)
        with admin.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend_pid})
        admin.dispose()
        with engine.connect() as connection, pytest.raises(OperationalError) as raised:
            statement.scalar(connection, {"run_id": 1})
        assert raised.value.connection_invalidated
        with engine.connect() as connection:
            assert statement.scalar(connection, {"run_id": 1}) is None
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != backend_pid
    finally:
        engine.dispose()
