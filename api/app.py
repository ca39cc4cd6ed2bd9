"""``create_app(settings)``: the service wired together; nothing here runs at import.

On start the app brings the database to the newest schema (``alembic upgrade head``), loads
the taxonomy, and marks runs that a stopped process left unfinished as failed. ``handlers``
turns the errors the service raises on purpose into statuses (the library's ``InputError`` into
422 with every problem, a stale version into 409, …); ``middleware`` guards every request
(security headers, the request log and logged 500s, throttling of bad tokens, body limits).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import matcher
from api import handlers
from api.answers import Answerer
from api.callers import CallerCache
from api.config import Settings
from api.deps import Services
from api.jobs import Jobs, RunDispatcher, settle_heap
from api.middleware import BodyLimit, RequestLog, SecurityHeaders, TokenThrottle
from api.queue import QueuedJobs
from api.routes import ROUTERS
from api.storage.db import answering_pool, lock_free_engine, make_engine, make_sessions, migrate
from matcher.taxonomy import load_taxonomy

DESCRIPTION = """
Подбор наставнических пар для целевой модели наставничества педагогических работников.

The council's service over the matching library: import the banks of mentors and mentees,
start matching runs, review and decide on proposals, record both participants' agreement, and
export the draft order and the workbook. Every call but `/health` needs
`Authorization: Bearer <token>` with a token made by `mentor-match users add`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        migrate(engine)
        sessions = make_sessions(engine)
        taxonomy = load_taxonomy(settings.taxonomy_extension)
        jobs = Jobs(sessions, taxonomy, settings.run_workers)
        if settings.database_url.startswith("postgresql"):
            worker = jobs if settings.embedded_worker else None
            runs: RunDispatcher = QueuedJobs(settings, sessions, worker)
        else:
            runs = jobs
        runs.recover()
        lock_free = lock_free_engine(settings.database_url)
        pool = answering_pool(engine, settings.answering_threads)
        if pool is not None:
            await pool.open()
        app.state.services = Services(
            settings=settings,
            sessions=sessions,
            taxonomy=taxonomy,
            jobs=runs,
            callers=CallerCache(),
            answer=Answerer(engine, settings.answering_threads, lock_free, pool),
        )
        settle_heap()
        try:
            yield
        finally:
            runs.shutdown()
            if pool is not None:
                await pool.close()
            engine.dispose()
            if lock_free is not None:
                lock_free.dispose()

    app = FastAPI(
        title="mentor-match",
        version=matcher.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by api.routes.docs from local files
        redoc_url=None,  # ReDoc would load its script from the internet
    )
    handlers.install(app)
    app.add_middleware(BodyLimit, json_bytes=settings.max_json_bytes, upload_bytes=settings.max_upload_bytes)
    app.add_middleware(
        TokenThrottle, limit=TokenThrottle.share(settings.bad_tokens_per_minute, settings.web_processes)
    )
    app.add_middleware(RequestLog)
    app.add_middleware(SecurityHeaders)  # the outermost: every answer, a logged 500 too, gets the headers
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static/swagger", StaticFiles(packages=[("fastapi_offline", "static")]), name="swagger")
    app.mount("/static", StaticFiles(packages=[("api", "static")]), name="static")
    return app
