"""How the service names one person when a table has no institution column, and how a run names
its people to the library.

People are keyed by (institution, id): two institutions may use the same id. A stored reference
without an institution column is the *qualified id* «id@institution» (an id never holds «@»,
``matcher.validation``). The library needs ids unique within a run: an institution's own run
gives it the people's own ids, a municipality-wide run the qualified ids of everybody, so which
ids two institutions share never shows in what a run writes.
"""

from __future__ import annotations

from dataclasses import dataclass

SEPARATOR = "@"


def qualified(institution: str, person_id: str) -> str:
    return f"{person_id}{SEPARATOR}{institution}"


def split(key: str) -> tuple[str, str]:
    """(institution, id) of a qualified id."""
    person_id, _, institution = key.partition(SEPARATOR)
    return institution, person_id


@dataclass(frozen=True, slots=True)
class RunKeys:
    """The ids a run gives the library: plain ids for the people of its own institution, qualified
    ids for everybody else (a municipality-wide run: everybody)."""

    institution: str | None

    def key(self, institution: str, person_id: str) -> str:
        return person_id if institution == self.institution else qualified(institution, person_id)

    def of(self, qualified_id: str) -> str:
        return self.key(*split(qualified_id))

    def person(self, key: str) -> tuple[str, str]:
        """(institution, id) of a key this run gave the library."""
        if SEPARATOR in key:
            return split(key)
        assert self.institution is not None, "a municipality-wide run qualifies every id"
        return self.institution, key


EVERYBODY = RunKeys(None)
"""Everybody by qualified id, as a municipality-wide run names them."""
