"""The request path's guards over real HTTP: headers, body limits, throttling of bad tokens,
bounded integers, and 500s that are logged without data."""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, event, select, text

import api.app
from api.access import Caller, Role
from api.callers import CALLER_TTL_SECONDS, CallerCache
from api.errors import TooManyRequests
from api.storage import run_records
from api.storage.db import make_engine, make_sessions
from api.storage.tables import UserRow
from matcher.cli import main
from tests.api.service import Service, bank_csv, full_names, import_banks, loopback_client, running, upload
from tests.api.test_api_crash import Process

SCHOOL = "school-1"
HUGE = 2**63


@pytest.fixture
def requests_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.INFO)
    yield caplog


def test_every_answer_carries_the_security_headers(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    for response in (
        curator.get("/api/v1/mentors"),
        curator.get("/api/v1/mentors/nobody"),
        service.client().get("/api/v1/runs"),
        service.client().get("/health"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert curator.get("/api/v1/mentors").headers["cache-control"] == "no-store"
    assert curator.get("/api/v1/mentors").headers["content-security-policy"].startswith("default-src 'none'")
    for path in ("/council", "/docs"):
        page = service.client().get(path)
        policy = page.headers["content-security-policy"]
        assert (
            "connect-src 'self'" in policy
            and "script-src 'self';" in policy
            and "style-src 'self';" in policy
        )
        assert "unsafe" not in policy and "http" not in policy, (
            "no inline script or style, nothing from elsewhere"
        )
        assert page.headers["cache-control"] == "no-store"


def test_bodies_over_the_limit_get_413_in_russian(database_url: str) -> None:
    with running(database_url, max_json_bytes=4096, max_upload_bytes=8192) as service:
        curator = service.user("curator", SCHOOL)
        import_banks(curator, SCHOOL)
        patch = curator.patch("/api/v1/mentors/T-01", json={"about": "а" * 5000})
        assert patch.status_code == 413 and patch.json()["detail"] == "Тело запроса больше 4 КБ"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield b'{"about": "'
            for _ in range(10):
                yield b"x" * 1000
            yield b'"}'

        chunked = curator.patch(
            "/api/v1/mentors/T-01", content=chunks(), headers={"content-type": "application/json"}
        )
        assert chunked.status_code == 413, chunked.text
        big = bank_csv("mentors", institution=SCHOOL) + b"\r\n" * 200_000
        refused = upload(curator, "mentors", big)
        assert refused.status_code == 413 and "Файл больше" in refused.json()["detail"]
        assert curator.get("/api/v1/mentors/T-01").json()["about"] != "а" * 5000


def test_bad_tokens_are_throttled_and_logged_without_the_token(
    database_url: str, requests_log: pytest.LogCaptureFixture
) -> None:
    with running(database_url, bad_tokens_per_minute=5) as service:
        curator = service.user("curator", SCHOOL)
        guesses = [f"guess-{n}-secret" for n in range(8)]
        statuses = [service.client(guess).get("/api/v1/mentors").status_code for guess in guesses]
        assert statuses == [401] * 5 + [429] * 3
        throttled = service.client(guesses[0]).get("/api/v1/mentors")
        assert throttled.headers["retry-after"] and "неверным токеном" in throttled.json()["detail"]
        assert curator.get("/api/v1/mentors").status_code == 429, "the address is throttled, whatever token"
    assert any("throttled" in record.getMessage() for record in requests_log.records)
    assert not [guess for guess in guesses if guess in requests_log.text]


@pytest.mark.slow(10)
def test_web_processes_share_the_bad_token_limit(tmp_path: Path) -> None:
    """``serve --workers 2`` with a limit of 6: each process allows 3 answers 401 a minute, so
    40 bad tokens on fresh connections (spread by the kernel over both processes) get at most 6
    answers 401, then only 429; the processes' log names no token."""
    serve = Process(
        f"sqlite:///{tmp_path / 'mentor-match.db'}",
        tmp_path / "serve.log",
        options=("--workers", "2"),
        MENTOR_MATCH_BAD_TOKENS_PER_MINUTE="6",
    )
    serve.start()
    guesses = [f"guess-{n}-{'x' * 20}" for n in range(40)]
    try:
        statuses = []
        for guess in guesses:
            with loopback_client(serve.url, guess) as client:
                statuses.append(client.get("/api/v1/mentors").status_code)
    finally:
        serve.stop()
    assert set(statuses) == {401, 429}
    assert 3 <= statuses.count(401) <= 6, statuses
    assert statuses[-5:] == [429] * 5
    log = serve.log.read_text(encoding="utf-8")
    assert "throttled" in log
    assert not [guess for guess in guesses if guess in log]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/api/v1/runs/{HUGE}", None),
        ("GET", f"/api/v1/runs/{HUGE}/proposals", None),
        ("GET", f"/api/v1/proposals/{HUGE}", None),
        ("POST", f"/api/v1/proposals/{HUGE}/decision", {"decision": "approve", "version": 1}),
        ("GET", f"/api/v1/mentors?offset={HUGE}", None),
        ("GET", f"/api/v1/runs?offset={HUGE}", None),
        ("GET", f"/api/v1/audit?offset={-HUGE}", None),
        ("PATCH", "/api/v1/mentors/T-01", {"capacity": HUGE}),
        ("PATCH", "/api/v1/mentors/T-01", {"competences": {"ict": HUGE}}),
        ("PATCH", "/api/v1/mentees/M-01", {"max_mentors": HUGE}),
        ("POST", "/api/v1/runs", {"scope": "institution", "based_on": HUGE}),
        ("POST", "/api/v1/runs", {"scope": "institution", "options": {"seed": HUGE}}),
        ("POST", "/api/v1/runs", {"scope": "institution", "options": {"time_limit": 1e300}}),
    ],
)
def test_integers_beyond_the_database_get_422_with_problems(
    curator_with_banks: httpx.Client, method: str, path: str, body: dict[str, object] | None
) -> None:
    response = curator_with_banks.request(method, path, json=body)
    assert response.status_code == 422, response.text
    problems = response.json()["detail"]
    assert problems and all(set(p) == {"file", "row", "column", "value", "message"} for p in problems)
    assert curator_with_banks.get("/api/v1/runs").json()["total"] == 0


@pytest.fixture(scope="module")
def curator_with_banks(shared_service: Service) -> httpx.Client:
    """A curator of ``SCHOOL`` with its banks imported, shared by the tests whose requests are refused."""
    curator = shared_service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    return curator


def test_an_unexpected_500_is_logged_without_names(
    service: Service, requests_log: pytest.LogCaptureFixture
) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    engine = create_engine(service.database_url)
    with engine.begin() as connection:  # the database breaks under the running service
        connection.execute(text("ALTER TABLE mentors RENAME TO mentors_elsewhere"))
    try:
        response = curator.get("/api/v1/mentors")
        assert response.status_code == 500
        assert response.json()["detail"].startswith("Внутренняя ошибка")
        assert response.headers["x-content-type-options"] == "nosniff"
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE mentors_elsewhere RENAME TO mentors"))
        engine.dispose()
    deadline = time.monotonic() + 5  # the request's line is written just after the answer is sent
    while "GET /api/v1/mentors 500" not in requests_log.text and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = [r.getMessage() for r in requests_log.records if r.name == "api.requests"]
    assert "GET /api/v1/mentors 500" in "\n".join(lines)
    assert any("ProgrammingError" in line or "OperationalError" in line for line in lines), lines
    names = [name for name in full_names("mentors").values()]
    assert not [name for name in names if name.split()[0] in requests_log.text]


def test_queued_runs_are_capped_per_institution(database_url: str) -> None:
    with running(database_url, max_queued_runs=2) as service:
        curator, other = service.user("curator", SCHOOL), service.user("curator", "school-2")
        engine = create_engine(service.database_url)
        with engine.begin() as connection:  # two runs still waiting in this school's queue
            for _ in range(2):
                connection.execute(
                    text(
                        "INSERT INTO runs (scope, institution, options, status, progress, attempts,"
                        " created_at) VALUES ('institution', :school, '{}', 'queued', 0, 0, :now)"
                    ),
                    {"school": SCHOOL, "now": datetime.now(UTC)},
                )
        engine.dispose()
        refused = curator.post("/api/v1/runs", json={"scope": "institution"})
        assert refused.status_code == 429 and "дождитесь" in refused.json()["detail"]
        assert curator.get("/api/v1/runs").json()["total"] == 2, "nothing was queued"
        assert other.post("/api/v1/runs", json={"scope": "institution"}).status_code == 202


def test_racing_run_requests_never_pass_the_cap_together(service: Service) -> None:
    """Eight threads start runs of one school at the same instant with room for three; the count
    is slowed by 0.2 s so that, without the queue's lock, all eight would pass. Exactly three
    runs are queued, the other five get 429, on both databases."""
    service.token("curator", SCHOOL)
    engine = make_engine(service.database_url)
    sessions = make_sessions(engine)
    with sessions() as session:
        user_id = session.scalars(select(UserRow.id)).one()

    @event.listens_for(engine, "after_cursor_execute")
    def slow_count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "count(*)" in statement and "runs" in statement:
            time.sleep(0.2)

    caller = Caller(user_id=user_id, name="куратор", role=Role.CURATOR, institution=SCHOOL)
    start = threading.Barrier(8)

    def start_run(_: int) -> int:
        start.wait()
        with sessions() as session:
            try:
                run_records.create_run(
                    session,
                    scope="institution",
                    institution=SCHOOL,
                    based_on=None,
                    options={},
                    caller=caller,
                    queue_limit=3,
                )
            except TooManyRequests:
                return 429
            return 202

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(start_run, range(8)))
    with sessions() as session:
        queued = run_records.count_active_runs(session, institution=SCHOOL)
    engine.dispose()
    assert statuses == [202] * 3 + [429] * 5
    assert queued == 3


