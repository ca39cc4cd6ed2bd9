"""``run_batch``: vectorise → score → solve → review → explain, one call on validated banks.

The CLI and the API both call ``run_batch``; ``run_files`` adds reading and writing at the
edges for the batch command. Review is what a council needs beyond the pairs: alternatives,
the diagnosis of the unmatched, blocking pairs, and how robust each pair is to the weights. Its
re-solves use the run's own solver and objective, so they speak of the model that was solved.
The group-free answer (min-cost flow under the same objective) is solved beside the chosen one
for ``summary.json``: what the groups and extra mentors cost or gained.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matcher.alternatives import alternatives_for
from matcher.certificate import PruningCertificate, PruningLP
from matcher.decisions import load_decisions
from matcher.diagnosis import Context, diagnose
from matcher.eligibility import Eligibility
from matcher.explaining import ProposalDrafts, Standing, group_labels, unmatched_from
from matcher.identity import one_spelling, respelled_ru, under_two_ids_ru
from matcher.institutions import InstitutionRegistry, read_institutions
from matcher.model import Alternative, Decisions, MatchResult, MenteeBank, MentorBank, Unmatched
from matcher.options import Options
from matcher.output_folder import check_replaceable
from matcher.robustness import Keeps, start_robustness
from matcher.scoring import PairTable, add_improving_pairs, score_pairs
from matcher.side_process import IN_THIS_PROCESS
from matcher.solvers import Assignment, MatchingProblem, get_solver
from matcher.solvers.auto import needs_whole_model
from matcher.solvers.continuity import solve_keeping_previous
from matcher.solvers.fairness import solve_maxmin
from matcher.solvers.mip import start_kept_under_rescoring
from matcher.summary import summarise
from matcher.supply_demand import Placed, balance
from matcher.taxonomy import Taxonomy, load_taxonomy
from matcher.validation import load_banks
from matcher.vectorising import Profiles, ProfileVectorizer
from matcher.workbook import CouncilMarks, People
from matcher.writing import write_outputs

if TYPE_CHECKING:
    from matcher.documents.templates import TemplateSet
    from matcher.side_process import PendingCertificate, Side

log = logging.getLogger(__name__)
WHOLE_MODEL_RESOLVES = 8
PARALLEL_RESOLVES_MIN_PAIRS = 50_000
"""Below this many candidate pairs the 14 flow re-solves take less than starting processes."""
MAX_RESOLVING_PROCESSES = 2
Progress = Callable[[float], None]
SCORING_SHARE = 0.7
MAX_WIDENING = 8
"""When many mentees are unclear, k is doubled, up to this many times the configured k."""
PAIR_BY_PAIR_MENTEES = 2_000
"""Up to this many unclear mentees are checked pair by pair instead."""
WRITE_WHILE_RESOLVING_MAX_PAIRS = 500_000
"""Up to this many candidate pairs (a municipality) the run explains and writes while the
robustness re-solves run in forked processes; above it (a region) it waits for them first: the
pages the writing process then changes are copied away from the processes that share them, and
at the region that cost 3–11 CPU s more for no gain in wall time (65.6 and 60.3 against 63.4 s),
while the municipality's command took 13 % less wall time."""
CERTIFYING_ROUNDS = 6
CERTIFY_MAX_PAIRS = 500_000
"""Above this many kept pairs (a region) the LP takes minutes: the proof is not attempted."""
"""Share of the progress bar that scoring takes; solving and review take the rest."""


@contextmanager
def _collected_once() -> Iterator[None]:
    """Run a stage without the cyclic garbage collector, then collect once and leave what
    survived out of the collector's later passes.

    A stage builds hundreds of thousands of objects that live on (the banks, the pairs, the
    explanations, the workbook's cells), and the collector's passes over them, ever longer as
    they grow, took an eighth of a region's run (64.8 s with it, 56.8 s without). Frozen, the
    banks are not scanned again while the pairs are written; what a stage leaves in cycles is
    collected at its end, so memory stays as it was (the region's peak: 1.37 GB either way).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.collect()
            gc.freeze()
            gc.enable()


class _Clock:
    """The seconds of each stage (summed if a stage is entered again), each run under
    ``_collected_once``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        with _collected_once():
            yield
        self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - started, 4)


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


