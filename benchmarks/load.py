"""The service under load, beside the bare stack's floor, measured in one run.

    python benchmarks/load.py                         # SQLite (a temporary file)
    python benchmarks/load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python benchmarks/load.py --web-workers 2         # several web processes (uvicorn --workers)

Starts ``mentor-match serve`` on a free loopback port against a fresh database, makes a
municipal user, imports the municipality sample and runs a matching. Captures one real page of
proposals and of mentors and starts ``benchmarks/bare.py``, a bare FastAPI app that answers
with the same shapes through the same response models but without database, token or
middleware. Then, for the service and for the bare app:

* **closed loop**: ``--clients`` connections each send the next request when the answer came,
  ``--requests`` requests per kind (proposals page of 50, mentors page of 50, a decision, a
  consent); throughput, p50/p99 and the **server's CPU per request** (user + system time of the
  server's processes, read from ``/proc`` before and after);
* **open loop**: a mixed load at a fixed ``--rate`` for ``--seconds``; latency is measured from
  the moment each request was due, so a slow server cannot hide queueing.

The load comes from a lean asyncio HTTP/1.1 client (keep-alive connections, no parsing beyond
the status line and Content-Length), so the generator costs far less than the server. Traffic
goes to 127.0.0.1 only; the number of requests and the time are bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "municipality"
DEADLINE = 600.0
TICKS = os.sysconf("SC_CLK_TCK")
KINDS = ("proposals", "mentors", "decision", "consent")


# The lean client


class Connection:
    """One keep-alive HTTP/1.1 connection; answers are read by Content-Length."""

    def __init__(self, port: int, token: str | None) -> None:
        self.port = port
        self.auth = f"Authorization: Bearer {token}\r\n" if token else ""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{self.auth}"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        payload = await self.reader.readexactly(length) if length else b""
        return int(status_line.split()[1]), payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Target:
    """Where each kind of request goes on one server, and which proposals each client owns."""

    name: str
    port: int
    pid: int
    token: str | None
    paths: dict[str, str]
    owned: list[list[tuple[int, int]]] = field(default_factory=list)

    def body(self, kind: str, version: int) -> bytes:
        if kind == "decision":
            return json.dumps({"decision": "approve", "comment": "нагрузка", "version": version}).encode()
        return json.dumps({"party": "mentee", "agree": True, "version": version}).encode()


async def _one(target: Target, conn: Connection, kind: str, client: int, step: int) -> tuple[int, bytes]:
    if kind in ("proposals", "mentors"):
        offset = (step * 37 + client * 11) % 300
        return await conn.request("GET", f"{target.paths[kind]}?limit=50&offset={offset}")
    mine = target.owned[client % len(target.owned)]
    slot = step % len(mine)
    proposal, version = mine[slot]
    status, payload = await conn.request(
        "POST", target.paths[kind].format(id=proposal), target.body(kind, version)
    )
    if status == 200:
        mine[slot] = (proposal, json.loads(payload)["version"])
    return status, payload


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its child processes (uvicorn's workers)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


@dataclass
class Measured:
    latencies: list[float]
    errors: int
    seconds: float
    cpu: float

    def row(self, target: str, mode: str, kind: str) -> str:
        ms = np.asarray(self.latencies) * 1000
        done = ms.size
        return (
            f"| {target} | {mode} | {kind} | {done} | {done / self.seconds:.0f} | "
            f"{np.percentile(ms, 50):.1f} | {np.percentile(ms, 99):.1f} | "
            f"{self.cpu / max(done, 1) * 1000:.2f} | {self.errors} |"
        )


async def closed_loop(target: Target, kind: str, clients: int, requests: int) -> Measured:
    latencies: list[float] = []
    errors = 0
    per_client = max(requests // clients, 1)

    async def client(number: int) -> None:
        nonlocal errors
        conn = Connection(target.port, target.token)
        try:
            for step in range(per_client):
                started = time.perf_counter()
                status, _ = await _one(target, conn, kind, number, step)
                latencies.append(time.perf_counter() - started)
                errors += status != 200
        finally:
            conn.close()

    cpu, started = _cpu_seconds(target.pid), time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(client(n) for n in range(clients))), DEADLINE)
    return Measured(latencies, errors, time.perf_counter() - started, _cpu_seconds(target.pid) - cpu)


async def open_loop(target: Target, rate: float, seconds: float, clients: int) -> Measured:
    """A fixed rate of mixed requests (¾ reads, ¼ writes), each on a free connection of a pool."""
    pool: asyncio.Queue[tuple[int, Connection]] = asyncio.Queue()
    for number in range(clients):
        pool.put_nowait((number, Connection(target.port, target.token)))
    latencies: list[float] = []
    errors = 0
    rng = random.Random(7)
    mix = ["proposals", "proposals", "mentors", "decision"] * 2 + ["proposals", "mentors", "consent"]

    async def fire(due: float, kind: str, step: int) -> None:
        nonlocal errors
        number, conn = await pool.get()
        try:
            status, _ = await _one(target, conn, kind, number, step)
            errors += status != 200
        finally:
            pool.put_nowait((number, conn))
        latencies.append(time.perf_counter() - due)

    tasks: list[asyncio.Task[None]] = []
    cpu, started = _cpu_seconds(target.pid), time.perf_counter()
    for step in range(int(rate * seconds)):
        due = started + step / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(fire(due, rng.choice(mix), step)))
    await asyncio.wait_for(asyncio.gather(*tasks), DEADLINE)
    took = time.perf_counter() - started
    while not pool.empty():
        pool.get_nowait()[1].close()
    return Measured(latencies, errors, took, _cpu_seconds(target.pid) - cpu)


# Setting up the service and the bare app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from matcher.cli import entrypoint; entrypoint()", *args]


def _postgres_schema(url: str) -> tuple[str, str]:
    import psycopg

    schema = f"load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in url else "?"
    return schema, f"{url}{joiner}options=-csearch_path%3D{schema}"


def _drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _wait_healthy(port: int, path: str) -> None:
    import httpx

    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def _prepare(port: int, token: str, clients: int) -> tuple[dict[str, object], list[list[tuple[int, int]]]]:
    """Import the sample, run a matching; one real page of each list, and each client's proposals."""
    import httpx

    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as client:
        for kind in ("mentors", "mentees"):
            with (SAMPLE / f"{kind}.csv").open("rb") as handle:
                client.post(
                    f"/api/v1/{kind}/import", files={"file": (f"{kind}.csv", handle)}
                ).raise_for_status()
        run = client.post("/api/v1/runs", json={"scope": "municipality"}).json()
        for _ in range(1200):
            state = client.get(f"/api/v1/runs/{run['id']}").json()
            if state["status"] in ("done", "failed"):
                break
            time.sleep(0.5)
        if state["status"] != "done":
            raise RuntimeError(f"run ended {state['status']}")
        proposals = client.get(f"/api/v1/runs/{run['id']}/proposals", params={"limit": 1000}).json()
        pages = {
            "run": run["id"],
            "proposals": client.get(f"/api/v1/runs/{run['id']}/proposals", params={"limit": 50}).json(),
            "mentors": client.get("/api/v1/mentors", params={"limit": 50}).json(),
        }
    items = [(p["id"], p["version"]) for p in proposals["items"]]
    owned = [items[n::clients] for n in range(clients)]
    return pages, [mine for mine in owned if mine]


