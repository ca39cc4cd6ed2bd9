"""``GET /api/v1/audit``: who decided or changed what, and when."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Auditors, PagingDep, SessionDep
from api.routes.responses import ERRORS
from api.schemas import AuditPage, AuditPublic
from api.storage import repository

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=ERRORS)


@router.get("", summary="A page of the audit log, newest first")
def list_audit(
    caller: Auditors,
    session: SessionDep,
    paging: PagingDep,
    entity: Annotated[str | None, Query(description="mentors, mentees, run or proposal")] = None,
    entity_id: Annotated[
        str | None, Query(description="the id of one mentor, mentee, run or proposal")
    ] = None,
) -> AuditPage:
    page = repository.list_audit(
        session,
        scope=caller.scope,
        entity=entity,
        entity_id=entity_id,
        limit=paging.limit,
        offset=paging.offset,
    )
    return AuditPage(
        items=[AuditPublic.model_validate(row) for row in page.items],
        total=page.total,
        limit=paging.limit,
        offset=paging.offset,
    )
