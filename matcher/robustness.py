"""How much does each proposal depend on the scoring weights?

The problem is re-solved with each positive weight moved by ±20 % (a fixed set of at most
2 × 7 perturbations; the components are kept, only the scores are recombined). A pair kept
in every re-solve is ``solid``; otherwise it is ``weight-sensitive`` and named by the component
whose perturbations dropped it most often.

Each perturbation is judged by the run's own solver: re-solved with it, or, for the group-slot
MIP (``keeps``), by its LP relaxation warm-started per perturbation — the whole proposal is kept
when, rescored, it stays within the solver's gap of the rescored bound, and otherwise a pair is
kept when the rescored LP optimum takes it too. Either way only the proposal is described.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

import numpy as np
import numpy.typing as npt

from matcher.child_processes import end_with_parent
from matcher.options import COMPONENTS, ScoringWeights
from matcher.scoring import combine
from matcher.solvers.base import Assignment, MatchingProblem

SOLID = "solid"
SENSITIVE = "weight-sensitive"
FACTORS = (0.8, 1.2)


def perturbations(weights: ScoringWeights) -> list[tuple[str, ScoringWeights]]:
    base = weights.as_dict()
    return [
        (name, ScoringWeights(**{**base, name: base[name] * factor}))
        for name in COMPONENTS
        if base[name] > 0
        for factor in FACTORS
    ]


Keeps = Callable[
    [MatchingProblem, npt.NDArray[np.int64], list[npt.NDArray[np.float32]]],
    Callable[[], list[npt.NDArray[np.bool_]]],
]
"""Starts judging which chosen rows each rescoring keeps; the function it returns waits for it."""


def _resolved(
    problem: MatchingProblem,
    chosen: npt.NDArray[np.int64],
    score: npt.NDArray[np.float32],
    solve: Callable[[MatchingProblem], Assignment],
) -> npt.NDArray[np.bool_]:
    """Which chosen rows the re-solve with ``score`` keeps (a pair is one row of the table)."""
    rescored = dataclasses.replace(problem, pairs=dataclasses.replace(problem.pairs, score=score))
    kept = np.zeros(len(problem.pairs), dtype=bool)
    kept[solve(rescored).chosen] = True
    return kept[chosen]


Solve = Callable[[MatchingProblem], Assignment]
_Job = tuple[MatchingProblem, npt.NDArray[np.int64], list[npt.NDArray[np.float32]], Solve]
_FORKED: list[_Job] = []
"""What a forked re-solving process inherited: the problem, the proposal, the scores, the solver."""


def _adopt(
    problem: MatchingProblem,
    chosen: npt.NDArray[np.int64],
    scores: list[npt.NDArray[np.float32]],
    solve: Solve,
    parent: int,
) -> None:
    _FORKED[:] = [(problem, chosen, scores, solve)]
    end_with_parent(parent)


def _resolve_forked(index: int) -> npt.NDArray[np.bool_]:
    problem, chosen, scores, solve = _FORKED[0]
    return _resolved(problem, chosen, scores[index], solve)


Labels = dict[int, str]
"""For each chosen row, ``solid`` or ``weight-sensitive:<component>``."""


def _resolving_here(
    problem: MatchingProblem,
    chosen: npt.NDArray[np.int64],
    scores: list[npt.NDArray[np.float32]],
    solve: Solve,
) -> list[npt.NDArray[np.bool_]]:
    return [_resolved(problem, chosen, score, solve) for score in scores]


def _resolving(
    problem: MatchingProblem,
    chosen: npt.NDArray[np.int64],
    scores: list[npt.NDArray[np.float32]],
    solve: Solve,
    processes: int,
) -> Callable[[], list[npt.NDArray[np.bool_]]]:
    """The re-solves started in forked processes, which inherit the problem instead of receiving
    a copy; the returned function waits for them (or re-solves in this process if no process
    could be started or one died)."""

    here = partial(_resolving_here, problem, chosen, scores, solve)
    try:
        pool = ProcessPoolExecutor(
            processes,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_adopt,
            initargs=(problem, chosen, scores, solve, os.getpid()),
        )
        submitted = [pool.submit(_resolve_forked, index) for index in range(len(scores))]
    except (OSError, BrokenProcessPool):
        return here

    def collect() -> list[npt.NDArray[np.bool_]]:
        try:
            return [future.result() for future in submitted]
        except (OSError, BrokenProcessPool):
            return here()
        finally:
            pool.shutdown(cancel_futures=True)

    return collect


def start_robustness(
    problem: MatchingProblem,
    chosen: npt.NDArray[np.int64],
    weights: ScoringWeights,
    solve: Callable[[MatchingProblem], Assignment],
    keeps: Keeps | None = None,
    processes: int = 1,
) -> Callable[[], Labels]:
    """The robustness of each chosen row, started; the returned function waits for the labels.

    With ``processes`` > 1 (the pipeline asks for it when the run's solver is min-cost flow, whose
    re-solves hold the interpreter lock) the re-solves go on in that many forked processes while
    the caller explains and writes what does not depend on them; with ``keeps`` (the group-slot
    MIP's own judging) it is started here and decides where it goes on; otherwise the re-solves
    are computed in this process when the function is called."""
    pairs = problem.pairs
    moves = perturbations(weights)
    scores = [combine(pairs.components, moved) for _, moved in moves]
    if keeps is None and processes > 1:
        resolved = _resolving(problem, chosen, scores, solve, processes)
    elif keeps is not None:
        resolved = keeps(problem, chosen, scores)
    else:
        resolved = partial(_resolving_here, problem, chosen, scores, solve)

    def labels() -> Labels:
        dropped: dict[int, Counter[str]] = {row: Counter() for row in chosen.tolist()}
        for (name, _), kept_mask in zip(moves, resolved(), strict=True):
            for row, stays in zip(chosen.tolist(), kept_mask.tolist(), strict=True):
                if not stays:
                    dropped[row][name] += 1
        return {
            row: f"{SENSITIVE}:{counts.most_common(1)[0][0]}" if counts else SOLID
            for row, counts in dropped.items()
        }

    return labels
