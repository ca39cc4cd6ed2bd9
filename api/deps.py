"""What a handler can ask for: a session, the caller, paging, and resources within scope.

Every role and scope check of the service happens here, once: a handler that declares
``caller: Deciders`` has a caller allowed to decide, and one that declares ``run: RunInScope``
has a run the caller may see (anything else answered 404 before the handler ran).

Dependencies that do no I/O are ``async def``, so FastAPI runs them in the event loop instead
of sending each to the thread pool; the caller comes from ``CallerCache`` and only a token not
seen in the last seconds is looked up, in the thread pool. A request thus makes one or two
thread-pool hops (a scope check and the handler) instead of one per dependency.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, File, Path, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from api.access import Caller, Permission, Role, hash_token
from api.answers import Answerer
from api.callers import CallerCache
from api.config import Settings
from api.errors import (
    Conflict,
    Forbidden,
    NotFound,
    TooLarge,
    Unacceptable,
    Unauthorized,
)
from api.jobs import RunDispatcher, run_options
from api.schemas import DB_INT_MAX, RunCreate
from api.storage import program_records, repository, run_records
from api.storage.repository import Person
from api.storage.tables import MenteeRow, MentorRow, ProgramRow, ProposalRow, RunRow
from matcher.taxonomy import Taxonomy


@dataclass(frozen=True, slots=True)
class Services:
    """What the app holds for its lifetime (``app.state.services``)."""

    settings: Settings
    sessions: sessionmaker[Session]
    taxonomy: Taxonomy
    jobs: RunDispatcher
    callers: CallerCache
    answer: Answerer
    """Runs the busiest requests' functions (``api.answers``)."""


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_session(services: ServicesDep) -> AsyncIterator[Session]:
    """A session for the request; it opens a connection only when first used (in the handler)."""
    with services.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="A token made on the server by `mentor-match users add`.",
)


def _look_up_caller(services: Services, token_hash: str) -> Caller | None:
    with services.sessions() as session:
        user = repository.user_for_token(session, token_hash)
        if user is None:
            return None
        return Caller(user_id=user.id, name=user.name, role=Role(user.role), institution=user.institution)


async def _caller(services: Services, credentials: HTTPAuthorizationCredentials | None) -> Caller:
    if credentials is None:
        raise Unauthorized("Нужен токен доступа: заголовок Authorization: Bearer <токен>")
    token_hash = hash_token(credentials.credentials)
    caller = await services.callers.found(
        token_hash, partial(run_in_threadpool, _look_up_caller, services, token_hash)
    )
    if caller is None:
        raise Unauthorized("Токен доступа не распознан, отозван или истёк")
    return caller


