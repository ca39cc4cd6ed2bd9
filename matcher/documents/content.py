"""What the documents say, built from a run's pairs and the banks, before any template sees it.

A ``Pairing`` is one line of the order: a mentor with one mentee, or with a group. Groups stay
groups even when one member is left (a group the council approved in part is still «групповая»).
The institution issuing the documents comes from the registry (``matcher.institutions``); a code
the registry does not know stands as its own name, with blanks for the head.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from matcher.documents.declension import agree_with_number

MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
MONTHS_NOMINATIVE = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip
PRESCHOOL = "ДО"
"""The level of education of a kindergarten: its children have «занятия», not «уроки»."""


class PersonRecord(Protocol):
    """A bank's person as the library's model or the service's row holds it."""

    @property
    def full_name(self) -> str: ...
    @property
    def position(self) -> str: ...
    @property
    def institution(self) -> str: ...
    @property
    def experience_years(self) -> int | None: ...


class MentorRecord(PersonRecord, Protocol):
    @property
    def competences(self) -> Mapping[str, int]: ...


class MenteeRecord(PersonRecord, Protocol):
    @property
    def difficulties(self) -> Mapping[str, int]: ...
    @property
    def levels(self) -> Sequence[str]: ...


class ProposalRecord(Protocol):
    @property
    def mentee_id(self) -> str: ...
    @property
    def mentor_id(self) -> str: ...
    @property
    def group_id(self) -> str: ...
    @property
    def format(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Period:
    """The months of mentoring: from ``start`` for ``months`` months (the day before the same date)."""

    start: date
    months: int

    @property
    def end(self) -> date:
        month_index = self.start.month - 1 + self.months
        year, month = self.start.year + month_index // 12, month_index % 12 + 1
        day = min(self.start.day, calendar.monthrange(year, month)[1])
        return date.fromordinal(date(year, month, day).toordinal() - 1)

    def month_starts(self) -> list[date]:
        """The first day of each calendar month the period touches."""
        starts, current = [], date(self.start.year, self.start.month, 1)
        while current <= self.end:
            starts.append(current)
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
        return starts

    @classmethod
    def from_next_month(cls, today: date, months: int) -> Period:
        return cls(date(today.year + today.month // 12, today.month % 12 + 1, 1), months)


def short_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def long_date(day: date) -> str:
    """«01» октября 2026 г., as an order writes a date."""
    return f"«{day.day:02d}» {MONTHS_GENITIVE[day.month - 1]} {day.year} г."


def month_name(day: date) -> str:
    return f"{MONTHS_NOMINATIVE[day.month - 1]} {day.year}"


def months_text(months: int) -> str:
    return f"{months} {agree_with_number('месяц', months)}"


@dataclass(frozen=True, slots=True)
class Official:
    """A person named in a document by name and position (the curator, the head)."""

    full_name: str
    position: str = ""

    @classmethod
    def parse(cls, text: str | None) -> Official | None:
        """«Орлова Мария Сергеевна, заместитель директора» → name and position; blank → None."""
        if text is None or not text.strip():
            return None
        name, _, position = text.partition(",")
        return cls(" ".join(name.split()), " ".join(position.split()))


@dataclass(frozen=True, slots=True)
class Pairing:
    """A mentor with the mentee (or the group of mentees) assigned to them."""

    mentor: MentorRecord
    mentees: tuple[MenteeRecord, ...]
    remote: bool
    group: str = ""
    covered: tuple[str, ...] = field(default=())

    @property
    def grouped(self) -> bool:
        return bool(self.group) or len(self.mentees) > 1

    @property
    def cross_institution(self) -> bool:
        return any(mentee.institution != self.mentor.institution for mentee in self.mentees)

    @property
    def reverse(self) -> bool:
        years = self.mentor.experience_years
        return years is not None and all(
            m.experience_years is not None and m.experience_years > years for m in self.mentees
        )

    @property
    def preschool(self) -> bool:
        return all(set(mentee.levels) == {PRESCHOOL} for mentee in self.mentees)

    def kinds(self) -> list[str]:
        """The kinds (виды) of mentoring the regulations name that this pairing is."""
        kinds = [
            kind
            for kind, applies in (
                ("групповая", self.grouped),
                ("виртуальная (дистанционная)", self.remote),
                ("межорганизационная", self.cross_institution),
                ("реверсивная", self.reverse),
            )
            if applies
        ]
        return kinds if self.grouped or self.remote else ["традиционная («один на один»)", *kinds]


def pairings_from(
    proposals: Iterable[ProposalRecord],
    mentors: Mapping[str, MentorRecord],
    mentees: Mapping[str, MenteeRecord],
) -> list[Pairing]:
    """Proposals joined into pairs and groups, ordered by the mentor's and first mentee's name.

    A proposal whose mentor or mentee is no longer in the banks is left out (erased people
    appear in no document).
    """
    joined: dict[tuple[str, str], list[ProposalRecord]] = defaultdict(list)
    for number, proposal in enumerate(proposals):
        if proposal.mentor_id in mentors and proposal.mentee_id in mentees:
            key = (proposal.mentor_id, proposal.group_id or f"pair {number}")
            joined[key].append(proposal)
    pairings = []
    for (mentor_id, _), members in joined.items():
        mentor = mentors[mentor_id]
        group = members[0].group_id
        people = tuple(sorted((mentees[p.mentee_id] for p in members), key=lambda m: m.full_name.casefold()))
        wanted = {code for person in people for code in person.difficulties}
        pairings.append(
            Pairing(
                mentor=mentor,
                mentees=people,
                remote=any(p.format == "remote" for p in members),
                group=group,
                covered=tuple(code for code in mentor.competences if code in wanted),
            )
        )
    return sorted(pairings, key=lambda p: (p.mentor.full_name.casefold(), p.mentees[0].full_name.casefold()))
