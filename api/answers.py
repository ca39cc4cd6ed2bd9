"""The busiest requests, each answered by one plain function: scope check, statements and the
JSON answer, run in one thread-pool hop.

The route's one dependency (``api.deps.answering``: the services and the permitted caller, from
``CallerCache``) runs in the event loop; the route then hands one of these functions to the
thread pool (``answered``: a few threads at a time, ``Settings.answering_threads``) with a Core
connection of ``Services.engine`` and returns its answer as it is. The answer is validated
once by its response schema and written by pydantic's serializer, as FastAPI would, but without
FastAPI validating it a second time in another hop. Scope rules are the same as the
dependencies' of ``api.deps``: anything outside the caller's scope is 404, and so is a proposal
of another institution.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Response
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Connection, Engine

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


async def answered(
    limiter: CapacityLimiter, function: Callable[..., Response], /, *args: Any, **kwargs: Any
) -> Response:
    """``function(*args, **kwargs)`` in a thread of the pool, at most the limiter's number at once:
    more threads than cores would only queue for the GIL and for the database's connections."""
    return await anyio.to_thread.run_sync(partial(function, *args, **kwargs), limiter=limiter)


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
