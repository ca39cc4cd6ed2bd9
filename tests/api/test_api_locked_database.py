"""With SQLite the busiest requests are answered in the event loop on connections that never wait
for a lock nor run long (``api.answers``): a decision made while another connection holds the
database's write lock goes to a thread, which waits for the lock, and the loop keeps answering
meanwhile; a long statement is interrupted and answered in a thread."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import Response
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError

from api.answers import Answerer
from api.storage.db import lock_free_engine, make_engine
from api.storage.prepared import OnConnection, finished
from tests.api.conftest import sqlite_only
from tests.api.service import Service, school_run

SCHOOL = "school-1"


@sqlite_only
def test_a_decision_waits_for_another_writer_in_a_thread_while_pages_are_answered(service: Service) -> None:
    curator, run, made = school_run(service, SCHOOL)
    first = made[0]
    writer = sqlite3.connect(str(make_url(service.database_url).database), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the write lock, as a run storing its result holds it
    try:
        with ThreadPoolExecutor(1) as deciding:
            decided = deciding.submit(
                curator.post,
                f"/api/v1/proposals/{first['id']}/decision",
                json={"decision": "approve", "version": first["version"]},
            )
            time.sleep(0.5)
            assert not decided.done(), "the decision waits for the lock"
            started = time.monotonic()
            page = curator.get(f"/api/v1/runs/{run['id']}/proposals", params={"limit": 5})
            assert page.status_code == 200 and curator.get("/health").status_code == 200
            assert time.monotonic() - started < 2.0, "the event loop was not held by the waiting decision"
            writer.execute("COMMIT")
            response = decided.result(timeout=30)
    finally:
        writer.close()
    assert response.status_code == 200, response.text
    assert response.json()["version"] == first["version"] + 1
    again = curator.get(f"/api/v1/runs/{run['id']}/proposals", params={"limit": 1000}).json()["items"]
    assert next(p for p in again if p["id"] == first["id"])["version"] == first["version"] + 1


SLOW = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT count(*) FROM n"
)
"""A statement of about a second: far past what the event loop may spend on one."""


async def _counted(statements: OnConnection) -> Response:
    return Response(str(statements.connection.exec_driver_sql(SLOW).scalar()))


def test_a_long_statement_is_interrupted_in_the_loop_and_answered_in_a_thread(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'long.db'}"
    engine, lock_free = make_engine(url), lock_free_engine(url)
    assert lock_free is not None
    try:
        started = time.monotonic()
        with lock_free.connect() as connection, pytest.raises(OperationalError, match="interrupted"):
            finished(_counted(OnConnection(connection)))
        assert time.monotonic() - started < 0.5, "interrupted within a few milliseconds, not run"
        with lock_free.connect() as connection:  # the connection still serves short statements
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
        answerer = Answerer(engine, 1, lock_free)
        with ThreadPoolExecutor(1) as thread:  # an event loop of its own
            answer = thread.submit(asyncio.run, answerer(_counted)).result(timeout=60)
        assert answer.body == b"3000000"
    finally:
        engine.dispose()
        lock_free.dispose()