def solve_function(options: Options) -> Callable[[MatchingProblem], Assignment]:
    """The configured solver and objective, as one call."""
    solver = get_solver(options.solver)
    if options.fairness == "maxmin":
        return lambda problem: solve_maxmin(problem, solver, time_limit=options.time_limit)
    return lambda problem: solver.solve(problem, time_limit=options.time_limit)


def mentor_load(problem: MatchingProblem, assignment: Assignment) -> npt.NDArray[np.int64]:
    """Each mentor's load as contract rule 3 counts it: individual mentees plus groups, once each."""
    mentor = problem.pairs.mentor_idx[assignment.chosen].astype(np.int64)
    groups = assignment.groups()
    load = np.bincount(mentor[groups < 0], minlength=problem.n_mentors)
    if (groups >= 0).any():
        leader = np.zeros(int(groups.max()) + 1, dtype=np.int64)
        leader[groups[groups >= 0]] = mentor[groups >= 0]
        load += np.bincount(leader, minlength=problem.n_mentors)
    return load.astype(np.int64)


def _keeps(problem: MatchingProblem, options: Options, assignment: Assignment | None = None) -> Keeps | None:
    """The group-slot MIP's own LP judges perturbations when it is the run's solver (objective
    ``total``), starting from the LP optima of ``assignment``'s solve; any other run re-solves
    with its solver."""
    if options.fairness == "total" and (
        options.solver == "mip" or (options.solver == "auto" and needs_whole_model(problem))
    ):
        relaxations = () if assignment is None else assignment.relaxations
        return functools.partial(start_kept_under_rescoring, relaxations=relaxations)
    return None


def _solved_by_flow(problem: MatchingProblem, options: Options) -> bool:
    """Whether the run's solver is min-cost flow on this problem (``auto`` without groups or
    extra mentors): then the group-free answer is the run's own."""
    return options.solver == "flow" or (options.solver == "auto" and not needs_whole_model(problem))


def _group_free(
    problem: MatchingProblem, options: Options, assignment: Assignment, previous: npt.NDArray[np.bool_]
) -> Assignment:
    """The best group-free answer under the run's objective: the run's own when it was solved by
    flow, the flow answer the whole model started from when the objective is the total fit and
    no earlier run's pairs were favoured (either changes the problem it was solved on), else
    solved by flow here."""
    if not previous.any():
        if _solved_by_flow(problem, options):
            return assignment
        if options.fairness == "total" and assignment.group_free is not None:
            return assignment.group_free
    return solve_function(options.model_copy(update={"solver": "flow"}))(problem)


def _resolving_processes(problem: MatchingProblem, options: Options) -> int:
    """Processes for the robustness re-solves: min-cost flow holds the interpreter lock, so on a
    large problem its re-solves are shared among forked processes, one per core."""
    if not _solved_by_flow(problem, options) or len(problem.pairs) < PARALLEL_RESOLVES_MIN_PAIRS:
        return 1
    if not hasattr(os, "sched_getaffinity"):
        return 1  # sched_getaffinity and fork: Linux
    return max(1, min(len(os.sched_getaffinity(0)), MAX_RESOLVING_PROCESSES))


def _diagnose_all(ctx: Context, unmatched: list[Unmatched], options: Options) -> list[Unmatched]:
    """Each unmatched mentee diagnosed; fixes verified by the proposal plus one pair where the
    mentor has room, else by re-solving within ``diagnosis_resolves`` (``WHOLE_MODEL_RESOLVES``
    when the run's solver is the group-slot MIP, whose re-solves take about a second each)."""
    position = {m.id: i for i, m in enumerate(ctx.mentees.mentees)}
    budget = options.diagnosis_resolves
    if _keeps(ctx.problem, options) is not None:
        budget = min(budget, WHOLE_MODEL_RESOLVES)
    out = []
    for item in unmatched:
        out.append(diagnose(ctx, item, position[item.mentee_id], verify=budget > 0))
        budget -= 2
    return out


def prepare(
    mentees: MenteeBank,
    mentors: MentorBank,
    options: Options,
    taxonomy: Taxonomy,
    decisions: Decisions,
    side: Side = IN_THIS_PROCESS,
) -> tuple[Profiles, Profiles, Eligibility]:
    """Both banks vectorised over shared vocabularies, and the hard rules as arrays (built while
    the text model fits, if it fits in ``side``'s process)."""
    vectorizer = ProfileVectorizer(
        taxonomy, text_components=options.text_components, seed=options.seed, text_model=side.text_model
    )
    vectorizer.fit(mentees, mentors)
    eligibility = Eligibility.build(mentees, mentors, decisions)
    return vectorizer.transform_mentees(mentees), vectorizer.transform_mentors(mentors), eligibility


