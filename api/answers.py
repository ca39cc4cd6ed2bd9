"""The busiest requests, each answered by one plain function: scope check, statements and the
JSON answer, run in the event loop at once where that costs nothing, else in one thread-pool hop.

The route's one dependency (``api.deps.answering``: the services and the permitted caller, from
``CallerCache``) runs in the event loop; the route then hands one of these functions to
``Answerer``, which runs it with a Core connection and returns its answer as it is. The answer
is validated once by its response schema and written by pydantic's serializer, as FastAPI would,
but without FastAPI validating it a second time in another hop. Scope rules are the same as the
dependencies' of ``api.deps``: anything outside the caller's scope is 404, and so is a proposal
of another institution.

With SQLite the function runs in the event loop itself: its statements take a fraction of a
millisecond, and a hop to a thread and back cost more CPU than the statements (under 50 clients,
a decision 3.4–4.7 → 2.0–2.3 ms of CPU, a page of 50 proposals 8.7–11.2 → 7.1–8.2 ms). It runs on
connections that never wait for a lock: when another connection writes (a run storing its
result, another web process), the statement that needs the lock fails at once, is rolled back
and the function runs again in a thread, which waits for the lock as every other connection
does, so the loop is never held; so does a statement that runs longer than a few milliseconds
(a search by name over a large run), interrupted. With PostgreSQL every function runs in a
thread (a few at a time, ``Settings.answering_threads``): its statements wait on round trips to
the server.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Response
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Connection, Engine
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
from api.storage.run_records import ProposalFilter

_PROPOSAL = TypeAdapter(ProposalPublic)
MENTOR_FIELDS = tuple(MentorPublic.model_fields)
MENTEE_FIELDS = tuple(MenteePublic.model_fields)


class Answerer:
    """Where the busiest requests are answered (see the module): ``await answerer(function, *args)``
    runs ``function(engine, *args)``."""

    def __init__(self, engine: Engine, threads: int, lock_free: Engine | None = None) -> None:
        """``engine`` serves the threads; ``lock_free`` (SQLite: a busy timeout of 0), if given,
        the event loop."""
        self._engine = engine
        self._lock_free = lock_free
        self._threads = CapacityLimiter(threads)

    async def __call__(self, function: Callable[..., Response], /, *args: Any, **kwargs: Any) -> Response:
        if self._lock_free is not None:
            try:
                return function(self._lock_free, *args, **kwargs)
            except OperationalError as error:
                if not _for_a_thread(error):
                    raise
        return await anyio.to_thread.run_sync(
            partial(function, self._engine, *args, **kwargs), limiter=self._threads
        )


def _for_a_thread(error: OperationalError) -> bool:
    """SQLite's "database is locked" (another connection holds the lock this statement needs) or
    "interrupted" (the statement ran too long for the event loop: ``db.lock_free_engine``)."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_INTERRUPT)


def _page(
    schema: type[BaseModel], items: list[dict[str, Any]], total: int, *, limit: int, offset: int
) -> Response:
    page = schema.model_validate({"items": items, "total": total, "limit": limit, "offset": offset})
    return Response(page.model_dump_json(), media_type="application/json")


def proposals_page(
    engine: Engine, caller: Caller, run_id: int, where: ProposalFilter, *, limit: int, offset: int
) -> Response:
    """``GET /runs/{id}/proposals``: a page of the run's proposals within the caller's scope."""
    with engine.connect() as connection:
        if not pages.run_visible(connection, run_id, scope=caller.scope):
            raise NotFound("Запуск не найден")
        items, total = pages.proposals_page(
            connection, run_id, where, limit=limit, offset=offset, scope=caller.scope
        )
    return _page(ProposalsPage, items, total, limit=limit, offset=offset)


def people_page(
    engine: Engine,
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
    with engine.connect() as connection:
        items, total = pages.people_page(
            connection,
            table,
            MENTOR_FIELDS if mentors else MENTEE_FIELDS,
            scope=caller.scope,
            institution=institution,
            limit=limit,
            offset=offset,
        )
    return _page(MentorsPage if mentors else MenteesPage, items, total, limit=limit, offset=offset)


def _proposal_in_scope(connection: Connection, caller: Caller, proposal_id: int) -> dict[str, Any]:
    found = pages.proposal(connection, proposal_id, scope=caller.scope)
    if found is None:
        raise NotFound("Предложение не найдено")
    return found


def _written(proposal: dict[str, Any]) -> Response:
    return Response(_PROPOSAL.dump_json(_PROPOSAL.validate_python(proposal)), media_type="application/json")


def decision(engine: Engine, caller: Caller, proposal_id: int, body: DecisionCreate) -> Response:
    """``POST /proposals/{id}/decision``."""
    with engine.connect() as connection:
        proposal = _proposal_in_scope(connection, caller, proposal_id)
        decisions.decide(
            connection,
            proposal,
            decision=body.decision,
            comment=body.comment,
            version=body.version,
            caller=caller,
        )
    return _written(proposal)


def consent(engine: Engine, caller: Caller, proposal_id: int, body: ConsentCreate) -> Response:
    """``POST /proposals/{id}/consent``: an institution records the agreement of its own
    participant only; the municipal role any."""
    with engine.connect() as connection:
        proposal = _proposal_in_scope(connection, caller, proposal_id)
        institution = proposal[f"{body.party}_institution"]
        if caller.scope is not None and institution != caller.scope:
            raise Forbidden("Согласие участника из другой организации записывает его организация")
        decisions.consent(
            connection, proposal, party=body.party, agree=body.agree, version=body.version, caller=caller
        )
    return _written(proposal)
