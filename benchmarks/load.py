"""The service under load beside the bare stack's floor, in one run: the README's table.

    python benchmarks/load.py                          # everything: about 7 minutes on 2 loaded cores
    python benchmarks/load.py --databases sqlite --web-workers 1 --no-region   # one row group

For each database (a temporary SQLite file; a fresh schema of ``--postgres-url``) the script
makes a municipal user, starts ``mentor-match serve``, imports the municipality sample and runs
a matching, captures one real page of proposals and of mentors and starts
``benchmarks/bare.py``: a bare FastAPI app answering the same requests with the same bytes
through the same response models, without database, token or middleware (the stack's floor).
Then, with 1 and with 2 web processes (``serve --workers N``; the bare app as many):

* **closed loop**: ``--clients`` connections each send the next request when the answer came,
  ``--requests`` requests per kind (proposals page of 50, mentors page of 50, a decision, a
  consent): throughput, and the **server's CPU per request** (user + system time of the web
  processes, from ``/proc``; PostgreSQL's own processes are not counted);
* **open loop**: a mixed load (¾ reads) at ``--rate`` requests a second for ``--seconds``, after
  ``--warm-up`` seconds of the same load that are not counted (the server and the bare app have
  just started: their first requests open the connections and fill the caches), latency
  counted from when each request was due, so a slow server cannot hide queueing.

With PostgreSQL, last, the same **while a region-shaped run computes**: generated banks
(``--region-size``; by default 5,000 mentees × 25,000 mentors, a quarter of a region;
``--region-size 20000 100000`` for a whole region; ids prefixed ``R``) are imported beside the
sample, and one ``mentor-match worker`` process computes municipality-wide runs while the web
processes (started with ``MENTOR_MATCH_EMBEDDED_WORKER=false``) are loaded. The open loop runs
from the moment a run is queued until it has ended (at most ``--region-seconds``): the reading
of the banks, the solving and the writing of the results, with the p99 of its worst ten
seconds beside the whole's; the closed loops run while a second run reads and computes (the
table says how far it got), and the worker is stopped after them.

While it measures, the generator runs ahead of the processes it measures where it may (root),
so that a generator waiting for a core does not count as the server's latency; the region's
worker runs in a CPU cgroup of low weight where it may, as ``compose.yaml`` places it.

Each row is printed (to stderr) as soon as it is measured, with the machine's load average
then; the tables follow at the end.

The load comes from ``lean_client`` (asyncio, keep-alive, parses only the status line and
Content-Length). Traffic goes to 127.0.0.1 only; requests and time are bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from lean_client import KINDS, Connection, Measured, Target, closed_loop, open_loop

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "municipality"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BIG_UPLOADS = str(500 * 1024 * 1024)
"""The region's bank of 100,000 mentors is larger than the service's default upload limit."""


@dataclass
class Result:
    database: str
    web: int
    condition: str
    kind: str
    service: Measured
    bare: Measured | None
    load: float = field(default_factory=lambda: os.getloadavg()[0])
    """The machine's one-minute load average when the row was measured."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from matcher.cli import entrypoint; entrypoint()", *args]


def _wait_healthy(port: int, path: str) -> None:
    """Until the server answers: up to ten minutes (several processes start slowly on a busy machine)."""
    for _ in range(3000):
        try:
            if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def _client(port: int, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=3600
    )


