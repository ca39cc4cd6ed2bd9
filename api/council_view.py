"""What the council's page shows, built from the same reads as the API (``review``, ``run_records``).

A page of proposals becomes sections by institution, each holding pairs and groups; a card is one
proposal with its people, the kind of mentoring, the score's breakdown as bar segments and the
robustness note, all in Russian. Nothing here queries outside the caller's scope: callers pass
rows the scope checks already let through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from api.mentoring_kinds import FORMAT_RU, mentoring_kind_ru
from api.person_keys import SEPARATOR, RunKeys
from api.review import People
from api.schemas import ChangePublic, PersonSummary, ProposalPublic, RunPublic
from api.storage.run_records import RecordedDecision
from api.storage.tables import ProposalRow
from matcher.explaining import COMPONENTS_RU, robustness_ru
from matcher.options import COMPONENTS, ScoringWeights

RUN_STATUS_RU = {"queued": "в очереди", "running": "идёт", "done": "завершён", "failed": "ошибка"}
STATUS_RU = {
    "proposed": "предложена",
    "approved": "одобрена",
    "rejected": "отклонена",
    "pinned": "закреплена",
}
CONSENT_RU = {None: "не записано", True: "да", False: "отказ"}
PARTY_RU = {"mentee": "наставляемый", "mentor": "наставник"}
DECISION_RU = {"approve": "одобрил(а) пару", "reject": "отклонил(а) пару", "pin": "закрепил(а) пару"}
REASON_RU = {
    "no_consent": "нет согласия на участие",
    "no_compatible_mentor": "нет подходящего наставника",
    "capacity_exhausted": "подходящие наставники заняты",
    "format_mismatch": "не подходит формат встреч",
    "excluded": "подходящие наставники исключены",
}
ERASED = "(данные удалены)"


@dataclass(frozen=True, slots=True)
class Segment:
    """One component's share of the score, as a width in per cent of the bar."""

    component: str
    label: str
    value: float
    width: float


@dataclass(frozen=True, slots=True)
class Card:
    proposal: ProposalPublic
    kind: str
    format: str
    status: str
    segments: tuple[Segment, ...]
    robustness: str
    weight_sensitive: bool

    @property
    def title(self) -> str:
        return f"{_name(self.proposal.mentee)} — {_name(self.proposal.mentor)}"

    @property
    def consents(self) -> str:
        mentee, mentor = CONSENT_RU[self.proposal.mentee_consent], CONSENT_RU[self.proposal.mentor_consent]
        return f"наставляемый — {mentee}, наставник — {mentor}"

    @property
    def bar_label(self) -> str:
        parts = ", ".join(f"{s.label} {s.value:.2f}" for s in self.segments)
        return f"Оценка {self.proposal.score:.2f} из 1: {parts}"


@dataclass(slots=True)
class Block:
    """A pair (one card) or a group (its mentees' cards with one mentor)."""

    group_id: str | None
    mentor: PersonSummary | None
    cards: list[Card] = field(default_factory=list)


@dataclass(slots=True)
class Section:
    institution: str
    blocks: list[Block] = field(default_factory=list)


def _name(person: PersonSummary | None) -> str:
    return person.full_name if person is not None else ERASED


def segments(breakdown: Mapping[str, float], weights: ScoringWeights) -> tuple[Segment, ...]:
    """The weighted components of a score; their widths add up to the score, in per cent."""
    total = weights.total()
    shares = weights.as_dict()
    return tuple(
        Segment(c, COMPONENTS_RU[c], breakdown[c], round(100 * shares[c] * breakdown[c] / total, 2))
        for c in COMPONENTS
        if c in breakdown
    )


def card(row: ProposalRow, people: People, weights: ScoringWeights, *, grouped: bool) -> Card:
    mentor = (
        None
        if row.mentor_institution is None
        else people.mentors.get((row.mentor_institution, row.mentor_id))
    )
    mentee = (
        None
        if row.mentee_institution is None
        else people.mentees.get((row.mentee_institution, row.mentee_id))
    )
    kind = (
        ""
        if mentor is None or mentee is None
        else mentoring_kind_ru(row.format, grouped=grouped, mentor=mentor, mentees=[mentee])
    )
    return Card(
        proposal=people.proposal(row),
        kind=kind,
        format=FORMAT_RU.get(row.format, row.format),
        status=STATUS_RU.get(row.status, row.status),
        segments=segments(row.breakdown, weights),
        robustness=robustness_ru(row.robustness),
        weight_sensitive=row.robustness.startswith("weight-sensitive"),
    )


