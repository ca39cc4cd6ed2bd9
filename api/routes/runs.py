"""Matching runs: start one (in the background), follow it, read its proposals and unmatched."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import (
    PagingDep,
    PlannedRunDep,
    Readers,
    RunInScope,
    RunStarters,
    ServicesDep,
    SessionDep,
)
from api.errors import Conflict
from api.routes.responses import CONFLICT, ERRORS
from api.schemas import (
    ProposalPublic,
    ProposalsPage,
    ProposalStatus,
    RunAccepted,
    RunPublic,
    RunsPage,
    UnmatchedPage,
    UnmatchedPublic,
)
from api.storage import run_records

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
    )
    services.jobs.submit(run.id)
    return RunAccepted(id=run.id, status="queued")


@router.get("", summary="A page of runs, newest first")
def list_runs(caller: Readers, session: SessionDep, paging: PagingDep) -> RunsPage:
    page = run_records.list_runs(session, scope=caller.scope, limit=paging.limit, offset=paging.offset)
    return RunsPage(
        items=[RunPublic.model_validate(run) for run in page.items],
        total=page.total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/{id}", summary="One run: status, progress, summary and changes against its base")
def get_run(run: RunInScope) -> RunPublic:
    return RunPublic.model_validate(run)


@router.post(
    "/{id}/restart", status_code=202, summary="Start a failed run again, as it was asked", responses=CONFLICT
)
def restart_run(
    caller: RunStarters, run: RunInScope, session: SessionDep, services: ServicesDep
) -> RunAccepted:
    if run.status != "failed":
        raise Conflict("Запустить снова можно только запуск, завершившийся ошибкой")
    run_records.requeue_run(session, run, caller=caller)
    services.jobs.submit(run.id)
    return RunAccepted(id=run.id, status="queued")


@router.get("/{id}/proposals", summary="The run's proposed pairs and groups (empty until it is done)")
def list_proposals(
    run: RunInScope,
    session: SessionDep,
    paging: PagingDep,
    status: Annotated[ProposalStatus | None, Query(description="only proposals with this status")] = None,
) -> ProposalsPage:
    page = run_records.list_proposals(
        session, run.id, status=status, limit=paging.limit, offset=paging.offset
    )
    return ProposalsPage(
        items=[ProposalPublic.model_validate(row) for row in page.items],
        total=page.total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/{id}/unmatched", summary="Mentees the run left without a mentor, with the reason")
def list_unmatched(run: RunInScope, session: SessionDep, paging: PagingDep) -> UnmatchedPage:
    page = run_records.list_unmatched(session, run.id, limit=paging.limit, offset=paging.offset)
    return UnmatchedPage(
        items=[UnmatchedPublic.model_validate(row) for row in page.items],
        total=page.total,
        limit=paging.limit,
        offset=paging.offset,
    )
