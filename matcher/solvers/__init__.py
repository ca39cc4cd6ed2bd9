"""Solvers behind one small interface; ``get_solver`` never falls back silently."""

from __future__ import annotations

from collections.abc import Callable

from matcher.errors import UnknownSolverError
from matcher.solvers.auto import AutoSolver
from matcher.solvers.base import Assignment, MatchingProblem, Solver, SolveStatus
from matcher.solvers.flow import FlowSolver
from matcher.solvers.mip import MipSolver


def _cpsat() -> Solver:
    # CP-SAT's module brings pandas (about 0.8 CPU s): imported only when a run chooses it
    from matcher.solvers.cpsat import CpSatSolver

    return CpSatSolver()


SOLVERS: dict[str, Callable[[], Solver]] = {
    AutoSolver.name: AutoSolver,
    FlowSolver.name: FlowSolver,
    "cpsat": _cpsat,
    MipSolver.name: MipSolver,
}
"""Each solver's name and how to make one."""


def get_solver(name: str) -> Solver:
    if name not in SOLVERS:
        raise UnknownSolverError(name, known=sorted(SOLVERS))
    return SOLVERS[name]()


__all__ = ["SOLVERS", "Assignment", "MatchingProblem", "SolveStatus", "Solver", "get_solver"]
