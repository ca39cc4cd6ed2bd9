"""The mentors' bank: import, list, read, edit, erase."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api import answers, banks
from api.deps import (
    TOKEN_SECURITY,
    BankEditors,
    Limit,
    MentorInScope,
    Offset,
    ReadersAnswering,
    Replace,
    ServicesDep,
    SessionDep,
    UploadDep,
)
from api.routes.responses import AMBIGUOUS_PERSON, ERRORS, IMPORT_ERRORS, REPLACE_REFUSED
from api.schemas import BankImportPublic, MentorPublic, MentorsPage, MentorUpdate, ProblemsPublic
from api.storage import erasure

router = APIRouter(prefix="/api/v1/mentors", tags=["mentors"], responses=ERRORS)
PERSON = {**ERRORS, **AMBIGUOUS_PERSON}


@router.post(
    "/import",
    summary="Import the mentors' bank, all rows or none",
    responses={**IMPORT_ERRORS, **REPLACE_REFUSED},
)
def import_mentors(
    caller: BankEditors,
    upload: UploadDep,
    session: SessionDep,
    services: ServicesDep,
    replace: Replace = False,
) -> BankImportPublic:
    imported = banks.import_bank(
        session,
        "mentors",
        data=upload.data,
        filename=upload.name,
        caller=caller,
        taxonomy=services.taxonomy,
        replace=replace,
    )
    return banks.answer(imported)


@router.get("", summary="A page of mentors", response_model=MentorsPage, openapi_extra=TOKEN_SECURITY)
async def list_mentors(
    ask: ReadersAnswering,
    institution: Annotated[str | None, Query(description="only this institution")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    services = ask.services
    return await services.answer(
        answers.people_page,
        ask.caller,
        "mentors",
        institution=institution,
        limit=limit,
        offset=offset,
    )


@router.get("/{id}", summary="One mentor", responses=PERSON)
def get_mentor(mentor: MentorInScope) -> MentorPublic:
    return MentorPublic.model_validate(mentor)


@router.patch(
    "/{id}", summary="Change some of a mentor's fields", responses={**PERSON, 422: {"model": ProblemsPublic}}
)
def update_mentor(
    caller: BankEditors, mentor: MentorInScope, body: MentorUpdate, session: SessionDep, services: ServicesDep
) -> MentorPublic:
    changes = body.model_dump(exclude_unset=True)
    banks.edit_person(session, mentor, changes, caller=caller, taxonomy=services.taxonomy)
    return MentorPublic.model_validate(mentor)


@router.delete(
    "/{id}", status_code=204, summary="Erase a mentor's personal data (consent withdrawn)", responses=PERSON
)
def erase_mentor(caller: BankEditors, mentor: MentorInScope, session: SessionDep) -> None:
    erasure.erase_person(session, mentor, caller=caller)
