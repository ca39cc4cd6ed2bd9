"""What the service refuses, as typed errors; ``app`` maps each to its HTTP status.

Messages are Russian: a curator or a council member reads them.
"""

from __future__ import annotations

from typing import ClassVar


class ServiceError(Exception):
    status: ClassVar[int] = 400

    def __init__(self, message_ru: str) -> None:
        super().__init__(message_ru)
        self.message_ru = message_ru


class Unauthorized(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    """Missing, or outside the caller's scope: the two are never told apart."""

    status = 404


class Conflict(ServiceError):
    status = 409


class TooLarge(ServiceError):
    status = 413


class Unacceptable(ServiceError):
    """A well-formed request the service cannot carry out as asked; ``column`` names the field."""

    status = 422

    def __init__(self, message_ru: str, *, column: str = "") -> None:
        super().__init__(message_ru)
        self.column = column


class TooManyRequests(ServiceError):
    status = 429


class StaleVersionError(Conflict):
    """A decision or consent named a version of the proposal that is no longer current."""

    def __init__(self, proposal_id: int, current: int) -> None:
        super().__init__(
            f"Предложение {proposal_id} уже изменено (текущая версия {current}); "
            "обновите его и примите решение заново"
        )
        self.proposal_id = proposal_id
        self.current = current


class Unavailable(ServiceError):
    status = 503