@contextmanager
def _process(command: list[str], env: dict[str, str], health: tuple[int, str] | None) -> Iterator[int]:
    """A child process (its log kept in a temporary file, shown if it never answers)."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            if health is not None:
                try:
                    _wait_healthy(*health)
                except RuntimeError:
                    log.seek(0)
                    print(log.read()[-3000:].decode(errors="replace"), file=sys.stderr)
                    raise
            yield process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:  # a worker in the middle of a region's run
                process.kill()
                process.wait()


@contextmanager
def _service(env: dict[str, str], web: int) -> Iterator[tuple[int, int]]:
    port = _free_port()
    command = [*_command("serve", "--port", str(port)), *(["--workers", str(web)] if web > 1 else [])]
    with _process(command, env, (port, "/health")) as pid:
        yield port, pid


@contextmanager
def _bare(pages_file: Path, web: int) -> Iterator[tuple[int, int]]:
    port = _free_port()
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "bare.py"),
        str(pages_file),
        "--port",
        str(port),
        "--workers",
        str(web),
    ]
    with _process(command, {**os.environ, "PYTHONPATH": str(ROOT)}, (port, "/docs")) as pid:
        yield port, pid


def _wait_run(client: httpx.Client, run_id: int, until: tuple[str, ...]) -> dict[str, Any]:
    for _ in range(7200):
        state: dict[str, Any] = client.get(f"/api/v1/runs/{run_id}").json()
        if state["status"] in until:
            return state
        time.sleep(0.5)
    raise RuntimeError(f"run {run_id} is still {state['status']}")


def _import(client: httpx.Client, folder: Path) -> None:
    for kind in ("mentors", "mentees"):
        with (folder / f"{kind}.csv").open("rb") as handle:
            client.post(f"/api/v1/{kind}/import", files={"file": (f"{kind}.csv", handle)}).raise_for_status()


def _prepare(port: int, token: str, clients: int) -> tuple[dict[str, Any], list[list[tuple[int, int]]]]:
    """Import the sample, run a matching; one real page of each list, and each client's proposals."""
    with _client(port, token) as client:
        _import(client, SAMPLE)
        run = client.post("/api/v1/runs", json={"scope": "municipality"}).json()
        if _wait_run(client, run["id"], ("done", "failed"))["status"] != "done":
            raise RuntimeError("the sample's run failed")
        path = f"/api/v1/runs/{run['id']}/proposals"
        proposals = client.get(path, params={"limit": 1000}).json()
        pages = {
            "run": run["id"],
            "proposals": client.get(path, params={"limit": 50}).json(),
            "mentors": client.get("/api/v1/mentors", params={"limit": 50}).json(),
        }
    items = [(p["id"], p["version"]) for p in proposals["items"]]
    owned = [items[n::clients] for n in range(clients)]
    return pages, [mine for mine in owned if mine]


def _region_banks(folder: Path, mentees: int, mentors: int) -> Path:
    """A region's banks beside the sample's people: the same generator, ids prefixed ``R``."""
    from matcher.synthetic import generate_banks, write_banks

    mentor_frame, mentee_frame = generate_banks(n_mentees=mentees, n_mentors=mentors, seed=11)
    for frame, columns in (
        (mentor_frame, ["id"]),
        (mentee_frame, ["id", "preferred_mentors", "excluded_mentors"]),
    ):
        for column in columns:
            frame[column] = frame[column].str.replace("T", "RT")
    write_banks(mentor_frame, mentee_frame, folder)
    return folder


async def _measure(
    service: Target, bare: Target, args: argparse.Namespace, label: tuple[str, int, str]
) -> list[Result]:
    """The open loop, then the closed loops, each on the service and on the bare app."""
    measured: dict[str, Measured] = {}
    for name, target in (("service", service), ("bare", bare)):
        if args.warm_up > 0:  # a process just started: its first requests
            await open_loop(target, args.rate, args.warm_up, args.clients)  # connect and fill caches
        measured[name] = await open_loop(target, args.rate, args.seconds, args.clients)
    opened = Result(*label, f"open {args.rate:.0f}/s", measured["service"], measured["bare"])
    print(_row(opened), file=sys.stderr, flush=True)
    return [opened, *await _closed_loops(service, bare, args, label)]


async def _closed_loops(
    service: Target, bare: Target | None, args: argparse.Namespace, label: tuple[str, int, str]
) -> list[Result]:
    """Each kind of request in a closed loop on the service, and on the bare app if given."""
    results: list[Result] = []
    for kind in KINDS:
        measured: dict[str, Measured | None] = {}
        for name, target in (("service", service), ("bare", bare)):
            if target is None:
                measured[name] = None
                continue
            await closed_loop(target, kind, args.clients, args.clients * 2)  # warm-up
            measured[name] = await closed_loop(target, kind, args.clients, args.requests)
        service_closed = measured["service"]
        assert service_closed is not None
        results.append(Result(*label, kind, service_closed, measured["bare"]))
        print(_row(results[-1]), file=sys.stderr, flush=True)
    return results