def problem_of(
    mentees: MenteeBank, mentors: MentorBank, *, options: Options, taxonomy: Taxonomy, unpruned: bool = False
) -> MatchingProblem:
    """The banks' candidate pairs as a solver's problem (for benchmarks and reference solvers);
    ``unpruned`` keeps every allowed pair instead of each mentee's top k."""
    mentee_profiles, mentor_profiles, eligibility = prepare(mentees, mentors, options, taxonomy, Decisions())
    if unpruned:
        options = options.model_copy(update={"candidates_per_mentee": max(len(mentors), 1)})
    pairs = score_pairs(mentee_profiles, mentor_profiles, eligibility, options)
    return build_problem(pairs, mentees, mentors, mentee_profiles, mentor_profiles, eligibility, options)


def _candidates(
    mentees: MenteeBank,
    mentors: MentorBank,
    profiles: tuple[Profiles, Profiles],
    eligibility: Eligibility,
    options: Options,
    report: Progress,
    side: Side,
) -> tuple[PairTable, MatchingProblem, PendingCertificate | None]:
    """Each mentee's top k pairs and the problem on them, with the LP that proves the pruning
    lossless started on ``side`` (unless it is not asked for, or too large)."""
    pairs = score_pairs(*profiles, eligibility, options, lambda f: report(f * SCORING_SHARE))
    problem = build_problem(pairs, mentees, mentors, *profiles, eligibility, options)
    if not options.certify_pruning or len(pairs) > CERTIFY_MAX_PAIRS:
        return pairs, problem, None
    return pairs, problem, side.certificate(PruningLP.of(problem))


def _proved(
    candidates: tuple[PairTable, MatchingProblem, PendingCertificate | None],
    mentees: MenteeBank,
    mentors: MentorBank,
    profiles: tuple[Profiles, Profiles],
    eligibility: Eligibility,
    options: Options,
    side: Side,
) -> tuple[PairTable, MatchingProblem, PruningCertificate | None, int]:
    """The kept pairs, once the LP dual proves that pruning lost nothing (and k).

    Mentees the dual does not clear at a glance are checked pair by pair, and the pairs that
    beat the dual are added (column generation); when too many are unclear, k is doubled.
    """
    pairs, problem, pending = candidates
    k = options.candidates_per_mentee
    if pending is None:
        return pairs, problem, None, k
    certificate = pending()
    for _ in range(CERTIFYING_ROUNDS):
        if certificate.proved:
            break
        unclear = np.flatnonzero(certificate.unproved)
        if unclear.size > PAIR_BY_PAIR_MENTEES and k < MAX_WIDENING * options.candidates_per_mentee:
            k *= 2
            widened = options.model_copy(update={"candidates_per_mentee": k})
            pairs = score_pairs(*profiles, eligibility, widened)
        else:
            pairs, added = add_improving_pairs(
                pairs, *profiles, eligibility, options, unclear, certificate.improving
            )
            if added == 0:
                certificate = certificate.settled(unclear)
                break
        problem = build_problem(pairs, mentees, mentors, *profiles, eligibility, options)
        certificate = side.certificate(PruningLP.of(problem))()
    return pairs, problem, certificate, k


@dataclass(frozen=True, slots=True)
class _Solution:
    problem: MatchingProblem
    assignment: Assignment
    group_free: Assignment
    previous: npt.NDArray[np.bool_]
    """Per candidate pair: proposed by the earlier run the council continues."""


def _solution(
    problem: MatchingProblem,
    eligibility: Eligibility,
    options: Options,
    solve: Callable[[MatchingProblem], Assignment],
) -> _Solution:
    pairs = problem.pairs
    previous = eligibility.previous.contains(
        pairs.mentee_idx.astype(np.int64), pairs.mentor_idx.astype(np.int64)
    )
    assignment = solve_keeping_previous(problem, solve, previous, options.stability_tolerance)
    return _Solution(problem, assignment, _group_free(problem, options, assignment, previous), previous)


