"""What the API accepts and returns: one schema family per resource, with examples.

``…Public`` is what a client reads, ``…Update``/``…Create`` what it sends, ``…Page`` a page of
a list with the total count. Table rows are never returned as they are.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from matcher.model import MeetingFormat
from matcher.programs import END_REASON_RU, STATUS_RU, EndReason, ProgramStatus

Decision = Literal["approve", "reject", "pin"]
ProposalStatus = Literal["proposed", "approved", "rejected", "pinned"]
RunStatus = Literal["queued", "running", "done", "failed"]
RunScope = Literal["institution", "municipality"]
Party = Literal["mentee", "mentor"]

_TIME = "2026-09-01T09:30:00Z"

DB_INT_MAX = 2**31 - 1
"""Largest whole number every supported database stores in an integer column: every integer a
client sends is bounded by it, so none reaches SQLite or PostgreSQL out of range."""
Whole = Annotated[int, Field(ge=0, le=DB_INT_MAX)]
Key = Annotated[int, Field(ge=1, le=DB_INT_MAX)]
"""A stored row's number (a run's id, a proposal's version)."""


class ErrorPublic(BaseModel):
    detail: str = Field(examples=["Не найдено"])


class ProblemPublic(BaseModel):
    """One problem in one cell of an imported file (row 1 is the header; 0 means the whole file)."""

    file: str = Field(examples=["наставники.xlsx"])
    row: int = Field(examples=[7])
    column: str = Field(examples=["Стаж"])
    value: str = Field(examples=["десять"])
    message: str = Field(examples=["ожидается целое число лет не меньше 0"])


class ProblemsPublic(BaseModel):
    """All problems of a rejected import; nothing was written."""

    detail: list[ProblemPublic]


class HealthPublic(BaseModel):
    status: Literal["ok"] = "ok"


# People


class PersonPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(examples=["T-0042"])
    full_name: str = Field(examples=["Смирнова Анна Петровна"])
    institution: str = Field(examples=["school-7"])
    municipality: str = Field(examples=["Заречный"])
    position: str = Field(examples=["учитель математики"])
    subjects: list[str] = Field(examples=[["математика", "информатика"]])
    levels: list[str] = Field(examples=[["ООО", "СОО"]])
    experience_years: int | None = Field(examples=[17])
    formats: list[MeetingFormat] = Field(examples=[["in_person", "remote"]])
    consent: bool = Field(examples=[True])
    created_at: datetime = Field(examples=[_TIME])
    updated_at: datetime = Field(examples=[_TIME])


class MentorPublic(PersonPublic):
    qualification: str = Field(examples=["высшая"])
    competences: dict[str, int] = Field(
        description="taxonomy code → level 1–3", examples=[{"ict": 3, "parents": 2}]
    )
    about: str = Field(examples=["Руководитель ШМО, автор курса по цифровым инструментам урока"])
    capacity: int = Field(examples=[2])
    max_group: int = Field(examples=[3])


class MenteePublic(PersonPublic):
    category: str = Field(examples=["молодой специалист"])
    difficulties: dict[str, int] = Field(
        description="taxonomy code → severity 1–3", examples=[{"ict": 3, "discipline": 2}]
    )
    request: str = Field(examples=["Хочу научиться вести уроки с электронными тренажёрами"])
    preferred_mentors: list[str] = Field(examples=[["T-0042"]])
    excluded_mentors: list[str] = Field(examples=[[]])
    max_mentors: int = Field(examples=[1])