BRIEF_CALLER_TTL_SECONDS = 1.0
"""The callers' memory of the service below: the same cache as the default's 10 s, waited for
twice per database."""


@pytest.fixture
def briefly_remembering(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Service]:
    """The service, its callers remembered ``BRIEF_CALLER_TTL_SECONDS`` instead of 10 s."""
    assert CALLER_TTL_SECONDS > BRIEF_CALLER_TTL_SECONDS
    monkeypatch.setattr(api.app, "CallerCache", functools.partial(CallerCache, ttl=BRIEF_CALLER_TTL_SECONDS))
    with running(database_url) as started:
        yield started


def _refused_within_the_cache(client: httpx.Client) -> httpx.Response:
    """A token changed by another process stops working within the callers' memory."""
    deadline = time.monotonic() + BRIEF_CALLER_TTL_SECONDS + 5
    while (response := client.get("/api/v1/mentors")).status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    return response


def test_tokens_expire_and_are_revoked(briefly_remembering: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    service = briefly_remembering
    monkeypatch.setenv("DATABASE_URL", service.database_url)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert (
            main(
                [
                    "users",
                    "add",
                    "--name",
                    "Куратор",
                    "--role",
                    "curator",
                    "--institution",
                    SCHOOL,
                    "--expires",
                    "2999-01-01",
                ]
            )
            == 0
        )
    lines = out.getvalue().splitlines()
    token, user_id = lines[-1], int(lines[0].split("№ ")[1].split()[0])
    assert "до 2999-01-01 00:00 UTC" in lines[0]
    client = service.client(token)
    assert client.get("/api/v1/mentors").status_code == 200
    engine = create_engine(service.database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE tokens SET expires_at = :past"), {"past": datetime(2020, 1, 1, tzinfo=UTC)}
        )
    expired = _refused_within_the_cache(client)
    assert expired.status_code == 401 and "истёк" in expired.json()["detail"]
    with engine.begin() as connection:
        connection.execute(text("UPDATE tokens SET expires_at = NULL"))
    engine.dispose()
    assert client.get("/api/v1/mentors").status_code == 200
    with contextlib.redirect_stdout(io.StringIO()) as said:
        assert main(["users", "revoke", "--id", str(user_id)]) == 0
    assert "отозвано токенов — 1" in said.getvalue()
    assert _refused_within_the_cache(client).status_code == 401
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["users", "revoke", "--id", "999999"]) == 2
        assert main(["users", "add", "--name", "Н", "--role", "reader", "--expires", "2001-01-01"]) == 2