def _explain(
    ctx: Context, assignment: Assignment, load: npt.NDArray[np.int64], options: Options
) -> tuple[ProposalDrafts, list[Unmatched], list[Alternative]]:
    """Proposals with their explanations (but robustness), the diagnosed unmatched, and the
    alternatives."""
    problem, chosen = ctx.problem, assignment.chosen
    groups = group_labels(problem, assignment, ctx.mentors, ctx.taxonomy)
    standing = Standing(problem.pinned, load)
    drafts = ProposalDrafts.of(
        chosen, problem.pairs, ctx.mentees, ctx.mentors, ctx.taxonomy, groups, standing
    )
    matched = np.zeros(len(ctx.mentees), dtype=bool)
    matched[problem.pairs.mentee_idx[chosen]] = True
    unmatched = _diagnose_all(ctx, unmatched_from(matched, problem.pairs, ctx.mentees, ctx.mentors), options)
    return drafts, unmatched, alternatives_for(problem, chosen, load, ctx.mentees, ctx.mentors)


@dataclass(frozen=True, slots=True)
class Unsettled:
    """A run's result before its robustness labels: ``result`` has every proposal without its
    label, ``settle`` waits for the re-solves (``matcher.robustness``, in forked processes on a
    large problem) and returns the result with them, the same each time it is called."""

    result: MatchResult
    settle: Callable[[], MatchResult]


def run_batch(
    mentees: MenteeBank,
    mentors: MentorBank,
    *,
    options: Options,
    taxonomy: Taxonomy,
    decisions: Decisions | None = None,
    progress: Progress | None = None,
    side: Side = IN_THIS_PROCESS,
) -> MatchResult:
    """Propose pairs for validated banks. Never writes anything; never logs names."""
    return run_unsettled(
        mentees,
        mentors,
        options=options,
        taxonomy=taxonomy,
        decisions=decisions,
        progress=progress,
        side=side,
    ).settle()


def run_unsettled(
    mentees: MenteeBank,
    mentors: MentorBank,
    *,
    options: Options,
    taxonomy: Taxonomy,
    decisions: Decisions | None = None,
    progress: Progress | None = None,
    side: Side = IN_THIS_PROCESS,
) -> Unsettled:
    """``run_batch`` with the robustness re-solves still going on: the caller writes what does
    not depend on them (the batch command: every file but the pairs) before it settles."""
    clock = _Clock()
    report = progress or (lambda _: None)
    decisions = decisions or Decisions()
    with clock.stage("vectorising"):
        mentee_profiles, mentor_profiles, eligibility = prepare(
            mentees, mentors, options, taxonomy, decisions, side
        )
    solve = solve_function(options)
    with clock.stage("scoring"):
        candidates = _candidates(
            mentees, mentors, (mentee_profiles, mentor_profiles), eligibility, options, report, side
        )
    _, first_problem, pending = candidates
    speculative = None
    if pending is not None and (side.beside or _solved_by_flow(first_problem, options)):
        # solved while the LP proves the pruning (beside, or min-cost flow, which costs little);
        # solved again only if the LP adds pairs
        with clock.stage("solving"):
            speculative = _solution(first_problem, eligibility, options, solve)
    with clock.stage("scoring"):
        pairs, problem, certificate, kept = _proved(
            candidates, mentees, mentors, (mentee_profiles, mentor_profiles), eligibility, options, side
        )
    log.info(
        "scored %d candidate pairs for %d mentees and %d mentors", len(pairs), len(mentees), len(mentors)
    )
    with clock.stage("solving"):
        solution = (
            speculative
            if speculative is not None and speculative.problem is problem
            else _solution(problem, eligibility, options, solve)
        )
    assignment, group_free, previous = solution.assignment, solution.group_free, solution.previous
    log.info("solver %s: %s, %d proposals", options.solver, assignment.status.value, assignment.chosen.size)
    report(0.8)
    chosen = assignment.chosen
    load = mentor_load(problem, assignment)
    with clock.stage("robustness"):  # started here, waited for in ``settle`` (a region: here)
        labels = (
            start_robustness(
                problem,
                chosen,
                options.weights,
                solve,
                _keeps(problem, options, assignment),
                processes=_resolving_processes(problem, options),
            )
            if options.robustness
            else dict
        )
        if len(problem.pairs) > WRITE_WHILE_RESOLVING_MAX_PAIRS:
            labels = functools.partial(dict, labels())
    assignment = replace(assignment, relaxations=())  # the solver's LPs: only the re-solves keep them
    report(0.9)
    with clock.stage("explaining"):
        matched = np.zeros(len(mentees), dtype=bool)
        matched[pairs.mentee_idx[chosen]] = True
        ctx = Context(
            problem,
            mentees,
            mentors,
            mentee_profiles,
            mentor_profiles,
            eligibility,
            options.weights,
            taxonomy,
            solve,
            matched_before=int(matched.sum()),
            load=load,
        )
        drafts, unmatched, alternatives = _explain(ctx, assignment, load, options)
    summary = summarise(
        problem, assignment, load, mentee_profiles, eligibility, unmatched, options, group_free
    )
    summary.solver["candidates_per_mentee"] = kept
    summary.solver["pruning_proved_lossless"] = None if certificate is None else certificate.proved
    if certificate is not None:
        summary.solver["mentees_pruning_not_proved"] = certificate.unproved_mentees
    summary.counts["base_pairs"] = int(previous.sum())
    summary.counts["base_pairs_kept"] = int(previous[chosen].sum())
    summary.seconds.update(clock.seconds)
    summary.notices.extend(under_two_ids_ru(mentees, mentors, eligibility.under_two_ids))
    unsettled = MatchResult(tuple(drafts.proposals), tuple(unmatched), summary, tuple(alternatives))

    @functools.cache
    def settle() -> MatchResult:
        with clock.stage("robustness"):
            robust = labels()
        summary.seconds["robustness"] = clock.seconds["robustness"]
        report(1.0)
        return replace(unsettled, proposals=tuple(drafts.settled(robust)))

    return Unsettled(unsettled, settle)