class PersonUpdate(BaseModel):
    """Fields to change; those left out stay as they are. The id never changes."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = None
    institution: str | None = None
    municipality: str | None = None
    position: str | None = None
    subjects: list[str] | None = None
    levels: list[str] | None = None
    experience_years: Whole | None = None
    formats: list[MeetingFormat] | None = None
    consent: bool | None = None


class MentorUpdate(PersonUpdate):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"capacity": 3, "competences": {"ict": 3}}]}
    )

    qualification: str | None = None
    competences: dict[str, Whole] | None = Field(
        default=None, description="taxonomy code or label → level 1–3"
    )
    about: str | None = None
    capacity: Whole | None = None
    max_group: Whole | None = None


class MenteeUpdate(PersonUpdate):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"consent": True, "difficulties": {"ict": 3, "parents": 1}}]},
    )

    category: str | None = None
    difficulties: dict[str, Whole] | None = Field(
        default=None, description="taxonomy code or label → severity 1–3"
    )
    request: str | None = None
    preferred_mentors: list[str] | None = None
    excluded_mentors: list[str] | None = None
    max_mentors: Whole | None = None


class MentorsPage(BaseModel):
    items: list[MentorPublic]
    total: int = Field(examples=[128])
    limit: int = Field(examples=[50])
    offset: int = Field(examples=[0])


class MenteesPage(BaseModel):
    items: list[MenteePublic]
    total: int = Field(examples=[311])
    limit: int = Field(examples=[50])
    offset: int = Field(examples=[0])


class ImportPublic(BaseModel):
    """What an import did: every row of the file was written, as new people or updates."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"file": "наставники.csv", "rows": 3, "created": ["T-1", "T-2"], "updated": ["T-3"]}]
        }
    )

    file: str
    rows: int
    created: list[str]
    updated: list[str]
    left_aside: list[str] = Field(
        default_factory=list,
        description="headers of the file's columns that were not read (plainly unrelated to matching)",
    )
    notices: list[str] = Field(
        default_factory=list,
        description="what reading the file found worth telling, in Russian: the sheet read when it was "
        "not the first, the rows under the table (a total, a signature) not read as people",
    )


class PersonLeftPublic(BaseModel):
    """A stored person of an imported institution whom the file did not name."""

    id: str
    institution: str
    full_name: str


class BankImportPublic(ImportPublic):
    """What a bank's import did. ``rows`` = created + updated + unchanged."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "file": "наставляемые.csv",
                    "rows": 3,
                    "created": ["M-3"],
                    "updated": ["M-2"],
                    "unchanged": ["M-1"],
                    "absent": [{"id": "M-9", "institution": "СОШ-5", "full_name": "Петрова Анна Ивановна"}],
                    "removed": [],
                    "replaced": False,
                }
            ]
        }
    )

    updated: list[str] = Field(description="re-imported people whose values the file changed")
    unchanged: list[str] = Field(
        default_factory=list, description="re-imported people the file left as they were (nothing written)"
    )
    absent: list[PersonLeftPublic] = Field(
        default_factory=list,
        description="stored people of the file's institutions whom the file does not name; "
        "kept in the bank (and in matching) because the import did not replace it",
    )
    removed: list[PersonLeftPublic] = Field(
        default_factory=list,
        description="with `replace=true`: the people of the file's institutions whom the file does not "
        "name, erased as DELETE erases a person",
    )
    replaced: bool = Field(default=False, description="whether the file replaced the bank (`replace=true`)")


# Runs


class RunCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"scope": "institution", "institution": "school-7"},
                {"scope": "institution", "institution": "school-7", "based_on": 12},
                {"scope": "municipality", "options": {"weights": {"coverage": 0.6}, "time_limit": 30}},
            ]
        },
    )

    scope: RunScope
    institution: str | None = Field(
        default=None, description="required with scope institution, unless the caller has one institution"
    )
    based_on: Key | None = Field(
        default=None, description="an earlier run whose decisions and consents this run honours"
    )
    options: dict[str, Any] = Field(
        default_factory=dict, description="matching options (matcher/options.py); unknown keys are refused"
    )


class RunAccepted(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 13, "status": "queued"}]})

    id: int
    status: RunStatus


class ChangePublic(BaseModel):
    mentee_id: str = Field(examples=["M-0107"])
    mentor_id: str = Field(examples=["T-0042"])
    mentee_institution: str | None = Field(default=None, examples=["school-7"])
    mentor_institution: str | None = Field(default=None, examples=["school-7"])
    change: Literal["added", "removed"] = Field(examples=["removed"])
    reason: str = Field(examples=["rejected"])
    reason_ru: str = Field(examples=["пара отклонена советом"])


class ChangesPublic(BaseModel):
    """How a run based on another differs from it, and why."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "base_run_id": 12,
                    "kept": 41,
                    "added": 2,
                    "removed": 1,
                    "changed_mentees": 2,
                    "summary_ru": "2 пары изменены, потому что отклонена пара M-0107 — T-0042",
                    "items": [
                        {
                            "mentee_id": "M-0107",
                            "mentor_id": "T-0042",
                            "change": "removed",
                            "reason": "rejected",
                            "reason_ru": "пара отклонена советом",
                        }
                    ],
                }
            ]
        }
    )

    base_run_id: int
    kept: int
    added: int
    removed: int
    changed_mentees: int
    summary_ru: str
    items: list[ChangePublic]


class RunPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[13])
    scope: RunScope
    institution: str | None = Field(examples=["school-7"])
    based_on: int | None = Field(examples=[12])
    mentees: list[str] | None = Field(
        default=None, description="only these mentees were matched (a mentor's replacement)", examples=[None]
    )
    status: RunStatus
    progress: float = Field(ge=0, le=1, examples=[0.45])
    options: dict[str, Any] = Field(examples=[{"time_limit": 30}])
    summary: dict[str, Any] | None = Field(
        description=(
            "counts, objective, solver status, seconds (as the batch command's summary.json); "
            "an institution's caller of a municipality-wide run gets only its own figures: "
            "{institution, proposals, cross_institution, unmatched}"
        ),
        examples=[
            {
                "counts": {"mentees": 40, "mentors": 18, "proposals": 37, "unmatched_mentees": 3},
                "objective": {"total_fit": 24.71},
                "solver": {"name": "flow", "status": "optimal"},
                "seconds": {"solving": 0.04},
            }
        ],
    )
    changes: ChangesPublic | None
    error: str | None = Field(examples=[None])
    attempts: int = Field(examples=[1])
    created_at: datetime = Field(examples=[_TIME])
    started_at: datetime | None = Field(examples=[_TIME])
    finished_at: datetime | None = Field(examples=[_TIME])


class RunsPage(BaseModel):
    items: list[RunPublic]
    total: int
    limit: int
    offset: int


# Institutions


class InstitutionPublic(BaseModel):
    """An institution of the registry (matcher.institutions.Institution)."""

    model_config = ConfigDict(from_attributes=True)

    code: str = Field(examples=["СОШ-46"])
    full_name: str = Field(
        examples=["Муниципальное бюджетное общеобразовательное учреждение «Средняя школа №46»"]
    )
    short_name: str = Field(examples=["МБОУ «СШ №46»"])
    kind: Literal["school", "kindergarten", "college", "additional"] = Field(examples=["school"])
    kind_ru: str = Field(examples=["школа"])
    municipality: str = Field(examples=["Нижнереченский муниципальный округ"])
    head_name: str = Field(examples=["Абрамова Наталья Павловна"])
    head_position: str = Field(examples=["директор"])
    address: str = Field(examples=["655058, г. Нижнереченск, ул. Гагарина, д. 67"])


class InstitutionsPage(BaseModel):
    items: list[InstitutionPublic]
    total: int
    limit: int
    offset: int


# Proposals and decisions


class PersonSummary(BaseModel):
    """What a pair needs of a person: no more, whichever institution the caller is from."""

    id: str = Field(examples=["T-0042"])
    full_name: str = Field(examples=["Смирнова Анна Петровна"])
    position: str = Field(examples=["учитель математики"])
    institution: str = Field(examples=["school-7"])
    institution_name: str = Field(examples=["МБОУ «Средняя общеобразовательная школа № 7»"])


class ProposalPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[501])
    run_id: int = Field(examples=[13])
    mentee_id: str = Field(examples=["M-0107"])
    mentor_id: str = Field(examples=["T-0042"])
    group_id: str | None = Field(description="shared by the mentees of one group; null for a pair")
    format: MeetingFormat = Field(examples=["in_person"])
    score: float = Field(examples=[0.7312])
    covered: list[str] = Field(examples=[["ict"]])
    explanation: str = Field(
        examples=["Закрывает затруднения: ИКТ (наставник — высокий уровень); тот же предмет; очно, school-7"]
    )
    breakdown: dict[str, float] = Field(examples=[{"coverage": 1.0, "subject": 1.0, "preference": 0.0}])
    robustness: str = Field(
        description="solid when the pair survives every perturbation of the weights", examples=["solid"]
    )
    status: ProposalStatus
    version: int = Field(examples=[1])
    mentee_consent: bool | None = Field(description="the mentee's written agreement with this pair")
    mentor_consent: bool | None = Field(description="the mentor's written agreement with this pair")
    mentee_institution: str | None = Field(description="the mentee's institution at the time of the run")
    mentor_institution: str | None = Field(description="the mentor's institution at the time of the run")
    sides: dict[str, Decision] = Field(
        description="each institution's own decision; a pair across institutions is approved by both",
        examples=[{"school-7": "approve"}],
    )
    updated_at: datetime = Field(examples=[_TIME])
    mentee: PersonSummary | None = Field(default=None, description="null once the person's data is erased")
    mentor: PersonSummary | None = Field(default=None, description="null once the person's data is erased")

    @field_validator("sides", mode="before")
    @classmethod
    def _no_sides(cls, value: dict[str, str] | None) -> dict[str, str]:
        return value or {}

    @field_validator("group_id", mode="before")
    @classmethod
    def _no_group(cls, value: str | None) -> str | None:
        return value or None


class ProposalsPage(BaseModel):
    items: list[ProposalPublic]
    total: int
    limit: int
    offset: int


class UnmatchedPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    mentee_id: str = Field(examples=["M-0200"])
    institution: str | None = Field(examples=["school-7"])
    reason: str = Field(examples=["capacity_exhausted"])
    candidates: list[str] = Field(examples=[["T-0042", "T-0017"]])
    explanation: str = Field(examples=["подходящие наставники заняты"])
    fix: str = Field(
        description="the smallest change found that would place the mentee",
        examples=["добавить одно место наставнику T-0042"],
    )
    fix_verified: bool = Field(default=False, description="re-solving with the fix did place the mentee")
    mentee: PersonSummary | None = Field(default=None, description="null once the person's data is erased")
    candidate_mentors: list[PersonSummary] = Field(
        default_factory=list,
        description="the candidates (the mentors in the way), as far as still in the bank",
    )


class UnmatchedPage(BaseModel):
    items: list[UnmatchedPublic]
    total: int
    limit: int
    offset: int


class AlternativePublic(BaseModel):
    """Another mentor who could take a proposal's mentee within the rules, as the run found it."""

    rank: int = Field(examples=[1])
    mentor_id: str = Field(examples=["T-0017"])
    mentor: PersonSummary | None
    score: float = Field(examples=[0.6811])
    free_places: int = Field(description="the mentor's places left in this run's proposal", examples=[1])


