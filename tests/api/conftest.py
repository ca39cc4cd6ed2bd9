"""Every API test runs twice: on a SQLite file and on a PostgreSQL schema, each made fresh.

``database_url`` is empty, so whatever starts on it migrates it from scratch. The ``service``
fixture on SQLite starts from a copy of a file migrated to the newest schema once per xdist
worker (its ``alembic upgrade head`` at start then has nothing to do); on PostgreSQL it migrates
its empty schema, as ``mentor-match serve`` does.

PostgreSQL comes from ``TEST_POSTGRES_URL`` (default: the local server, user postgres,
database test). When it does not answer, its tests fail on CI (``CI`` set) and are skipped
elsewhere.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from api.config import normalise_database_url
from api.storage.db import make_engine, migrate
from tests.api.service import Service, running

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], scope="session")
"""For a test whose code path holds no SQL that differs between the databases (the OpenAPI
document, static files, uploads refused before anything is stored): run on SQLite alone."""


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = normalise_database_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES))
    engine = create_engine(url)
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        message = f"PostgreSQL at {make_url(url).render_as_string()} does not answer: {error.orig}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    finally:
        engine.dispose()
    return url


def _postgres_schema(base: str) -> Iterator[str]:
    schema = f"mm_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest schema, made once per worker, copied for each service."""
    path = tmp_path_factory.mktemp("migrated") / "mentor-match.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate(engine)
    finally:
        engine.dispose()  # the last connection's close checkpoints the WAL into the file
    assert not path.with_name(f"{path.name}-wal").exists()
    return path


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'mentor-match.db'}"
    else:
        yield from _postgres_schema(request.getfixturevalue("postgres_url"))


def _from_migrated_copy(database_url: str, request: pytest.FixtureRequest) -> None:
    """A SQLite database not made yet becomes a copy of the migrated one."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), url.database)


@pytest.fixture
def service(database_url: str, request: pytest.FixtureRequest) -> Iterator[Service]:
    _from_migrated_copy(database_url, request)
    with running(database_url) as started:
        yield started


@pytest.fixture(scope="module")
def shared_service(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Service]:
    """One service for the tests of a module that write nothing another of them reads (requests
    refused with 422, say): started once per module and database instead of once per test."""
    if backend == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('shared') / 'mentor-match.db'}"])
    else:
        urls = _postgres_schema(request.getfixturevalue("postgres_url"))
    for url in urls:
        _from_migrated_copy(url, request)
        with running(url) as started:
            yield started
