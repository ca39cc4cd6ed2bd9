"""The mentees' bank: import, list, read, edit, erase."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api import answers, banks
from api.deps import (
    TOKEN_SECURITY,
    BankEditors,
    Limit,
    MenteeInScope,
    Offset,
    ReadersAnswering,
    Replace,
    ServicesDep,
    SessionDep,
    UploadDep,
)
from api.routes.responses import AMBIGUOUS_PERSON, ERRORS, IMPORT_ERRORS, REPLACE_REFUSED
from api.schemas import BankImportPublic, MenteePublic, MenteesPage, MenteeUpdate, ProblemsPublic
from api.storage import erasure

router = APIRouter(prefix="/api/v1/mentees", tags=["mentees"], responses=ERRORS)
PERSON = {**ERRORS, **AMBIGUOUS_PERSON}


@router.post(
    "/import",
    summary="Import the mentees' bank, all rows or none",
    responses={**IMPORT_ERRORS, **REPLACE_REFUSED},
)
def import_mentees(
    caller: BankEditors,
    upload: UploadDep,
    session: SessionDep,
    services: ServicesDep,
    replace: Replace = False,
) -> BankImportPublic:
    imported = banks.import_bank(
        session,
        "mentees",
        data=upload.data,
        filename=upload.name,
        caller=caller,
        taxonomy=services.taxonomy,
        replace=replace,
    )
    return banks.answer(imported)


@router.get("", summary="A page of mentees", response_model=MenteesPage, openapi_extra=TOKEN_SECURITY)
async def list_mentees(
    ask: ReadersAnswering,
    institution: Annotated[str | None, Query(description="only this institution")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    services = ask.services
    return await services.answer(
        answers.people_page,
        ask.caller,
        "mentees",
        institution=institution,
        limit=limit,
        offset=offset,
    )


@router.get("/{id}", summary="One mentee", responses=PERSON)
def get_mentee(mentee: MenteeInScope) -> MenteePublic:
    return MenteePublic.model_validate(mentee)


@router.patch(
    "/{id}", summary="Change some of a mentee's fields", responses={**PERSON, 422: {"model": ProblemsPublic}}
)
def update_mentee(
    caller: BankEditors, mentee: MenteeInScope, body: MenteeUpdate, session: SessionDep, services: ServicesDep
) -> MenteePublic:
    changes = body.model_dump(exclude_unset=True)
    banks.edit_person(session, mentee, changes, caller=caller, taxonomy=services.taxonomy)
    return MenteePublic.model_validate(mentee)


@router.delete(
    "/{id}", status_code=204, summary="Erase a mentee's personal data (consent withdrawn)", responses=PERSON
)
def erase_mentee(caller: BankEditors, mentee: MenteeInScope, session: SessionDep) -> None:
    erasure.erase_person(session, mentee, caller=caller)
