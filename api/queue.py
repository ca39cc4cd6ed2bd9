"""Runs computed by worker processes, queued in PostgreSQL with procrastinate.

With PostgreSQL a started run is deferred as a procrastinate job on the ``runs`` queue, and any
``mentor-match worker`` process on any machine that reaches the database takes it, computes it
with ``Jobs.execute`` (the same code the embedded thread pool runs with SQLite) and writes the
outcome to the run's row. Jobs of one institution share a procrastinate lock, so an
institution has at most one run computing at a time (a municipality-scope run has a lock of its
own). A worker that stops sending heartbeats (killed, machine lost) leaves its jobs stalled:
the next worker or web process to start marks their runs interrupted, to be restarted with
``POST /api/v1/runs/{id}/restart``, exactly as after a crash of the embedded pool.

The web process only defers jobs; with ``embedded_worker`` (the default) it also runs a worker
in a thread of its own, so one process is a whole service; set
``MENTOR_MATCH_EMBEDDED_WORKER=false`` where separate workers compute the runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from datetime import timedelta
from typing import Any

import procrastinate
import psycopg
from procrastinate.exceptions import ConnectorException
from procrastinate.jobs import Job, Status
from sqlalchemy import make_url, select
from sqlalchemy.orm import Session, sessionmaker

from api.config import Settings
from api.jobs import INTERRUPTED, Jobs
from api.storage import run_records
from api.storage.db import being_computed
from api.storage.tables import RunRow, utcnow

log = logging.getLogger(__name__)

RUNS_QUEUE = "runs"
COMPUTE_RUN = "compute_run"
HEARTBEATS_PER_TIMEOUT = 6
"""A worker beats this many times within the silence after which it is taken as gone."""


def conninfo(database_url: str) -> str:
    """The libpq URL of a SQLAlchemy PostgreSQL URL (its options, such as search_path, kept)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def queue_app(database_url: str, jobs: Jobs | None = None) -> procrastinate.App:
    """The procrastinate app of the runs queue; with ``jobs``, able to compute runs (a worker)."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url)))

    def compute_run(run_id: int) -> None:
        if jobs is None:
            raise RuntimeError("this process only queues runs")
        jobs.execute(run_id)

    app.task(name=COMPUTE_RUN, queue=RUNS_QUEUE)(compute_run)
    return app


async def interrupt_stalled(
    app: procrastinate.App, sessions: sessionmaker[Session], stalled_seconds: float
) -> list[int]:
    """Runs no worker will finish, marked interrupted (their ids): those of jobs whose worker
    stopped sending heartbeats and holds no run (``being_computed``: a worker starved of CPU may
    be late with its heartbeats, a dead one holds nothing), and runs left queued or running with
    no job in the queue and no live process computing them.

    A run queued within the last ``stalled_seconds`` is spared: its job may be deferred in the
    very moment this looks (a run is committed to the queue before its job is).
    """
    stalled = list(
        await app.job_manager.get_stalled_jobs(queue=RUNS_QUEUE, seconds_since_heartbeat=stalled_seconds)
    )
    with sessions() as session:
        computed = being_computed(session.connection(), {_run_of(job) for job in stalled})
        for job in stalled:
            if _run_of(job) not in computed:  # else its worker lives, only late with its heartbeats
                await _fail_unless_taken(app, job)
        session.commit()
    alive = {
        _run_of(job)
        for status in (Status.TODO, Status.DOING)
        for job in await app.job_manager.list_jobs_async(queue=RUNS_QUEUE, status=status.value)
    }
    with sessions() as session:
        interrupted = run_records.fail_interrupted_runs(
            session, INTERRUPTED, alive=alive, queued_before=utcnow() - timedelta(seconds=stalled_seconds)
        )
    if interrupted:
        log.warning(
            "marked %d run(s) that no worker will finish as interrupted: %s", len(interrupted), interrupted
        )
    return interrupted


async def _fail_unless_taken(app: procrastinate.App, job: Job) -> None:
    """Mark a stalled job failed, unless another process starting at the same moment has just
    done so (two workers started together both find the same stalled job; the second one's
    update finds it no longer doing, which is no error)."""
    assert job.id is not None
    try:
        await app.job_manager.finish_job_by_id_async(job.id, status=Status.FAILED, delete_job=False)
    except ConnectorException as error:
        if not isinstance(error.__cause__, psycopg.errors.RaiseException):
            raise
        log.info("stalled job %d was already handled by another process", job.id)


def _run_of(job: Job) -> int:
    return int(str(job.task_kwargs["run_id"]))


class QueuedJobs:
    """What the web process does with runs when they are queued in PostgreSQL."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], worker: Jobs | None) -> None:
        database_url = settings.database_url
        self._sessions = sessions
        self._deferring = procrastinate.App(
            connector=procrastinate.SyncPsycopgConnector(conninfo=conninfo(database_url))
        )
        self._deferring.open()
        self._worker = EmbeddedWorker(queue_app(database_url, worker), sessions, settings) if worker else None

    def recover(self) -> list[int]:
        """Queued runs stay queued for the workers; runs of stalled workers are interrupted."""
        if self._worker is None:
            return []
        return self._worker.start()

    def submit(self, run_id: int) -> None:
        with self._sessions() as session:
            institution = session.scalar(select(RunRow.institution).where(RunRow.id == run_id))
        lock = f"runs:{institution or 'municipality'}"
        self._deferring.configure_task(COMPUTE_RUN, queue=RUNS_QUEUE, lock=lock).defer(run_id=run_id)

    def shutdown(self) -> None:
        if self._worker is not None:
            self._worker.stop()
        self._deferring.close()


