"""The service under load: 50 concurrent clients reading proposals and posting decisions.

    python benchmarks/load.py                                   # SQLite (a temporary file)
    python benchmarks/load.py --database-url postgresql+psycopg://postgres:postgres@127.0.0.1:5432/test

Starts ``mentor-match serve`` on a free loopback port against a fresh database, creates a
municipal user, imports the municipality sample, runs a matching, then lets ``--clients``
clients each make ``--requests`` requests: mostly pages of proposals, and a decision on one of
the client's own proposals every fourth request (each with the version it read, so none is
stale). Traffic goes to 127.0.0.1 only; the number of requests and the time are bounded.
Prints p50/p99 latency per kind of request and the errors (any status other than the expected
200, or a failed connection). PostgreSQL runs are done on a fresh schema that is dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import numpy as np

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "municipality"
DEADLINE = 300.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from matcher.cli import entrypoint; entrypoint()", *args]


def _postgres_schema(url: str) -> tuple[str, str]:
    """A fresh schema on the server, and the URL that uses it."""
    import psycopg

    schema = f"load_{uuid.uuid4().hex[:8]}"
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in url else "?"
    return schema, f"{url}{joiner}options=-csearch_path%3D{schema}"


def _drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


async def _prepare(client: httpx.AsyncClient) -> int:
    for kind in ("mentors", "mentees"):
        with (SAMPLE / f"{kind}.csv").open("rb") as handle:
            answer = await client.post(f"/api/v1/{kind}/import", files={"file": (f"{kind}.csv", handle)})
        answer.raise_for_status()
    run = (await client.post("/api/v1/runs", json={"scope": "municipality"})).json()
    for _ in range(600):
        state = (await client.get(f"/api/v1/runs/{run['id']}")).json()
        if state["status"] in ("done", "failed"):
            break
        await asyncio.sleep(0.5)
    if state["status"] != "done":
        raise RuntimeError(f"run ended {state['status']}")
    return int(run["id"])


async def _client(
    number: int,
    clients: int,
    requests: int,
    base: str,
    token: str,
    run_id: int,
    total: int,
    latencies: dict[str, list[float]],
    errors: list[str],
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30.0) as client:
        mine = list(range(number, total, clients))
        for step in range(requests):
            kind = "decision" if step % 4 == 3 and mine else "proposals"
            started = time.perf_counter()
            try:
                if kind == "proposals":
                    offset = (step * 37 + number * 11) % max(total - 50, 1)
                    answer = await client.get(
                        f"/api/v1/runs/{run_id}/proposals", params={"limit": 50, "offset": offset}
                    )
                else:
                    page = await client.get(
                        f"/api/v1/runs/{run_id}/proposals",
                        params={"limit": 1, "offset": mine[step % len(mine)]},
                    )
                    proposal = page.json()["items"][0]
                    started = time.perf_counter()
                    answer = await client.post(
                        f"/api/v1/proposals/{proposal['id']}/decision",
                        json={
                            "decision": "approve",
                            "comment": "нагрузочный тест",
                            "version": proposal["version"],
                        },
                    )
                if answer.status_code != 200:
                    errors.append(f"{kind} {answer.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"{kind} {type(exc).__name__}")
            latencies[kind].append(time.perf_counter() - started)


async def _load(
    base: str, token: str, clients: int, requests: int
) -> tuple[dict[str, list[float]], list[str], float]:
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        run_id = await _prepare(client)
        total = (await client.get(f"/api/v1/runs/{run_id}/proposals", params={"limit": 1})).json()["total"]
    latencies: dict[str, list[float]] = {"proposals": [], "decision": []}
    errors: list[str] = []
    started = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(
            *(
                _client(n, clients, requests, base, token, run_id, total, latencies, errors)
                for n in range(clients)
            )
        ),
        timeout=DEADLINE,
    )
    return latencies, errors, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="SQLAlchemy URL; default: a temporary SQLite file")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="requests per client")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url, schema = args.database_url or f"sqlite:///{tmp}/load.db", None
        if url.startswith("postgresql"):
            schema, url = _postgres_schema(url)
        env = {**os.environ, "DATABASE_URL": url}
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
        server = subprocess.Popen(
            _command("serve", "--port", str(port)),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            latencies, errors, seconds = asyncio.run(_load(base, token, args.clients, args.requests))
        finally:
            server.terminate()
            server.wait(timeout=30)
            if schema is not None and args.database_url:
                _drop_schema(args.database_url, schema)
    database = "PostgreSQL" if schema else "SQLite"
    print("| database | request | count | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|")
    for kind, values in latencies.items():
        ms = np.asarray(values) * 1000
        wrong = sum(1 for e in errors if e.startswith(kind))
        print(
            f"| {database} | {kind} | {ms.size} | {np.percentile(ms, 50):.1f} | "
            f"{np.percentile(ms, 99):.1f} | {wrong} |"
        )
    done = sum(len(v) for v in latencies.values())
    print(
        f"\n{args.clients} clients, {done} requests in {seconds:.1f} s "
        f"({done / seconds:.0f} requests/s); errors: {len(errors)}"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
