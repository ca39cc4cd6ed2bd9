"""The council's decisions and the participants' consents on proposals, with versions;
a proposal's alternatives, and swapping one in."""

from fastapi import APIRouter

from api import review
from api.deps import ConsentInScope, Deciders, ProposalInScope, SessionDep
from api.routes.responses import CONFLICT, ERRORS
from api.schemas import AlternativePublic, DecisionCreate, ProposalPublic, SwapCreate, SwapPublic
from api.storage import run_records

router = APIRouter(prefix="/api/v1/proposals", tags=["proposals"], responses=ERRORS)


@router.get("/{id}", summary="One proposal with its current version")
def get_proposal(proposal: ProposalInScope, session: SessionDep) -> ProposalPublic:
    return review.proposal_public(session, proposal)


@router.get("/{id}/alternatives", summary="The next three mentors who could take this proposal's mentee")
def alternatives(proposal: ProposalInScope, session: SessionDep) -> list[AlternativePublic]:
    return review.alternatives_public(session, proposal)


@router.post("/{id}/decision", summary="Approve, reject or pin a proposal", responses=CONFLICT)
def decide(
    caller: Deciders, proposal: ProposalInScope, body: DecisionCreate, session: SessionDep
) -> ProposalPublic:
    run_records.record_decision(
        session, proposal, decision=body.decision, comment=body.comment, version=body.version, caller=caller
    )
    return review.proposal_public(session, proposal)


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
)
def consent(
    caller: Deciders, proposal: ProposalInScope, body: ConsentInScope, session: SessionDep
) -> ProposalPublic:
    run_records.record_consent(
        session, proposal, party=body.party, agree=body.agree, version=body.version, caller=caller
    )
    return review.proposal_public(session, proposal)
