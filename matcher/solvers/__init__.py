"""Solvers behind one small interface; ``get_solver`` never falls back silently."""

from __future__ import annotations

from matcher.errors import UnknownSolverError
from matcher.solvers.auto import AutoSolver
from matcher.solvers.base import Assignment, MatchingProblem, Solver, SolveStatus
from matcher.solvers.cpsat import CpSatSolver
from matcher.solvers.flow import FlowSolver
from matcher.solvers.mip import MipSolver

SOLVERS: dict[str, type[Solver]] = {
    AutoSolver.name: AutoSolver,
    FlowSolver.name: FlowSolver,
    CpSatSolver.name: CpSatSolver,
    MipSolver.name: MipSolver,
}


def get_solver(name: str) -> Solver:
    if name not in SOLVERS:
        raise UnknownSolverError(name, known=sorted(SOLVERS))
    return SOLVERS[name]()


__all__ = ["SOLVERS", "Assignment", "MatchingProblem", "SolveStatus", "Solver", "get_solver"]
