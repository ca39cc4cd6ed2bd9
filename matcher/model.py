"""The domain: mentors, mentees, their banks, and what a run proposes.

People are validated pydantic models (``validation`` builds them from a file's rows); a
``Bank`` is one institution's or municipality's list of them. Everything downstream of
validation works on positions in a bank, not on ids, until ``explaining`` decodes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from matcher.institutions import InstitutionRegistry


class MeetingFormat(StrEnum):
    IN_PERSON = "in_person"
    REMOTE = "remote"


class Person(BaseModel):
    """What the two banks share (interchange contract, «same meaning» columns)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1)
    full_name: str = Field(min_length=1)
    institution: str = Field(min_length=1)
    municipality: str = ""
    position: str = ""
    subjects: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    experience_years: int | None = Field(default=None, ge=0, le=80)
    formats: frozenset[MeetingFormat] = frozenset(MeetingFormat)
    consent: bool


class Mentor(Person):
    """A row of «База наставников с перечнем компетенций».

    ``competences`` maps a taxonomy code to the mentor's level in it (1 базовый, 2 уверенный,
    3 высокий).
    """

    qualification: str = ""
    competences: dict[str, int] = Field(min_length=1)
    about: str = ""
    capacity: int = Field(default=2, ge=0, le=100)
    max_group: int = Field(default=1, ge=1, le=50)


class Mentee(Person):
    """A row of «База наставляемых с перечнем запросов».

    ``difficulties`` maps a taxonomy code to its severity (1 небольшое, 2 заметное, 3 острое).
    """

    category: str = ""
    difficulties: dict[str, int] = Field(min_length=1)
    request: str = ""
    preferred_mentors: tuple[str, ...] = ()
    excluded_mentors: tuple[str, ...] = ()
    max_mentors: int = Field(default=1, ge=1, le=10)


@dataclass(frozen=True, slots=True)
class MentorBank:
    mentors: tuple[Mentor, ...]
    source: str = ""
    left_aside: tuple[str, ...] = ()
    """Headers of the file's columns that were not read (plainly unrelated to matching)."""
    notices: tuple[str, ...] = ()
    """What reading the file found worth telling the curator (Russian): the sheet it read."""

    def __len__(self) -> int:
        return len(self.mentors)


@dataclass(frozen=True, slots=True)
class MenteeBank:
    mentees: tuple[Mentee, ...]
    source: str = ""
    left_aside: tuple[str, ...] = ()
    """Headers of the file's columns that were not read (plainly unrelated to matching)."""
    notices: tuple[str, ...] = ()
    """What reading the file found worth telling the curator (Russian): the sheet it read."""

    def __len__(self) -> int:
        return len(self.mentees)


class UnmatchedReason(StrEnum):
    NO_CONSENT = "no_consent"
    """The mentee has not consented."""
    NO_COMPATIBLE_MENTOR = "no_compatible_mentor"
    """No consenting mentor covers any of the mentee's difficulties."""
    CAPACITY_EXHAUSTED = "capacity_exhausted"
    """Mentors who could take the mentee are all full."""
    FORMAT_MISMATCH = "format_mismatch"
    """Mentors who cover a difficulty exist, but no meeting format fits (e.g. in person elsewhere)."""
    EXCLUDED = "excluded"
    """Every mentor who could take the mentee was excluded by the mentee or forbidden by the council."""


@dataclass(frozen=True, slots=True)
class Proposal:
    """One mentee–mentor assignment the run proposes to the council."""

    mentee_id: str
    mentor_id: str
    format: MeetingFormat
    score: float
    covered: tuple[str, ...]
    explanation: str
    breakdown: dict[str, float]
    group_id: str = ""
    robustness: str = ""
    """``solid`` when kept under every weight perturbation, else ``weight-sensitive:<component>``."""


@dataclass(frozen=True, slots=True)
class Unmatched:
    mentee_id: str
    reason: UnmatchedReason
    candidates: tuple[str, ...] = ()
    explanation: str = ""
    fix: str = ""
    """The smallest change found that would place the mentee, in Russian."""
    fix_verified: bool = False
    """Whether re-solving with that change did place the mentee."""


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another mentor who could take a proposed pair's mentee within the rules."""

    mentee_id: str
    mentor_id: str
    rank: int
    alternative_mentor_id: str
    score: float
    free_places: int


@dataclass(slots=True)
class RunSummary:
    """The run's proof: what was solved, how well, and how sure we are (``summary.json``)."""

    counts: dict[str, int] = field(default_factory=dict)
    objective: dict[str, float] = field(default_factory=dict)
    solver: dict[str, object] = field(default_factory=dict)
    quality: dict[str, object] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    options: dict[str, object] = field(default_factory=dict)
    left_aside: dict[str, list[str]] = field(default_factory=dict)
    """Input file -> headers of its columns that were not read (plainly unrelated to matching)."""
    notices: list[str] = field(default_factory=list)
    """What the run read otherwise than written (``matcher.identity``), in Russian."""


@dataclass(frozen=True, slots=True)
class Decisions:
    """What the council (or an earlier run) has said about pairs, as (mentee_id, mentor_id).

    ``pinned`` pairs always appear and count against capacity; ``forbidden`` pairs never
    appear; ``previous`` pairs are the base run's proposals, kept where that costs little fit
    (``Options.stability_tolerance``) so the council does not re-review the whole list.
    """

    pinned: frozenset[tuple[str, str]] = frozenset()
    forbidden: frozenset[tuple[str, str]] = frozenset()
    previous: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, slots=True)
class MatchResult:
    proposals: tuple[Proposal, ...]
    unmatched: tuple[Unmatched, ...]
    summary: RunSummary
    alternatives: tuple[Alternative, ...] = ()
    institutions: InstitutionRegistry = field(default_factory=InstitutionRegistry)
    """Who each institution code stands for; ``.get(code)`` gives a stand-in for an unknown one."""