class EmbeddedWorker:
    """A procrastinate worker in a thread of the web process, with an event loop of its own."""

    def __init__(self, app: procrastinate.App, sessions: sessionmaker[Session], settings: Settings) -> None:
        self._app = app
        self._sessions = sessions
        self._settings = settings
        self._loop = asyncio.new_event_loop()
        self._working: asyncio.Task[None] | None = None
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="mentor-match-worker", daemon=True
        )

    def start(self) -> list[int]:
        """Open the queue, interrupt the runs of stalled workers (their ids), start working."""
        self._thread.start()
        return asyncio.run_coroutine_threadsafe(self._start(), self._loop).result()

    async def _start(self) -> list[int]:
        await self._app.open_async()
        interrupted = await interrupt_stalled(
            self._app, self._sessions, self._settings.worker_stalled_seconds
        )
        self._working = asyncio.ensure_future(
            self._app.run_worker_async(
                **worker_options(self._settings, self._settings.run_workers), install_signal_handlers=False
            )
        )
        return interrupted

    async def _stop(self) -> None:
        if self._working is not None:
            self._working.cancel()  # the worker lets its running jobs finish first
            with contextlib.suppress(asyncio.CancelledError):
                await self._working
        await self._app.close_async()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()


def worker_options(settings: Settings, concurrency: int) -> dict[str, Any]:
    stalled = settings.worker_stalled_seconds
    return {
        "queues": [RUNS_QUEUE],
        "concurrency": concurrency,
        "update_heartbeat_interval": stalled / HEARTBEATS_PER_TIMEOUT,
        "stalled_worker_timeout": stalled,
    }


def run_worker(settings: Settings, sessions: sessionmaker[Session], jobs: Jobs, concurrency: int) -> None:
    """``mentor-match worker``: compute queued runs until interrupted (Ctrl+C or SIGTERM)."""
    app = queue_app(settings.database_url, jobs)

    async def work() -> None:
        async with app.open_async():
            await interrupt_stalled(app, sessions, settings.worker_stalled_seconds)
            await app.run_worker_async(**worker_options(settings, concurrency))

    asyncio.run(work())
