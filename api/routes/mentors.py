"""The mentors' bank: import, list, read, edit, erase."""

from typing import Annotated

from fastapi import APIRouter, Query

from api import banks
from api.deps import BankEditors, MentorInScope, PagingDep, Readers, ServicesDep, SessionDep, UploadDep
from api.routes.responses import ERRORS, IMPORT_ERRORS
from api.schemas import ImportPublic, MentorPublic, MentorsPage, MentorUpdate, ProblemsPublic
from api.storage import erasure, repository
from api.storage.tables import MentorRow

router = APIRouter(prefix="/api/v1/mentors", tags=["mentors"], responses=ERRORS)


@router.post("/import", summary="Import the mentors' bank, all rows or none", responses=IMPORT_ERRORS)
def import_mentors(
    caller: BankEditors, upload: UploadDep, session: SessionDep, services: ServicesDep
) -> ImportPublic:
    imported = banks.import_bank(
        session, "mentors", data=upload.data, filename=upload.name, caller=caller, taxonomy=services.taxonomy
    )
    return ImportPublic(
        file=imported.file,
        rows=len(imported.created) + len(imported.updated),
        created=imported.created,
        updated=imported.updated,
        left_aside=list(imported.left_aside),
    )


@router.get("", summary="A page of mentors")
def list_mentors(
    caller: Readers,
    session: SessionDep,
    paging: PagingDep,
    institution: Annotated[str | None, Query(description="only this institution")] = None,
) -> MentorsPage:
    page = repository.list_people(
        session,
        MentorRow,
        scope=caller.scope,
        institution=institution,
        limit=paging.limit,
        offset=paging.offset,
    )
    return MentorsPage(
        items=[MentorPublic.model_validate(row) for row in page.items],
        total=page.total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/{id}", summary="One mentor")
def get_mentor(mentor: MentorInScope) -> MentorPublic:
    return MentorPublic.model_validate(mentor)


@router.patch("/{id}", summary="Change some of a mentor's fields", responses={422: {"model": ProblemsPublic}})
def update_mentor(
    caller: BankEditors, mentor: MentorInScope, body: MentorUpdate, session: SessionDep, services: ServicesDep
) -> MentorPublic:
    changes = body.model_dump(exclude_unset=True)
    banks.edit_person(session, mentor, changes, caller=caller, taxonomy=services.taxonomy)
    return MentorPublic.model_validate(mentor)


@router.delete("/{id}", status_code=204, summary="Erase a mentor's personal data (consent withdrawn)")
def erase_mentor(caller: BankEditors, mentor: MentorInScope, session: SessionDep) -> None:
    erasure.erase_person(session, mentor, caller=caller)
