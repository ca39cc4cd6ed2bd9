"""``run_batch``: read → validate → vectorise → score → solve → explain, one call.

The CLI and the API both call ``run_batch`` on validated banks; ``run_files`` adds reading
and writing at the edges for the batch command.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matcher.eligibility import Eligibility
from matcher.explaining import proposals_from, unmatched_from
from matcher.model import Decisions, MatchResult, MenteeBank, MentorBank, RunSummary
from matcher.options import Options
from matcher.scoring import PairTable, score_pairs
from matcher.solvers import Assignment, MatchingProblem, get_solver
from matcher.taxonomy import Taxonomy, load_taxonomy
from matcher.vectorising import Profiles, ProfileVectorizer
from matcher.writing import write_outputs

log = logging.getLogger(__name__)
Progress = Callable[[float], None]
SCORING_SHARE = 0.85
"""Share of the progress bar that scoring takes; solving and explaining take the rest."""
OBJECTIVE = (
    "lexicographic: first the number of mentees matched with a mentor who covers at least one "
    "of their difficulties, then the total fit of all proposed pairs"
)


class _Clock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - started, 4)


def build_problem(
    pairs: PairTable,
    mentees: MenteeBank,
    mentors: MentorBank,
    mentee_profiles: Profiles,
    mentor_profiles: Profiles,
    eligibility: Eligibility,
    options: Options,
) -> MatchingProblem:
    binary = mentor_profiles.topics.copy()
    binary.data[:] = 1.0
    covers = sparse.csr_matrix(
        mentee_profiles.topics[pairs.mentee_idx].multiply(binary[pairs.mentor_idx]), dtype=np.float32
    )
    return MatchingProblem(
        pairs=pairs,
        capacity=np.asarray([m.capacity for m in mentors.mentors], dtype=np.int64),
        max_group=np.asarray([m.max_group for m in mentors.mentors], dtype=np.int64),
        max_mentors=np.asarray([m.max_mentors for m in mentees.mentees], dtype=np.int64),
        covers=covers,
        pinned=eligibility.pinned.contains(
            pairs.mentee_idx.astype(np.int64), pairs.mentor_idx.astype(np.int64)
        ),
        score_scale=options.score_scale,
    )


def _fit_distribution(scores: npt.NDArray[np.float32]) -> dict[str, float]:
    if scores.size == 0:
        return {}
    values = scores.astype(np.float64)
    return {
        "min": round(float(values.min()), 4),
        "p10": round(float(np.percentile(values, 10)), 4),
        "median": round(float(np.median(values)), 4),
        "mean": round(float(values.mean()), 4),
        "max": round(float(values.max()), 4),
    }


def _summary(
    problem: MatchingProblem,
    assignment: Assignment,
    mentees: MenteeBank,
    mentors: MentorBank,
    mentee_profiles: Profiles,
    eligibility: Eligibility,
    unmatched_reasons: list[str],
    options: Options,
) -> RunSummary:
    pairs = problem.pairs
    chosen = np.zeros(len(pairs), dtype=bool)
    chosen[assignment.chosen] = True
    matched = np.bincount(pairs.mentee_idx[chosen], minlength=len(mentees))
    covered = problem.covered_by(chosen).sum()
    severity_total = float(mentee_profiles.topics.sum())
    scores = pairs.score[chosen]
    assigned_best = np.zeros(len(mentees), dtype=np.float32)
    np.maximum.at(assigned_best, pairs.mentee_idx[chosen], scores)
    pruned = pairs.cut_best >= 0
    return RunSummary(
        counts={
            "mentees": len(mentees),
            "mentors": len(mentors),
            "mentees_with_consent": int(eligibility.mentee_active.sum()),
            "mentors_available": int(eligibility.mentor_active.sum()),
            "allowed_pairs": int(pairs.allowed_per_mentee.sum()),
            "candidate_pairs": len(pairs),
            "proposals": int(chosen.sum()),
            "matched_mentees": int((matched > 0).sum()),
            "mentees_with_several_mentors": int((matched > 1).sum()),
            "unmatched_mentees": len(unmatched_reasons),
            **{f"unmatched_{r}": unmatched_reasons.count(r) for r in sorted(set(unmatched_reasons))},
        },
        objective={
            "description": OBJECTIVE,  # type: ignore[dict-item]
            "matched_mentees": int((matched > 0).sum()),
            "total_fit": round(assignment.objective, 4),
            "bound": None if assignment.bound is None else round(assignment.bound, 4),  # type: ignore[dict-item]
        },
        solver={
            "name": options.solver,
            "method": assignment.method,
            "status": assignment.status.value,
            "seconds": round(assignment.seconds, 4),
            "time_limit": options.time_limit,
            "candidates_per_mentee": options.candidates_per_mentee,
            "mentees_pruned": int(pruned.sum()),
            "mentees_whose_cut_candidate_beats_their_pair": int(
                (pruned & (pairs.cut_best > assigned_best)).sum()
            ),
        },
        quality={
            "share_matched": round(float((matched > 0).sum()) / max(len(mentees), 1), 4),
            "share_matched_of_consenting": round(
                float((matched > 0).sum()) / max(int(eligibility.mentee_active.sum()), 1), 4
            ),
            "severity_weighted_coverage": round(float(covered) / max(severity_total, 1e-9), 4),
            "fit": _fit_distribution(scores),
        },
        options=options.model_dump(mode="json"),
    )


def run_batch(
    mentees: MenteeBank,
    mentors: MentorBank,
    *,
    options: Options,
    taxonomy: Taxonomy,
    decisions: Decisions | None = None,
    progress: Progress | None = None,
) -> MatchResult:
    """Propose pairs for validated banks. Never writes anything; never logs names."""
    clock = _Clock()
    report = progress or (lambda _: None)
    decisions = decisions or Decisions()
    with clock.stage("vectorising"):
        vectorizer = ProfileVectorizer(taxonomy, text_components=options.text_components, seed=options.seed)
        vectorizer.fit(mentees, mentors)
        mentee_profiles = vectorizer.transform_mentees(mentees)
        mentor_profiles = vectorizer.transform_mentors(mentors)
        eligibility = Eligibility.build(mentees, mentors, decisions)
    with clock.stage("scoring"):
        pairs = score_pairs(
            mentee_profiles, mentor_profiles, eligibility, options, lambda f: report(f * SCORING_SHARE)
        )
    log.info(
        "scored %d candidate pairs for %d mentees and %d mentors", len(pairs), len(mentees), len(mentors)
    )
    with clock.stage("solving"):
        problem = build_problem(
            pairs, mentees, mentors, mentee_profiles, mentor_profiles, eligibility, options
        )
        assignment = get_solver(options.solver).solve(problem, time_limit=options.time_limit)
    log.info("solver %s: %s, %d proposals", options.solver, assignment.status.value, assignment.chosen.size)
    report(0.95)
    with clock.stage("explaining"):
        proposals = proposals_from(assignment.chosen, pairs, mentees, mentors, taxonomy)
        matched = np.zeros(len(mentees), dtype=bool)
        matched[pairs.mentee_idx[assignment.chosen]] = True
        unmatched = unmatched_from(matched, pairs, mentees, mentors)
    summary = _summary(
        problem,
        assignment,
        mentees,
        mentors,
        mentee_profiles,
        eligibility,
        [u.reason.value for u in unmatched],
        options,
    )
    summary.seconds.update(clock.seconds)
    report(1.0)
    return MatchResult(tuple(proposals), tuple(unmatched), summary)


def run_files(
    mentors_path: Path, mentees_path: Path, out: Path, *, options: Options, progress: Progress | None = None
) -> MatchResult:
    """The batch command: read and validate both banks, match, write the three files."""
    clock = _Clock()
    taxonomy = load_taxonomy(options.taxonomy_extension)
    from matcher.validation import load_banks

    with clock.stage("reading"):
        mentor_bank, mentee_bank = load_banks(mentors_path, mentees_path, taxonomy)
    result = run_batch(mentee_bank, mentor_bank, options=options, taxonomy=taxonomy, progress=progress)
    result.summary.seconds.update(clock.seconds)
    write_outputs(result, out)
    return result
