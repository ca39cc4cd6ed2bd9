"""The busiest requests, each answered by one function: scope check, statements and the JSON
answer, without a hop to a thread where none is needed.

The route's one dependency (``api.deps.answering``: the services and the permitted caller, from
``CallerCache``) runs in the event loop; the route then hands one of these functions to
``Answerer``, which awaits it on ``prepared.Statements`` and returns its answer as it is. The
answer is validated once by its response schema and written by pydantic's serializer, as FastAPI
would, but without FastAPI validating it a second time in another hop. Scope rules are the same
as the dependencies' of ``api.deps``: anything outside the caller's scope is 404, and so is a
proposal of another institution.

With PostgreSQL the function runs in the event loop on a connection of psycopg's asynchronous
pool (``Settings.answering_threads`` of them), each round trip awaited, so many requests wait on
the server at once and none costs a thread (``prepared``).

With SQLite the function runs in the event loop itself: its statements take a fraction of a
millisecond, and a hop to a thread and back cost more CPU than the statements (under 50 clients,
a decision 3.4–4.7 → 2.0–2.3 ms of CPU, a page of 50 proposals 8.7–11.2 → 7.1–8.2 ms). It runs on
connections that never wait for a lock: when another connection writes (a run storing its
result, another web process), the statement that needs the lock fails at once and is rolled
back; the function is tried again in the loop after a pause of a millisecond or a few
(``LOCKED_PAUSES``: other requests are answered meanwhile), and after the last pause it runs in a
thread, which waits for the lock as every other connection does, so the loop is never held. A
statement that runs longer than a few milliseconds (a search by name over a large run) is
interrupted and its function goes to a thread at once.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Coroutine
from contextlib import closing
from typing import Any

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Response
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from api.access import Caller
from api.errors import Forbidden, NotFound
from api.schemas import (
    ConsentCreate,
    DecisionCreate,
    MenteePublic,
    MenteesPage,
    MentorPublic,
    MentorsPage,
    ProposalPublic,
    ProposalsPage,
)
from api.storage import decisions, pages
from api.storage.prepared import OnDriver, OnSqlite, Statements, finished
from api.storage.run_records import ProposalFilter

_PROPOSAL = TypeAdapter(ProposalPublic)
MENTOR_FIELDS = tuple(MentorPublic.model_fields)
MENTEE_FIELDS = tuple(MenteePublic.model_fields)


Answer = Callable[..., Coroutine[Any, Any, Response]]

LOCKED_PAUSES = (0.001, 0.002, 0.004)
"""SQLite: the pauses of the event loop's answer (other requests are answered meanwhile) before it
tries again when another connection held the write lock it needed; after the last it goes to a
thread. Another web process's decision holds the lock for well under a millisecond: with two
web processes under 50 clients deciding, 16% of decisions met the other's lock and all of those
went to a thread; with the pauses 2.5% met it, and 1 in 5,000 went to a thread."""


class Answerer:
    """Where the busiest requests are answered (see the module): ``await answerer(function,
    *args)`` awaits ``function(statements, *args)``."""

    def __init__(
        self,
        engine: Engine,
        threads: int,
        lock_free: Engine | None = None,
        pool: AsyncConnectionPool[Any] | None = None,
    ) -> None:
        """PostgreSQL: ``pool``, with ``engine``'s dialect. SQLite: ``lock_free`` (a busy timeout
        of 0) in the event loop, ``engine`` in at most ``threads`` threads."""
        self._engine = engine
        self._lock_free = lock_free
        self._pool = pool
        self._threads = CapacityLimiter(threads)

    async def __call__(self, function: Answer, /, *args: Any, **kwargs: Any) -> Response:
        if self._pool is not None:
            async with self._pool.connection() as connection:
                return await function(OnDriver(connection, self._engine.dialect), *args, **kwargs)
        if self._lock_free is not None:
            for pause in (*LOCKED_PAUSES, None):
                try:
                    with closing(self._lock_free.raw_connection()) as connection:
                        return await function(OnSqlite(connection, self._engine.dialect), *args, **kwargs)
                except OperationalError as error:
                    code = _sqlite_code(error)
                    if code not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_INTERRUPT):
                        raise
                    if code == sqlite3.SQLITE_INTERRUPT or pause is None:
                        break
                await asyncio.sleep(pause)

        def in_a_thread() -> Response:
            with closing(self._engine.raw_connection()) as connection:
                return finished(function(OnSqlite(connection, self._engine.dialect), *args, **kwargs))

        return await anyio.to_thread.run_sync(in_a_thread, limiter=self._threads)


def _sqlite_code(error: OperationalError) -> int | None:
    """SQLite's primary result code of the error: ``SQLITE_BUSY`` for "database is locked"
    (another connection holds the lock this statement needs), ``SQLITE_INTERRUPT`` for
    "interrupted" (the statement ran too long for the event loop: ``db.lock_free_engine``)."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def _page(
    schema: type[BaseModel], items: list[dict[str, Any]], total: int, *, limit: int, offset: int
) -> Response:
    page = schema.model_validate({"items": items, "total": total, "limit": limit, "offset": offset})
    return Response(page.model_dump_json(), media_type="application/json")


