"""One router per resource; ``api_router`` includes them all."""

from fastapi import APIRouter

from api.routes import (
    audit,
    council,
    cycles,
    docs,
    exports,
    health,
    institutions,
    mentees,
    mentors,
    programs,
    proposals,
    runs,
    templates,
)

api_router = APIRouter()
for module in (
    health,
    institutions,
    mentors,
    mentees,
    runs,
    programs,
    proposals,
    exports,
    templates,
    audit,
    council,
    cycles,
    docs,
):
    api_router.include_router(module.router)
api_router.include_router(exports.proposal_router)
