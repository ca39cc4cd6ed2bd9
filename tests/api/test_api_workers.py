"""Runs computed by separate ``mentor-match worker`` processes through the PostgreSQL queue.

Real processes: one ``mentor-match serve`` that only queues runs, and workers beside it. A
worker killed with SIGKILL in the middle of a run leaves it to the next worker, which marks it
interrupted once the dead worker's heartbeats are overdue; the run is then restarted and done,
though its worker is frozen past the heartbeats' silence while another worker starts.
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
from tests.api.service import answers, loopback_client, make_token

STALLED = 6.0
"""Seconds of silence after which a worker is taken as gone (it beats six times within them). Short
here, but not so short that a live worker computing a run on a loaded machine misses it: with
2 s, a worker starting up under CI load took the restarted run's live worker for a dead one."""
PATIENCE = 300.0
"""Seconds a run may take here: a worker process starts the whole scientific stack first."""
READY = "Starting worker on"
"""What a worker logs once it has looked for stalled runs and starts taking jobs."""
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

    def wait_for_log(self, name: str, line: str) -> None:
        deadline = time.monotonic() + PATIENCE
        while line not in self.log(name):
            assert time.monotonic() < deadline, self.log(name)
            time.sleep(0.1)

    def token(self) -> str:
        """Made in this process (a ``users add`` child would start the whole stack for it)."""
        return make_token(self.env["DATABASE_URL"], "municipal", name="Координатор")

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGCONT)
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
    assert answers(base, PATIENCE), "mentor-match serve did not start"
    return loopback_client(base, token, timeout=60)


def _until_finished(client: httpx.Client, run_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + PATIENCE
    while (run := client.get(f"/api/v1/runs/{run_id}").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, run
        time.sleep(0.1)
    return dict(run)


def _until_not_queued(client: httpx.Client, run_id: int) -> None:
    deadline = time.monotonic() + PATIENCE
    while client.get(f"/api/v1/runs/{run_id}").json()["status"] == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _import_municipality(client: httpx.Client) -> None:
    for kind in ("mentors", "mentees"):
        with (SAMPLE / f"{kind}.csv").open("rb") as handle:
            client.post(f"/api/v1/{kind}/import", files={"file": (f"{kind}.csv", handle)}).raise_for_status()


@pytest.mark.slow(40)
def test_runs_are_computed_by_worker_processes_and_a_killed_workers_run_is_restarted(
    processes: Processes,
) -> None:
    """One scenario, so that the web process, the schema and the banks serve both findings."""
    token = processes.token()
    port = _free_port()
    processes.start("web", "serve", "--port", str(port))
    client = _client(port, token)
    _import_municipality(client)
    run = client.post("/api/v1/runs", json={"scope": "municipality"}).json()
    time.sleep(1.0)
    assert client.get(f"/api/v1/runs/{run['id']}").json()["status"] == "queued"  # no worker yet

    # The first worker takes the run and is killed in the middle of it.
    worker = processes.start("worker1", "worker")
    _until_not_queued(client, run["id"])
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert client.get(f"/api/v1/runs/{run['id']}").json()["status"] == "running"

    # Two more workers: one of them finds the dead worker's heartbeat overdue and its run held by
    # no live process, and marks the run interrupted.
    time.sleep(STALLED + 1)
    for n in (2, 3):
        processes.start(f"worker{n}", "worker")
    deadline = time.monotonic() + PATIENCE
    while (state := client.get(f"/api/v1/runs/{run['id']}").json())["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert state["status"] == "failed" and "прерван" in state["error"], state

    # Restarted, the run is taken by worker 2 or 3, which are then frozen (SIGSTOP) past the
    # heartbeats' silence, as a worker starved of CPU may be. A fourth worker starting meanwhile
    # finds their heartbeats overdue, but the run held by a live process, and leaves it be.
    for n in (2, 3):
        processes.wait_for_log(f"worker{n}", READY)
    # workers yield the cores to the web process (MENTOR_MATCH_WORKER_NICENESS, 10 by default)
    web_priority = os.getpriority(os.PRIO_PROCESS, processes.started[0].pid)
    for worker in processes.started[-2:]:
        assert os.getpriority(os.PRIO_PROCESS, worker.pid) == min(web_priority + 10, 19)
    assert client.post(f"/api/v1/runs/{run['id']}/restart").status_code == 202
    _until_not_queued(client, run["id"])
    frozen = processes.started[-2:]
    for worker in frozen:
        worker.send_signal(signal.SIGSTOP)
    time.sleep(STALLED + 1)
    processes.start("worker4", "worker")
    processes.wait_for_log("worker4", READY)
    assert client.get(f"/api/v1/runs/{run['id']}").json()["status"] == "running"
    for worker in frozen:
        worker.send_signal(signal.SIGCONT)
    done = _until_finished(client, run["id"])
    logs = processes.log("worker2") + processes.log("worker3")
    assert done["status"] == "done" and done["attempts"] == 2, (done["status"], done["error"], logs)
    assert client.get(f"/api/v1/runs/{run['id']}/proposals").json()["total"] > 0
    workers_log = processes.log("worker2") + processes.log("worker3")
    assert f"run {run['id']} done" in workers_log
    assert f"run {run['id']} done" not in processes.log("web")