def sections(rows: Sequence[ProposalRow], people: People, weights: ScoringWeights) -> list[Section]:
    """The page's proposals, in their order, by the mentee's institution and then pair or group."""
    out: list[Section] = []
    for row in rows:
        mentee = people.mentee(row.mentee_institution, row.mentee_id)
        institution = mentee.institution_name if mentee is not None else ERASED
        if not out or out[-1].institution != institution:
            out.append(Section(institution))
        blocks = out[-1].blocks
        group = row.group_id or None
        if group is None or not blocks or blocks[-1].group_id != group:
            blocks.append(Block(group, people.mentor(row.mentor_institution, row.mentor_id)))
        blocks[-1].cards.append(card(row, people, weights, grouped=group is not None))
    return out


@dataclass(frozen=True, slots=True)
class Change:
    """One pair a run based on another left or took, with the people named and why."""

    added: bool
    mentee: str
    mentor: str
    reason: str


def changes(items: Sequence[ChangePublic], people: People) -> list[Change]:
    return [
        Change(
            added=item.change == "added",
            mentee=_name(people.mentee(item.mentee_institution, item.mentee_id)),
            mentor=_name(people.mentor(item.mentor_institution, item.mentor_id)),
            reason=item.reason_ru,
        )
        for item in items
    ]


def pair_counts(summary: Mapping[str, Any] | None) -> tuple[int | None, int | None]:
    """Proposals and unmatched mentees of a run as the caller may see it (see ``figures``)."""
    if not summary:
        return None, None
    if "counts" in summary:
        return summary["counts"].get("proposals"), summary["counts"].get("unmatched_mentees")
    return summary.get("proposals"), summary.get("unmatched")


def figures(summary: Mapping[str, Any] | None) -> list[str]:
    """The run's figures as the caller may see them: the whole run's counts, or (of a
    municipality-wide run, for one institution) that institution's own."""
    if not summary:
        return []
    if "counts" in summary:
        c = summary["counts"]
        return [
            f"наставляемых {c.get('mentees', 0)}",
            f"наставников {c.get('mentors', 0)}",
            f"предложено пар {c.get('proposals', 0)}",
            f"без пары {c.get('unmatched_mentees', 0)}",
        ]
    return [
        f"пар с людьми вашей организации {summary.get('proposals', 0)}",
        f"из них с другими организациями {summary.get('cross_institution', 0)}",
        f"без пары {summary.get('unmatched', 0)}",
    ]


WORD = re.compile(r"[\w-]+(?:@[\w-]+)?")


def mentioned_ids(keys: RunKeys, *texts: str) -> set[tuple[str, str]]:
    """(institution, id) of the words of ``texts`` that may be people's ids (they hold a digit),
    read as the run named its people (``RunKeys``)."""
    words = {w for text in texts for w in WORD.findall(text) if any(c.isdigit() for c in w)}
    return {key for w in words if (key := _person(keys, w)) is not None}


def _person(keys: RunKeys, word: str) -> tuple[str, str] | None:
    return keys.person(word) if SEPARATOR in word or keys.institution is not None else None


def named(text: str, people: People, keys: RunKeys) -> str:
    """``text`` (a run's explanation or fix) with each mentor's id replaced by the mentor's ФИО."""
    mentors = people.mentors

    def name(match: re.Match[str]) -> str:
        key = _person(keys, match[0])
        return mentors[key].full_name if key is not None and key in mentors else match[0]

    return WORD.sub(name, text)


@dataclass(frozen=True, slots=True)
class Recorded:
    """One line of what others recorded on a proposal: when (UTC; the page shows local time) and what."""

    at: datetime
    text: str


def describe_decisions(recorded: Sequence[RecordedDecision]) -> list[Recorded]:
    """What others recorded on a proposal since the version a member saw, in Russian."""
    lines = []
    for item in recorded:
        d = item.decision
        who = item.actor or "пользователь удалён"
        if d.kind == "consent":
            what = f"записал(а): {PARTY_RU.get(d.party or '', d.party)} — {CONSENT_RU[d.agree]}"
        else:
            what = DECISION_RU.get(d.kind, d.kind)
        comment = f" («{d.comment}»)" if d.comment else ""
        lines.append(Recorded(d.at, f"{who} {what}{comment}"))
    return lines


def run_title(run: RunPublic, institutions: Mapping[str, str]) -> str:
    where = institutions.get(run.institution, run.institution) if run.institution else "муниципалитет"
    return f"Подбор № {run.id} — {where}"
