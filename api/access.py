"""Who may do what (api.md, «Who may do what»): roles, permissions and institution scope.

``deps`` turns a bearer token into a ``Caller`` and enforces these rules for every route; the
rest of the service only reads ``Caller.scope`` (the institution a query is limited to, or
None for every institution).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    MUNICIPAL = "municipal"
    CURATOR = "curator"
    COUNCIL = "council"
    READER = "reader"


class Permission(StrEnum):
    READ = "read"
    EDIT_BANKS = "edit_banks"
    START_RUNS = "start_runs"
    DECIDE = "decide"
    EXPORT = "export"
    AUDIT = "audit"
    CROSS_INSTITUTION = "cross_institution"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.MUNICIPAL: frozenset(Permission),
    Role.CURATOR: frozenset(
        {
            Permission.READ,
            Permission.EDIT_BANKS,
            Permission.START_RUNS,
            Permission.DECIDE,
            Permission.EXPORT,
            Permission.AUDIT,
        }
    ),
    Role.COUNCIL: frozenset({Permission.READ, Permission.DECIDE}),
    Role.READER: frozenset({Permission.READ}),
}

ROLES_NEEDING_INSTITUTION = frozenset({Role.CURATOR, Role.COUNCIL})
"""A curator or a council member always works for one institution; a reader may read everything."""


@dataclass(frozen=True, slots=True)
class Caller:
    """The user behind a request's token."""

    user_id: int
    name: str
    role: Role
    institution: str | None

    @property
    def scope(self) -> str | None:
        """The one institution this caller sees, or None for every institution."""
        return None if self.role is Role.MUNICIPAL else self.institution

    def may(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]

    def sees(self, institution: str | None) -> bool:
        """Whether something of ``institution`` (None: municipality-wide) is within scope."""
        return self.scope is None or self.scope == institution


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Only this hash is stored; the token itself is shown once, when it is made."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
