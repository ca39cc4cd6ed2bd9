"""An institution's own document templates: download the one in use, upload a replacement made
in Word, go back to the packaged one. Placeholders and filters are listed in the README
(«Шаблоны документов»); a template that does not parse is refused, naming it."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from api import forms
from api.deps import Exporters, ServicesDep, SessionDep
from api.errors import Forbidden, NotFound, TooLarge, Unacceptable
from api.routes.responses import ERRORS
from api.storage import repository
from matcher.documents.templates import FORM_TITLES, TemplateError, TemplateSource

router = APIRouter(prefix="/api/v1/templates", tags=["templates"], responses=ERRORS)
FormKey = Literal["order", "programme", "consent", "mentee-questionnaire", "mentor-questionnaire"]
FormPath = Annotated[FormKey, Path(alias="form", description="which document")]


class TemplatePublic(BaseModel):
    form: FormKey
    title: str
    file_name: str
    custom: bool
    """Whether the institution uploaded its own (else the packaged template is used)."""


def get_institution(
    caller: Exporters,
    institution: Annotated[
        str | None, Query(max_length=100, description="the institution (municipal role only)")
    ] = None,
) -> str:
    """The caller's own institution; the municipal role names the one it acts for."""
    if caller.scope is not None:
        if institution not in (None, caller.scope):
            raise Forbidden("Шаблоны другой организации меняет её куратор")
        return caller.scope
    if institution is None:
        raise Unacceptable("Укажите организацию: параметр institution", column="institution")
    return institution


InstitutionDep = Annotated[str, Depends(get_institution)]


@router.get("", summary="The institution's document templates and which of them are its own")
def list_templates(session: SessionDep, institution: InstitutionDep) -> list[TemplatePublic]:
    own = {row.form for row in repository.document_templates(session, institution)}
    return [
        TemplatePublic(form=key, title=FORM_TITLES[form], file_name=form.value, custom=form.value in own)
        for key, form in forms.FORM_KEYS.items()
    ]


@router.get(
    "/{form}.docx",
    summary="Download the template in use (the institution's own, else the packaged one)",
    response_class=Response,
    responses={200: {"content": {forms.DOCX_TYPE: {}}, "description": "the template as .docx"}},
)
def download_template(form: FormPath, session: SessionDep, institution: InstitutionDep) -> Response:
    source = forms.templates_of(session, institution)[forms.FORM_KEYS[form]]
    return Response(
        source.content,
        media_type=forms.DOCX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="template-{form}.docx"'},
    )


@router.put("/{form}.docx", summary="Upload the institution's own template (.docx made in Word)")
def upload_template(
    form: FormPath,
    file: Annotated[UploadFile, File(description="the template: .docx with {{ … }} placeholders")],
    caller: Exporters,
    session: SessionDep,
    services: ServicesDep,
    institution: InstitutionDep,
) -> TemplatePublic:
    limit = services.settings.max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(f"Файл больше {limit // (1024 * 1024)} МБ")
    kind = forms.FORM_KEYS[form]
    try:
        TemplateSource(kind, content, file.filename or "загруженный файл").check()
    except TemplateError as exc:
        raise Unacceptable(f"Шаблон не принят: {exc}") from None
    if not repository.institution_exists(session, institution):
        raise NotFound("Организация не найдена")
    repository.save_document_template(
        session, caller, institution=institution, form=kind.value, content=content
    )
    return TemplatePublic(form=form, title=FORM_TITLES[kind], file_name=kind.value, custom=True)


@router.delete("/{form}.docx", summary="Go back to the packaged template", status_code=204)
def delete_template(
    form: FormPath, caller: Exporters, session: SessionDep, institution: InstitutionDep
) -> Response:
    repository.delete_document_template(
        session, caller, institution=institution, form=forms.FORM_KEYS[form].value
    )
    return Response(status_code=204)