def run_files(
    mentors_path: Path,
    mentees_path: Path,
    out: Path,
    *,
    options: Options,
    decisions_path: Path | None = None,
    institutions_path: Path | None = None,
    documents: bool = False,
    templates: TemplateSet | None = None,
    progress: Progress | None = None,
    side: Side = IN_THIS_PROCESS,
) -> MatchResult:
    """The batch command: read and validate the banks (and decisions, the institutions' registry),
    match, write the files and, with ``documents``, the orders and every pair's or group's forms
    (from ``templates``, else the packaged ones). ``side``: see ``matcher.side_process``."""
    check_replaceable(out)
    clock = _Clock()
    taxonomy = load_taxonomy(options.taxonomy_extension)
    with clock.stage("reading"):
        institutions = (
            InstitutionRegistry() if institutions_path is None else read_institutions(institutions_path)
        )
        mentor_bank, mentee_bank = load_banks(
            mentors_path,
            mentees_path,
            taxonomy,
            mentor_texts_read=side.stem_ahead,
        )
        mentor_bank, mentee_bank, respelled = one_spelling(mentor_bank, mentee_bank)
        decisions = (
            None if decisions_path is None else load_decisions(decisions_path, mentee_bank, mentor_bank)
        )
    unsettled = run_unsettled(
        mentee_bank,
        mentor_bank,
        options=options,
        taxonomy=taxonomy,
        decisions=decisions,
        progress=progress,
        side=side,
    )
    result = replace(unsettled.result, institutions=institutions)
    result.summary.seconds.update(clock.seconds)
    for bank in (mentor_bank, mentee_bank):
        if bank.left_aside:
            result.summary.left_aside[bank.source] = list(bank.left_aside)
    result.summary.notices[:0] = [*mentor_bank.notices, *mentee_bank.notices, *respelled_ru(respelled)]

    def settled() -> MatchResult:
        return replace(unsettled.settle(), institutions=institutions)

    write_documents = None
    if documents:  # docxtpl, Jinja2 and pymorphy3's dictionaries are loaded only for documents
        from matcher.documents.rendering import batch_documents
        from matcher.documents.templates import TemplateSet

        write_documents = batch_documents(
            settled(),  # the forms explain each pair: they wait for the labels
            mentor_bank,
            mentee_bank,
            taxonomy,
            templates=templates or TemplateSet.standard(),
            today=date.today(),
        )
    pinned = decisions.pinned if decisions is not None else frozenset()
    supply = balance(
        mentee_bank.mentees,
        mentor_bank.mentors,
        [Placed(p.mentee_id, p.mentor_id, p.covered, p.group_id) for p in result.proposals],
        {u.mentee_id: u.reason for u in result.unmatched},
    )
    with _collected_once():
        write_outputs(
            result,
            out,
            people=People.from_banks(mentee_bank, mentor_bank, institutions.full_names()),
            taxonomy=taxonomy,
            marks={pair: CouncilMarks(decision="закрепить") for pair in pinned},
            documents=write_documents,
            supply=supply,
            institutions=institutions.full_names(),
            settle=settled,
        )
    return settled()
