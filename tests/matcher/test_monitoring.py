"""The indicators of 003 §7.7 on a small hand-made municipality; every expected figure below
was counted by hand from the records in this file (school year 2026/27: 01.09.2026–31.08.2027)."""

from __future__ import annotations

from datetime import date

import pytest

from matcher.monitoring import Answer, MenteeRecord, ProgramRecord, Targets, default_targets, indicators
from matcher.programs import ProgramStatus
from matcher.questionnaires import Party

A, B = "school-A", "school-B"
MENTEE, MENTOR = Party.MENTEE, Party.MENTOR

MENTEES = [
    MenteeRecord("a1", A, 1, "молодой специалист"),  # young
    MenteeRecord("a2", A, 0, "новый сотрудник"),  # young: under 3 years
    MenteeRecord("a3", A, 25, ""),  # not young
    MenteeRecord("a4", A, None, "Молодой специалист"),  # young by category, no program
    MenteeRecord("a5", A, 2, ""),  # young
    MenteeRecord("b1", B, 1, ""),  # young
    MenteeRecord("b2", B, 10, ""),  # not young
]


def _program(
    pid: int,
    mentee: str,
    at: str,
    mentor_at: str,
    start: str,
    end: str,
    status: str,
    ended: str | None = None,
) -> ProgramRecord:
    return ProgramRecord(
        pid,
        mentee,
        at,
        mentor_at,
        date.fromisoformat(start),
        date.fromisoformat(end),
        date.fromisoformat(ended) if ended else None,
        ProgramStatus(status),
    )


PROGRAMS = [
    _program(1, "a1", A, A, "2026-09-15", "2027-06-15", "completed", "2027-06-15"),
    _program(2, "a2", A, B, "2026-10-01", "2027-04-01", "ended_early", "2026-12-01"),  # mentor of B
    _program(3, "a3", A, A, "2025-09-01", "2026-05-31", "completed", "2026-05-31"),  # the year before
    _program(4, "a5", A, A, "2025-11-01", "2026-10-31", "extended"),  # runs into 2026/27
    _program(5, "b1", B, B, "2026-09-01", "2027-05-31", "active"),
    _program(6, "b2", B, A, "2027-01-10", "2027-07-10", "completed", "2027-07-10"),  # mentor of A
]
ANSWERS = [
    Answer(1, MENTEE, 9, overcome=2, partly=1),
    Answer(1, MENTOR, 6),
    Answer(2, MENTEE, 4, partly=1, not_overcome=1),
    Answer(2, MENTOR, 8),  # counts for B, the mentor's institution
    Answer(3, MENTEE, 10),  # program ended in 2025/26: not counted
    Answer(6, MENTEE, 7, overcome=1),
    Answer(6, MENTOR, 7),  # counts for A
    Answer(5, MENTEE, 8),  # running program planned to end in the year: counted
]


def _monitoring(targets: Targets | None = None) -> tuple:  # type: ignore[type-arg]
    result = indicators(
        "2026/27",
        mentees=MENTEES,
        programs=PROGRAMS,
        answers=ANSWERS,
        targets=targets or default_targets("2026/27"),
        institutions=[A, B],
        municipality=True,
    )
    a, b = result.institutions
    assert result.municipality is not None
    return a, b, result.municipality


def test_young_specialists_in_programs_by_hand() -> None:
    a, b, total = _monitoring()
    # A: young a1, a2, a4, a5; with a program in the year a1, a2, a5 (a4 none) -> 3 of 4
    assert (a.young_specialists.part, a.young_specialists.whole, a.young_specialists.percent) == (3, 4, 75.0)
    assert (b.young_specialists.part, b.young_specialists.whole, b.young_specialists.percent) == (1, 1, 100.0)
    assert (total.young_specialists.part, total.young_specialists.whole) == (4, 5)
    assert total.young_specialists.percent == 80.0
    assert a.young_specialists.target == 70 and a.young_specialists.met is True


def test_satisfaction_by_hand() -> None:
    a, b, total = _monitoring()
    # mentees of A: 9 and 4 -> mean 6.5, satisfied (>= 7) 1 of 2
    assert (a.mentee_satisfaction.count, a.mentee_satisfaction.mean) == (2, 6.5)
    assert a.mentee_satisfaction.satisfied.percent == 50.0 and a.mentee_satisfaction.satisfied.met is False
    # mentees of B: 7 and 8
    assert (b.mentee_satisfaction.mean, b.mentee_satisfaction.satisfied.percent) == (7.5, 100.0)
    # all mentees: 9, 4, 7, 8 -> mean 7.0, 3 of 4
    assert (total.mentee_satisfaction.mean, total.mentee_satisfaction.satisfied.percent) == (7.0, 75.0)
    # mentors of A: program 1 (6) and program 6 (7); of B: program 2 (8)
    assert (a.mentor_satisfaction.mean, a.mentor_satisfaction.satisfied.percent) == (6.5, 50.0)
    assert (b.mentor_satisfaction.mean, b.mentor_satisfaction.satisfied.percent) == (8.0, 100.0)
    assert (total.mentor_satisfaction.mean, total.mentor_satisfaction.satisfied.percent) == (7.0, 66.7)
    assert total.mentee_satisfaction.histogram() == [0, 0, 0, 1, 0, 0, 1, 1, 1, 0]


def test_programs_completed_and_difficulties_by_hand() -> None:
    a, b, total = _monitoring()
    # ended in 2026/27 with the mentee in A: program 1 completed, program 2 ended early
    assert (a.completed.part, a.completed.whole, a.completed.percent, a.ended_early) == (1, 2, 50.0, 1)
    assert (b.completed.part, b.completed.whole, b.completed.percent) == (1, 1, 100.0)
    assert (total.completed.part, total.completed.whole, total.completed.percent) == (2, 3, 66.7)
    assert a.completed.target is None and a.completed.met is None  # the regulations set none
    assert (a.running, b.running, total.running) == (1, 1, 2)  # program 4 (extended), program 5
    # A's mentees marked 5 difficulties: 2 overcome, 2 partly
    assert (a.overcome.part, a.overcome.whole, a.overcome.percent) == (2, 5, 40.0)
    assert a.partly_overcome.percent == 40.0 and b.overcome.percent == 100.0


def test_targets_set_for_the_year_are_the_measure() -> None:
    a, _, total = _monitoring(Targets(80, 50, 50, 60))
    assert a.young_specialists.met is False  # 75 < 80
    assert a.mentee_satisfaction.satisfied.met is True  # 50 >= 50
    assert a.completed.met is False and total.completed.met is True  # 50 < 60 <= 66.7


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        ("2021/22", Targets(30, 65, 65, None)),
        ("2022/23", Targets(30, 65, 65, None)),
        ("2023/24", Targets(50, 75, 75, None)),
        ("2024/25", Targets(70, 85, 85, None)),
        ("2031/32", Targets(70, 85, 85, None)),
    ],
)
def test_default_targets_are_izhevsk_table(year: str, expected: Targets) -> None:
    assert default_targets(year) == expected


def test_a_year_without_data_has_no_percentages() -> None:
    result = indicators(
        "2030/31",
        mentees=[],
        programs=[],
        answers=[],
        targets=Targets(),
        institutions=[A],
        municipality=False,
    )
    [a] = result.institutions
    assert a.young_specialists.percent is None and a.mentee_satisfaction.mean is None
    assert a.completed.met is None and result.municipality is None
