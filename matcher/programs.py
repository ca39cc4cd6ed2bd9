"""The mentoring program's lifecycle, as the regulations name its steps (seeds 000, 001, 004).

An approved pair both participants agreed to becomes a personalised program «from 3 months to
1 year» [000:11; 004:281], which "may be extended if necessary" by mutual consent [004:281;
001:311]. It ends when the plan is carried out (completed), or early: on the initiative of the
mentor or the mentee or by their mutual decision, on the curator's initiative when it is not
carried out properly [001:303-309; 004:247-253], or when the mentee's petition to replace the
mentor is granted [000:198; 004:220]. Only active and extended programs occupy a mentor.

Transitions::

    active ──extend──▶ extended ──extend──▶ extended
    active | extended ──complete──▶ completed
    active | extended ──end_early(reason)──▶ ended_early
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from matcher.errors import MentorMatchError
from matcher.model import Decisions, MenteeBank, MentorBank

MIN_MONTHS, MAX_MONTHS = 3, 12
"""A program's planned length, and the longest one extension adds."""


class ProgramStatus(StrEnum):
    ACTIVE = "active"
    EXTENDED = "extended"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"

    @property
    def running(self) -> bool:
        """Whether the program still occupies its mentor."""
        return self in (ProgramStatus.ACTIVE, ProgramStatus.EXTENDED)


STATUS_RU = {
    ProgramStatus.ACTIVE: "реализуется",
    ProgramStatus.EXTENDED: "продлена",
    ProgramStatus.COMPLETED: "завершена",
    ProgramStatus.ENDED_EARLY: "прекращена досрочно",
}


class EndReason(StrEnum):
    """Why a program ended before its plan was carried out."""

    MENTEE = "mentee_initiative"
    MENTOR = "mentor_initiative"
    MUTUAL = "mutual"
    CURATOR = "curator"
    REPLACEMENT = "mentor_replaced"


END_REASON_RU = {
    EndReason.MENTEE: "по инициативе наставляемого",
    EndReason.MENTOR: "по инициативе наставника",
    EndReason.MUTUAL: "по взаимному решению наставника и наставляемого",
    EndReason.CURATOR: "по инициативе куратора: программа не реализуется должным образом",
    EndReason.REPLACEMENT: "по ходатайству наставляемого о замене наставника",
}


class ProgramTransitionError(MentorMatchError):
    """A step the program's current state does not allow; ``message_ru`` says why."""

    def __init__(self, message_ru: str) -> None:
        super().__init__(message_ru)
        self.message_ru = message_ru


@dataclass(frozen=True, slots=True)
class Term:
    """A program's dates: when it started and when it is planned to end."""

    start: date
    planned_end: date


def planned_term(start: date, months: int) -> Term:
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise ProgramTransitionError(
            f"Срок программы — от {MIN_MONTHS} до {MAX_MONTHS} месяцев, указано {months}"
        )
    return Term(start, start + relativedelta(months=months))


def school_year(day: date) -> str:
    """The school year a day belongs to, as «2026/27» (a year starts on 1 September)."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


FIRST_YEAR, LAST_YEAR = 2000, 2099
"""School years the service plans (the first calendar year of «2026/27»)."""


def year_bounds(year: str) -> tuple[date, date]:
    """The first and the last day of a school year written «2026/27»."""
    head, _, tail = year.partition("/")
    if not (
        head.isdigit()
        and len(head) == 4
        and FIRST_YEAR <= int(head) <= LAST_YEAR
        and tail.isdigit()
        and int(tail) == (int(head) + 1) % 100
    ):
        raise ProgramTransitionError(f"Учебный год записывается как «2026/27», указано «{year}»")
    first = int(head)
    return date(first, 9, 1), date(first + 1, 8, 31)


def _running(status: ProgramStatus) -> None:
    if not status.running:
        raise ProgramTransitionError(f"Программа уже {STATUS_RU[status]}: изменить её нельзя")


def extend(status: ProgramStatus, term: Term, until: date) -> Term:
    """A later planned end, by mutual consent; at most ``MAX_MONTHS`` beyond the current one."""
    _running(status)
    if until <= term.planned_end:
        raise ProgramTransitionError(
            f"Новая дата окончания ({until:%d.%m.%Y}) должна быть позже прежней ({term.planned_end:%d.%m.%Y})"
        )
    if until > term.planned_end + relativedelta(months=MAX_MONTHS):
        raise ProgramTransitionError(f"Продлить программу можно не более чем на {MAX_MONTHS} месяцев за раз")
    return Term(term.start, until)


def finish(status: ProgramStatus, term: Term, on: date) -> None:
    """Check that the program may end (completed or early) on ``on``."""
    _running(status)
    if on < term.start:
        raise ProgramTransitionError(
            f"Дата окончания ({on:%d.%m.%Y}) раньше начала программы ({term.start:%d.%m.%Y})"
        )


@dataclass(frozen=True, slots=True)
class RunningProgram:
    """A program that still occupies its mentor: who, and the group it belongs to ("" for a pair)."""

    mentee_id: str
    mentor_id: str
    group_id: str = ""


def mentor_load(running: Iterable[RunningProgram]) -> Counter[str]:
    """Each mentor's load from running programs: a pair counts one, a group once (as in a run)."""
    load: Counter[str] = Counter()
    seen_groups: set[tuple[str, str]] = set()
    for program in running:
        if program.group_id:
            if (program.mentor_id, program.group_id) in seen_groups:
                continue
            seen_groups.add((program.mentor_id, program.group_id))
        load[program.mentor_id] += 1
    return load


def with_programs(
    mentees: MenteeBank,
    mentors: MentorBank,
    running: Sequence[RunningProgram],
    reserved: Mapping[str, int] | None = None,
) -> tuple[MenteeBank, MentorBank]:
    """The banks a new run may still use: each mentor's capacity less the load of its running
    programs (and the places ``reserved`` by an earlier run of the same cycle), and each
    mentee's ``max_mentors`` less the programs it is in (a mentee with none left is not matched
    again)."""
    load = mentor_load(running) + Counter(reserved or {})
    taken = Counter(program.mentee_id for program in running)
    free_mentors = tuple(
        m.model_copy(update={"capacity": max(0, m.capacity - load[m.id])}) if load[m.id] else m
        for m in mentors.mentors
    )
    free_mentees = tuple(
        m.model_copy(update={"max_mentors": m.max_mentors - taken[m.id]}) if taken[m.id] else m
        for m in mentees.mentees
        if m.max_mentors > taken[m.id]
    )
    return MenteeBank(free_mentees, source=mentees.source), MentorBank(free_mentors, source=mentors.source)


def never_again(decisions: Decisions, ended_early: Iterable[tuple[str, str]]) -> Decisions:
    """``decisions`` with every pair whose program ended early forbidden (and neither pinned nor kept)."""
    ended = frozenset(ended_early)
    return Decisions(
        pinned=decisions.pinned - ended,
        forbidden=decisions.forbidden | ended,
        previous=decisions.previous - ended,
    )


def only(mentees: MenteeBank, ids: Iterable[str] | None) -> MenteeBank:
    """The mentees named by ``ids`` (all of them when None): a run for one mentee alone."""
    if ids is None:
        return mentees
    wanted = set(ids)
    return MenteeBank(tuple(m for m in mentees.mentees if m.id in wanted), source=mentees.source)
