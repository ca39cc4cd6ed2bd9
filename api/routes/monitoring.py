"""Monitoring: the end-of-program questionnaires in, the indicators of 003 §7.7 out (JSON, XLSX,
an HTML report with charts), each school year against its targets."""

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse

from api import monitoring
from api.access import Permission
from api.deps import Deciders, ProgramInScope, Readers, ServicesDep, SessionDep, UploadDep
from api.errors import Forbidden, Unacceptable
from api.monitoring_page import monitoring_html
from api.monitoring_schemas import (
    IndicatorsPublic,
    MonitoringPublic,
    QuestionnaireCreate,
    QuestionnairePublic,
    QuestionnairesImported,
    TargetsPublic,
    YearTargetsPublic,
    school_year,
)
from api.monitoring_workbook import XLSX_TYPE, monitoring_xlsx
from api.questionnaire_template import template_xlsx
from api.routes.responses import ERRORS, IMPORT_ERRORS
from api.storage import monitoring_records
from matcher import programs
from matcher.questionnaires import Party

REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
"""The HTML report is a self-contained document (saved, mailed, opened from disk): its styles and
matplotlib's SVG charts are inline, and it runs no script at all."""

router = APIRouter(prefix="/api/v1/monitoring", tags=["monitoring"], responses=ERRORS)
program_router = APIRouter(prefix="/api/v1/programs", tags=["monitoring"], responses=ERRORS)


def _year(year: str | None) -> str:
    """The school year asked for, or the current one; 422 naming «year» for a bad one."""
    try:
        return school_year(year) if year is not None else programs.school_year(date.today())
    except ValueError as error:
        raise Unacceptable(str(error), column="year") from None


YearQuery = Annotated[
    str | None,
    Query(max_length=7, description="the school year, «2026/27» (default: the current one)"),
]
InstitutionQuery = Annotated[
    str | None, Query(max_length=200, description="only this institution (the municipal role)")
]


def _report(
    session: SessionDep, caller: Readers, year: str | None, institution: str | None
) -> monitoring.MonitoringReport:
    return monitoring.monitoring_report(session, year=_year(year), institution=institution, caller=caller)


@router.get("", summary="The indicators of a school year, per institution and for the municipality")
def get_monitoring(
    caller: Readers, session: SessionDep, year: YearQuery = None, institution: InstitutionQuery = None
) -> MonitoringPublic:
    report = _report(session, caller, year, institution)
    result = report.monitoring
    return MonitoringPublic(
        year=result.year,
        targets=TargetsPublic.of(result.targets),
        institutions=[IndicatorsPublic.of(item, report.name(item.code)) for item in result.institutions],
        municipality=(
            None
            if result.municipality is None
            else IndicatorsPublic.of(result.municipality, report.name(None))
        ),
    )


def _download(year: str, suffix: str) -> str:
    return f'attachment; filename="monitoring-{year.replace("/", "-")}.{suffix}"'


@router.get(
    "/report.xlsx",
    summary="The monitoring report as a workbook (Russian, full names of institutions)",
    response_class=Response,
    responses={200: {"content": {XLSX_TYPE: {}}, "description": "the workbook"}},
)
def monitoring_workbook(
    caller: Readers, session: SessionDep, year: YearQuery = None, institution: InstitutionQuery = None
) -> Response:
    report = _report(session, caller, year, institution)
    return Response(
        monitoring_xlsx(report),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": _download(report.monitoring.year, "xlsx")},
    )


@router.get(
    "/report.html",
    summary="The monitoring report as a Russian page with charts",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}, "description": "the page"}},
)
def monitoring_page(
    caller: Readers, session: SessionDep, year: YearQuery = None, institution: InstitutionQuery = None
) -> HTMLResponse:
    report = _report(session, caller, year, institution)
    return HTMLResponse(
        monitoring_html(report, made=datetime.now(UTC)),
        headers={
            "Content-Security-Policy": REPORT_CSP,
            "Content-Disposition": _download(report.monitoring.year, "html").replace("attachment", "inline"),
        },
    )


@router.get("/targets", summary="A school year's targets (the defaults of 003 unless set)")
def get_targets(caller: Readers, session: SessionDep, year: YearQuery = None) -> YearTargetsPublic:
    chosen = _year(year)
    return YearTargetsPublic(
        year=chosen, targets=TargetsPublic.of(monitoring_records.targets(session, chosen))
    )


@router.put("/targets", summary="Set a school year's targets, in percent (the municipal role)")
def put_targets(
    caller: Readers, session: SessionDep, body: TargetsPublic, year: YearQuery = None
) -> YearTargetsPublic:
    if not caller.may(Permission.CROSS_INSTITUTION):
        raise Forbidden("Цели мониторинга устанавливает муниципальный координатор")
    chosen = _year(year)
    saved = monitoring_records.set_targets(session, chosen, body.targets(), caller=caller)
    return YearTargetsPublic(year=chosen, targets=TargetsPublic.of(saved))


@router.post(
    "/questionnaires/import",
    summary="Import filled questionnaires of one party, all rows or none",
    responses=IMPORT_ERRORS,
)
def import_questionnaires(
    caller: Deciders,
    upload: UploadDep,
    session: SessionDep,
    services: ServicesDep,
    party: Annotated[Literal["mentee", "mentor"], Query(description="whose questionnaires the file holds")],
) -> QuestionnairesImported:
    imported = monitoring.import_questionnaires(
        session,
        party=Party(party),
        data=upload.data,
        filename=upload.name,
        caller=caller,
        taxonomy=services.taxonomy,
    )
    return QuestionnairesImported(
        file=imported.file,
        rows=len(imported.created) + len(imported.updated),
        created=imported.created,
        updated=imported.updated,
        left_aside=list(imported.left_aside),
    )


@router.get(
    "/questionnaires/template.xlsx",
    summary="The intake workbook to fill from the paper questionnaires (programs ending in the year)",
    response_class=Response,
    responses={200: {"content": {XLSX_TYPE: {}}, "description": "the workbook"}},
)
def questionnaire_template(
    caller: Deciders,
    session: SessionDep,
    services: ServicesDep,
    party: Annotated[Literal["mentee", "mentor"], Query(description="whose questionnaire")],
    year: YearQuery = None,
) -> Response:
    chosen, whose = _year(year), Party(party)
    rows = monitoring.template_rows(
        session, party=whose, year=chosen, caller=caller, taxonomy=services.taxonomy
    )
    name = "anketa-nastavlyaemogo" if whose is Party.MENTEE else "anketa-nastavnika"
    return Response(
        template_xlsx(whose, rows),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}-{chosen.replace("/", "-")}.xlsx"'},
    )


@program_router.post(
    "/{id}/questionnaires", status_code=201, summary="Record one party's end-of-program questionnaire"
)
def record_questionnaire(
    caller: Deciders,
    program: ProgramInScope,
    body: QuestionnaireCreate,
    session: SessionDep,
    services: ServicesDep,
) -> QuestionnairePublic:
    monitoring.record_questionnaire(session, program, body, caller=caller, taxonomy=services.taxonomy)
    saved = [
        row for row in monitoring_records.questionnaires_of(session, program.id) if row.party == body.party
    ]
    return QuestionnairePublic.model_validate(saved[0])


@program_router.get(
    "/{id}/questionnaires", summary="The program's questionnaires of the caller's participants"
)
def program_questionnaires(
    caller: Readers, program: ProgramInScope, session: SessionDep
) -> list[QuestionnairePublic]:
    return [
        QuestionnairePublic.model_validate(row)
        for row in monitoring_records.questionnaires_of(session, program.id)
        if caller.sees(row.institution)
    ]
