"""Every API test runs twice: on a SQLite file and on a PostgreSQL schema, each made fresh.

PostgreSQL comes from ``TEST_POSTGRES_URL`` (default: the local server, user postgres,
database test). When it does not answer, its tests fail on CI (``CI`` set) and are skipped
elsewhere.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from api.config import normalise_database_url
from tests.api.service import Service, running

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


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


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'mentor-match.db'}"
    else:
        yield from _postgres_schema(request.getfixturevalue("postgres_url"))


@pytest.fixture
def service(database_url: str) -> Iterator[Service]:
    with running(database_url) as started:
        yield started
