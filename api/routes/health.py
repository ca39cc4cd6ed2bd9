"""``GET /health``: no token needed; ok when the database answers."""

from fastapi import APIRouter
from sqlalchemy.exc import SQLAlchemyError

from api.deps import SessionDep
from api.errors import Unavailable
from api.routes.responses import GUARDS
from api.schemas import ErrorPublic, HealthPublic
from api.storage import repository

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    summary="Whether the service and its database answer",
    responses={503: {"model": ErrorPublic, "description": "The database does not answer"}, **GUARDS},
)
def health(session: SessionDep) -> HealthPublic:
    try:
        repository.ping(session)
    except SQLAlchemyError:
        raise Unavailable("База данных не отвечает") from None
    return HealthPublic()