async def proposals_page(
    statements: Statements, caller: Caller, run_id: int, where: ProposalFilter, *, limit: int, offset: int
) -> Response:
    """``GET /runs/{id}/proposals``: a page of the run's proposals within the caller's scope."""
    if not await pages.run_visible(statements, run_id, scope=caller.scope):
        raise NotFound("Запуск не найден")
    items, total = await pages.proposals_page(
        statements, run_id, where, limit=limit, offset=offset, scope=caller.scope
    )
    return _page(ProposalsPage, items, total, limit=limit, offset=offset)


async def people_page(
    statements: Statements,
    caller: Caller,
    table: str,
    *,
    institution: str | None,
    limit: int,
    offset: int,
) -> Response:
    """``GET /mentors`` or ``GET /mentees`` (``table``): a page of one bank within the caller's
    scope."""
    mentors = table == "mentors"
    items, total = await pages.people_page(
        statements,
        table,
        MENTOR_FIELDS if mentors else MENTEE_FIELDS,
        scope=caller.scope,
        institution=institution,
        limit=limit,
        offset=offset,
    )
    return _page(MentorsPage if mentors else MenteesPage, items, total, limit=limit, offset=offset)


async def _proposal_in_scope(statements: Statements, caller: Caller, proposal_id: int) -> dict[str, Any]:
    found = await pages.proposal(statements, proposal_id, scope=caller.scope)
    if found is None:
        raise NotFound("Предложение не найдено")
    return found


def _written(proposal: dict[str, Any]) -> Response:
    return Response(_PROPOSAL.dump_json(_PROPOSAL.validate_python(proposal)), media_type="application/json")


async def decision(
    statements: Statements, caller: Caller, proposal_id: int, body: DecisionCreate
) -> Response:
    """``POST /proposals/{id}/decision``."""
    proposal = await _proposal_in_scope(statements, caller, proposal_id)
    await decisions.decide(
        statements,
        proposal,
        decision=body.decision,
        comment=body.comment,
        version=body.version,
        caller=caller,
    )
    return _written(proposal)


async def consent(statements: Statements, caller: Caller, proposal_id: int, body: ConsentCreate) -> Response:
    """``POST /proposals/{id}/consent``: an institution records the agreement of its own
    participant only; the municipal role any."""
    proposal = await _proposal_in_scope(statements, caller, proposal_id)
    institution = proposal[f"{body.party}_institution"]
    if caller.scope is not None and institution != caller.scope:
        raise Forbidden("Согласие участника из другой организации записывает его организация")
    await decisions.consent(
        statements, proposal, party=body.party, agree=body.agree, version=body.version, caller=caller
    )
    return _written(proposal)
