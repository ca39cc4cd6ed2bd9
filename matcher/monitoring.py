"""The indicators of 003 §7.7 that concern teachers, per institution and for the municipality.

Izhevsk's table «Показатели реализации Целевой модели наставничества» [003:513-522] sets yearly
targets for the share of young specialists in mentoring programs (row 3) and the satisfaction of
mentees and of mentors (rows 5–6); the regulations also count programs carried out to the end
(«программа завершена» against «прекращена досрочно», 004 §5). What each figure counts:

* **young specialists in programs** — of the mentees of the bank (as last imported) who are young
  specialists (category «молодой специалист», or less than ``YOUNG_YEARS`` years of pedagogical
  experience), the share with a program running at some time in the school year; counted for the
  mentee's institution. The regulations' denominator is every young teacher «living in the
  municipality» [003:519], which the banks do not hold: the bank of mentees stands for it.
* **satisfaction of mentees / of mentors** — question 1 of the end-of-program questionnaire
  (1–10): the mean, and the share of questionnaires with at least ``SATISFIED`` — the «level of
  satisfaction, %» the targets speak of. A questionnaire counts in the school year its program
  ended (or is planned to end), for the institution of the person who filled it.
* **programs completed** — of the programs that ended in the school year, the share completed
  rather than ended early; for the mentee's institution.
* **difficulties overcome** (no target) — of the difficulties the mentees marked in question 2,
  the share overcome, and partly overcome.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import fmean

from matcher.programs import ProgramStatus, year_bounds
from matcher.questionnaires import Party

YOUNG_YEARS = 3
"""Less than this many years of pedagogical experience make a young specialist."""
SATISFIED = 7
"""A satisfaction answer of at least this (of 10) counts as satisfied."""
YOUNG_CATEGORY = "молод"
"""A mentee's category containing this word («молодой специалист») makes a young specialist."""

INDICATORS: Mapping[str, str] = {
    "young_specialists": "Доля молодых специалистов, включённых в программы наставничества",
    "mentee_satisfaction": "Уровень удовлетворённости наставляемых участием в программах",
    "mentor_satisfaction": "Уровень удовлетворённости наставников участием в программах",
    "completed": "Доля программ, завершённых в полном объёме",
}
"""The indicators with a target, in the order of the reports; each a percentage."""


@dataclass(frozen=True, slots=True)
class Targets:
    """One school year's targets, in percent; None: no target set."""

    young_specialists: float | None = None
    mentee_satisfaction: float | None = None
    mentor_satisfaction: float | None = None
    completed: float | None = None

    def of(self, indicator: str) -> float | None:
        value: float | None = getattr(self, indicator)
        return value


_IZHEVSK: Mapping[int, Targets] = {
    2022: Targets(30, 65, 65, None),
    2023: Targets(50, 75, 75, None),
    2024: Targets(70, 85, 85, None),
}
"""003's table [003:517-522] by the calendar year in which a school year starts."""


def default_targets(year: str) -> Targets:
    """003's targets for the school year ``year`` («2026/27»): its 2022 and 2023 columns for the
    years starting then, its last column (2024) for every later one; no target for completion,
    which the regulations do not set."""
    first = year_bounds(year)[0].year
    return _IZHEVSK[min(max(first, 2022), 2024)]


@dataclass(frozen=True, slots=True)
class MenteeRecord:
    id: str
    institution: str
    experience_years: int | None
    category: str

    @property
    def young(self) -> bool:
        experienced = self.experience_years is not None and self.experience_years >= YOUNG_YEARS
        return YOUNG_CATEGORY in self.category.casefold() or (
            self.experience_years is not None and not experienced
        )


@dataclass(frozen=True, slots=True)
class ProgramRecord:
    id: str | int
    mentee_id: str
    mentee_institution: str
    mentor_institution: str
    start: date
    planned_end: date
    ended_on: date | None
    status: ProgramStatus

    @property
    def end(self) -> date:
        """When it ended, or is planned to end."""
        return self.ended_on or self.planned_end


@dataclass(frozen=True, slots=True)
class Answer:
    """What the indicators take of a questionnaire: anonymous once the person is erased."""

    program_id: str | int
    party: Party
    satisfaction: int
    overcome: int = 0
    partly: int = 0
    not_overcome: int = 0


@dataclass(frozen=True, slots=True)
class Share:
    """``part`` of ``whole``, in percent (None when there is nothing to count), against a target."""

    part: int
    whole: int
    target: float | None = None

    @property
    def percent(self) -> float | None:
        return None if self.whole == 0 else round(100 * self.part / self.whole, 1)

    @property
    def met(self) -> bool | None:
        percent = self.percent
        return None if percent is None or self.target is None else percent >= self.target


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """Question 1 of one party's questionnaires: how many, the mean, the share satisfied."""

    scores: tuple[int, ...]
    satisfied: Share

    @property
    def count(self) -> int:
        return len(self.scores)

    @property
    def mean(self) -> float | None:
        return round(fmean(self.scores), 2) if self.scores else None

    def histogram(self) -> list[int]:
        """How many answered 1, 2, …, 10."""
        return [self.scores.count(value) for value in range(1, 11)]


