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
from collections import Counter
from collections.abc import Callable

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


def robustness_of(
    problem: MatchingProblem,
    chosen: npt.NDArray[np.int64],
    weights: ScoringWeights,
    solve: Callable[[MatchingProblem], Assignment],
    keeps: Keeps | None = None,
) -> dict[int, str]:
    """For each chosen row, ``solid`` or ``weight-sensitive:<component>``."""
    pairs = problem.pairs
    n_mentors = max(problem.n_mentors, 1)
    keys = pairs.mentee_idx.astype(np.int64) * n_mentors + pairs.mentor_idx
    dropped: dict[int, Counter[str]] = {row: Counter() for row in chosen.tolist()}
    moves = perturbations(weights)
    scores = [combine(pairs.components, moved) for _, moved in moves]
    if keeps is not None:
        kept_rows = keeps(problem, chosen, scores)
    else:
        kept_rows = []
        for score in scores:
            rescored = dataclasses.replace(problem, pairs=dataclasses.replace(pairs, score=score))
            kept = set(keys[solve(rescored).chosen].tolist())
            kept_rows.append(np.asarray([int(keys[r]) in kept for r in chosen.tolist()], dtype=bool))
    for (name, _), kept_mask in zip(moves, kept_rows, strict=True):
        for row, stays in zip(chosen.tolist(), kept_mask.tolist(), strict=True):
            if not stays:
                dropped[row][name] += 1
    return {
        row: f"{SENSITIVE}:{counts.most_common(1)[0][0]}" if counts else SOLID
        for row, counts in dropped.items()
    }