class SwapCreate(BaseModel):
    """Swap in an alternative: the proposal is rejected and its mentee pinned with ``mentor_id``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"mentor_id": "T-0017", "comment": "ближе по предмету", "version": 1}]
        },
    )

    mentor_id: str = Field(description="one of the proposal's alternatives")
    mentor_institution: str | None = Field(
        default=None,
        max_length=200,
        description="the alternative's institution, when alternatives of several institutions share the id",
    )
    comment: str = Field(default="", max_length=2000)
    version: int = Field(ge=1, description="the proposal's version you saw; a stale one gets 409")


class SwapPublic(BaseModel):
    rejected: ProposalPublic
    pinned: ProposalPublic


class DecisionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"decision": "reject", "comment": "разные смены", "version": 1}]},
    )

    decision: Decision
    comment: str = Field(default="", max_length=2000)
    version: int = Field(
        ge=1, le=DB_INT_MAX, description="the proposal's version you saw; a stale one gets 409"
    )


class ConsentCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"party": "mentee", "agree": True, "version": 2}]}
    )

    party: Party
    agree: bool
    version: int = Field(
        ge=1, le=DB_INT_MAX, description="the proposal's version you saw; a stale one gets 409"
    )


# Audit


class AuditPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime = Field(examples=[_TIME])
    user_id: int | None = Field(examples=[3])
    actor: str = Field(examples=["Совет школы 7"])
    role: str = Field(examples=["council"])
    action: str = Field(examples=["decision"])
    entity: str = Field(examples=["proposal"])
    entity_id: str = Field(examples=["501"])
    institution: str | None = Field(examples=["school-7"])
    detail: dict[str, Any] = Field(examples=[{"decision": "reject", "comment": "разные смены", "version": 2}])


class AuditPage(BaseModel):
    items: list[AuditPublic]
    total: int
    limit: int
    offset: int


# Programs


class ProgramCreate(BaseModel):
    """An approved pair both participants agreed to becomes a mentoring program."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"proposal_id": 501, "start": "2026-09-15", "months": 9}]},
    )

    proposal_id: Key
    start: date
    months: int = Field(ge=3, le=12, description="planned length: from 3 months to 1 year")
    form: str = Field(
        default="педагог – педагог", min_length=1, max_length=100, description="форма наставничества"
    )


class ProgramPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[7])
    proposal_id: int | None = Field(examples=[501])
    mentee_id: str = Field(examples=["M-0107"])
    mentor_id: str = Field(examples=["T-0042"])
    mentee_institution: str = Field(examples=["school-7"])
    mentor_institution: str = Field(examples=["school-3"])
    group_id: str = Field(examples=[""])
    format: MeetingFormat
    form: str = Field(examples=["педагог – педагог"])
    kind: str = Field(examples=["виртуальная (дистанционно)"])
    covered: list[str] = Field(examples=[["ict"]])
    year: str = Field(examples=["2026/27"], description="the school year the program started in")
    start: date
    planned_end: date
    ended_on: date | None
    status: Literal["active", "extended", "completed", "ended_early"]
    end_reason: str = Field(examples=[""])
    comment: str
    version: int
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_ru(self) -> str:
        """The status as the curator reads it («реализуется», «прекращена досрочно»)."""
        return STATUS_RU[ProgramStatus(self.status)]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def end_reason_ru(self) -> str:
        return END_REASON_RU[EndReason(self.end_reason)] if self.end_reason else ""


class ProgramsPage(BaseModel):
    items: list[ProgramPublic]
    total: int
    limit: int
    offset: int


class ProgramExtend(BaseModel):
    model_config = ConfigDict(extra="forbid")

    until: date = Field(description="the new planned end, later than the current one")
    comment: str = Field(default="", max_length=2000)
    version: Key


class ProgramComplete(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: date | None = Field(default=None, description="the day it ended (default: today)")
    comment: str = Field(default="", max_length=2000)
    version: Key


class ProgramEnd(ProgramComplete):
    reason: Literal["mentee_initiative", "mentor_initiative", "mutual", "curator"]


class MentorReplacement(BaseModel):
    """The mentee's petition to replace the mentor (004 §5.1): the program ends early and the
    mentee alone is matched again, never with the same mentor."""

    model_config = ConfigDict(extra="forbid")

    comment: str = Field(default="", max_length=2000)
    version: Key


class ReplacementAccepted(BaseModel):
    program: ProgramPublic
    run: RunAccepted