async def get_caller(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    return await _caller(services, credentials)


CallerDep = Annotated[Caller, Depends(get_caller)]

_REFUSED = {
    Permission.READ: "просмотр",
    Permission.EDIT_BANKS: "изменение банков наставников и наставляемых",
    Permission.START_RUNS: "запуск подбора",
    Permission.DECIDE: "решения по парам",
    Permission.EXPORT: "выгрузку документов",
    Permission.AUDIT: "просмотр журнала действий",
    Permission.CROSS_INSTITUTION: "подбор по всему муниципалитету",
}


def permitted(permission: Permission) -> Callable[[Caller], Coroutine[None, None, Caller]]:
    async def check(caller: CallerDep) -> Caller:
        return _check(caller, permission)

    return check


def _check(caller: Caller, permission: Permission) -> Caller:
    if not caller.may(permission):
        raise Forbidden(f"Роль «{caller.role.value}» не даёт права на {_REFUSED[permission]}")
    return caller


@dataclass(frozen=True, slots=True)
class Answering:
    """What the busiest requests (``api.answers``) need: the services and a permitted caller."""

    services: Services
    caller: Caller


def answering(permission: Permission) -> Callable[[Request], Coroutine[None, None, Answering]]:
    """The services and the caller with ``permission`` as one dependency of the request alone:
    the same token, cache and refusals as ``permitted``, without FastAPI resolving three nested
    dependencies per request. A route using it declares the token in its OpenAPI operation
    (``TOKEN_SECURITY``), which the nested ``HTTPBearer`` dependency would have done."""

    async def check(request: Request) -> Answering:
        services: Services = request.app.state.services
        return Answering(services, _check(await _caller(services, await _bearer(request)), permission))

    return check


TOKEN_SECURITY: dict[str, Any] = {"security": [{"token": []}]}
ReadersAnswering = Annotated[Answering, Depends(answering(Permission.READ))]
DecidersAnswering = Annotated[Answering, Depends(answering(Permission.DECIDE))]
Readers = Annotated[Caller, Depends(permitted(Permission.READ))]
BankEditors = Annotated[Caller, Depends(permitted(Permission.EDIT_BANKS))]
RunStarters = Annotated[Caller, Depends(permitted(Permission.START_RUNS))]
Deciders = Annotated[Caller, Depends(permitted(Permission.DECIDE))]
Exporters = Annotated[Caller, Depends(permitted(Permission.EXPORT))]
Auditors = Annotated[Caller, Depends(permitted(Permission.AUDIT))]


@dataclass(frozen=True, slots=True)
class Paging:
    limit: int
    offset: int


Limit = Annotated[int, Query(ge=1, le=1000, description="items per page")]
Offset = Annotated[int, Query(ge=0, le=DB_INT_MAX, description="items skipped")]
Replace = Annotated[
    bool,
    Query(
        description="the file replaces the bank of its institutions: their stored people whom it does "
        "not name are erased (as DELETE erases a person) in the same transaction and listed in "
        "`removed`; without it they are kept and listed in `absent`"
    ),
]


async def get_paging(limit: Limit = 50, offset: Offset = 0) -> Paging:
    return Paging(limit=limit, offset=offset)


PagingDep = Annotated[Paging, Depends(get_paging)]

PersonId = Annotated[str, Path(alias="id", description="the person's id in the bank")]
ResourceId = Annotated[int, Path(alias="id", ge=1, le=DB_INT_MAX)]


PersonInstitution = Annotated[
    str | None,
    Query(
        alias="institution",
        max_length=200,
        description="the person's institution: needed by the municipal role when several institutions "
        "use the id (409 otherwise); for any other role only its own institution is found",
    ),
]


def _one_person(
    table: type[Person],
    person_id: str,
    institution: str | None,
    session: Session,
    caller: Caller,
    missing_ru: str,
) -> Person:
    """The caller's person with this id: a curator, council or reader finds only its own
    institution's (another institution's id answers as a missing one); the municipal role gets
    409 naming the institutions that use the id when it did not say which."""
    found = repository.people_with_id(session, table, person_id, scope=caller.scope, institution=institution)
    if not found:
        raise NotFound(missing_ru)
    if len(found) > 1:
        codes = ", ".join(row.institution for row in found)
        raise Conflict(
            f"Идентификатор {person_id} есть в нескольких организациях ({codes}): "
            "укажите организацию параметром ?institution=КОД"
        )
    return found[0]


def mentor_in_scope(
    person_id: PersonId, session: SessionDep, caller: Readers, institution: PersonInstitution = None
) -> MentorRow:
    row: MentorRow = _one_person(MentorRow, person_id, institution, session, caller, "Наставник не найден")
    return row


def mentee_in_scope(
    person_id: PersonId, session: SessionDep, caller: Readers, institution: PersonInstitution = None
) -> MenteeRow:
    row: MenteeRow = _one_person(MenteeRow, person_id, institution, session, caller, "Наставляемый не найден")
    return row


def run_in_scope(run_id: ResourceId, session: SessionDep, caller: Readers) -> RunRow:
    run = run_records.get_run(session, run_id, scope=caller.scope)
    if run is None:
        raise NotFound("Запуск не найден")
    return run


def proposal_in_scope(proposal_id: ResourceId, session: SessionDep, caller: Readers) -> ProposalRow:
    proposal = run_records.get_proposal(session, proposal_id, scope=caller.scope)
    if proposal is None:
        raise NotFound("Предложение не найдено")
    return proposal


MentorInScope = Annotated[MentorRow, Depends(mentor_in_scope)]
MenteeInScope = Annotated[MenteeRow, Depends(mentee_in_scope)]
RunInScope = Annotated[RunRow, Depends(run_in_scope)]
ProposalInScope = Annotated[ProposalRow, Depends(proposal_in_scope)]


def program_in_scope(program_id: ResourceId, session: SessionDep, caller: Readers) -> ProgramRow:
    program = program_records.get_program(session, program_id, scope=caller.scope)
    if program is None:
        raise NotFound("Программа не найдена")
    return program


ProgramInScope = Annotated[ProgramRow, Depends(program_in_scope)]


@dataclass(frozen=True, slots=True)
class PlannedRun:
    """A run request checked against the caller's scope and the library's options: what to match,
    with which options, and against which base."""

    scope: str
    institution: str | None
    based_on: int | None
    options: dict[str, Any]


def planned_run(body: RunCreate, caller: RunStarters, session: SessionDep) -> PlannedRun:
    if body.scope == "municipality":
        if not caller.may(Permission.CROSS_INSTITUTION):
            raise Forbidden("Подбор по всему муниципалитету может запустить только муниципальный куратор")
        if body.institution is not None:
            raise Unacceptable("Для подбора по муниципалитету организацию не указывают", column="institution")
        institution = None
    else:
        institution = body.institution or caller.institution
        if institution is None:
            raise Unacceptable(
                "Укажите организацию (institution) для подбора внутри организации", column="institution"
            )
        if not caller.sees(institution) or not repository.institution_exists(session, institution):
            raise NotFound("Организация не найдена")
    if body.based_on is not None:
        base = run_records.get_run(session, body.based_on, scope=caller.scope)
        if base is None:
            raise NotFound("Базовый запуск не найден")
        if base.status != "done":
            raise Conflict("Базовый запуск ещё не завершён: на его решения пока нельзя опереться")
    run_options(body.options)
    return PlannedRun(body.scope, institution, body.based_on, body.options)


PlannedRunDep = Annotated[PlannedRun, Depends(planned_run)]


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    data: bytes


def get_upload(
    file: Annotated[UploadFile, File(description="the bank as .csv or .xlsx (interchange format)")],
    services: ServicesDep,
) -> Upload:
    limit = services.settings.max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"Файл больше {limit // (1024 * 1024)} МБ")
    return Upload(name=file.filename or "файл", data=data)


UploadDep = Annotated[Upload, Depends(get_upload)]
