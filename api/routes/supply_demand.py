"""Supply and demand: which difficulty areas have more requests than mentors can cover, who is
unmatched for lack of a competence, and where remote mentors of other institutions would help
(``api.supply_demand``)."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import Readers, ServicesDep, SessionDep
from api.errors import NotFound
from api.routes.responses import ERRORS
from api.schemas import DB_INT_MAX
from api.storage import run_records
from api.supply_demand import compute, public

router = APIRouter(prefix="/api/v1/supply-demand", tags=["supply and demand"], responses=ERRORS)


class AreaBalancePublic(BaseModel):
    institution: str | None = Field(description="null: the municipality (every institution together)")
    institution_name: str
    area: str = Field(description="the taxonomy code")
    area_ru: str
    requests: int = Field(description="consenting mentees with this difficulty")
    covered: int = Field(description="of them, those whose proposals cover it")
    uncovered: int
    waiting: int = Field(description="uncovered requests of mentees who can still take a mentor")
    mentors: int = Field(description="consenting mentors with the competence and places")
    places: int = Field(description="their places for the run (capacity less running programs)")
    free_places: int = Field(description="their places the run left free")
    shortage: int = Field(description="requests beyond those places")
    remote_mentors: int = Field(
        description="mentors of other institutions who accept remote meetings, cover it, have free places"
    )
    remote_places: int
    remote_closable: int = Field(
        description="waiting requests of mentees who accept remote meetings those places could take"
    )
    to_recruit: int = Field(description="waiting requests left: mentors to recruit")
    conclusion_ru: str


class RemoteMentorPublic(BaseModel):
    mentor_id: str
    full_name: str
    position: str
    institution: str
    institution_name: str


class LackingMenteePublic(BaseModel):
    mentee_id: str
    full_name: str
    position: str
    institution: str
    institution_name: str
    reason: str
    reason_ru: str
    areas: list[str] = Field(description="difficulties no mentor of the mentee's institution covers")
    areas_ru: list[str]
    accepts_remote: bool
    remote_mentors_count: int
    remote_mentors: list[RemoteMentorPublic] | None = Field(
        description="who could take the mentee remotely, the best ten (the municipal role only; null for an "
        "institution)"
    )


class SupplyDemandPublic(BaseModel):
    runs: list[int]
    institution: str | None
    areas: list[AreaBalancePublic]
    lacking: list[LackingMenteePublic]


@router.get(
    "", summary="Requests against mentors per difficulty area, per institution and for the municipality"
)
def supply_demand(
    caller: Readers,
    session: SessionDep,
    services: ServicesDep,
    run: Annotated[
        list[Annotated[int, Field(ge=1, le=DB_INT_MAX)]],
        Query(description="after these runs (repeat for a cycle's runs); none: the plan before matching"),
    ] = [],  # noqa: B006 (FastAPI copies a query list's default)
    institution: Annotated[str | None, Query(max_length=64, description="only this institution")] = None,
) -> SupplyDemandPublic:
    if institution is not None and caller.scope not in (None, institution):
        raise NotFound("Организация не найдена")
    runs = []
    for run_id in dict.fromkeys(run):
        found = run_records.get_run(session, run_id, scope=caller.scope)
        if found is None:
            raise NotFound("Запуск не найден")
        runs.append(found)
    report = compute(session, runs)
    shown = public(
        session,
        report,
        institution=institution if institution is not None else caller.scope,
        named=caller.scope is None,  # an institution sees how many could help, never who
        taxonomy=services.taxonomy,
        run_ids=[r.id for r in runs],
    )
    return SupplyDemandPublic.model_validate(shown)
