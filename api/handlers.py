"""How the errors the service raises on purpose become answers, each of one documented shape.

Every 422 is a list of problems (``ProblemsPublic``): the library's ``InputError`` with every
problem of a file, a request that does not fit its schema, a request the service cannot carry
out as asked, options the library refuses, a value no database column holds. Every other
refusal is one Russian sentence (``ErrorPublic``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from api.errors import ServiceError, Unacceptable, Unauthorized
from matcher.errors import ConfigurationError, InputError

VALUE_SHOWN = 200
"""Characters of a refused value echoed back."""

HTTP_RU = {
    400: "Тело запроса не удалось разобрать",
    404: "Не найдено",
    405: "Метод не поддерживается",
    413: "Тело запроса слишком велико",
}

VALIDATION_RU = {
    "missing": "обязательное поле не заполнено",
    "extra_forbidden": "неизвестное поле",
    "int_parsing": "ожидается целое число",
    "int_type": "ожидается целое число",
    "int_from_float": "ожидается целое число",
    "bool_parsing": "ожидается true или false",
    "bool_type": "ожидается true или false",
    "string_type": "ожидается строка",
    "list_type": "ожидается список",
    "dict_type": "ожидается объект",
    "model_attributes_type": "ожидается объект",
    "json_invalid": "тело запроса не является корректным JSON",
    "literal_error": "недопустимое значение",
    "enum": "недопустимое значение",
    "less_than_equal": "число больше допустимого",
    "less_than": "число больше допустимого",
    "greater_than_equal": "число меньше допустимого",
    "greater_than": "число меньше допустимого",
    "string_too_long": "слишком длинная строка",
    "too_long": "слишком много элементов",
}


def _problem(column: str, value: Any, message: str) -> dict[str, Any]:
    shown = "" if value is None or isinstance(value, dict | list) else str(value)[:VALUE_SHOWN]
    return {"file": "", "row": 0, "column": column, "value": shown, "message": message}


def _column(loc: Sequence[Any]) -> str:
    """``("body", "capacity")`` → ``capacity``; the part of the request stays out of the name."""
    parts = [str(part) for part in loc[1:]] if len(loc) > 1 else [str(part) for part in loc]
    return ".".join(parts)


def _problems(body: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"detail": body}, status_code=422)


async def service_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ServiceError)
    if isinstance(error, Unacceptable):
        return _problems([_problem(error.column, "", error.message_ru)])
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthorized) else None
    return JSONResponse({"detail": error.message_ru}, status_code=error.status, headers=headers)


async def input_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, InputError)
    return _problems(
        [
            {"file": p.file, "row": p.row, "column": p.column, "value": p.value, "message": p.message_ru}
            for p in error.problems
        ]
    )


async def configuration_error(request: Request, error: Exception) -> Response:
    return _problems([_problem("options", "", f"Недопустимые настройки подбора: {error}")])


async def unstorable(request: Request, error: Exception) -> Response:
    """A value the database cannot hold (a NUL character, a number out of range): the client's."""
    return _problems(
        [_problem("", "", "Значение не может быть сохранено: недопустимый символ или слишком большое число")]
    )


async def invalid_request(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    return _problems(
        [
            _problem(
                _column(detail.get("loc", ())),
                detail.get("input"),
                VALIDATION_RU.get(str(detail.get("type")), "недопустимое значение"),
            )
            for detail in error.errors()
        ]
    )


async def http_error(request: Request, error: Exception) -> Response:
    """Starlette's and FastAPI's own refusals (unparsable body, unknown path), in Russian."""
    assert isinstance(error, HTTPException)
    detail = error.detail if error.status_code == 413 else HTTP_RU.get(error.status_code, error.detail)
    return JSONResponse({"detail": detail}, status_code=error.status_code, headers=error.headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(InputError, input_error)
    app.add_exception_handler(ConfigurationError, configuration_error)
    app.add_exception_handler(DataError, unstorable)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