GENERATOR_PRIORITY = 10
"""How much sooner than the processes it measures the load generator is scheduled."""
AHEAD: list[bool] = []
"""Whether each measurement's generator ran ahead (``_ahead_of_the_server``)."""


@contextmanager
def _ahead_of_the_server() -> Iterator[None]:
    """While measuring, the load generator runs ``GENERATOR_PRIORITY`` nice levels ahead of the
    processes it measures (root may; else it stays level, said at the end): on the same two cores
    a generator waiting for a core sent its requests late, and the open loop counts that as the
    server's latency (without a run in a worker, the region's banks imported: p99 23–30 ms level,
    12–15 ms ahead). Clients of a real service run on other machines."""
    before = os.getpriority(os.PRIO_PROCESS, 0)
    try:
        os.setpriority(os.PRIO_PROCESS, 0, before - GENERATOR_PRIORITY)
    except PermissionError:
        AHEAD.append(False)
        yield
        return
    AHEAD.append(True)
    try:
        yield
    finally:
        os.setpriority(os.PRIO_PROCESS, 0, before)  # the servers started next inherit it


WORKER_CPU_SHARES = 16
"""The worker's weight against the web processes' 1,024, as ``compose.yaml`` gives it."""
CPU_CGROUP = Path("/sys/fs/cgroup/cpu")
WORKER_WEIGHED: list[bool] = []


@contextmanager
def _worker_group() -> Iterator[Callable[[int], None]]:
    """A CPU cgroup of weight ``WORKER_CPU_SHARES`` (cgroup v1's ``cpu`` controller, as root; else
    none, said at the end) and the function that places a process in it, as the compose file's
    ``cpu_shares`` places the worker: its nice level alone let a dozen of its threads and forked
    processes outweigh the two web processes (the region row's p99 98.7–114.7 ms; weighed, 30–35
    ms in most ten-second windows). The group is removed once the processes in it have ended."""
    group = CPU_CGROUP / "mentor-match-worker"

    def place(pid: int) -> None:
        try:
            (group / "cgroup.procs").write_text(str(pid))
        except OSError:
            WORKER_WEIGHED.append(False)
            return
        WORKER_WEIGHED.append(True)

    try:
        group.mkdir(exist_ok=True)
        (group / "cpu.shares").write_text(str(WORKER_CPU_SHARES))
    except OSError:
        yield lambda _: WORKER_WEIGHED.append(False)
        return
    try:
        yield place
    finally:
        with contextlib.suppress(OSError):  # a forked process of the worker may outlive it
            group.rmdir()


def _targets(port: int, pid: int, token: str, run_id: int, owned: list[list[tuple[int, int]]]) -> Target:
    paths = {
        "proposals": f"/api/v1/runs/{run_id}/proposals",
        "mentors": "/api/v1/mentors",
        "decision": "/api/v1/proposals/{id}/decision",
        "consent": "/api/v1/proposals/{id}/consent",
    }
    return Target("service", port, pid, token, paths, owned)


def _bare_target(port: int, pid: int) -> Target:
    paths = {kind: f"/bare/{kind}" for kind in KINDS}
    return Target("bare stack", port, pid, None, paths, [[(1, 1)]])


def _database(database: str, url: str, args: argparse.Namespace, tmp: Path) -> list[Result]:
    env = {**os.environ, "DATABASE_URL": url, "MENTOR_MATCH_MAX_UPLOAD_BYTES": BIG_UPLOADS}
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
    with _service(env, 1) as (port, _):
        pages, owned = _prepare(port, token, args.clients)
    run_id = pages.pop("run")
    pages_file = tmp / f"pages-{database}.json"
    pages_file.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
    results: list[Result] = []
    for web in args.web_workers:
        with _service(env, web) as (port, pid), _bare(pages_file, web) as (bare_port, bare_pid):
            service = _targets(port, pid, token, run_id, owned)
            with _ahead_of_the_server():
                results += asyncio.run(
                    _measure(service, _bare_target(bare_port, bare_pid), args, (database, web, ""))
                )
    if database == "PostgreSQL" and args.region:
        results += _with_region_run(env, token, run_id, owned, args, tmp)
    return results


