"""The institutions' registry: import it, list it, read one institution.

Every caller sees its own institution and those it shares a proposal with (the partner
school of a cross-institution pair); the municipal role and a reader of every institution
see the whole registry. Only the municipal role imports other institutions' rows.
"""

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session

from api import institutions
from api.access import Caller
from api.deps import BankEditors, PagingDep, Readers, SessionDep, UploadDep
from api.errors import NotFound
from api.routes.responses import ERRORS, IMPORT_ERRORS
from api.schemas import ImportPublic, InstitutionPublic, InstitutionsPage
from api.storage import repository, run_records
from matcher.institutions import Institution

router = APIRouter(prefix="/api/v1/institutions", tags=["institutions"], responses=ERRORS)


def _public(item: Institution) -> InstitutionPublic:
    return InstitutionPublic(**item.model_dump(mode="json"), kind_ru=item.kind.label_ru)


def _visible(session: Session, caller: Caller) -> set[str] | None:
    return None if caller.scope is None else run_records.partner_institutions(session, caller.scope)


@router.post(
    "/import", summary="Import the institutions' registry, all rows or none", responses=IMPORT_ERRORS
)
def import_institutions(caller: BankEditors, upload: UploadDep, session: SessionDep) -> ImportPublic:
    imported = institutions.import_registry(session, data=upload.data, filename=upload.name, caller=caller)
    return ImportPublic(
        file=imported.file,
        rows=len(imported.created) + len(imported.updated),
        created=imported.created,
        updated=imported.updated,
    )


@router.get("", summary="A page of the registry: the caller's institution and its partners")
def list_institutions(caller: Readers, session: SessionDep, paging: PagingDep) -> InstitutionsPage:
    page = repository.list_institutions(
        session, codes=_visible(session, caller), limit=paging.limit, offset=paging.offset
    )
    return InstitutionsPage(
        items=[_public(repository.institution_of(row)) for row in page.items],
        total=page.total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/{code}", summary="One institution of the registry")
def get_institution(
    caller: Readers, session: SessionDep, code: str = Path(description="the institution's code")
) -> InstitutionPublic:
    visible = _visible(session, caller)
    found = repository.institution(session, code) if visible is None or code in visible else None
    if found is None:
        raise NotFound("Организация не найдена")
    return _public(found)
