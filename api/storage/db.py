"""Engine and sessions for a database URL, and the migration to the current schema.

Nothing here runs at import: the app factory and the commands build an engine for the URL
they were given, so tests switch between SQLite and PostgreSQL freely.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_SECONDS = 30
POOL_RECYCLE_SECONDS = 300


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # erased values are overwritten, not left in free pages
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # in WAL mode: durable across a crash of the process
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, secure deletion, WAL and a busy timeout for
    the run threads.

    With WAL, ``synchronous=NORMAL`` skips the fsync of every commit (a commit can be lost only
    when the operating system itself stops, never when the service is killed). PostgreSQL
    connections are recycled after ``POOL_RECYCLE_SECONDS`` instead of pinged before every
    checkout, which cost a round trip per request.

    Statement parameters are kept out of error messages, which may reach logs: they hold names.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS},
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_recycle=POOL_RECYCLE_SECONDS, hide_parameters=True)


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    """The packaged ``api/alembic.ini``, whose scripts live beside it."""
    ini = resources.files("api").joinpath("alembic.ini")
    return Config(str(ini))


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (``alembic upgrade head``)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
