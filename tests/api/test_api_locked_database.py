"""With SQLite the busiest requests are answered in the event loop on connections that never wait
for a lock nor run long (``api.answers``): a decision made while another connection holds the
database's write lock goes to a thread, which waits for the lock, and the loop keeps answering
meanwhile; a long statement is interrupted and answered in a thread."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from fastapi import Response
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Select,
    Table,
    bindparam,
    func,
    insert,
    literal,
    make_url,
    select,
)
from sqlalchemy.exc import OperationalError

from api.answers import LOCKED_PAUSES, Answerer
from api.storage.db import lock_free_engine, make_engine
from api.storage.prepared import OnSqlite, Prepared, Statements, finished
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


def _numbers() -> Select[Any]:
    """The numbers 1 to 3,000,000: about a second to count or to fetch, far past what the event
    loop may spend on one statement."""
    n = select(literal(1).label("i")).cte("n", recursive=True)
    return select(n.union_all(select(n.c.i + 1).where(n.c.i < 3_000_000)).c.i)


COUNTED = Prepared(select(func.count()).select_from(_numbers().subquery()))
"""Slow before its one row."""
FETCHED = Prepared(_numbers())
"""Its first row at once, the rest slowly."""


async def _counted(statements: Statements) -> Response:
    return Response(str(await statements.scalar(COUNTED, {})))


async def _fetched(statements: Statements) -> Response:
    return Response(str(len(await statements.rows(FETCHED, {}))))


def test_a_long_statement_is_interrupted_in_the_loop_and_answered_in_a_thread(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'long.db'}"
    engine, lock_free = make_engine(url), lock_free_engine(url)
    assert lock_free is not None
    try:
        started = time.monotonic()
        for slow in (_counted, _fetched):
            with (
                closing(lock_free.raw_connection()) as raw,
                pytest.raises(OperationalError, match="interrupted"),
            ):
                finished(slow(OnSqlite(raw, lock_free.dialect)))
        assert time.monotonic() - started < 0.5, "interrupted within a few milliseconds, not run"
        with lock_free.connect() as connection:  # the connection still serves short statements
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
        answerer = Answerer(engine, 1, lock_free)
        with ThreadPoolExecutor(1) as thread:  # an event loop of its own
            answers = [
                thread.submit(asyncio.run, answerer(slow)).result(timeout=60) for slow in (_counted, _fetched)
            ]
        assert [answer.body for answer in answers] == [b"3000000", b"3000000"]
    finally:
        engine.dispose()
        lock_free.dispose()


DECIDED = Table("decided", MetaData(), Column("n", Integer))
INSERTED = Prepared(insert(DECIDED).values(n=bindparam("n")))


def test_a_write_that_meets_a_brief_lock_is_answered_again_in_the_loop(tmp_path: Path) -> None:
    """Another process's decision holds the write lock for a moment: the answer is tried again in
    the event loop after a pause (``LOCKED_PAUSES``), not handed to a thread."""
    url = f"sqlite:///{tmp_path / 'brief.db'}"
    engine, lock_free = make_engine(url), lock_free_engine(url)
    assert lock_free is not None
    DECIDED.metadata.create_all(engine)
    writer = sqlite3.connect(str(tmp_path / "brief.db"), isolation_level=None, check_same_thread=False)
    attempts: list[tuple[int, bool]] = []

    async def decide(statements: Statements) -> Response:
        try:
            await statements.changed(INSERTED, {"n": 1})
        except OperationalError:
            attempts.append((threading.get_ident(), False))
            raise
        await statements.commit()
        attempts.append((threading.get_ident(), True))
        return Response("decided")

    async def with_a_brief_lock() -> Response:
        writer.execute("BEGIN IMMEDIATE")
        asyncio.get_running_loop().call_later(LOCKED_PAUSES[0] / 2, writer.execute, "COMMIT")
        return await Answerer(engine, 1, lock_free)(decide)

    try:
        with ThreadPoolExecutor(1) as thread:  # an event loop of its own
            loop_thread = thread.submit(threading.get_ident).result()
            answer = thread.submit(asyncio.run, with_a_brief_lock()).result(timeout=60)
    finally:
        writer.close()
        engine.dispose()
        lock_free.dispose()
    assert answer.body == b"decided"
    assert attempts[0] == (loop_thread, False), "the first try met the lock"
    assert attempts[-1] == (loop_thread, True), "tried again in the loop, not in a thread"
    assert len(attempts) <= 1 + len(LOCKED_PAUSES)
