"""The limit on consecutive heavy years (``matcher.heavy_years``) on hand-made program spans."""

from __future__ import annotations

from datetime import date

import pytest

from matcher.heavy_years import HeavyYears, ProgramSpan, heavy_years, rest_places, resting


def _span(mentor: str, mentee: str, start: str, end: str) -> ProgramSpan:
    return ProgramSpan(mentor, mentee, date.fromisoformat(start), date.fromisoformat(end))


SPANS = [
    # T-1: two mentees in 2025/26 and in 2026/27 (one program runs across both years)
    _span("T-1", "M-1", "2025-10-01", "2026-06-30"),
    _span("T-1", "M-2", "2026-03-01", "2026-12-31"),
    _span("T-1", "M-3", "2027-01-15", "2027-05-31"),
    # T-2: two mentees in 2025/26 only; one of them ended early in its first week — still counts
    _span("T-2", "M-4", "2025-09-15", "2026-05-31"),
    _span("T-2", "M-5", "2025-11-01", "2025-11-07"),
    # T-3: the same mentee twice is one mentee
    _span("T-3", "M-6", "2026-09-01", "2026-12-01"),
    _span("T-3", "M-6", "2027-01-10", "2027-04-01"),
]


def test_a_heavy_year_counts_different_mentees_in_programs_that_ran_in_it() -> None:
    assert heavy_years(SPANS, mentees=2) == {"T-1": ["2025/26", "2026/27"], "T-2": ["2025/26"]}
    assert heavy_years(SPANS, mentees=1)["T-3"] == ["2026/27"]
    assert heavy_years(SPANS, mentees=3) == {}


def test_a_mentor_rests_after_the_limit_of_consecutive_heavy_years() -> None:
    two = HeavyYears(years=2, mentees=2)
    assert resting(SPANS, "2027/28", two) == {"T-1": ["2025/26", "2026/27"]}
    assert resting(SPANS, "2026/27", two) == {}  # T-1 has only one heavy year before it
    one = HeavyYears(years=1, mentees=2)
    assert resting(SPANS, "2026/27", one) == {"T-1": ["2025/26"], "T-2": ["2025/26"]}
    assert resting(SPANS, "2028/29", one) == {}  # 2027/28 was a rest: not heavy


def test_rest_holds_back_every_place_of_a_resting_mentor() -> None:
    assert rest_places(["T-1", "T-2"], {"T-1": 3, "T-2": 0}) == {"T-1": 3}


def test_the_rule_is_at_least_one() -> None:
    with pytest.raises(ValueError):
        HeavyYears(years=0)
    assert "не более 2" in HeavyYears(years=2).text_ru()