def _targets(
    args: argparse.Namespace, env: dict[str, str], tmp: Path
) -> tuple[list[Target], list[subprocess.Popen[bytes]]]:
    token = (
        subprocess.run(
            _command("users", "add", "--name", "load", "--role", "municipal"),
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = _free_port()
    serve = [
        *_command("serve", "--port", str(port)),
        *(["--workers", str(args.web_workers)] if args.web_workers > 1 else []),
    ]
    service = subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    processes = [service]
    _wait_healthy(port, "/health")
    pages, owned = _prepare(port, token, args.clients)
    run_id = pages.pop("run")
    pages_file = tmp / "pages.json"
    pages_file.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
    bare_port = _free_port()
    bare = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "bare.py"), str(pages_file), "--port", str(bare_port)],
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    processes.append(bare)
    _wait_healthy(bare_port, "/docs")
    service_target = Target(
        "service",
        port,
        service.pid,
        token,
        {
            "proposals": f"/api/v1/runs/{run_id}/proposals",
            "mentors": "/api/v1/mentors",
            "decision": "/api/v1/proposals/{id}/decision",
            "consent": "/api/v1/proposals/{id}/consent",
        },
        owned,
    )
    bare_target = Target(
        "bare stack",
        bare_port,
        bare.pid,
        None,
        {
            "proposals": "/bare/proposals",
            "mentors": "/bare/mentors",
            "decision": "/bare/decision",
            "consent": "/bare/consent",
        },
        [[(1, 1)]],
    )
    return [bare_target, service_target], processes


async def _measure(targets: list[Target], args: argparse.Namespace) -> int:
    errors = 0
    cpu: dict[tuple[str, str], float] = {}
    for kind in KINDS:
        for target in targets:
            await closed_loop(target, kind, args.clients, args.clients * 2)  # warm-up
            measured = await closed_loop(target, kind, args.clients, args.requests)
            cpu[(target.name, kind)] = measured.cpu / max(len(measured.latencies), 1)
            errors += measured.errors
            print(measured.row(target.name, "closed", kind))
    for target in targets:
        measured = await open_loop(target, args.rate, args.seconds, args.clients)
        errors += measured.errors
        print(measured.row(target.name, f"open {args.rate:.0f}/s", "mixed"))
    print("\nServer CPU per request, service ÷ bare stack:")
    for kind in KINDS:
        ratio = cpu[("service", kind)] / max(cpu[("bare stack", kind)], 1e-9)
        print(f"  {kind}: {ratio:.1f}×")
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="SQLAlchemy URL; default: a temporary SQLite file")
    parser.add_argument("--clients", type=int, default=50, help="concurrent connections")
    parser.add_argument("--requests", type=int, default=2000, help="closed-loop requests per kind")
    parser.add_argument("--rate", type=float, default=200.0, help="open-loop requests per second")
    parser.add_argument("--seconds", type=float, default=15.0, help="open-loop duration")
    parser.add_argument("--web-workers", type=int, default=1, help="web processes of the service")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        url, schema = args.database_url or f"sqlite:///{tmp}/load.db", None
        if url.startswith("postgresql"):
            schema, url = _postgres_schema(url)
        env = {**os.environ, "DATABASE_URL": url}
        database = "PostgreSQL" if schema else "SQLite"
        processes: list[subprocess.Popen[bytes]] = []
        try:
            targets, processes = _targets(args, env, tmp)
            print(f"{database}, {args.web_workers} web process(es), {args.clients} connections\n")
            print("| server | mode | request | count | per s | p50 ms | p99 ms | CPU ms/req | errors |")
            print("|---|---|---|---|---|---|---|---|---|")
            errors = asyncio.run(_measure(targets, args))
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
            if schema is not None and args.database_url:
                _drop_schema(args.database_url, schema)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
