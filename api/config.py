"""The service's settings, read from the environment once, when the app or a command starts.

``DATABASE_URL`` is a SQLAlchemy URL; without it the service keeps a SQLite file
``mentor-match.db`` in the working directory. PostgreSQL URLs in the forms other tools print
(``postgres://…``, ``postgresql://…``) are rewritten to SQLAlchemy's psycopg 3 driver.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from matcher.heavy_years import DEFAULT_HEAVY_MENTEES, HeavyYears

DEFAULT_DATABASE_URL = "sqlite:///mentor-match.db"
PSYCOPG_SCHEME = "postgresql+psycopg://"


def normalise_database_url(url: str) -> str:
    """``postgres://`` and bare ``postgresql://`` mean psycopg 3; other URLs pass unchanged."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return PSYCOPG_SCHEME + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MENTOR_MATCH_", extra="ignore", frozen=True)

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("DATABASE_URL", "MENTOR_MATCH_DATABASE_URL", "database_url"),
        description="SQLAlchemy URL of the database",
    )
    run_workers: int = Field(default=2, ge=1, le=16, description="matching runs computed at once")
    answer_threads: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description=(
            "threads (SQLite) or connections (PostgreSQL) answering the busiest requests (pages, "
            "decisions) at once; by default 1 with SQLite, which answers them in the event loop "
            "and needs a thread only when another connection holds the database's lock or a "
            "statement runs long, and 4 with PostgreSQL, whose requests await their round trips "
            "in the event loop on that many connections"
        ),
    )
    embedded_worker: bool = Field(
        default=True,
        description="with PostgreSQL, also compute queued runs in this process (false: separate workers)",
    )
    worker_niceness: int = Field(
        default=10,
        ge=0,
        le=19,
        description=(
            "how much lower `mentor-match worker` processes ask the system to schedule themselves "
            "(os.nice) than the web processes: on shared cores the councils' requests come before a "
            "run's computing, which takes the cores they leave"
        ),
    )
    worker_stalled_seconds: float = Field(
        default=60.0, ge=1.0, description="a worker silent this long is gone: its runs are interrupted"
    )
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, description="largest imported file")
    max_json_bytes: int = Field(default=1024 * 1024, ge=1024, description="largest JSON request body")
    max_queued_runs: int = Field(
        default=5, ge=1, description="runs one institution (or the municipality) may have queued or running"
    )
    bad_tokens_per_minute: int = Field(
        default=20, ge=1, description="answers 401 to one client address in a minute before it gets 429"
    )
    web_processes: int = Field(
        default=1,
        ge=1,
        le=64,
        description="web processes serving one port (set by `serve --workers N`); each throttles its share",
    )
    heavy_years: int | None = Field(
        default=None,
        ge=1,
        le=10,
        description="consecutive heavy school years a mentor may carry before a year without new mentees "
        "(the yearly cycle; none: no limit)",
    )
    heavy_year_mentees: int = Field(
        default=DEFAULT_HEAVY_MENTEES,
        ge=1,
        le=100,
        description="mentees in programs that make a school year heavy",
    )
    taxonomy_extension: Path | None = Field(
        default=None, description="CSV extending the packaged taxonomy (same columns)"
    )

    @field_validator("database_url")
    @classmethod
    def _psycopg(cls, url: str) -> str:
        return normalise_database_url(url)

    @property
    def answering_threads(self) -> int:
        """``answer_threads``, else by database: on two cores, four threads made a page of 50
        mentors cost 6.2 ms of CPU with SQLite against 2.7 ms for one (they only take turns with
        the interpreter lock), while with PostgreSQL, when its requests were answered in threads,
        one or two left 200 requests a second waiting on round trips (p99 3 s and 0.57 s; four:
        0.16 s); the same four connections serve the event loop now."""
        if self.answer_threads is not None:
            return self.answer_threads
        return 1 if self.database_url.startswith("sqlite") else 4


def heavy_years_rule(years: int | None, mentees: int | None, settings: Settings) -> HeavyYears | None:
    """The limit on consecutive heavy years: what the call says, else the service's settings."""
    limit = years if years is not None else settings.heavy_years
    if limit is None:
        return None
    return HeavyYears(years=limit, mentees=mentees if mentees is not None else settings.heavy_year_mentees)
