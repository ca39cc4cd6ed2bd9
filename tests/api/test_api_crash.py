"""``kill -9`` of a real ``mentor-match serve`` process in the middle of a run and of an import:
after a restart nothing is lost and nothing is half-written, and the process's own log holds no
name and no token."""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.service import (
    answers,
    bank_rows,
    full_names,
    import_banks,
    loopback_client,
    make_token,
    wait_for_run,
)

ROOT = Path(__file__).resolve().parents[2]
SCHOOL = "school-1"
BIG_BANK_ROWS = 1500
KILL_DELAYS = (0.1, 0.5)
START_SECONDS = 180.0
"""A cold start on a busy two-core machine."""
"""Seconds after an import starts at which the service is killed."""


class Process:
    """``mentor-match serve`` in a child process, its output kept in a file."""

    def __init__(self, database_url: str, log: Path, *, options: tuple[str, ...] = (), **env: str) -> None:
        self.database_url = database_url
        self.log = log
        self.options = options
        self.extra_env = env
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.child: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "PYTHONPATH": str(ROOT),
            # with PostgreSQL the killed process's worker is taken as gone once its heartbeat is
            # this overdue, so the restarted process marks the run it was computing interrupted
            "MENTOR_MATCH_WORKER_STALLED_SECONDS": "2",
            **self.extra_env,
        }

    def start(self) -> None:
        command = [
            sys.executable,
            "-c",
            "import sys; from matcher.cli import entrypoint; sys.argv[0] = 'mentor-match'; entrypoint()",
            "serve",
            "--port",
            str(self.port),
            *self.options,
        ]
        with self.log.open("ab") as out:
            self.child = subprocess.Popen(command, env=self.env(), stdout=out, stderr=out, cwd=ROOT)
        assert answers(self.url, START_SECONDS), "mentor-match serve did not start"

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it (uvicorn's supervisor stops its web processes)."""
        assert self.child is not None
        self.child.send_signal(signal.SIGTERM)
        self.child.wait(60)

    def kill(self) -> None:
        assert self.child is not None
        self.child.send_signal(signal.SIGKILL)
        self.child.wait(30)

    def token(self, role: str, institution: str | None = None) -> str:
        """Made in this process (a ``users add`` child would start the whole stack for it)."""
        return make_token(self.database_url, role, institution, name=f"{role} test")

    def client(self, token: str) -> httpx.Client:
        return loopback_client(self.url, token, timeout=60)


@pytest.fixture
def process(database_url: str, tmp_path: Path) -> Iterator[Process]:
    started = Process(database_url, tmp_path / "serve.log")
    started.start()
    yield started
    if started.child is not None and started.child.poll() is None:
        started.kill()


def _big_bank(prefix: str) -> bytes:
    header, rows = bank_rows("mentors")
    template = next(row for row in rows if row[2] == SCHOOL)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for number in range(BIG_BANK_ROWS):
        writer.writerow([f"{prefix}-{number:05d}", *template[1:]])
    return out.getvalue().encode("utf-8")


@pytest.mark.slow(50)
def test_kill_9_mid_run_and_mid_import_loses_nothing(process: Process) -> None:
    token = process.token("curator", SCHOOL)
    curator = process.client(token)
    import_banks(curator, SCHOOL)
    faults = 0

    # Mid-run: killed right after the run was accepted; after the restart it ends done whole or
    # failed with nothing written (with PostgreSQL a job still queued survives the kill and is
    # computed after the restart), and a failed one can be started again to the end.
    started = curator.post("/api/v1/runs", json={"scope": "institution"})
    assert started.status_code == 202
    run_id = started.json()["id"]
    process.kill()
    faults += 1
    process.start()
    run = wait_for_run(curator, run_id)
    count = curator.get(f"/api/v1/runs/{run_id}/proposals").json()["total"]
    assert (run["status"], count > 0) in {("done", True), ("failed", False)}, (run["status"], count)
    if run["status"] == "failed":
        assert curator.post(f"/api/v1/runs/{run_id}/restart").status_code == 202
        assert wait_for_run(curator, run_id)["status"] == "done"

    # Mid-import: a bank of thousands of rows is written whole or not at all.
    before = curator.get("/api/v1/mentors").json()["total"]
    for attempt, delay in enumerate(KILL_DELAYS):
        big = _big_bank(f"B{attempt}")
        outcome: dict[str, object] = {}

        def send(result: dict[str, object] = outcome, big: bytes = big) -> None:
            try:
                result["status"] = (
                    process.client(token)
                    .post("/api/v1/mentors/import", files={"file": ("big.csv", big)})
                    .status_code
                )
            except httpx.HTTPError as error:
                result["error"] = type(error).__name__

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(delay)
        process.kill()
        faults += 1
        sender.join(60)
        process.start()
        total = curator.get("/api/v1/mentors").json()["total"]
        assert total in (before, before + BIG_BANK_ROWS), (delay, total, outcome)
        if outcome.get("status") == 200:
            assert total == before + BIG_BANK_ROWS
        before = total
    process.kill()

    logged = process.log.read_text(encoding="utf-8", errors="replace")
    assert "api.requests: GET /api/v1/mentors 200" in logged, "the log was captured"
    assert token not in logged
    names = [*full_names("mentors").values(), *full_names("mentees").values()]
    assert not [name for name in names if name in logged]
    assert faults == 1 + len(KILL_DELAYS)
