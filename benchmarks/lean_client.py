"""The lean HTTP/1.1 load of ``benchmarks/load.py``: closed and open loop, and server CPU from /proc.

An asyncio client on keep-alive connections that parses nothing beyond the status line and
Content-Length, so the generator costs far less than the server it loads. Traffic goes to
127.0.0.1 only; the number of requests and the time are bounded.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DEADLINE = 600.0
TICKS = os.sysconf("SC_CLK_TCK")
KINDS = ("proposals", "mentors", "decision", "consent")


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
    sent: list[float] = field(default_factory=list)
    """The open loop's: when each request of ``latencies`` was due, seconds from the start."""

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile_ms(self, q: float) -> float:
        return float(np.percentile(np.asarray(self.latencies) * 1000, q))

    def worst_window_ms(self, q: float, window: float) -> float:
        """The highest ``q`` percentile of the open loop's latencies over consecutive windows of
        ``window`` seconds (a whole window each; the last, shorter one joins the one before)."""
        sent, latencies = np.asarray(self.sent), np.asarray(self.latencies) * 1000
        windows = max(int(self.seconds // window), 1)
        index = np.minimum((sent // window).astype(int), windows - 1)
        return max(
            float(np.percentile(latencies[index == w], q)) for w in range(windows) if (index == w).any()
        )

    @property
    def cpu_ms(self) -> float:
        """Server CPU per answered request, milliseconds."""
        return self.cpu / max(len(self.latencies), 1) * 1000


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


async def open_loop(
    target: Target, rate: float, seconds: float, clients: int, until: asyncio.Event | None = None
) -> Measured:
    """A fixed rate of mixed requests (¾ reads, ¼ writes), each on a free connection of a pool,
    for ``seconds`` or until ``until`` is set, whichever comes first."""
    pool: asyncio.Queue[tuple[int, Connection]] = asyncio.Queue()
    for number in range(clients):
        pool.put_nowait((number, Connection(target.port, target.token)))
    latencies: list[float] = []
    sent: list[float] = []
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
        sent.append(due - started)

    tasks: list[asyncio.Task[None]] = []
    cpu, started = _cpu_seconds(target.pid), time.perf_counter()
    for step in range(int(rate * seconds)):
        if until is not None and until.is_set():
            break
        due = started + step / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(fire(due, rng.choice(mix), step)))
    await asyncio.wait_for(asyncio.gather(*tasks), DEADLINE)
    took = time.perf_counter() - started
    while not pool.empty():
        pool.get_nowait()[1].close()
    return Measured(latencies, errors, took, _cpu_seconds(target.pid) - cpu, sent)
