"""The busiest statements run on the driver itself, compiled once (``api.storage.prepared``): on
psycopg's asynchronous connections as prepared statements, on sqlite3's connection. On either
they answer what SQLAlchemy's execution answers; on PostgreSQL a value the database cannot hold
is still the client's 422 and changes nothing, and a connection the server dropped is replaced,
not handed to the next request."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from api.storage import pages
from api.storage.db import answering_pool, make_engine, migrate
from api.storage.prepared import OnDriver, OnSqlite, Prepared, Statements, finished
from api.storage.run_records import ProposalFilter
from tests.api.service import Service, proposals, school_run

SCHOOL = "school-1"

postgresql_only = pytest.mark.parametrize("backend", ["postgresql"], scope="session")


def _on_driver(database_url: str, checks: Any) -> None:
    """``checks(pool, engine)`` in an event loop of its own thread (the tests' thread may hold
    one: the browser tests')."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, _opened(database_url, checks)).result(timeout=120)


async def _opened(database_url: str, checks: Any) -> None:
    engine = make_engine(database_url)
    pool = answering_pool(engine, 1)
    assert pool is not None
    await pool.open()
    try:
        await checks(pool, engine)
    finally:
        await pool.close()
        engine.dispose()


def test_the_driver_answers_what_sqlalchemy_answers_and_refuses_a_nul_character(service: Service) -> None:
    curator, run, made = school_run(service, SCHOOL)
    first = made[0]
    decided = curator.post(
        f"/api/v1/proposals/{first['id']}/decision",
        json={"decision": "approve", "comment": "Согласовано", "version": first["version"]},
    )
    assert decided.status_code == 200, decided.text
    page_values: dict[str, Any] = {"run_id": run["id"], "limit": 50, "offset": 0, "scope": SCHOOL}
    cases: list[tuple[Prepared, dict[str, Any]]] = [
        *(
            (pages._one_proposal(scope is not None), {"proposal_id": first["id"], "scope": scope})
            for scope in (None, SCHOOL, "elsewhere")
        ),
        *((statement, page_values) for statement in pages._proposals_statements(True, False, False, None)),
        *((statement, page_values) for statement in pages._by_name((True, False, False, None), "ова")),
        *(
            (statement, {"scope": None, "limit": 50, "offset": 0})
            for statement in pages._people_statements("mentors", ("id", "full_name"), False, False)
        ),
    ]

    async def checks(driver: Statements, engine: Engine) -> None:
        with engine.connect() as through_sqlalchemy:
            for statement, values in cases:
                expected = [tuple(row) for row in through_sqlalchemy.execute(statement.statement, values)]
                assert [tuple(row) for row in await driver.rows(statement, values)] == expected
                assert expected or values.get("scope") == "elsewhere", statement.statement
        items, total = await pages.proposals_page(
            driver, run["id"], ProposalFilter(), limit=1000, offset=0, scope=SCHOOL
        )
        assert total == len(items) == len(proposals(curator, run["id"]))
        read = await pages.proposal(driver, first["id"], scope=None)
        assert read is not None
        if engine.dialect.name == "postgresql":
            assert read["updated_at"].utcoffset().total_seconds() == 0
        assert read["sides"] == {SCHOOL: "approve"}
        assert isinstance(read["breakdown"], dict) and isinstance(read["covered"], list)

    if service.database_url.startswith("sqlite"):
        engine = make_engine(service.database_url)
        try:
            with closing(engine.raw_connection()) as connection:
                finished(checks(OnSqlite(connection, engine.dialect), engine))
        finally:
            engine.dispose()
        return

    async def on_the_pool(pool: Any, engine: Engine) -> None:
        async with pool.connection() as connection:
            await checks(OnDriver(connection, engine.dialect), engine)

    _on_driver(service.database_url, on_the_pool)

    # PostgreSQL's text holds no NUL character (SQLite stores it as sent): the client's 422
    second = proposals(curator, run["id"])[1]
    refused = curator.post(
        f"/api/v1/proposals/{second['id']}/decision",
        json={"decision": "approve", "comment": "Со\x00гласовано", "version": second["version"]},
    )
    assert refused.status_code == 422, refused.text
    assert "недопустимый символ" in refused.text
    after = next(p for p in proposals(curator, run["id"]) if p["id"] == second["id"])
    assert (after["version"], after["status"]) == (second["version"], second["status"])
    audit = curator.get("/api/v1/audit", params={"limit": 1000}).json()["items"]
    assert [entry["entity_id"] for entry in audit if entry["action"] == "decision"] == [str(first["id"])]


@postgresql_only
def test_a_connection_the_server_dropped_is_replaced(database_url: str) -> None:
    schema = make_engine(database_url)
    migrate(schema)
    statement = pages._run_visible(False)

    async def checks(pool: Any, engine: Any) -> None:
        async with pool.connection() as connection:
            dropped = (await (await connection.execute("SELECT pg_backend_pid()")).fetchone())[0]
        with schema.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        with pytest.raises(OperationalError):
            async with pool.connection() as connection:
                await OnDriver(connection, engine.dialect).scalar(statement, {"run_id": 1})
        async with pool.connection() as connection:
            assert await OnDriver(connection, engine.dialect).scalar(statement, {"run_id": 1}) is None
            replaced = (await (await connection.execute("SELECT pg_backend_pid()")).fetchone())[0]
        assert replaced != dropped

    try:
        _on_driver(database_url, checks)
    finally:
        schema.dispose()