@dataclass(frozen=True, slots=True)
class Indicators:
    """The figures of one institution (``code``) or of the municipality (``code`` None)."""

    code: str | None
    young_specialists: Share
    mentee_satisfaction: Satisfaction
    mentor_satisfaction: Satisfaction
    completed: Share
    ended_early: int
    running: int
    overcome: Share
    partly_overcome: Share

    def share(self, indicator: str) -> Share:
        if indicator in ("mentee_satisfaction", "mentor_satisfaction"):
            satisfaction: Satisfaction = getattr(self, indicator)
            return satisfaction.satisfied
        share: Share = getattr(self, indicator)
        return share


@dataclass(frozen=True, slots=True)
class Monitoring:
    year: str
    targets: Targets
    institutions: tuple[Indicators, ...]
    municipality: Indicators | None = None


_ENDED = (ProgramStatus.COMPLETED, ProgramStatus.ENDED_EARLY)


@dataclass(frozen=True, slots=True)
class _Year:
    first: date
    last: date

    def overlaps(self, program: ProgramRecord) -> bool:
        return program.start <= self.last and program.end >= self.first

    def holds(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(slots=True)
class _Part:
    """The records of one institution (or of the municipality) that count in the year."""

    young: list[MenteeRecord] = field(default_factory=list)
    in_year: list[ProgramRecord] = field(default_factory=list)
    ended: list[ProgramRecord] = field(default_factory=list)
    mentee_answers: list[Answer] = field(default_factory=list)
    mentor_answers: list[Answer] = field(default_factory=list)

    def figures(self, code: str | None, targets: Targets) -> Indicators:
        in_programs = {p.mentee_id for p in self.in_year}
        completed = sum(p.status is ProgramStatus.COMPLETED for p in self.ended)
        marked = sum(a.overcome + a.partly + a.not_overcome for a in self.mentee_answers)
        return Indicators(
            code=code,
            young_specialists=Share(
                sum(m.id in in_programs for m in self.young), len(self.young), targets.young_specialists
            ),
            mentee_satisfaction=_satisfaction(self.mentee_answers, targets.mentee_satisfaction),
            mentor_satisfaction=_satisfaction(self.mentor_answers, targets.mentor_satisfaction),
            completed=Share(completed, len(self.ended), targets.completed),
            ended_early=len(self.ended) - completed,
            running=sum(p.status.running for p in self.in_year),
            overcome=Share(sum(a.overcome for a in self.mentee_answers), marked),
            partly_overcome=Share(sum(a.partly for a in self.mentee_answers), marked),
        )


def _satisfaction(answers: Sequence[Answer], target: float | None) -> Satisfaction:
    scores = tuple(a.satisfaction for a in answers)
    return Satisfaction(scores, Share(sum(score >= SATISFIED for score in scores), len(scores), target))


def indicators(
    year: str,
    *,
    mentees: Iterable[MenteeRecord],
    programs: Iterable[ProgramRecord],
    answers: Iterable[Answer],
    targets: Targets,
    institutions: Sequence[str],
    municipality: bool,
) -> Monitoring:
    """The indicators of ``year`` for each of ``institutions`` (and the municipality's, when
    ``municipality``) from the records given; the caller gives only what its scope allows.
    Each record is looked at once, whatever the number of institutions."""
    bounds = _Year(*year_bounds(year))
    parts: defaultdict[str, _Part] = defaultdict(_Part)
    total = _Part()

    def add(institution: str, kind: str, record: object) -> None:
        getattr(parts[institution], kind).append(record)
        getattr(total, kind).append(record)

    for mentee in mentees:
        if mentee.young:
            add(mentee.institution, "young", mentee)
    by_id: dict[str, ProgramRecord] = {}
    for program in programs:
        by_id[str(program.id)] = program
        if bounds.overlaps(program):
            add(program.mentee_institution, "in_year", program)
        if program.status in _ENDED and program.ended_on is not None and bounds.holds(program.ended_on):
            add(program.mentee_institution, "ended", program)
    for answer in answers:
        of = by_id.get(str(answer.program_id))
        if of is None or not bounds.holds(of.end):
            continue
        if answer.party is Party.MENTEE:
            add(of.mentee_institution, "mentee_answers", answer)
        else:
            add(of.mentor_institution, "mentor_answers", answer)
    return Monitoring(
        year=year,
        targets=targets,
        institutions=tuple(parts[code].figures(code, targets) for code in institutions),
        municipality=total.figures(None, targets) if municipality else None,
    )
