"""A run based on an earlier one: the decisions it honours and what it changed, and why.

Approved and pinned pairs of the base are kept (with their status and consents); rejected
pairs, and pairs that either side refused (``/consent`` with ``agree: false``), are forbidden,
in this run and in every later run of the same lineage;
every other base proposal is a ``previous`` pair that the library keeps where that costs little
fit (``Options.stability_tolerance``), keeping the consents already given. The change list
names each pair that left or joined and sums it up in one Russian sentence for the council:
«2 пары изменены, потому что отклонена пара M-1 — T-4».
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from api.russian import plural_ru
from matcher.model import Decisions, Proposal

Pair = tuple[str, str]
KEPT_STATUSES = frozenset({"approved", "pinned"})

REASONS_RU = {
    "rejected": "пара отклонена советом",
    "refused": "участник отказался от пары",
    "mentee_gone": "наставляемого больше нет в банке",
    "mentor_gone": "наставника больше нет в банке",
    "rearranged": "пара перестроена, чтобы освободить место или закрыть больше затруднений",
    "new": "новая пара взамен снятой",
}


class DecidedPair(Protocol):
    """A base run's proposal with what the council and the participants said about it."""

    @property
    def mentee_id(self) -> str: ...
    @property
    def mentor_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def mentee_consent(self) -> bool | None: ...
    @property
    def mentor_consent(self) -> bool | None: ...
    @property
    def mentee_institution(self) -> str | None: ...
    @property
    def mentor_institution(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class KeyedPair:
    """A stored proposal with its people named as a run names them (``api.person_keys.RunKeys``)."""

    mentee_id: str
    mentor_id: str
    status: str
    mentee_consent: bool | None
    mentor_consent: bool | None
    mentee_institution: str | None
    mentor_institution: str | None


def keyed(proposals: Iterable[DecidedPair], key: Callable[[str | None, str], str]) -> list[KeyedPair]:
    """``proposals`` with each person's id replaced by ``key(institution, id)``."""
    return [
        KeyedPair(
            key(p.mentee_institution, p.mentee_id),
            key(p.mentor_institution, p.mentor_id),
            p.status,
            p.mentee_consent,
            p.mentor_consent,
            p.mentee_institution,
            p.mentor_institution,
        )
        for p in proposals
    ]


@dataclass(frozen=True, slots=True)
class Sides:
    """The institution of each person of a run's banks (the same id may be in both banks)."""

    mentees: Mapping[str, str]
    mentors: Mapping[str, str]


def _pair(proposal: DecidedPair | Proposal) -> Pair:
    return proposal.mentee_id, proposal.mentor_id


def _refused(proposal: DecidedPair) -> bool:
    return proposal.mentee_consent is False or proposal.mentor_consent is False


def _forbidden(proposal: DecidedPair) -> bool:
    return proposal.status == "rejected" or _refused(proposal)


def decisions_from(base: Iterable[DecidedPair], earlier: Iterable[DecidedPair] = ()) -> Decisions:
    """The base run's decisions; rejections and refusals of ``earlier`` runs in its lineage stay too."""
    pinned: set[Pair] = set()
    forbidden: set[Pair] = {_pair(p) for p in earlier if _forbidden(p)}
    previous: set[Pair] = set()
    for proposal in base:
        if _forbidden(proposal):
            forbidden.add(_pair(proposal))
        elif proposal.status in KEPT_STATUSES:
            pinned.add(_pair(proposal))
        else:
            previous.add(_pair(proposal))
    return Decisions(
        pinned=frozenset(pinned - forbidden),
        forbidden=frozenset(forbidden),
        previous=frozenset(previous - forbidden),
    )


def carried_over(base: Iterable[DecidedPair]) -> dict[Pair, dict[str, Any]]:
    """What a pair that stays in the new run keeps from the base: both consents, and the
    council's approval or pin, so nobody reviews or signs it again."""
    return {
        _pair(p): {
            "mentee_consent": p.mentee_consent,
            "mentor_consent": p.mentor_consent,
            **({"status": p.status} if p.status in KEPT_STATUSES else {}),
        }
        for p in base
    }


@dataclass(frozen=True, slots=True)
class _Removal:
    pair: Pair
    reason: str


def _removal_reason(proposal: DecidedPair, sides: Sides) -> str:
    if proposal.status == "rejected":
        return "rejected"
    if _refused(proposal):
        return "refused"
    if proposal.mentee_id not in sides.mentees:
        return "mentee_gone"
    if proposal.mentor_id not in sides.mentors:
        return "mentor_gone"
    return "rearranged"


def _causes(items: list[dict[str, str]]) -> str:
    def pairs(reason: str) -> list[str]:
        return [
            f"{item['mentee_id']} — {item['mentor_id']}"
            for item in items
            if item["change"] == "removed" and item["reason"] == reason
        ]

    causes = []
    if rejected := pairs("rejected"):
        verb = plural_ru(len(rejected), "отклонена пара", "отклонены пары", "отклонены пары")
        causes.append(f"{verb} {', '.join(rejected)}")
    if refused := pairs("refused"):
        causes.append(
            f"участник отказался от {plural_ru(len(refused), 'пары', 'пар', 'пар')} {', '.join(refused)}"
        )
    if pairs("mentee_gone") or pairs("mentor_gone"):
        causes.append("изменились банки наставников и наставляемых")
    return "; ".join(causes) or "изменились банки или настройки подбора"


def _item(
    pair: Pair, institutions: tuple[str, str], change: str, reason: str, plain: Callable[[str], str]
) -> dict[str, str]:
    return {
        "mentee_id": plain(pair[0]),
        "mentor_id": plain(pair[1]),
        "mentee_institution": institutions[0],
        "mentor_institution": institutions[1],
        "change": change,
        "reason": reason,
        "reason_ru": REASONS_RU[reason],
    }


def _summed_up(base_run_id: int, items: list[dict[str, str]], kept: int) -> dict[str, Any]:
    changed = {item["mentee_id"] for item in items}
    if changed:
        n = len(changed)
        summary = (
            f"{n} {plural_ru(n, 'пара изменена', 'пары изменены', 'пар изменено')}, "
            f"потому что {_causes(items)}"
        )
    else:
        summary = "Все пары базового запуска сохранены"
    return {
        "base_run_id": base_run_id,
        "kept": kept,
        "added": sum(item["change"] == "added" for item in items),
        "removed": sum(item["change"] == "removed" for item in items),
        "changed_mentees": len(changed),
        "summary_ru": summary,
        "items": items,
    }


def changes_against(
    base_run_id: int,
    base: Iterable[DecidedPair],
    proposals: Iterable[Proposal],
    *,
    sides: Sides,
    plain: Callable[[str], str] = str,
) -> dict[str, Any]:
    """Kept, removed and added pairs of a run against its base, with reasons (``ChangesPublic``).

    Each item names the institutions of its two people and their ids (``plain`` turns the run's
    keys into the people's own ids), and ``kept_by_institution`` counts the kept pairs of each
    institution, so ``changes_within`` can show each caller its own part."""
    base_by_pair = {_pair(p): p for p in base}
    new_pairs = {_pair(p) for p in proposals}
    removals = [
        _Removal(pair, _removal_reason(proposal, sides))
        for pair, proposal in sorted(base_by_pair.items())
        if pair not in new_pairs
    ]
    added = sorted(new_pairs - set(base_by_pair))
    items = [
        _item(r.pair, _base_sides(base_by_pair[r.pair]), "removed", r.reason, plain) for r in removals
    ] + [_item(p, (sides.mentees[p[0]], sides.mentors[p[1]]), "added", "new", plain) for p in added]
    kept_by_institution: dict[str, int] = {}
    for pair in new_pairs & set(base_by_pair):
        for code in set(_base_sides(base_by_pair[pair])):
            kept_by_institution[code] = kept_by_institution.get(code, 0) + 1
    return {
        **_summed_up(base_run_id, items, len(new_pairs & set(base_by_pair))),
        "kept_by_institution": kept_by_institution,
    }


def _base_sides(proposal: DecidedPair) -> tuple[str, str]:
    return proposal.mentee_institution or "", proposal.mentor_institution or ""


def changes_within(changes: dict[str, Any], scope: str | None) -> dict[str, Any]:
    """What a caller of ``scope`` may see of a run's changes: only pairs of its own people."""
    if scope is None:
        return changes
    items = [
        item
        for item in changes["items"]
        if scope in (item.get("mentee_institution"), item.get("mentor_institution"))
    ]
    kept = changes.get("kept_by_institution", {}).get(scope, 0)
    return {**_summed_up(changes["base_run_id"], items, kept), "kept_by_institution": {scope: kept}}
