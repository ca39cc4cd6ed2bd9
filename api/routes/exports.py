"""A run's documents: the draft order and ``results.xlsx`` (the same workbook the batch command
writes); a pair's or group's forms (programme, consents, questionnaires). Every document is a
draft for the school to print and sign."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from api import forms, results_workbook
from api.deps import Exporters, ProposalInScope, RunInScope, ServicesDep, SessionDep
from api.errors import Conflict
from api.routes.responses import CONFLICT, ERRORS
from api.storage.tables import RunRow
from matcher.documents.content import Period
from matcher.documents.templates import Form

router = APIRouter(prefix="/api/v1/runs", tags=["documents"], responses=ERRORS | CONFLICT)
proposal_router = APIRouter(prefix="/api/v1/proposals", tags=["documents"], responses=ERRORS)
DOCX: dict[int | str, dict[str, Any]] = {
    200: {"content": {forms.DOCX_TYPE: {}}, "description": "the document as .docx"}
}
Party = Annotated[Literal["mentee", "mentor"], Query(description="whose form: the mentee's or the mentor's")]


def get_terms(
    start: Annotated[
        date | None, Query(description="first day of mentoring; default: the first day of next month")
    ] = None,
    months: Annotated[
        int, Query(ge=3, le=12, description="period of mentoring, months")
    ] = forms.DEFAULT_MONTHS,
    curator: Annotated[
        str | None,
        Query(max_length=300, description="the curator named in the documents: «ФИО, должность»"),
    ] = None,
) -> forms.Terms:
    first = start or Period.from_next_month(date.today(), months).start
    return forms.Terms(start=first, months=months, curator=curator)


TermsDep = Annotated[forms.Terms, Depends(get_terms)]


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
    description="The approved and agreed pairs and groups, the period with dates, the curator in "
    "the right grammatical case, the «С приказом ознакомлены» block; from the institution's own "
    "template when uploaded (`/api/v1/templates`).",
    response_class=Response,
    responses=DOCX,
)
def order_docx(caller: Exporters, run: RunInScope, session: SessionDep, terms: TermsDep) -> Response:
    _finished(run)
    content = forms.order_docx(session, run, terms, scope=caller.scope)
    return _attachment(content, forms.DOCX_TYPE, f"order-run-{run.id}.docx")


@router.get(
    "/{id}/pairs.xlsx",
    summary="The run's results.xlsx: pairs, groups, unmatched, alternatives, summary",
    response_class=Response,
    responses={200: {"content": {results_workbook.XLSX_TYPE: {}}, "description": "the workbook"}},
)
def pairs_xlsx(caller: Exporters, run: RunInScope, session: SessionDep, services: ServicesDep) -> Response:
    _finished(run)
    content = results_workbook.results_xlsx(session, run, services.taxonomy, scope=caller.scope)
    return _attachment(content, results_workbook.XLSX_TYPE, f"results-run-{run.id}.xlsx")


@proposal_router.get(
    "/{id}/programme.docx",
    summary="Draft personalised mentoring programme of the proposal's pair or group",
    description="004's template: explanatory note, goals and tasks, a plan of activities across the "
    "months prefilled from the mentees' difficulties and the mentor's competences.",
    response_class=Response,
    responses=DOCX,
)
def programme_docx(
    caller: Exporters, proposal: ProposalInScope, session: SessionDep, services: ServicesDep, terms: TermsDep
) -> Response:
    content = forms.programme_docx(session, proposal, terms, services.taxonomy)
    return _attachment(content, forms.DOCX_TYPE, f"programme-proposal-{proposal.id}.docx")


@proposal_router.get(
    "/{id}/consent.docx",
    summary="Written consent to take part and to the processing of personal data (152-ФЗ)",
    response_class=Response,
    responses=DOCX,
)
def consent_docx(
    caller: Exporters,
    proposal: ProposalInScope,
    session: SessionDep,
    services: ServicesDep,
    terms: TermsDep,
    party: Party,
) -> Response:
    content = forms.participant_docx(session, proposal, party, Form.CONSENT, terms, services.taxonomy)
    return _attachment(content, forms.DOCX_TYPE, f"consent-{party}-proposal-{proposal.id}.docx")


@proposal_router.get(
    "/{id}/questionnaire.docx",
    summary="End-of-programme questionnaire of the mentee or the mentor",
    response_class=Response,
    responses=DOCX,
)
def questionnaire_docx(
    caller: Exporters,
    proposal: ProposalInScope,
    session: SessionDep,
    services: ServicesDep,
    terms: TermsDep,
    party: Party,
) -> Response:
    form = Form.MENTOR_QUESTIONNAIRE if party == "mentor" else Form.MENTEE_QUESTIONNAIRE
    content = forms.participant_docx(session, proposal, party, form, terms, services.taxonomy)
    return _attachment(content, forms.DOCX_TYPE, f"questionnaire-{party}-proposal-{proposal.id}.docx")
