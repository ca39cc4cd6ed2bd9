"""Matching runs: start one (in the background), follow it, read its proposals and unmatched."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from api import answers, review
from api.access import Caller
from api.changes import changes_within
from api.config import heavy_years_rule
from api.cycle import held_for_rest
from api.deps import (
    TOKEN_SECURITY,
    Limit,
    Offset,
    PagingDep,
    PlannedRunDep,
    Readers,
    ReadersAnswering,
    ResourceId,
    RunInScope,
    RunStarters,
    ServicesDep,
    SessionDep,
)
from api.errors import Conflict
from api.routes.responses import CONFLICT, ERRORS
from api.schemas import (
    ChangesPublic,
    ProposalsPage,
    ProposalStatus,
    RunAccepted,
    RunPublic,
    RunsPage,
    UnmatchedPage,
)
from api.storage import run_records
from api.storage.tables import RunRow
from matcher.programs import school_year

router = APIRouter(prefix="/api/v1/runs", tags=["runs"], responses=ERRORS)


@router.post("", status_code=202, summary="Start a matching run", responses=CONFLICT)
def start_run(
    caller: RunStarters, plan: PlannedRunDep, session: SessionDep, services: ServicesDep
) -> RunAccepted:
    run = run_records.create_run(
        session,
        scope=plan.scope,
        institution=plan.institution,
        based_on=plan.based_on,
        options=plan.options,
        caller=caller,
        queue_limit=services.settings.max_queued_runs,
        reserved=None
        if plan.based_on is not None  # the base's places are kept
        else held_for_rest(
            session,
            school_year(date.today()),
            heavy_years_rule(None, None, services.settings),
        ),
    )
    services.jobs.submit(run.id)
    return RunAccepted(id=run.id, status="queued")


def seen_by(run: RunRow, caller: Caller, session: Session) -> RunPublic:
    """The run as ``caller`` may see it: of a municipality-wide run, an institution's caller gets
    only its own figures and its own part of the changes."""
    public = RunPublic.model_validate(run)
    if caller.scope is None or run.institution is not None:
        return public
    mine = run_records.proposals_of(session, run.id, scope=caller.scope)
    summary = {
        "institution": caller.scope,
        "proposals": len(mine),
        "cross_institution": sum(p.mentee_institution != p.mentor_institution for p in mine),
        "unmatched": len(run_records.unmatched_of(session, run.id, scope=caller.scope)),
    }
    changes = None if run.changes is None else changes_within(run.changes, caller.scope)
    return public.model_copy(
        update={
            "summary": summary if run.summary is not None else None,
            "changes": None if changes is None else ChangesPublic.model_validate(changes),
        }
    )


@router.get("", summary="A page of runs, newest first")
def list_runs(caller: Readers, session: SessionDep, paging: PagingDep) -> RunsPage:
    page = run_records.list_runs(session, scope=caller.scope, limit=paging.limit, offset=paging.offset)
    return RunsPage(
        items=[seen_by(run, caller, session) for run in page.items],
        total=page.total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/{id}", summary="One run: status, progress, summary and changes against its base")
def get_run(caller: Readers, run: RunInScope, session: SessionDep) -> RunPublic:
    return seen_by(run, caller, session)


@router.post(
    "/{id}/restart", status_code=202, summary="Start a failed run again, as it was asked", responses=CONFLICT
)
def restart_run(
    caller: RunStarters, run: RunInScope, session: SessionDep, services: ServicesDep
) -> RunAccepted:
    if run.status != "failed":
        raise Conflict("Запустить снова можно только запуск, завершившийся ошибкой")
    run_records.requeue_run(session, run, caller=caller, queue_limit=services.settings.max_queued_runs)
    services.jobs.submit(run.id)
    return RunAccepted(id=run.id, status="queued")


@router.get(
    "/{id}/proposals",
    summary="The run's proposed pairs and groups (empty until it is done), by institution and group",
    response_model=ProposalsPage,
    openapi_extra=TOKEN_SECURITY,
)
async def list_proposals(
    ask: ReadersAnswering,
    run_id: ResourceId,
    status: Annotated[ProposalStatus | None, Query(description="only proposals with this status")] = None,
    institution: Annotated[
        str | None, Query(description="only pairs whose mentee or mentor is of this institution")
    ] = None,
    weight_sensitive: Annotated[
        bool | None, Query(description="only pairs that do (true) or do not (false) depend on a weight")
    ] = None,
    name: Annotated[
        str | None, Query(max_length=200, description="a part of the mentee's or the mentor's ФИО")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    where = run_records.ProposalFilter(
        status=status, institution=institution, weight_sensitive=weight_sensitive, name=name
    )
    services = ask.services
    return await services.answer(
        answers.proposals_page,
        ask.caller,
        run_id,
        where,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{id}/unmatched",
    summary="Mentees the run left without a mentor: the reason, the mentors in the way, the smallest fix",
)
def list_unmatched(
    caller: Readers,
    run: RunInScope,
    session: SessionDep,
    paging: PagingDep,
    institution: Annotated[str | None, Query(description="only mentees of this institution")] = None,
    name: Annotated[str | None, Query(max_length=200, description="a part of the mentee's ФИО")] = None,
) -> UnmatchedPage:
    page = run_records.list_unmatched(
        session,
        run.id,
        limit=paging.limit,
        offset=paging.offset,
        scope=caller.scope,
        institution=institution,
        name=name,
    )
    people = review.people_of_unmatched(session, page.items)
    return UnmatchedPage(
        items=[people.unmatched(row) for row in page.items],
        total=page.total,
        limit=paging.limit,
        offset=paging.offset,
    )
