"""Matching runs as background jobs: a thread pool calls ``run_batch`` and records the outcome.

A run goes ``queued`` → ``running`` → ``done`` or ``failed``. Progress is written to the run's
row as the library reports it; the proposals, the unmatched mentees and the status ``done`` are
written in one transaction at the end, so they appear all at once or not at all. When the
service starts, runs that an earlier process left queued or running are marked failed with a
reason, and can be started again.
"""

from __future__ import annotations

import gc
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from api.banks import banks_for_run
from api.changes import Sides, carried_over, changes_against, decisions_from, keyed
from api.errors import Unacceptable
from api.person_keys import RunKeys, qualified
from api.schemas import DB_INT_MAX
from api.storage import program_records, run_records
from api.storage.db import computing
from api.storage.tables import RunRow
from matcher.errors import MentorMatchError
from matcher.model import MatchResult
from matcher.options import Options, options_from_mapping
from matcher.pipeline import run_batch
from matcher.programs import never_again, only, with_programs
from matcher.solvers import get_solver
from matcher.taxonomy import Taxonomy

log = logging.getLogger(__name__)
PROGRESS_STEP = 0.02
"""Smallest progress change written to the database."""
INTERRUPTED = "Запуск прерван остановкой сервиса; его можно запустить снова"
EMPTY_BANK = "В банке нет {what} для этого запуска: сначала загрузите банк"
INTERNAL = "Запуск не удался из-за внутренней ошибки ({kind}); его можно запустить снова"


SERVER_ONLY_OPTIONS = frozenset({"taxonomy_extension"})
"""Options naming files on the server: set in the service's settings, never by a request."""
MAX_TIME_LIMIT = 600.0
"""Seconds a request may give the solver: a run holds one of the service's few workers."""


def _numbers(value: Any) -> list[float]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [value]
    return []


def run_options(overrides: dict[str, Any]) -> Options:
    """The library's options with a run's overrides; ``ConfigurationError`` for unknown keys,
    values out of range or an unknown solver."""
    refused = sorted(SERVER_ONLY_OPTIONS & overrides.keys())
    if refused:
        raise Unacceptable(
            f"Параметры {', '.join(refused)} задаются только в настройках сервиса", column="options"
        )
    if any(not abs(n) <= DB_INT_MAX for n in _numbers(overrides)):
        raise Unacceptable(f"Числа в параметрах подбора не могут превышать {DB_INT_MAX}", column="options")
    options = options_from_mapping(overrides)
    if options.time_limit > MAX_TIME_LIMIT:
        raise Unacceptable(
            f"Время решения (time_limit) не может превышать {MAX_TIME_LIMIT:g} с", column="options.time_limit"
        )
    get_solver(options.solver)
    return options


class _Progress:
    """Writes a run's progress from the worker thread, skipping changes too small to see."""

    def __init__(self, sessions: sessionmaker[Session], run_id: int) -> None:
        self._sessions = sessions
        self._run_id = run_id
        self._written = 0.0

    def __call__(self, fraction: float) -> None:
        if fraction - self._written < PROGRESS_STEP:
            return
        self._written = fraction
        with self._sessions() as session:
            run_records.set_progress(session, self._run_id, round(min(fraction, 0.99), 4))


class RunDispatcher(Protocol):
    """Where started runs go: the embedded thread pool (``Jobs``) or the PostgreSQL queue."""

    def recover(self) -> list[int]: ...

    def submit(self, run_id: int) -> None: ...

    def shutdown(self) -> None: ...


def settle_heap() -> None:
    """Take what this process holds now (the app, the scientific stack a run imports, the
    taxonomy) out of the cyclic garbage collector's full passes, after one last collection: a
    full pass over the 300,000 objects of a web process that has computed a run took about
    100 ms, every few seconds under load, and set the council's p99. Objects freed by reference
    counting, nearly all of a request's, are freed as before."""
    gc.collect()
    gc.freeze()


