"""``/council``: the council's page for reviewing a run (Russian, rendered on the server).

The page itself holds no data. Its fragments (``/council/fragments/…``) are rendered from the
same reads as the API and take the same dependencies, so a fragment needs the member's token and
shows only what the member's scope and role allow; every decision the page records is a call to
the documented ``/api/v1/`` endpoints with that token.
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api import council_view, review
from api.access import Caller, Permission
from api.deps import PagingDep, ProposalInScope, Readers, RunInScope, SessionDep
from api.jobs import run_options
from api.person_keys import RunKeys, split
from api.routes import runs
from api.schemas import DB_INT_MAX, ProposalStatus
from api.storage import repository, run_records
from api.storage.tables import RunRow

router = APIRouter(tags=["council"], include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("api") / "templates"))
PAGE_SIZES = (25, 50, 100, 200)


def _render(request: Request, name: str, **context: Any) -> HTMLResponse:
    """A page or fragment; fragments name people, so no copy is kept by the browser or a proxy."""
    return templates.TemplateResponse(request, name, context, headers={"Cache-Control": "no-store"})


def _permissions(caller: Caller) -> dict[str, bool]:
    return {
        "may_decide": caller.may(Permission.DECIDE),
        "may_rerun": caller.may(Permission.START_RUNS),
        "may_export": caller.may(Permission.EXPORT),
    }


@router.get("/council", response_class=HTMLResponse)
def council_page(request: Request) -> HTMLResponse:
    return _render(request, "council.html")


@router.get("/council/fragments/runs", response_class=HTMLResponse)
def runs_fragment(request: Request, caller: Readers, session: SessionDep, paging: PagingDep) -> HTMLResponse:
    page = run_records.list_runs(session, scope=caller.scope, limit=paging.limit, offset=paging.offset)
    institutions = repository.institution_names(session)
    return _render(
        request,
        "council_runs.html",
        caller=caller,
        where=institutions.get(caller.institution or "", caller.institution) or "все организации",
        runs=[
            (seen, council_view.run_title(seen, institutions), council_view.pair_counts(seen.summary))
            for seen in (runs.seen_by(run, caller, session) for run in page.items)
        ],
        total=page.total,
        status_ru=council_view.RUN_STATUS_RU,
    )


def _downloads(run: RunRow) -> list[tuple[str, str, str]]:
    """(label, path, file name) of each document of a run."""
    return [
        ("приказ (DOCX)", f"/api/v1/runs/{run.id}/order.docx", f"prikaz-podbor-{run.id}.docx"),
        (
            "таблица пар (XLSX)",
            f"/api/v1/runs/{run.id}/pairs.xlsx",
            f"pary-podbor-{run.id}.xlsx",
        ),
    ]


@router.get("/council/fragments/runs/{id}", response_class=HTMLResponse)
def run_fragment(request: Request, caller: Readers, run: RunInScope, session: SessionDep) -> HTMLResponse:
    institutions = repository.institution_names(session)
    seen = runs.seen_by(run, caller, session)
    changes: list[council_view.Change] = []
    if seen.changes:
        items = seen.changes.items
        people = review.People.load(
            session,
            ((i.mentee_institution, i.mentee_id) for i in items),
            ((i.mentor_institution, i.mentor_id) for i in items),
        )
        changes = council_view.changes(items, people)
    in_run = run_records.institutions_of_run(session, run.id, scope=caller.scope)
    return _render(
        request,
        "council_run.html",
        run=seen,
        title=council_view.run_title(seen, institutions),
        figures=council_view.figures(seen.summary),
        changes=changes,
        institutions=[(code, institutions.get(code, code)) for code in in_run],
        downloads=_downloads(run),
        status_ru=council_view.RUN_STATUS_RU,
        proposal_status_ru=council_view.STATUS_RU,
        page_sizes=PAGE_SIZES,
        **_permissions(caller),
    )


def _paging_links(total: int, limit: int, offset: int) -> dict[str, int | None]:
    return {
        "first": offset + 1 if total else 0,
        "last": min(offset + limit, total),
        "previous": max(offset - limit, 0) if offset > 0 else None,
        "next": offset + limit if offset + limit < total else None,
    }


@router.get("/council/fragments/runs/{id}/proposals", response_class=HTMLResponse)
def proposals_fragment(
    request: Request,
    caller: Readers,
    run: RunInScope,
    session: SessionDep,
    paging: PagingDep,
    status: Annotated[ProposalStatus | None, Query()] = None,
    institution: Annotated[str | None, Query()] = None,
    weight_sensitive: Annotated[bool | None, Query()] = None,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    where = run_records.ProposalFilter(
        status=status, institution=institution, weight_sensitive=weight_sensitive, name=name
    )
    page = run_records.list_proposals(
        session, run.id, where, limit=paging.limit, offset=paging.offset, scope=caller.scope
    )
    people = review.people_of_proposals(session, page.items)
    weights = run_options(run.options).weights
    return _render(
        request,
        "council_proposals.html",
        sections=council_view.sections(page.items, people, weights),
        total=page.total,
        paging=_paging_links(page.total, paging.limit, paging.offset),
        **_permissions(caller),
    )


@router.get("/council/fragments/runs/{id}/unmatched", response_class=HTMLResponse)
def unmatched_fragment(
    request: Request,
    caller: Readers,
    run: RunInScope,
    session: SessionDep,
    paging: PagingDep,
    institution: Annotated[str | None, Query()] = None,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    page = run_records.list_unmatched(
        session,
        run.id,
        limit=paging.limit,
        offset=paging.offset,
        scope=caller.scope,
        institution=institution,
        name=name,
    )
    keys = RunKeys(run.institution)
    texts = (text for u in page.items for text in (u.explanation, u.fix))
    people = review.People.load(
        session,
        ((u.institution, u.mentee_id) for u in page.items),
        [*(split(m) for u in page.items for m in u.candidates), *council_view.mentioned_ids(keys, *texts)],
    )
    return _render(
        request,
        "council_unmatched.html",
        items=[people.unmatched(row) for row in page.items],
        named=lambda text: council_view.named(text, people, keys),
        total=page.total,
        paging=_paging_links(page.total, paging.limit, paging.offset),
        reason_ru=council_view.REASON_RU,
    )


@router.get("/council/fragments/proposals/{id}", response_class=HTMLResponse)
def proposal_fragment(
    request: Request,
    caller: Readers,
    proposal: ProposalInScope,
    session: SessionDep,
    seen: Annotated[
        int | None, Query(ge=1, le=DB_INT_MAX, description="the version the member decided on")
    ] = None,
) -> HTMLResponse:
    """One proposal as it is now; with ``seen``, also what others recorded since that version."""
    run = run_records.get_run(session, proposal.run_id, scope=None)
    assert run is not None  # a proposal in scope belongs to a run
    people = review.people_of_proposals(session, [proposal])
    card = council_view.card(
        proposal, people, run_options(run.options).weights, grouped=bool(proposal.group_id)
    )
    since = run_records.decisions_since(session, proposal.id, seen) if seen is not None else []
    return _render(
        request,
        "council_card.html",
        card=card,
        conflict=council_view.describe_decisions(since) if seen is not None else None,
        **_permissions(caller),
    )


@router.get("/council/fragments/proposals/{id}/alternatives", response_class=HTMLResponse)
def alternatives_fragment(
    request: Request, caller: Readers, proposal: ProposalInScope, session: SessionDep
) -> HTMLResponse:
    return _render(
        request,
        "council_alternatives.html",
        proposal=proposal,
        alternatives=review.alternatives_public(session, proposal),
        **_permissions(caller),
    )
