"""``auto``, the default: the whole model where it is needed, min-cost flow where flow is exact.

When some mentor may lead a group or some mentee may have several mentors, ``MipSolver``: the
aggregated MIP over group slots, started from the flow assignment, to a proven gap of at most
``mip.GAP`` under deterministic limits, at every size. Otherwise min-cost flow, which is exact
for one mentor per mentee and takes well under a second even for a region. ``--solver cpsat``
keeps the exact CP-SAT model (within its wall-clock limit) as the reference.
"""

from __future__ import annotations

from typing import ClassVar

from matcher.solvers.base import Assignment, MatchingProblem
from matcher.solvers.flow import FlowSolver
from matcher.solvers.mip import MipSolver


def needs_whole_model(problem: MatchingProblem) -> bool:
    groups = ((problem.max_group >= 2) & (problem.capacity >= 1)).any()
    return bool(groups or (problem.max_mentors > 1).any())


class AutoSolver:
    name: ClassVar[str] = "auto"

    def solve(self, problem: MatchingProblem, *, time_limit: float) -> Assignment:
        if not needs_whole_model(problem):
            return FlowSolver().solve(problem, time_limit=time_limit)
        return MipSolver().solve(problem, time_limit=time_limit)
