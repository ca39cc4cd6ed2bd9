"""One documented, overridable configuration for scoring and solving.

A run's options come from defaults, then an optional JSON/TOML file (``--config``), then
command-line overrides (``--weight coverage=0.6``). Unknown keys are errors, never ignored.

The fit score of a pair is the weighted mean of its components, each in [0, 1]:

* ``coverage`` — how much of the mentee's difficulties the mentor's competences cover,
  each difficulty weighted by its severity and credited by the mentor's level / 3 (dominant);
* ``subject`` — share of the mentee's subjects the mentor also teaches;
* ``level`` — share of the mentee's education levels the mentor also works at;
* ``text`` — similarity of the mentee's request and the mentor's «Опыт и достижения»
  (TF-IDF of character n-grams, which copes with Russian endings, reduced by SVD);
* ``experience`` — the mentor's lead in years of experience, 10 years or more giving 1; a
  reverse pair (younger mentor, level 3 in a covered difficulty) also gives 1;
* ``institution`` — 1 when both work in the same institution;
* ``preference`` — 1 when the mentee named this mentor in ``preferred_mentors``.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from matcher.errors import ConfigurationError


class ScoringWeights(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    coverage: float = Field(default=0.50, ge=0)
    subject: float = Field(default=0.10, ge=0)
    level: float = Field(default=0.05, ge=0)
    text: float = Field(default=0.08, ge=0)
    experience: float = Field(default=0.07, ge=0)
    institution: float = Field(default=0.05, ge=0)
    preference: float = Field(default=0.15, ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> ScoringWeights:
        if self.total() <= 0:
            raise ValueError("at least one weight must be positive")
        return self

    def total(self) -> float:
        return float(sum(self.model_dump().values()))

    def as_dict(self) -> dict[str, float]:
        return {name: float(value) for name, value in self.model_dump().items()}


COMPONENTS: tuple[str, ...] = tuple(ScoringWeights.model_fields)


class Options(BaseModel):
    """Everything a run can be told; printed into ``summary.json`` as it was used."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: ScoringWeights = ScoringWeights()
    solver: str = Field(
        default="auto",
        description="auto (the group-slot MIP where groups or several mentors need it, min-cost flow "
        "otherwise), flow, mip, or cpsat",
    )
    fairness: Literal["total", "maxmin"] = Field(
        default="total",
        description="total: most matched, then largest total fit; maxmin: most matched, then the "
        "worst proposed fit raised as far as possible, then the total",
    )
    time_limit: float = Field(default=30.0, gt=0, description="seconds for the solver")
    candidates_per_mentee: int = Field(
        default=60, ge=1, description="top-k candidate mentors kept per mentee after scoring"
    )
    certify_pruning: bool = Field(
        default=True,
        description="prove with the LP dual that keeping the top k lost nothing; widen k when not",
    )
    score_scale: int = Field(default=10_000, ge=100, description="fit × scale = integer solver cost")
    chunk_size: int = Field(default=512, ge=1, description="mentees scored per block")
    text_components: int = Field(default=48, ge=2, description="SVD dimensions of request/about text")
    stability_tolerance: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="share of total fit a re-run may give up to keep the base run's proposals",
    )
    robustness: bool = Field(
        default=True, description="re-solve under ±20 % weight perturbations and mark each pair"
    )
    diagnosis_resolves: int = Field(
        default=300, ge=0, description="at most this many re-solves to verify fixes for unmatched mentees"
    )
    seed: int = 0
    taxonomy_extension: Path | None = None
    progress: bool = False

    @field_validator("solver")
    @classmethod
    def _known_solver(cls, name: str) -> str:
        from matcher.solvers import SOLVERS  # the registry is the one list of solvers

        if name not in SOLVERS:
            raise ValueError(f"unknown solver {name!r}; known: {', '.join(sorted(SOLVERS))}")
        return name

    def with_overrides(self, overrides: dict[str, Any]) -> Options:
        data = self.model_dump()
        for key, value in overrides.items():
            if key == "weights":
                if not isinstance(value, dict):
                    raise ConfigurationError(
                        f"weights must be a mapping of component to weight, not {value!r}"
                    )
                data["weights"] = {**data["weights"], **value}
            else:
                data[key] = value
        return options_from_mapping(data)


def options_from_mapping(data: dict[str, Any]) -> Options:
    try:
        return Options.model_validate(data)
    except ValidationError as exc:
        raise ConfigurationError(f"invalid options: {exc}") from None


def load_options(path: Path | None = None, overrides: dict[str, Any] | None = None) -> Options:
    """Defaults, then the JSON/TOML file at ``path``, then ``overrides``."""
    options = Options()
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"{path}: не удалось прочитать настройки ({exc})") from None
        options = options.with_overrides(data)
    return options.with_overrides(overrides or {})
