"""How much does each proposal depend on the scoring weights?

The problem is re-solved with each positive weight moved by ±20 % (a fixed set of at most
2 × 7 perturbations; the components are kept, only the scores are recombined). A pair kept
in every re-solve is ``solid``; otherwise it is ``weight-sensitive`` and named by the component
whose perturbations dropped it most often.
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


def robustness_of(
    problem: MatchingProblem,
    chosen: npt.NDArray[np.int64],
    weights: ScoringWeights,
    solve: Callable[[MatchingProblem], Assignment],
) -> dict[int, str]:
    """For each chosen row, ``solid`` or ``weight-sensitive:<component>``."""
    pairs = problem.pairs
    n_mentors = max(problem.n_mentors, 1)
    keys = pairs.mentee_idx.astype(np.int64) * n_mentors + pairs.mentor_idx
    dropped: dict[int, Counter[str]] = {row: Counter() for row in chosen.tolist()}
    for name, moved in perturbations(weights):
        rescored = dataclasses.replace(pairs, score=combine(pairs.components, moved))
        kept = set(keys[solve(dataclasses.replace(problem, pairs=rescored)).chosen].tolist())
        for row in dropped:
            if int(keys[row]) not in kept:
                dropped[row][name] += 1
    return {
        row: f"{SENSITIVE}:{counts.most_common(1)[0][0]}" if counts else SOLID
        for row, counts in dropped.items()
    }
