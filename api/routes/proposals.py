"""The council's decisions and the participants' consents on proposals, with versions."""

from fastapi import APIRouter

from api.deps import ConsentInScope, Deciders, ProposalInScope, SessionDep
from api.routes.responses import CONFLICT, ERRORS
from api.schemas import DecisionCreate, ProposalPublic
from api.storage import run_records

router = APIRouter(prefix="/api/v1/proposals", tags=["proposals"], responses=ERRORS)


@router.get("/{id}", summary="One proposal with its current version")
def get_proposal(proposal: ProposalInScope) -> ProposalPublic:
    return ProposalPublic.model_validate(proposal)


@router.post("/{id}/decision", summary="Approve, reject or pin a proposal", responses=CONFLICT)
def decide(
    caller: Deciders, proposal: ProposalInScope, body: DecisionCreate, session: SessionDep
) -> ProposalPublic:
    run_records.record_decision(
        session, proposal, decision=body.decision, comment=body.comment, version=body.version, caller=caller
    )
    return ProposalPublic.model_validate(proposal)


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
    return ProposalPublic.model_validate(proposal)
