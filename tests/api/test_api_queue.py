"""The runs queue's own rules, on a real PostgreSQL (``api.queue``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from procrastinate.jobs import Status
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from api.queue import COMPUTE_RUN, RUNS_QUEUE, interrupt_stalled, queue_app
from api.storage.db import migrate
from tests.api.conftest import _postgres_schema


@pytest.fixture
def migrated_url(postgres_url: str) -> Iterator[str]:
    for url in _postgres_schema(postgres_url):
        engine = create_engine(url)
        try:
            migrate(engine)
        finally:
            engine.dispose()
        yield url


async def _both_start(url: str, sessions: sessionmaker[Session]) -> tuple[list[int], list[int], Status]:
    """A dead worker's job, listed as stalled by two starting processes before either marks it."""
    first, second = queue_app(url), queue_app(url)
    async with first.open_async(), second.open_async():
        await first.configure_task(COMPUTE_RUN, queue=RUNS_QUEUE).defer_async(run_id=1)
        dead_worker = await first.job_manager.register_worker()
        taken = await first.job_manager.fetch_job([RUNS_QUEUE], dead_worker)
        assert taken is not None and taken.id is not None
        await asyncio.sleep(1.5)  # the dead worker's last heartbeat is now 1.5 s old
        stalled = list(
            await second.job_manager.get_stalled_jobs(queue=RUNS_QUEUE, seconds_since_heartbeat=1.0)
        )
        assert [job.id for job in stalled] == [taken.id]

        async def listed_before_the_first_marked_it(**_: object) -> list[object]:
            return list(stalled)

        second.job_manager.get_stalled_jobs = listed_before_the_first_marked_it  # type: ignore[method-assign,assignment]
        marked_by_first = await interrupt_stalled(first, sessions, 1.0)
        marked_by_second = await interrupt_stalled(second, sessions, 1.0)
        return marked_by_first, marked_by_second, await first.job_manager.get_job_status_async(taken.id)


def test_two_processes_starting_together_both_find_a_dead_workers_job_and_neither_fails(
    migrated_url: str,
) -> None:
    """The one that marks the job failed second finds it no longer doing, which must not stop
    it (seen in the suite: the second of two workers started together died with procrastinate's
    "Job was not found or not in doing or todo status")."""
    engine = create_engine(migrated_url)
    try:
        # in a thread of its own: a browser test before it may leave this thread's event loop running
        with ThreadPoolExecutor(1) as thread:
            outcome = thread.submit(asyncio.run, _both_start(migrated_url, sessionmaker(engine))).result()
        marked_by_first, marked_by_second, status = outcome
    finally:
        engine.dispose()
    assert status == Status.FAILED
    assert marked_by_first == marked_by_second == []  # no run rows here: no run to mark interrupted
