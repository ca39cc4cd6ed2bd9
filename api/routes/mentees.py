"""The mentees' bank: import, list, read, edit, erase."""

from typing import Annotated

from fastapi import APIRouter, Query

from api import banks
from api.deps import BankEditors, MenteeInScope, PagingDep, Readers, ServicesDep, SessionDep, UploadDep
from api.routes.responses import ERRORS, IMPORT_ERRORS
from api.schemas import ImportPublic, MenteePublic, MenteesPage, MenteeUpdate, ProblemsPublic
from api.storage import erasure, repository
from api.storage.tables import MenteeRow

router = APIRouter(prefix="/api/v1/mentees", tags=["mentees"], responses=ERRORS)


@router.post("/import", summary="Import the mentees' bank, all rows or none", responses=IMPORT_ERRORS)
def import_mentees(
    caller: BankEditors, upload: UploadDep, session: SessionDep, services: ServicesDep
) -> ImportPublic:
    imported = banks.import_bank(
        session, "mentees", data=upload.data, filename=upload.name, caller=caller, taxonomy=services.taxonomy
    )
    return ImportPublic(
        file=imported.file,
        rows=len(imported.created) + len(imported.updated),
        created=imported.created,
        updated=imported.updated,
        left_aside=list(imported.left_aside),
    )


@router.get("", summary="A page of mentees")
def list_mentees(
    caller: Readers,
    session: SessionDep,
    paging: PagingDep,
    institution: Annotated[str | None, Query(description="only this institution")] = None,
) -> MenteesPage:
    page = repository.list_people(
        session,
        MenteeRow,
        scope=caller.scope,
        institution=institution,
        limit=paging.limit,
        offset=paging.offset,
    )
    return MenteesPage(
        items=[MenteePublic.model_validate(row) for row in page.items],
        total=page.total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/{id}", summary="One mentee")
def get_mentee(mentee: MenteeInScope) -> MenteePublic:
    return MenteePublic.model_validate(mentee)


@router.patch("/{id}", summary="Change some of a mentee's fields", responses={422: {"model": ProblemsPublic}})
def update_mentee(
    caller: BankEditors, mentee: MenteeInScope, body: MenteeUpdate, session: SessionDep, services: ServicesDep
) -> MenteePublic:
    changes = body.model_dump(exclude_unset=True)
    banks.edit_person(session, mentee, changes, caller=caller, taxonomy=services.taxonomy)
    return MenteePublic.model_validate(mentee)


@router.delete("/{id}", status_code=204, summary="Erase a mentee's personal data (consent withdrawn)")
def erase_mentee(caller: BankEditors, mentee: MenteeInScope, session: SessionDep) -> None:
    erasure.erase_person(session, mentee, caller=caller)