def _settle(url: str) -> None:
    """``VACUUM ANALYZE`` after the region's import, as autovacuum does within a minute of it: the
    planner learns the banks' sizes (else it sorts a whole bank for a page) and counts can read
    the indexes alone."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE mentors, mentees")


def _with_region_run(
    env: dict[str, str],
    token: str,
    run_id: int,
    owned: list[list[tuple[int, int]]],
    args: argparse.Namespace,
    tmp: Path,
) -> list[Result]:
    """The open loop through a whole region run, from its queueing to its end (at most
    ``--region-seconds``): the reading of the banks, the solving, the writing of the results;
    then the closed loops while a second such run reads and computes (the worker is stopped
    after them)."""
    web = max(args.web_workers)
    quiet = {**env, "MENTOR_MATCH_EMBEDDED_WORKER": "false"}
    print(
        f"importing the region's banks ({args.region_size[0]} × {args.region_size[1]}) …",
        file=sys.stderr,
        flush=True,
    )
    started = time.perf_counter()
    banks = _region_banks(tmp / "region", *args.region_size)
    label = ("PostgreSQL", web, "")
    with _service(quiet, web) as (port, pid), _client(port, token) as client:
        _import(client, banks)
        _settle(env["DATABASE_URL"])
        print(f"imported in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        service = _targets(port, pid, token, run_id, owned)
        with _worker_group() as place, _process(_command("worker"), quiet, None) as worker:
            place(worker)
            with _ahead_of_the_server():
                whole, state = asyncio.run(_through_a_run(service, client, args))
        whole_result = Result(*label, f"open {args.rate:.0f}/s", whole, None)
        whole_result.condition = (
            f"a whole region run ({state['status']} in {whole.seconds:.0f} s; "
            f"worst {REGION_WINDOW:.0f} s: p99 {whole.worst_window_ms(99, REGION_WINDOW):.1f} ms)"
        )
        print(_row(whole_result), file=sys.stderr, flush=True)
        region = client.post("/api/v1/runs", json={"scope": "municipality"}).json()["id"]
        with _worker_group() as place, _process(_command("worker"), quiet, None) as worker:
            place(worker)
            _wait_run(client, region, ("running", "done", "failed"))
            with _ahead_of_the_server():
                closed = asyncio.run(_closed_loops(service, None, args, label))
            state = client.get(f"/api/v1/runs/{region}").json()
            os.kill(worker, signal.SIGKILL)  # a worker lets its run finish before it stops
    where = "still computing" if state["status"] == "running" else state["status"]
    note = f"a region run, {where} at {state['progress']:.0%}"
    for result in closed:
        result.condition = note
    return [*closed, whole_result]


REGION_WINDOW = 10.0
"""The window of the region row's worst p99, seconds."""


async def _through_a_run(
    service: Target, client: httpx.Client, args: argparse.Namespace
) -> tuple[Measured, dict[str, Any]]:
    """The open loop from the queueing of a municipality-wide run until it has ended, after a
    warm-up without it; the run's last state."""
    if args.warm_up > 0:
        await open_loop(service, args.rate, args.warm_up, args.clients)
    ended = asyncio.Event()
    states: list[dict[str, Any]] = []

    async def watch(run: int) -> None:
        conn = Connection(service.port, service.token)
        try:
            while True:
                _, payload = await conn.request("GET", f"/api/v1/runs/{run}")
                states.append(json.loads(payload))
                if states[-1]["status"] not in ("queued", "running"):
                    ended.set()
                    return
                await asyncio.sleep(1.0)
        finally:
            conn.close()

    queued = await asyncio.to_thread(client.post, "/api/v1/runs", json={"scope": "municipality"})
    run = queued.json()["id"]
    watcher = asyncio.create_task(watch(run))
    measured = await open_loop(service, args.rate, args.region_seconds, args.clients, until=ended)
    watcher.cancel()
    return measured, states[-1]


