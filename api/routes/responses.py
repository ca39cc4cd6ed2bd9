"""Error responses the routes document in OpenAPI (the bodies come from ``app``'s handlers)."""

from typing import Any

from api.schemas import ErrorPublic, ProblemsPublic

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorPublic, "description": "No token, or an unknown one"},
    403: {"model": ErrorPublic, "description": "The caller's role may not do this"},
    404: {"model": ErrorPublic, "description": "Missing, or outside the caller's institution"},
}
IMPORT_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorPublic, "description": "The file is too large"},
    422: {"model": ProblemsPublic, "description": "Every problem of the file; nothing was written"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorPublic, "description": "The resource moved on (stale version, run not finished)"},
}
