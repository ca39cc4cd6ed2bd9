"""Mentoring programs: start one from an agreed pair, list, extend, complete, end early, replace
the mentor at the mentee's request."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api import programs
from api.deps import (
    Deciders,
    PagingDep,
    ProgramInScope,
    Readers,
    RunStarters,
    ServicesDep,
    SessionDep,
    proposal_in_scope,
)
from api.routes.responses import CONFLICT, ERRORS
from api.schemas import (
    MentorReplacement,
    ProgramComplete,
    ProgramCreate,
    ProgramEnd,
    ProgramExtend,
    ProgramPublic,
    ProgramsPage,
    ReplacementAccepted,
    RunAccepted,
)
from api.storage import program_records
from api.storage.tables import ProgramRow
from matcher.programs import EndReason, ProgramStatus

router = APIRouter(prefix="/api/v1/programs", tags=["programs"], responses=ERRORS)


def public(program: ProgramRow) -> ProgramPublic:
    return ProgramPublic.model_validate(program)


@router.post("", status_code=201, summary="Open the program of an approved, agreed pair", responses=CONFLICT)
def start_program(caller: Deciders, body: ProgramCreate, session: SessionDep) -> ProgramPublic:
    proposal = proposal_in_scope(body.proposal_id, session, caller)
    program = programs.start_program(
        session, proposal, start=body.start, months=body.months, form=body.form, caller=caller
    )
    return public(program)


@router.get("", summary="A page of programs within the caller's scope")
def list_programs(
    caller: Readers,
    session: SessionDep,
    paging: PagingDep,
    status: Annotated[ProgramStatus | None, Query(description="only programs with this status")] = None,
    year: Annotated[str | None, Query(max_length=7, description="school year started, «2026/27»")] = None,
    institution: Annotated[str | None, Query(max_length=200, description="only this institution's")] = None,
) -> ProgramsPage:
    page = program_records.list_programs(
        session,
        scope=caller.scope,
        status=status,
        year=year,
        institution=institution,
        limit=paging.limit,
        offset=paging.offset,
    )
    return ProgramsPage(
        items=[public(row) for row in page.items], total=page.total, limit=paging.limit, offset=paging.offset
    )


@router.get("/{id}", summary="One program")
def get_program(program: ProgramInScope) -> ProgramPublic:
    return public(program)


@router.post("/{id}/extend", summary="Extend the program (by mutual consent)", responses=CONFLICT)
def extend_program(
    caller: Deciders, program: ProgramInScope, body: ProgramExtend, session: SessionDep
) -> ProgramPublic:
    changed = programs.extend_program(
        session, program, until=body.until, comment=body.comment, version=body.version, caller=caller
    )
    return public(changed)


@router.post(
    "/{id}/complete", summary="The plan is carried out: the program is completed", responses=CONFLICT
)
def complete_program(
    caller: Deciders, program: ProgramInScope, body: ProgramComplete, session: SessionDep
) -> ProgramPublic:
    changed = programs.complete_program(
        session,
        program,
        on=body.on or date.today(),
        comment=body.comment,
        version=body.version,
        caller=caller,
    )
    return public(changed)


@router.post("/{id}/end", summary="End the program early, with the reason", responses=CONFLICT)
def end_program(
    caller: Deciders, program: ProgramInScope, body: ProgramEnd, session: SessionDep
) -> ProgramPublic:
    changed = programs.end_program(
        session,
        program,
        reason=EndReason(body.reason),
        on=body.on or date.today(),
        comment=body.comment,
        version=body.version,
        caller=caller,
    )
    return public(changed)


@router.post(
    "/{id}/replace-mentor",
    status_code=202,
    summary="The mentee's petition to replace the mentor: the program ends, the mentee is matched again",
    responses=CONFLICT,
)
def replace_mentor(
    caller: RunStarters,
    program: ProgramInScope,
    body: MentorReplacement,
    session: SessionDep,
    services: ServicesDep,
) -> ReplacementAccepted:
    ended, run = programs.replace_mentor(
        session, program, on=date.today(), comment=body.comment, version=body.version, caller=caller
    )
    services.jobs.submit(run.id)
    return ReplacementAccepted(program=public(ended), run=RunAccepted(id=run.id, status="queued"))
