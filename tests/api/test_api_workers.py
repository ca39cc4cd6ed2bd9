"""Runs computed by separate ``mentor-match worker`` processes through the PostgreSQL queue.

Real processes: one ``mentor-match serve`` that only queues runs, and workers beside it. A
worker killed with SIGKILL in the middle of a run leaves it to the next worker, which marks it
interrupted once the dead worker's heartbeats are overdue; the run is then restarted and done.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import _postgres_schema
from tests.api.service import import_banks

STALLED = 2.0
PATIENCE = 300.0
"""Seconds a run may take here: a worker process starts the whole scientific stack first."""
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "municipality"


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from matcher.cli import entrypoint; entrypoint()", *args]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Processes:
    def __init__(self, database_url: str, logs: Path) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "MENTOR_MATCH_EMBEDDED_WORKER": "false",
            "MENTOR_MATCH_WORKER_STALLED_SECONDS": str(STALLED),
        }
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(_command(*args), env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def token(self) -> str:
        made = subprocess.run(
            _command("users", "add", "--name", "Координатор", "--role", "municipal"),
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return made.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture
def processes(postgres_url: str, tmp_path: Path) -> Iterator[Processes]:
    for url in _postgres_schema(postgres_url):
        started = Processes(url, tmp_path)
        try:
            yield started
        finally:
            started.stop()


def _client(port: int, token: str) -> httpx.Client:
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def _until_finished(client: httpx.Client, run_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + PATIENCE
    while (run := client.get(f"/api/v1/runs/{run_id}").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, run
        time.sleep(0.1)
    return dict(run)


def _import_municipality(client: httpx.Client) -> None:
    for kind in ("mentors", "mentees"):
        with (SAMPLE / f"{kind}.csv").open("rb") as handle:
            client.post(f"/api/v1/{kind}/import", files={"file": (f"{kind}.csv", handle)}).raise_for_status()


def test_runs_are_computed_by_worker_processes(processes: Processes) -> None:
    token = processes.token()
    port = _free_port()
    processes.start("web", "serve", "--port", str(port))
    client = _client(port, token)
    import_banks(client)
    run = client.post("/api/v1/runs", json={"scope": "municipality"}).json()
    time.sleep(1.0)
    assert client.get(f"/api/v1/runs/{run['id']}").json()["status"] == "queued"  # no worker yet

    for n in (1, 2):
        processes.start(f"worker{n}", "worker")
    done = _until_finished(client, run["id"])
    assert done["status"] == "done", done
    assert client.get(f"/api/v1/runs/{run['id']}/proposals").json()["total"] > 0
    workers_log = processes.log("worker1") + processes.log("worker2")
    assert f"run {run['id']} done" in workers_log
    assert f"run {run['id']} done" not in processes.log("web")


def test_a_killed_worker_leaves_its_run_to_be_restarted(processes: Processes) -> None:
    token = processes.token()
    port = _free_port()
    processes.start("web", "serve", "--port", str(port))
    client = _client(port, token)
    _import_municipality(client)
    worker = processes.start("worker1", "worker")
    run = client.post("/api/v1/runs", json={"scope": "municipality"}).json()
    deadline = time.monotonic() + PATIENCE
    while client.get(f"/api/v1/runs/{run['id']}").json()["status"] == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert client.get(f"/api/v1/runs/{run['id']}").json()["status"] == "running"

    time.sleep(STALLED + 1)  # the dead worker's heartbeat is overdue
    processes.start("worker2", "worker")
    deadline = time.monotonic() + PATIENCE
    while (state := client.get(f"/api/v1/runs/{run['id']}").json())["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert state["status"] == "failed" and "прерван" in state["error"], state

    assert client.post(f"/api/v1/runs/{run['id']}/restart").status_code == 202
    done = _until_finished(client, run["id"])
    assert done["status"] == "done" and done["attempts"] == 2, done
    assert client.get(f"/api/v1/runs/{run['id']}/proposals").json()["total"] > 0