def _row(result: Result) -> str:
    service, bare = result.service, result.bare
    where = f"| {result.database} | {result.web} | {result.condition or '—'} "
    if result.kind.startswith("open"):
        return (
            f"{where}| {result.kind} mixed | {service.per_second:.0f} | {service.percentile_ms(50):.1f} | "
            f"{service.percentile_ms(99):.1f} | "
            + (f"{bare.percentile_ms(50):.1f} / {bare.percentile_ms(99):.1f}" if bare else "—")
            + f" | {service.errors} | {result.load:.1f} |"
        )
    ratio = f"{service.cpu_ms / bare.cpu_ms:.1f}×" if bare else "—"
    return (
        f"{where}| {result.kind} | {service.per_second:.0f} | "
        + (f"{bare.per_second:.0f}" if bare else "—")
        + f" | {service.cpu_ms:.2f} | "
        + (f"{bare.cpu_ms:.2f}" if bare else "—")
        + f" | {ratio} | {service.errors} | {result.load:.1f} |"
    )


def _tables(results: list[Result]) -> str:
    closed = [r for r in results if not r.kind.startswith("open")]
    opened = [r for r in results if r.kind.startswith("open")]
    lines = [
        "| database | web processes | while | request (closed loop) | service, per s | bare, per s "
        "| service CPU ms/req | bare CPU ms/req | CPU ÷ bare | errors | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *(_row(r) for r in closed),
        "",
        "| database | web processes | while | load (open loop) | served per s | p50 ms | p99 ms "
        "| bare p50 / p99 ms | errors | load |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(_row(r) for r in opened),
    ]
    return "\n".join(lines)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--databases", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"]
    )
    parser.add_argument(
        "--postgres-url", default=POSTGRES_URL, help="a PostgreSQL database to make a schema in"
    )
    parser.add_argument("--web-workers", nargs="+", type=int, default=[1, 2], help="web processes to try")
    parser.add_argument("--no-region", dest="region", action="store_false", help="skip the region run's row")
    parser.add_argument(
        "--region-size", nargs=2, type=int, default=[5_000, 25_000], metavar=("MENTEES", "MENTORS")
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent connections")
    parser.add_argument(
        "--requests",
        type=int,
        default=2000,
        help="closed-loop requests per kind (CPU is counted in 10 ms ticks: 600 decisions of the "
        "bare app are 16–20 of them, ±10 %%)",
    )
    parser.add_argument("--rate", type=float, default=200.0, help="open-loop requests per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="open-loop duration")
    parser.add_argument(
        "--region-seconds",
        type=float,
        default=600.0,
        help="the longest open loop through the region run (it ends with the run)",
    )
    parser.add_argument(
        "--warm-up",
        type=float,
        default=3.0,
        help="seconds of the same open loop before each measured one, not counted",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results: list[Result] = []
    for database in args.databases:
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            if database == "sqlite":
                results += _database("SQLite", f"sqlite:///{tmp}/load.db", args, tmp)
                continue
            schema, url = _postgres_schema(args.postgres_url)
            try:
                results += _database("PostgreSQL", url, args, tmp)
            finally:
                _drop_schema(args.postgres_url, schema)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\n{args.clients} connections; measured in {time.perf_counter() - started:.0f} s; "
        f"load average at the end {load} (1, 5, 15 minutes) on {os.cpu_count()} cores\n"
    )
    ahead = "ahead of the server" if all(AHEAD) else "at the server's priority (not allowed to raise it)"
    print(f"the load generator ran {ahead}")
    if WORKER_WEIGHED:
        weighed = f"CPU weight {WORKER_CPU_SHARES}" if all(WORKER_WEIGHED) else "the web's CPU weight"
        print(f"the region's worker ran at {weighed}, niced as configured")
    print()
    print(_tables(results))
    return 1 if any(r.service.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
