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
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import numpy.typing as npt

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
    [MatchingProblem, npt.NDArray[np.int64], list[npt.NDArray[np.float32]]], list[npt.NDArray[np.bool_]]
]


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
) -> None:
    _FORKED[:] = [(problem, chosen, scores, solve)]


def _resolve_forked(index: int) -> npt.NDArray[np.bool_]:
    problem, chosen, scores, solve = _FORKED[0]
    return _resolved(problem, chosen, scores[index], solve)


def _resolved_in_processes(
    problem: MatchingProblem,
    chosen: npt.NDArray[np.int64],
    scores: list[npt.NDArray[np.float32]],
    solve: Solve,
    processes: int,
) -> list[npt.NDArray[np.bool_]]:
    """The re-solves in forked processes, which inherit the problem instead of receiving a copy;
    in this process if no process can be started."""
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(
            processes, mp_context=context, initializer=_adopt, initargs=(problem, chosen, scores, solve)
        ) as pool:
            return list(pool.map(_resolve_forked, range(len(scores))))
    except (OSError, BrokenProcessPool):
        return [_resolved(problem, chosen, score, solve) for score in scores]


def robustness_of(
    problem: MatchingProblem,
    chosen: npt.NDArray[np.int64],
    weights: ScoringWeights,
    solve: Callable[[MatchingProblem], Assignment],
    keeps: Keeps | None = None,
    processes: int = 1,
) -> dict[int, str]:
    """For each chosen row, ``solid`` or ``weight-sensitive:<component>``; with ``processes`` > 1
    the re-solves are shared among that many forked processes (the pipeline asks for it when the
    run's solver is min-cost flow, whose re-solves hold the interpreter lock)."""
    pairs = problem.pairs
    dropped: dict[int, Counter[str]] = {row: Counter() for row in chosen.tolist()}
    moves = perturbations(weights)
    scores = [combine(pairs.components, moved) for _, moved in moves]
    if keeps is not None:
        kept_rows = keeps(problem, chosen, scores)
    elif processes > 1:
        kept_rows = _resolved_in_processes(problem, chosen, scores, solve, processes)
    else:
        kept_rows = [_resolved(problem, chosen, score, solve) for score in scores]
    for (name, _), kept_mask in zip(moves, kept_rows, strict=True):
        for row, stays in zip(chosen.tolist(), kept_mask.tolist(), strict=True):
            if not stays:
                dropped[row][name] += 1
    return {
        row: f"{SENSITIVE}:{counts.most_common(1)[0][0]}" if counts else SOLID
        for row, counts in dropped.items()
    }
