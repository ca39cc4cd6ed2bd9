"""A run's documents: the draft order (.docx) and the proposals with the unmatched (.xlsx)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api import documents
from api.deps import Exporters, RunInScope, ServicesDep, SessionDep
from api.errors import Conflict
from api.routes.responses import CONFLICT, ERRORS
from api.storage.tables import RunRow

router = APIRouter(prefix="/api/v1/runs", tags=["documents"], responses=ERRORS | CONFLICT)


def _finished(run: RunRow) -> None:
    if run.status != "done":
        raise Conflict("Запуск ещё не завершён: документов пока нет")


def _attachment(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.get(
    "/{id}/order.docx",
    summary="Draft order «О закреплении наставнических пар (групп)»",
    response_class=Response,
    responses={200: {"content": {documents.DOCX_TYPE: {}}, "description": "the order as .docx"}},
)
def order_docx(
    caller: Exporters,
    run: RunInScope,
    session: SessionDep,
    months: Annotated[
        int, Query(ge=3, le=12, description="period of mentoring, months")
    ] = documents.DEFAULT_MONTHS,
    curator: Annotated[
        str | None, Query(max_length=300, description="the curator named in the order (ФИО, должность)")
    ] = None,
) -> Response:
    _finished(run)
    content = documents.order_docx(session, run, months=months, curator=curator, scope=caller.scope)
    return _attachment(content, documents.DOCX_TYPE, f"order-run-{run.id}.docx")


@router.get(
    "/{id}/pairs.xlsx",
    summary="Proposals and unmatched mentees as a workbook",
    response_class=Response,
    responses={200: {"content": {documents.XLSX_TYPE: {}}, "description": "the workbook"}},
)
def pairs_xlsx(caller: Exporters, run: RunInScope, session: SessionDep, services: ServicesDep) -> Response:
    _finished(run)
    content = documents.pairs_xlsx(session, run, services.taxonomy, scope=caller.scope)
    return _attachment(content, documents.XLSX_TYPE, f"pairs-run-{run.id}.xlsx")
