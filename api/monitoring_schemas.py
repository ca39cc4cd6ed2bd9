"""What the monitoring endpoints accept and return (``api.routes.monitoring``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.monitoring import INDICATORS, SATISFIED, YOUNG_YEARS, Indicators, Satisfaction, Share, Targets
from matcher.programs import ProgramTransitionError, year_bounds

Scale = Annotated[int, Field(ge=1, le=10)]
Percent = Annotated[float, Field(ge=0, le=100)]


def school_year(year: str) -> str:
    try:
        year_bounds(year)
    except ProgramTransitionError as error:
        raise ValueError(error.message_ru) from None
    return year


class QuestionnaireCreate(BaseModel):
    """One party's end-of-program questionnaire (the form «Анкета наставляемого/наставника»):
    question 1 is ``satisfaction``, question 2 the difficulties (taxonomy codes or labels) by
    outcome, the other scale questions ``scales``, the open questions ``answers``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "party": "mentee",
                    "satisfaction": 8,
                    "scales": {"motivation": 9, "adaptation": 7},
                    "overcome": ["ict"],
                    "partly": ["assessment"],
                    "future": "unsure",
                    "answers": {"most_useful": "открытые уроки наставника"},
                }
            ]
        },
    )

    party: Literal["mentee", "mentor"]
    satisfaction: Scale = Field(description="question 1: satisfaction with taking part, 1–10")
    scales: dict[str, Scale] = Field(
        default_factory=dict,
        max_length=4,
        description="mentee: motivation, innovation, adaptation, interaction; "
        "mentor: plan, growth, interaction",
    )
    overcome: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=20)
    partly: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=20)
    not_overcome: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=20)
    future: Literal["yes", "no", "unsure"] | None = Field(
        default=None, description="mentee: would become a mentor; mentor: would go on mentoring"
    )
    answers: dict[str, Annotated[str, Field(max_length=10000)]] = Field(
        default_factory=dict,
        max_length=3,
        description="mentee: most_useful, unmet, suggestions; mentor: troubles, support, suggestions",
    )


class QuestionnairePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    program_id: int
    party: Literal["mentee", "mentor"]
    institution: str
    satisfaction: int
    scales: dict[str, int]
    overcome: list[str]
    partly: list[str]
    not_overcome: list[str]
    future: str
    answers: dict[str, str]
    source: str
    updated_at: datetime


class QuestionnairesImported(BaseModel):
    file: str
    rows: int
    created: list[int] = Field(description="programs whose questionnaire was recorded for the first time")
    updated: list[int] = Field(description="programs whose earlier questionnaire was replaced")
    left_aside: list[str] = Field(default_factory=list)


class TargetsPublic(BaseModel):
    """A school year's targets in percent (null: none set)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "young_specialists": 70,
                    "mentee_satisfaction": 85,
                    "mentor_satisfaction": 85,
                    "completed": 90,
                }
            ]
        },
    )

    young_specialists: Percent | None = None
    mentee_satisfaction: Percent | None = None
    mentor_satisfaction: Percent | None = None
    completed: Percent | None = None

    @classmethod
    def of(cls, targets: Targets) -> TargetsPublic:
        return cls(**{name: targets.of(name) for name in INDICATORS})

    def targets(self) -> Targets:
        return Targets(
            self.young_specialists, self.mentee_satisfaction, self.mentor_satisfaction, self.completed
        )


class YearTargetsPublic(BaseModel):
    year: str
    targets: TargetsPublic


class SharePublic(BaseModel):
    part: int
    whole: int
    percent: float | None = Field(description="part of whole, %; null when whole is 0")
    target: float | None
    met: bool | None = Field(description="percent reaches the target; null without a target or data")

    @classmethod
    def of(cls, share: Share) -> SharePublic:
        return cls(
            part=share.part, whole=share.whole, percent=share.percent, target=share.target, met=share.met
        )


class SatisfactionPublic(BaseModel):
    questionnaires: int
    mean: float | None = Field(description="mean of question 1 (1–10)")
    satisfied: SharePublic = Field(description=f"questionnaires answering at least {SATISFIED}")
    histogram: list[int] = Field(description="how many answered 1, 2, …, 10")

    @classmethod
    def of(cls, satisfaction: Satisfaction) -> SatisfactionPublic:
        return cls(
            questionnaires=satisfaction.count,
            mean=satisfaction.mean,
            satisfied=SharePublic.of(satisfaction.satisfied),
            histogram=satisfaction.histogram(),
        )


class IndicatorsPublic(BaseModel):
    institution: str | None = Field(description="the institution's code; null for the municipality")
    name: str = Field(description="the institution's full name")
    young_specialists: SharePublic = Field(
        description=f"young specialists (category «молодой специалист» or under {YOUNG_YEARS} years) "
        "among the institution's mentees with a program running in the year"
    )
    mentee_satisfaction: SatisfactionPublic
    mentor_satisfaction: SatisfactionPublic
    completed: SharePublic = Field(
        description="programs ended in the year that were completed, not ended early"
    )
    ended_early: int
    running: int = Field(description="programs active or extended at some time in the year")
    difficulties_overcome: SharePublic = Field(description="difficulties the mentees marked as overcome")
    difficulties_partly_overcome: SharePublic

    @classmethod
    def of(cls, item: Indicators, name: str) -> IndicatorsPublic:
        return cls(
            institution=item.code,
            name=name,
            young_specialists=SharePublic.of(item.young_specialists),
            mentee_satisfaction=SatisfactionPublic.of(item.mentee_satisfaction),
            mentor_satisfaction=SatisfactionPublic.of(item.mentor_satisfaction),
            completed=SharePublic.of(item.completed),
            ended_early=item.ended_early,
            running=item.running,
            difficulties_overcome=SharePublic.of(item.overcome),
            difficulties_partly_overcome=SharePublic.of(item.partly_overcome),
        )


class MonitoringPublic(BaseModel):
    """The indicators of 003 §7.7 that concern teachers, for one school year."""

    year: str = Field(examples=["2026/27"])
    targets: TargetsPublic
    satisfied_from: int = Field(
        default=SATISFIED, description="a satisfaction answer this high counts as satisfied"
    )
    institutions: list[IndicatorsPublic]
    municipality: IndicatorsPublic | None = Field(
        description="every institution together; only for the municipal role without an institution filter"
    )
