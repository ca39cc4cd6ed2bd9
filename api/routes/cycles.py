"""The yearly cycle through the API: close finished programs, match every institution, then the
municipal remote pass (``api.cycle``); the municipal role only."""

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.access import Caller, Permission
from api.cycle import run_cycle
from api.deps import ServicesDep, permitted
from api.jobs import Jobs
from api.routes.responses import ERRORS
from matcher.programs import ProgramTransitionError, year_bounds

router = APIRouter(prefix="/api/v1/cycles", tags=["cycle"], responses=ERRORS)


class CycleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"year": "2026/27"}]})

    year: str = Field(pattern=r"^\d{4}/\d{2}$", description="the school year, «2026/27»")

    @field_validator("year")
    @classmethod
    def _school_year(cls, year: str) -> str:
        try:
            year_bounds(year)
        except ProgramTransitionError as error:  # «2026/28»: the pattern holds, the year does not
            raise ValueError(error.message_ru) from None
        return year


class CyclePublic(BaseModel):
    year: str
    closed_programs: int
    running_programs: int
    institutions: list[dict[str, Any]]
    municipal_pass: dict[str, Any] | None


@router.post("", summary="Run the yearly cycle for a school year")
def start_cycle(
    body: CycleCreate,
    services: ServicesDep,
    caller: Caller = Depends(permitted(Permission.CROSS_INSTITUTION)),  # noqa: B008
) -> CyclePublic:
    # the cycle chains its runs (the municipal pass needs the institutions' proposals), so it
    # computes them here, one after the other, whatever computes the service's other runs
    jobs = Jobs(services.sessions, services.taxonomy, 1)
    report = run_cycle(services.sessions, jobs, year=body.year, caller=caller)
    return CyclePublic.model_validate(report)
