"""CP-SAT on a municipality (2,000 mentees × 10,000 mentors): time to optimal, with and without groups.

    python benchmarks/cpsat_scale.py                       # 2,000 × 10,000, time limit 600 s
    python benchmarks/cpsat_scale.py --mentees 500 --mentors 2500

Banks come from ``matcher.synthetic.generate_banks`` (written as CSV and read back). Each case
runs ``run_batch(..., options=Options(solver="cpsat"))`` with the review steps off, so the
``solving`` stage is building the problem plus ``CpSatSolver.solve``; then, on the same problem,
the solver alone, for the groups it formed. "Without groups" sets every mentor's max_group to 1.
The flow solver's time on the same banks is given for scale. Times are wall seconds here.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from matcher.model import MenteeBank, MentorBank
from matcher.options import Options
from matcher.pipeline import problem_of, run_batch
from matcher.solvers import get_solver
from matcher.synthetic import generate_banks, write_banks
from matcher.taxonomy import Taxonomy, load_taxonomy
from matcher.validation import load_banks


def _banks(n_mentees: int, n_mentors: int, taxonomy: Taxonomy) -> tuple[MentorBank, MenteeBank]:
    with tempfile.TemporaryDirectory() as tmp:
        mentors, mentees = generate_banks(n_mentees=n_mentees, n_mentors=n_mentors, seed=7)
        return load_banks(*write_banks(mentors, mentees, Path(tmp)), taxonomy)


def _case(mentees: MenteeBank, mentors: MentorBank, options: Options, taxonomy: Taxonomy) -> dict[str, Any]:
    result = run_batch(mentees, mentors, options=options, taxonomy=taxonomy)
    problem = problem_of(mentees, mentors, options=options, taxonomy=taxonomy)
    assignment = get_solver(options.solver).solve(problem, time_limit=options.time_limit)
    groups = assignment.groups()
    return {
        "solver": options.solver,
        "candidate_pairs": result.summary.counts["candidate_pairs"],
        "group_leaders_possible": int((problem.max_group >= 2).sum()),
        "solving_stage_s": result.summary.seconds["solving"],
        "status": result.summary.solver["status"],
        "matched": result.summary.counts["matched_mentees"],
        "total_fit": result.summary.objective["total_fit"],
        "bound": result.summary.objective["bound"],
        "solver_alone_s": round(assignment.seconds, 2),
        "groups": int(assignment.group_remote.size),
        "mentees_in_groups": int((groups >= 0).sum()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mentees", type=int, default=2_000)
    parser.add_argument("--mentors", type=int, default=10_000)
    parser.add_argument("--time-limit", type=float, default=600.0)
    args = parser.parse_args(argv)
    taxonomy = load_taxonomy()
    started = time.perf_counter()
    mentors, mentees = _banks(args.mentees, args.mentors, taxonomy)
    print(f"banks: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    no_groups = MentorBank(tuple(m.model_copy(update={"max_group": 1}) for m in mentors.mentors))
    base = Options(time_limit=args.time_limit, robustness=False, diagnosis_resolves=0)
    for label, bank, solver in (
        ("with groups", mentors, "cpsat"),
        ("without groups", no_groups, "cpsat"),
        ("without groups", no_groups, "flow"),
    ):
        row = _case(mentees, bank, base.model_copy(update={"solver": solver}), taxonomy)
        print(json.dumps({"case": label, **row}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
