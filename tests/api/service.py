"""The service as the tests meet it: uvicorn on a loopback port in a thread, httpx clients.

Each test gets a fresh database (a SQLite file, or a PostgreSQL schema) that the app itself
migrates with ``alembic upgrade head`` when it starts, exactly as ``mentor-match serve`` does.
Users are made as ``mentor-match users add`` makes them.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import Engine

from api.access import hash_token, new_token
from api.app import create_app
from api.commands import add_user
from api.config import Settings
from api.storage import repository
from api.storage.db import make_engine, make_sessions

DATA = Path(__file__).parent / "data"
START_SECONDS = 30.0
RUN_SECONDS = 60.0


class Server:
    """One app instance served on 127.0.0.1 until ``stop``."""

    def __init__(self, database_url: str, **settings: Any) -> None:
        self.database_url = database_url
        self.settings = settings
        self.url = ""
        self._port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        app = create_app(Settings(database_url=self.database_url, **self.settings))
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on")
        server = uvicorn.Server(config)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._port))  # a restart keeps the port, so clients keep working
        self._port = sock.getsockname()[1]
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the service did not start")
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self._port}"
        self._server, self._thread = server, thread

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(START_SECONDS)
        self._server = self._thread = None


def loopback_client(url: str, token: str | None = None, timeout: float = 30.0) -> httpx.Client:
    """A client of a service on 127.0.0.1, which speaks plain HTTP: no certificate bundle is loaded
    (httpx loads certifi's for each client it makes, 38 ms of CPU)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=url, headers=headers, timeout=timeout, verify=False)


class Service:
    """A running service with helpers to make users (tokens) and clients."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self._clients: list[httpx.Client] = []
        self._users: Engine | None = None

    @property
    def database_url(self) -> str:
        return self.server.database_url

    def client(self, token: str | None = None) -> httpx.Client:
        client = loopback_client(self.server.url, token)
        self._clients.append(client)
        return client

    def token(self, role: str, institution: str | None = None, name: str | None = None) -> str:
        """A new user's token, stored as ``mentor-match users add`` stores it (its hash, through
        ``repository.create_user``) by one engine kept for the service: the command's own engine
        and ``alembic upgrade head``, with nothing to do here, cost 40 ms of CPU per user."""
        if self._users is None:
            self._users = make_engine(self.database_url)
        token = new_token()
        with make_sessions(self._users)() as session:
            repository.create_user(
                session,
                name=name or f"{role} {institution or 'все'}",
                role=role,
                institution=institution,
                token_hash=hash_token(token),
            )
        return token

    def user(self, role: str, institution: str | None = None, name: str | None = None) -> httpx.Client:
        return self.client(self.token(role, institution, name))

    def restart(self) -> None:
        """Stop and start the app again on the same database and port."""
        self.server.stop()
        self.server.start()

    def close(self) -> None:
        for client in self._clients:
            client.close()
        if self._users is not None:
            self._users.dispose()
        self.server.stop()


def make_token(database_url: str, role: str, institution: str | None = None, name: str | None = None) -> str:
    """A new user's token, made in this process by what ``mentor-match users add`` runs (for a
    service in another process)."""
    out = io.StringIO()
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url
    try:
        with contextlib.redirect_stdout(out):
            code = add_user(name=name or f"{role} {institution or 'все'}", role=role, institution=institution)
    finally:
        if previous is None:
            del os.environ["DATABASE_URL"]
        else:
            os.environ["DATABASE_URL"] = previous
    assert code == 0, out.getvalue()
    return out.getvalue().strip().splitlines()[-1]


def answers(url: str, seconds: float) -> bool:
    """Whether a service started in another process answers ``/health`` within ``seconds``, asked
    through one client every 0.1 s."""
    deadline = time.monotonic() + seconds
    with loopback_client(url, timeout=1) as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if client.get("/health").status_code == 200:
                    return True
            time.sleep(0.1)
    return False


@contextlib.contextmanager
def running(database_url: str, **settings: Any) -> Iterator[Service]:
    server = Server(database_url, **settings)
    server.start()
    service = Service(server)
    try:
        yield service
    finally:
        service.close()


# Banks


def bank_rows(kind: str) -> tuple[list[str], list[list[str]]]:
    with (DATA / f"{kind}.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def bank_csv(
    kind: str,
    *,
    institution: str | None = None,
    rows: list[list[str]] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    """The test bank of ``kind`` as CSV bytes, only one institution's rows if asked."""
    header, body = bank_rows(kind)
    column = header.index("Образовательная организация")
    chosen = rows if rows is not None else [r for r in body if institution in (None, r[column])]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(chosen)
    return out.getvalue().encode(encoding)


def full_names(kind: str) -> dict[str, str]:
    header, body = bank_rows(kind)
    return {row[0]: row[header.index("ФИО")] for row in body}


def upload(client: httpx.Client, kind: str, content: bytes, filename: str | None = None) -> httpx.Response:
    return client.post(f"/api/v1/{kind}/import", files={"file": (filename or f"{kind}.csv", content)})


def import_banks(client: httpx.Client, institution: str | None = None) -> None:
    for kind in ("mentors", "mentees"):
        response = upload(client, kind, bank_csv(kind, institution=institution))
        assert response.status_code == 200, response.text


def wait_for_run(client: httpx.Client, run_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + RUN_SECONDS
    while time.monotonic() < deadline:
        run: dict[str, Any] = client.get(f"/api/v1/runs/{run_id}").json()
        if run["status"] in ("done", "failed"):
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish")


def run_to_end(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/runs", json=body)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "queued"
    return wait_for_run(client, response.json()["id"])


def proposals(client: httpx.Client, run_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/runs/{run_id}/proposals", params={"limit": 1000})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def school_run(
    service: Service, institution: str
) -> tuple[httpx.Client, dict[str, Any], list[dict[str, Any]]]:
    """An institution's curator, its sample banks imported and matched: the curator, the finished
    run and its proposals."""
    curator = service.user("curator", institution)
    import_banks(curator, institution)
    run = run_to_end(curator, {"scope": "institution"})
    return curator, run, proposals(curator, run["id"])


def agree(client: httpx.Client, proposal: dict[str, Any]) -> None:
    """The council approves ``proposal`` and both participants agree, version by version."""
    version = proposal["version"]
    for path, body in (
        ("decision", {"decision": "approve"}),
        ("consent", {"party": "mentee", "agree": True}),
        ("consent", {"party": "mentor", "agree": True}),
    ):
        response = client.post(
            f"/api/v1/proposals/{proposal['id']}/{path}", json={**body, "version": version}
        )
        assert response.status_code == 200, response.text
        version += 1
