"""``create_app(settings)``: the service wired together; nothing here runs at import.

On start the app brings the database to the newest schema (``alembic upgrade head``), loads
the taxonomy, and marks runs that a stopped process left unfinished as failed. One set of
handlers turns the errors the service raises on purpose into statuses: the library's
``InputError`` into 422 with every problem, a stale version into 409, and so on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

import matcher
from api.config import Settings
from api.deps import Services
from api.errors import ServiceError, Unauthorized
from api.jobs import Jobs
from api.routes import api_router
from api.storage.db import make_engine, make_sessions, migrate
from matcher.errors import ConfigurationError, InputError
from matcher.taxonomy import load_taxonomy

log = logging.getLogger("api.requests")

DESCRIPTION = """
Подбор наставнических пар для целевой модели наставничества педагогических работников.

The council's service over the matching library: import the banks of mentors and mentees,
start matching runs, review and decide on proposals, record both participants' agreement, and
export the draft order and the workbook. Every call but `/health` needs
`Authorization: Bearer <token>` with a token made by `mentor-match users add`.
"""


async def _service_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ServiceError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthorized) else None
    return JSONResponse({"detail": error.message_ru}, status_code=error.status, headers=headers)


async def _input_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, InputError)
    problems = [
        {"file": p.file, "row": p.row, "column": p.column, "value": p.value, "message": p.message_ru}
        for p in error.problems
    ]
    return JSONResponse({"detail": problems}, status_code=422)


async def _configuration_error(request: Request, error: Exception) -> Response:
    return JSONResponse({"detail": f"Недопустимые настройки подбора: {error}"}, status_code=422)


async def _unstorable(request: Request, error: Exception) -> Response:
    """A value the database cannot hold (a NUL character, a number out of range): the client's."""
    return JSONResponse(
        {"detail": "Значение не может быть сохранено: недопустимый символ или слишком большое число"},
        status_code=422,
    )


async def _log_request(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Method, path (ids only, never the query, which may hold a name) and status."""
    started = time.perf_counter()
    response = await call_next(request)
    took = (time.perf_counter() - started) * 1000
    log.info("%s %s %d %.0fms", request.method, request.url.path, response.status_code, took)
    return response


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        migrate(engine)
        sessions = make_sessions(engine)
        taxonomy = load_taxonomy(settings.taxonomy_extension)
        jobs = Jobs(sessions, taxonomy, settings.run_workers)
        jobs.recover()
        app.state.services = Services(settings=settings, sessions=sessions, taxonomy=taxonomy, jobs=jobs)
        try:
            yield
        finally:
            jobs.shutdown()
            engine.dispose()

    app = FastAPI(
        title="mentor-match",
        version=matcher.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(ConfigurationError, _configuration_error)
    app.add_exception_handler(DataError, _unstorable)
    app.middleware("http")(_log_request)
    app.include_router(api_router)
    return app
