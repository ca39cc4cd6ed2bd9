"""The council's decisions and the participants' consents on proposals, with versions;
a proposal's alternatives, and swapping one in."""

from fastapi import APIRouter, Response

from api import answers, review
from api.deps import TOKEN_SECURITY, Deciders, DecidersAnswering, ProposalInScope, ResourceId, SessionDep
from api.routes.responses import CONFLICT, ERRORS
from api.schemas import (
    AlternativePublic,
    ConsentCreate,
    DecisionCreate,
    ProposalPublic,
    SwapCreate,
    SwapPublic,
)

router = APIRouter(prefix="/api/v1/proposals", tags=["proposals"], responses=ERRORS)


@router.get("/{id}", summary="One proposal with its current version")
def get_proposal(proposal: ProposalInScope, session: SessionDep) -> ProposalPublic:
    return review.proposal_public(session, proposal)


@router.get("/{id}/alternatives", summary="The next three mentors who could take this proposal's mentee")
def alternatives(proposal: ProposalInScope, session: SessionDep) -> list[AlternativePublic]:
    return review.alternatives_public(session, proposal)


@router.post(
    "/{id}/decision",
    summary="Approve, reject or pin a proposal",
    responses=CONFLICT,
    response_model=ProposalPublic,
    openapi_extra=TOKEN_SECURITY,
)
async def decide(ask: DecidersAnswering, proposal_id: ResourceId, body: DecisionCreate) -> Response:
    services = ask.services
    return await services.answer(answers.decision, ask.caller, proposal_id, body)


@router.post(
    "/{id}/swap",
    summary="Swap in an alternative: reject this proposal and pin its mentee with the alternative's mentor",
    responses=CONFLICT,
)
def swap(caller: Deciders, proposal: ProposalInScope, body: SwapCreate, session: SessionDep) -> SwapPublic:
    return review.swap_in(session, proposal, body, caller)


@router.post(
    "/{id}/consent",
    summary="Record a participant's agreement with (or refusal of) a pair",
    responses=CONFLICT,
    response_model=ProposalPublic,
    openapi_extra=TOKEN_SECURITY,
)
async def consent(ask: DecidersAnswering, proposal_id: ResourceId, body: ConsentCreate) -> Response:
    services = ask.services
    return await services.answer(answers.consent, ask.caller, proposal_id, body)
