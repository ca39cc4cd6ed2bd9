"""The request path's guards, as plain ASGI middleware (no ``BaseHTTPMiddleware``: it costs a task
and a copy of every body per request).

From the outside in: ``SecurityHeaders`` adds the browser protections to every answer;
``RequestLog`` logs method, path, status and time of every request, and turns an unexpected
exception into a logged 500 that names only the exception's type and where it was raised;
``TokenThrottle`` answers 429 to a client address that sent too many bad tokens in a minute;
``BodyLimit`` refuses bodies over the limits with 413. None of them logs a query string, a body
or a header value: those may hold names or tokens.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("api.requests")

INTERNAL_ERROR_RU = "Внутренняя ошибка сервиса; она записана в журнал сервера"
THROTTLED_RU = "Слишком много запросов с неверным токеном; повторите через минуту"

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)
"""HTML pages (the council's page, ``/docs``) load their scripts and styles from this service's
static files only (no inline script or style, nothing from elsewhere) and call only this
service; everything else (JSON, documents) may load nothing at all. A route that sets its own
policy keeps it: the monitoring report, a self-contained document, allows its inline styles
and runs no script at all (``api.routes.monitoring.REPORT_CSP``)."""


async def send_json(
    send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]
) -> None:
    content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class SecurityHeaders:
    """nosniff, no framing, no referrer, a CSP fitting the kind of answer, and ``no-store`` on
    everything but the static files (people, runs, exports and the council's pages hold personal
    data, which is never cached)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = not str(scope["path"]).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                csp = PAGE_CSP if content_type.startswith(b"text/html") else API_CSP
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                if not any(k.lower() == b"content-security-policy" for k, _ in headers):
                    headers.append((b"content-security-policy", csp.encode()))
                if private and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _where(error: BaseException) -> str:
    """The innermost frame of the project's own code: file, line and function, never values."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/api/" in f.filename or "/matcher/" in f.filename] or frames
    if not ours:
        return "?"
    frame = ours[-1]
    module = "/".join(frame.filename.rsplit("/", 2)[-2:])
    return f"{module}:{frame.lineno} {frame.name}"


class RequestLog:
    """``METHOD /path status Nms`` for every request; the path holds ids only, the query (which
    may hold a name) is left out. An exception nobody handled becomes a 500 whose log line names
    its type and place, not its message (messages may quote a person's data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def recorded(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recorded)
        except Exception as error:  # the service's edge: log without data, answer 500
            log.error(
                "%s %s failed: %s at %s", scope["method"], scope["path"], type(error).__name__, _where(error)
            )
            if status == 0:
                await send_json(send, 500, {"detail": INTERNAL_ERROR_RU}, [])
            status = 500
        took = (time.perf_counter() - started) * 1000
        level = logging.ERROR if status >= 500 else logging.INFO
        log.log(level, "%s %s %d %.0fms", scope["method"], scope["path"], status, took)


class TokenThrottle:
    """After ``limit`` answers 401 to one client address within a minute, that address gets 429
    for the rest of the minute, whatever it sends; logged once per minute, never with the token.

    The count is kept in the process. With ``serve --workers N`` each of the N processes counts
    the 401s it answered itself and allows ``share(limit, N)`` of them, so an address gets at
    most ``limit`` (or N when the limit is below N) answers 401 a minute from the whole service
    however the kernel spreads its connections, and is throttled sooner when they go to fewer
    processes (one keep-alive connection stays with one process). That is enough for what the
    throttle is for: a token holds 256 random bits, so the 401s are noise and load, never a path
    to guessing one; sharing the count through the database would cost a write per 401 and a
    read per request."""

    WINDOW_SECONDS = 60.0

    @staticmethod
    def share(limit: int, processes: int) -> int:
        """One process's part of the service's limit (at least 1)."""
        return max(1, limit // processes)

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures[client]
        while failures and now - failures[0] > self.WINDOW_SECONDS:
            failures.popleft()
        if not failures:
            del self._failures[client]
        return failures

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "?"
        now = time.monotonic()
        failures = self._recent(client, now)
        if len(failures) >= self.limit:
            retry = max(1, int(self.WINDOW_SECONDS - (now - failures[0])) + 1)
            await send_json(send, 429, {"detail": THROTTLED_RU}, [(b"retry-after", str(retry).encode())])
            return

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                failures = self._failures[client]
                failures.append(time.monotonic())
                if len(failures) == self.limit:
                    log.warning("client %s throttled: %d bad tokens within a minute", client, self.limit)
            await send(message)

        await self.app(scope, receive, counted)


class BodyLimit:
    """Bodies over the limit get 413: multipart uploads up to ``upload_bytes`` (plus the form's
    framing), anything else (JSON) up to ``json_bytes``. A declared ``Content-Length`` is refused
    before reading; a chunked body is counted as it arrives."""

    FORM_FRAMING = 64 * 1024

    def __init__(self, app: ASGIApp, *, json_bytes: int, upload_bytes: int) -> None:
        self.app = app
        self.json_bytes = json_bytes
        self.upload_bytes = upload_bytes

    def _limit(self, scope: Scope) -> tuple[int, str]:
        content_type = _header(scope, b"content-type") or b""
        if content_type.startswith(b"multipart/form-data"):
            return self.upload_bytes + self.FORM_FRAMING, f"Файл больше {_megabytes(self.upload_bytes)}"
        return self.json_bytes, f"Тело запроса больше {_megabytes(self.json_bytes)}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, refusal = self._limit(scope)
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await send_json(send, 413, {"detail": refusal}, [(b"connection", b"close")])
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, refusal)
            return message

        await self.app(scope, counted, send)


def _megabytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} МБ"
    return f"{size / 1024:g} КБ"