class Jobs:
    """The embedded pool: runs computed in threads of this process (SQLite, and the worker's)."""

    def __init__(self, sessions: sessionmaker[Session], taxonomy: Taxonomy, workers: int) -> None:
        self._sessions = sessions
        self._taxonomy = taxonomy
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mentor-match-run")

    def recover(self) -> list[int]:
        """Mark runs left queued or running by a stopped process as failed; their ids."""
        with self._sessions() as session:
            ids = run_records.fail_interrupted_runs(session, INTERRUPTED)
        if ids:
            log.warning("marked %d interrupted run(s) as failed: %s", len(ids), ids)
        return ids

    def submit(self, run_id: int) -> None:
        self._executor.submit(self.execute, run_id)

    def shutdown(self) -> None:
        """Finish the runs being computed; queued ones stay queued and fail at the next start."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def execute(self, run_id: int) -> None:
        """Claim a queued run and compute it (in the embedded pool, or in a worker process)."""
        with self._sessions() as session, computing(session.get_bind().engine, run_id):
            run = run_records.claim_run(session, run_id)
            if run is not None:
                self._compute(session, run)
        settle_heap()

    def _compute(self, session: Session, run: RunRow) -> None:
        log.info("run %d started (scope %s)", run.id, run.scope)
        keys = RunKeys(run.institution)

        def key(institution: str | None, person_id: str) -> str:
            return person_id if institution is None else keys.key(institution, person_id)

        try:
            reserved = {keys.of(mentor): places for mentor, places in (run.reserved or {}).items()}
            mentees, mentors = with_programs(
                *banks_for_run(session, institution=run.institution),
                program_records.running(session, keys),
                reserved,
            )
            mentees = only(mentees, None if run.mentees is None else [keys.of(m) for m in run.mentees])
            if not len(mentees) or not len(mentors):
                what = "наставляемых" if not len(mentees) else "наставников"
                run_records.fail_run(session, run.id, EMPTY_BANK.format(what=what))
                log.info("run %d failed: empty bank", run.id)
                return
            base = keyed(run_records.proposals_of(session, run.based_on) if run.based_on else [], key)
            earlier = keyed(
                (
                    p
                    for r in run_records.ancestors(session, run.id)[1:]
                    for p in run_records.proposals_of(session, r)
                ),
                key,
            )
            decisions = never_again(
                decisions_from(base, earlier), program_records.ended_early_pairs(session, keys)
            )
            session.commit()  # no transaction stays open while the solver works
            result = run_batch(
                mentees,
                mentors,
                options=run_options(run.options),
                taxonomy=self._taxonomy,
                decisions=decisions,
                progress=_Progress(self._sessions, run.id),
            )
        except MentorMatchError as error:
            run_records.fail_run(session, run.id, f"Подбор невозможен: {error}")
            log.info("run %d failed: %s", run.id, type(error).__name__)
            return
        except Exception as error:  # the job's edge: whatever broke, the run must not stay "running"
            run_records.fail_run(session, run.id, INTERNAL.format(kind=type(error).__name__))
            log.error("run %d failed: %s", run.id, type(error).__name__)
            return
        sides = Sides(
            mentees={m.id: m.institution for m in mentees.mentees},
            mentors={m.id: m.institution for m in mentors.mentors},
        )
        changes = None
        if run.based_on is not None:
            changes = changes_against(
                run.based_on, base, result.proposals, sides=sides, plain=lambda k: keys.person(k)[1]
            )
        run_records.finish_run(
            session, run.id, **_records(result, carried_over(base), sides, keys), changes=changes
        )
        log.info(
            "run %d done: %d proposals, %d unmatched", run.id, len(result.proposals), len(result.unmatched)
        )


def _records(
    result: MatchResult, carried: dict[tuple[str, str], dict[str, Any]], sides: Sides, keys: RunKeys
) -> dict[str, Any]:
    """The run's results as rows: each person by own id and institution, a candidate mentor by
    qualified id; the explanations keep the run's keys (``council_view.named`` reads them)."""

    def own(key: str) -> str:
        return keys.person(key)[1]

    proposals = [
        {
            **carried.get((p.mentee_id, p.mentor_id), {}),
            "mentee_id": own(p.mentee_id),
            "mentor_id": own(p.mentor_id),
            "mentee_institution": sides.mentees[p.mentee_id],
            "mentor_institution": sides.mentors[p.mentor_id],
            "group_id": p.group_id,
            "format": p.format.value,
            "score": float(p.score),
            "covered": list(p.covered),
            "explanation": p.explanation,
            "breakdown": {key: float(value) for key, value in p.breakdown.items()},
            "robustness": p.robustness,
        }
        for p in result.proposals
    ]
    unmatched = [
        {
            "mentee_id": own(u.mentee_id),
            "institution": sides.mentees[u.mentee_id],
            "reason": u.reason.value,
            "candidates": [qualified(*keys.person(c)) for c in u.candidates],
            "explanation": u.explanation,
            "fix": u.fix,
            "fix_verified": u.fix_verified,
        }
        for u in result.unmatched
    ]
    alternatives = [
        {
            **asdict(a),
            "mentee_id": own(a.mentee_id),
            "mentor_id": own(a.mentor_id),
            "alternative_mentor_id": own(a.alternative_mentor_id),
            "mentee_institution": sides.mentees[a.mentee_id],
            "mentor_institution": sides.mentors[a.mentor_id],
            "alternative_mentor_institution": sides.mentors[a.alternative_mentor_id],
        }
        for a in result.alternatives
    ]
    return {
        "proposals": proposals,
        "unmatched": unmatched,
        "alternatives": alternatives,
        "summary": asdict(result.summary),
    }
