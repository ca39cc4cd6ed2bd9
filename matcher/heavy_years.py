"""A limit on consecutive heavy years, so that the same few mentors do not carry every year.

The regulations set no load figures (a mentor "may have several mentees" [000:146; 003:351];
mentoring is an additional duty that "must not damage the educational process" [004:69]), so
the rule is the municipality's choice, off unless it is set:

* a mentor's **heavy year** is a school year (1 September – 31 August) in which the mentor held
  at least ``mentees`` different mentees in programs: every program that ran on at least one
  day of that year counts, whatever became of it (completed, ended early, still running);
* with a limit of ``years``, a mentor whose ``years`` school years just before year Y were all
  heavy **rests** in Y: Y's runs give the mentor no new mentee (capacity 0 for new pairs); the
  programs already running go on. A rest year in which those programs still make the mentor
  heavy is itself heavy, so the rest lasts until the load falls below ``mentees``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from matcher.programs import school_year, year_bounds

DEFAULT_HEAVY_MENTEES = 3
"""Mentees in programs during a school year that make it heavy, unless the rule says otherwise."""


@dataclass(frozen=True, slots=True)
class HeavyYears:
    """The rule: ``years`` consecutive heavy years at most; a year with ``mentees`` or more
    mentees in programs is heavy."""

    years: int
    mentees: int = DEFAULT_HEAVY_MENTEES

    def __post_init__(self) -> None:
        if self.years < 1 or self.mentees < 1:
            raise ValueError("years and mentees must be at least 1")

    def text_ru(self) -> str:
        return (
            f"тяжёлых учебных лет подряд — не более {self.years} (тяжёлый год — от {self.mentees} "
            "наставляемых в программах), затем год без новых наставляемых"
        )


@dataclass(frozen=True, slots=True)
class ProgramSpan:
    """Who was in a program and on which days (its end: when it ended, else its planned end)."""

    mentor_id: str
    mentee_id: str
    start: date
    end: date


def _first_year(year: str) -> int:
    return year_bounds(year)[0].year


def _year_name(first: int) -> str:
    return school_year(date(first, 9, 1))


def heavy_years(spans: Iterable[ProgramSpan], mentees: int) -> dict[str, list[str]]:
    """Each mentor's heavy school years («2026/27»), oldest first."""
    held: dict[tuple[str, int], set[str]] = defaultdict(set)
    for span in spans:
        for first in range(_first_year(school_year(span.start)), _first_year(school_year(span.end)) + 1):
            held[span.mentor_id, first].add(span.mentee_id)
    heavy: dict[str, list[int]] = defaultdict(list)
    for (mentor, first), who in held.items():
        if len(who) >= mentees:
            heavy[mentor].append(first)
    return {mentor: [_year_name(first) for first in sorted(firsts)] for mentor, firsts in heavy.items()}


def resting(spans: Iterable[ProgramSpan], year: str, rule: HeavyYears) -> dict[str, list[str]]:
    """Mentors who rest in ``year``, each with the consecutive heavy years just before it."""
    first = _first_year(year)
    wanted = [_year_name(first - back) for back in range(rule.years, 0, -1)]
    return {
        mentor: wanted
        for mentor, years in heavy_years(spans, rule.mentees).items()
        if set(wanted) <= set(years)
    }


def rest_places(resting_mentors: Iterable[str], capacity: Mapping[str, int]) -> dict[str, int]:
    """The places to hold back in a run so that resting mentors take no new mentee: all of them."""
    return {mentor: capacity[mentor] for mentor in resting_mentors if capacity.get(mentor, 0) > 0}
