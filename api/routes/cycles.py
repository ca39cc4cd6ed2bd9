"""The yearly cycle through the API: close finished programs, match every institution, then the
municipal remote pass (``api.cycle``); the municipal role only."""

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.access import Caller, Permission
from api.config import heavy_years_rule
from api.cycle import run_cycle
from api.deps import ServicesDep, permitted
from api.jobs import Jobs
from api.routes.responses import ERRORS
from matcher.programs import ProgramTransitionError, year_bounds

router = APIRouter(prefix="/api/v1/cycles", tags=["cycle"], responses=ERRORS)


class CycleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"year": "2026/27"}]})

    year: str = Field(pattern=r"^\d{4}/\d{2}$", description="the school year, «2026/27»")
    heavy_years: int | None = Field(
        default=None,
        ge=1,
        le=10,
        description="consecutive heavy school years a mentor may carry; after them a year without new "
        "mentees (default: the service's MENTOR_MATCH_HEAVY_YEARS, else no limit)",
    )
    heavy_year_mentees: int | None = Field(
        default=None,
        ge=1,
        le=100,
        description="mentees in programs during a school year that make it heavy "
        "(default: MENTOR_MATCH_HEAVY_YEAR_MENTEES, else 3)",
    )

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
    supply_demand: dict[str, Any] = Field(
        description="the year's supply and demand over the cycle's runs (as GET /api/v1/supply-demand)"
    )
    heavy_years: dict[str, Any] | None = Field(
        description="the limit on consecutive heavy years and the mentors resting this year (null: no limit)"
    )


@router.post("", summary="Run the yearly cycle for a school year")
def start_cycle(
    body: CycleCreate,
    services: ServicesDep,
    caller: Caller = Depends(permitted(Permission.CROSS_INSTITUTION)),  # noqa: B008
) -> CyclePublic:
    # the cycle chains its runs (the municipal pass needs the institutions' proposals), so it
    # computes them here, one after the other, whatever computes the service's other runs
    jobs = Jobs(services.sessions, services.taxonomy, 1)
    rule = heavy_years_rule(body.heavy_years, body.heavy_year_mentees, services.settings)
    report = run_cycle(
        services.sessions, jobs, year=body.year, caller=caller, taxonomy=services.taxonomy, heavy_years=rule
    )
    return CyclePublic.model_validate(report)
