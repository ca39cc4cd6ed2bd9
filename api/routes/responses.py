"""Error responses the routes document in OpenAPI (the bodies come from ``api.handlers`` and
``api.middleware``): every 422 is a list of problems, every other refusal one Russian sentence."""

from typing import Any

from api.schemas import ErrorPublic, ProblemsPublic

GUARDS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorPublic, "description": "The request's body is over the limit"},
    429: {"model": ErrorPublic, "description": "Too many bad tokens from this address, or runs queued"},
}
"""What the middleware may answer to any request."""
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorPublic, "description": "No token, or an unknown, revoked or expired one"},
    403: {"model": ErrorPublic, "description": "The caller's role may not do this"},
    404: {"model": ErrorPublic, "description": "Missing, or outside the caller's institution"},
    422: {"model": ProblemsPublic, "description": "Every problem of the request; nothing was written"},
    **GUARDS,
}
IMPORT_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorPublic, "description": "The upload is not a readable multipart form"},
    413: {"model": ErrorPublic, "description": "The file is too large"},
    422: {"model": ProblemsPublic, "description": "Every problem of the file; nothing was written"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorPublic, "description": "The resource moved on (stale version, run not finished)"},
}
REPLACE_REFUSED: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorPublic,
        "description": "`replace=true` would erase people in a running (active or extended) program; "
        "they are named, nothing was written",
    },
}
AMBIGUOUS_PERSON: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorPublic,
        "description": "Several institutions use the id (municipal role): name one with ?institution=; "
        "or the institution a PATCH moves the person to already has that id",
    },
}
