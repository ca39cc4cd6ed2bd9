"""Engine and sessions for a database URL, the migration to the current schema, and the locks
by which processes sharing the database keep out of each other's way.

Nothing here runs at import: the app factory and the commands build an engine for the URL
they were given, so tests switch between SQLite and PostgreSQL freely.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from psycopg_pool import AsyncConnectionPool
from pydantic_core import from_json
from sqlalchemy import ColumnElement, Connection, Engine, create_engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_SECONDS = 30
LOOP_STATEMENT_SECONDS = 0.005
"""How long a statement answered in the event loop may run before it is interrupted and its
request goes to a thread (``lock_free_engine``)."""
PROGRESS_STEPS = 1000
"""SQLite's virtual machine steps between two looks at the clock (a few microseconds)."""
MIGRATION_LOCK = "mentor-match schema migration"
POOL_RECYCLE_SECONDS = 300


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # erased values are overwritten, not left in free pages
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # in WAL mode: durable across a crash of the process
    cursor.close()


def make_engine(
    url: str,
    *,
    busy_seconds: float = SQLITE_BUSY_SECONDS,
    connection: type[sqlite3.Connection] = sqlite3.Connection,
) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, secure deletion, WAL and a busy timeout for
    the run threads.

    With WAL, ``synchronous=NORMAL`` skips the fsync of every commit (a commit can be lost only
    when the operating system itself stops, never when the service is killed). PostgreSQL
    connections are recycled after ``POOL_RECYCLE_SECONDS`` instead of pinged before every
    checkout, which cost a round trip per request.

    JSON columns are decoded by pydantic's parser (``from_json``: the same values as ``json.loads``
    in a sixth of its time; a page of 50 people decodes 200 of them).

    Statement parameters are kept out of error messages, which may reach logs: they hold names.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_seconds, "factory": connection},
            hide_parameters=True,
            json_deserializer=from_json,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url, pool_recycle=POOL_RECYCLE_SECONDS, hide_parameters=True, json_deserializer=from_json
    )


def answering_pool(engine: Engine, size: int) -> AsyncConnectionPool[Any] | None:
    """PostgreSQL: psycopg's asynchronous pool of up to ``size`` connections for the busy requests
    (``api.answers``, run in the event loop), opened with ``engine``'s connection arguments and
    adapters (JSON decoded by pydantic's parser, as through the engine) and in autocommit mode: a
    page or a decision is made of single statements that need no transaction around them
    (``api.storage.decisions``), so none costs ``BEGIN`` and ``COMMIT`` round trips. Opened and
    closed by the caller (``await pool.open()``). SQLite: None."""
    if engine.dialect.name != "postgresql":
        return None
    _, arguments = engine.dialect.create_connect_args(engine.url)
    return AsyncConnectionPool(
        kwargs={**arguments, "autocommit": True},
        min_size=0,  # opened as requests need them, closed after ten idle minutes
        max_size=size,
        max_lifetime=POOL_RECYCLE_SECONDS,
        open=False,
        name="answering",
    )


class LoopConnection(sqlite3.Connection):
    """sqlite3's connection for the event loop (``lock_free_engine``): a statement is interrupted
    once it has run ``LOOP_STATEMENT_SECONDS``, its clock started by ``execute`` (the only way
    ``prepared.OnSqlite`` runs one), its rows' fetching included."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.started = time.perf_counter()
        self.set_progress_handler(self._too_long, PROGRESS_STEPS)

    def _too_long(self) -> bool:
        return time.perf_counter() - self.started > LOOP_STATEMENT_SECONDS

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        self.started = time.perf_counter()
        return super().execute(sql, parameters)


def lock_free_engine(url: str) -> Engine | None:
    """SQLite: an engine for the event loop (``api.answers``), whose statements never hold it: one
    that needs a lock another connection holds fails at once (a busy timeout of 0), one that runs
    past ``LOOP_STATEMENT_SECONDS`` is interrupted (a search by name over a run of 17,000
    proposals took 40–70 ms); either way the request is answered again in a thread. Else None."""
    if not url.startswith("sqlite"):
        return None
    return make_engine(url, busy_seconds=0, connection=LoopConnection)


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    """The packaged ``api/alembic.ini``, whose scripts live beside it."""
    ini = resources.files("api").joinpath("alembic.ini")
    return Config(str(ini))


def serialise(connection: Connection, key: str) -> None:
    """Make every transaction that calls this with ``key`` wait for the others until it ends: on
    PostgreSQL a transaction-level advisory lock on ``key``, on SQLite the database's write lock
    taken at once (``BEGIN IMMEDIATE``, unless a transaction is already open)."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
    elif connection.dialect.name == "sqlite":
        driver = connection.connection.dbapi_connection
        if driver is not None and not driver.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


_COMPUTING = "mentor-match: run computed in "


def _computing_key(run_id: int) -> tuple[ColumnElement[int], int]:
    """The advisory lock held on a run while it is computed: the two-key form of PostgreSQL's
    advisory locks (which never meets the one-key locks of ``serialise``), its first key naming
    the schema, since the locks are the database's and two services may share one database."""
    return func.hashtext(func.concat(_COMPUTING, func.current_schema())), run_id


@contextmanager
def computing(engine: Engine, run_id: int) -> Iterator[None]:
    """Hold that ``run_id`` is being computed by this live process.

    On PostgreSQL a session-level advisory lock on a connection of its own: the server releases
    it the moment the process dies (its connection closes), so ``being_computed`` tells a worker
    that is only slow to send heartbeats from a dead one, whatever the load. With SQLite runs are
    computed in the process that serves the database, and nothing is held.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        key = _computing_key(run_id)
        connection.execute(select(func.pg_advisory_lock(*key)))
        connection.commit()
        try:
            yield
        finally:
            connection.execute(select(func.pg_advisory_unlock(*key)))
            connection.commit()


def being_computed(connection: Connection, run_ids: Collection[int]) -> set[int]:
    """Those of ``run_ids`` that a live process holds in ``computing`` (on SQLite: none). The
    check takes each free lock until the end of the caller's transaction, so a run found free
    cannot be taken up before the caller has acted on it."""
    if connection.dialect.name != "postgresql":
        return set()
    return {
        run_id
        for run_id in sorted(run_ids)
        if not connection.scalar(select(func.pg_try_advisory_xact_lock(*_computing_key(run_id))))
    }


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (``alembic upgrade head``), one process at a time:
    the web processes of ``serve --workers N`` and the workers all migrate as they start, and on a
    new database all but one of them failed with «table already exists» (``serialise``). The
    next process then finds the newest schema and does nothing."""
    config = alembic_config()
    with engine.begin() as connection:
        serialise(connection, MIGRATION_LOCK)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
