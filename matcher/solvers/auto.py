"""``auto``, the default: the exact whole model where it is needed and affordable, flow elsewhere.

CP-SAT is used when the instance needs more than min-cost flow expresses — a mentor who may
lead a group, or a mentee allowed several mentors — and has at most ``CPSAT_MAX_ROWS`` candidate
pairs (an institution or a small municipality: seconds). Otherwise min-cost flow, which is exact
for one mentor per mentee and takes well under a second even for a region; ``--solver cpsat``
asks for the whole model at any size, within the time limit. If CP-SAT finds no assignment
within the limit, the flow assignment is returned, marked timed out.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from matcher.solvers.base import Assignment, MatchingProblem, SolveStatus
from matcher.solvers.cpsat import CpSatSolver
from matcher.solvers.flow import FlowSolver

CPSAT_MAX_ROWS = 50_000


def needs_whole_model(problem: MatchingProblem) -> bool:
    groups = ((problem.max_group >= 2) & (problem.capacity >= 1)).any()
    return bool(groups or (problem.max_mentors > 1).any())


class AutoSolver:
    name: ClassVar[str] = "auto"

    def solve(self, problem: MatchingProblem, *, time_limit: float) -> Assignment:
        if not needs_whole_model(problem) or len(problem.pairs) > CPSAT_MAX_ROWS:
            return FlowSolver().solve(problem, time_limit=time_limit)
        exact = CpSatSolver().solve(problem, time_limit=time_limit)
        if exact.status is SolveStatus.TIMED_OUT and exact.bound is None:
            fallback = FlowSolver().solve(problem, time_limit=time_limit)
            return dataclasses.replace(
                fallback,
                status=SolveStatus.TIMED_OUT,
                bound=None,
                method=f"{fallback.method} (CP-SAT found none in time)",
            )
        return exact
