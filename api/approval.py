"""Who approves a pair, and what the proposal's status becomes (api.md, «Who may do what»).

A pair inside one institution is decided by that institution. A pair whose mentee and mentor
belong to different institutions is decided by each of them for its own side: it is approved
(or pinned) only when both sides approved it, and rejected as soon as either side rejects it.
The municipal role decides for both sides at once. Each side's latest decision is kept in
``ProposalRow.sides`` ({institution: "approve" | "reject" | "pin"}).
"""

from __future__ import annotations

from collections.abc import Mapping

UNKNOWN = ""
"""The side of a pair whose people's institutions are unknown (erased before the registry kept
them): only the municipal role sees and decides it."""


def institutions_of(mentee_institution: str | None, mentor_institution: str | None) -> list[str]:
    """The institutions that decide a pair: one, or two for a cross-institution pair."""
    known = {code for code in (mentee_institution, mentor_institution) if code is not None}
    return sorted(known) or [UNKNOWN]


def decide_sides(
    sides: Mapping[str, str], institutions: list[str], *, decision: str, scope: str | None
) -> dict[str, str]:
    """Each side's decision after ``scope`` (None: the municipal role, every side) decides."""
    deciders = institutions if scope is None else [scope]
    return {
        **{code: sides[code] for code in institutions if code in sides},
        **dict.fromkeys(deciders, decision),
    }


def status_of(sides: Mapping[str, str], institutions: list[str]) -> str:
    """Rejected when a side rejects; approved or pinned when every side has; else proposed."""
    decided = [sides.get(code) for code in institutions]
    if "reject" in decided:
        return "rejected"
    if None in decided:
        return "proposed"
    return "pinned" if "pin" in decided else "approved"
