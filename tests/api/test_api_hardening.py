"""The request path's guards over real HTTP: headers, body limits, throttling of bad tokens,
bounded integers, and 500s that are logged without data."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from tests.api.service import Service, bank_csv, full_names, import_banks, running, upload

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
    page = service.client().get("/council")
    assert "connect-src 'self'" in page.headers["content-security-policy"]


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
    service: Service, method: str, path: str, body: dict[str, object] | None
) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    response = curator.request(method, path, json=body)
    assert response.status_code == 422, response.text
    problems = response.json()["detail"]
    assert problems and all(set(p) == {"file", "row", "column", "value", "message"} for p in problems)


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
    lines = [r.getMessage() for r in requests_log.records if r.name == "api.requests"]
    assert "GET /api/v1/mentors 500" in "\n".join(lines)
    assert any("ProgrammingError" in line or "OperationalError" in line for line in lines), lines
    names = [name for name in full_names("mentors").values()]
    assert not [name for name in names if name.split()[0] in requests_log.text]
