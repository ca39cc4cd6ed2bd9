"""Both objectives on one pair of banks: fit distribution, blocking pairs, and hospital–resident.

    python benchmarks/objectives.py                     # the municipality sample
    python benchmarks/objectives.py --mentors M.csv --mentees E.csv

Runs the batch pipeline with ``--fairness total`` and ``--fairness maxmin`` (default solver) and
prints, for each, the mentees matched, total fit, the fit distribution and the blocking pairs;
then, on one mentor per mentee, the min-cost-flow proposal against the PyPI ``matching``
package's mentee-optimal stable (hospital–resident) matching on the same candidate pairs.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np
from run import hospital_resident

from matcher.options import Options
from matcher.pipeline import problem_of, run_batch
from matcher.solvers import get_solver
from matcher.stability import blocking_pairs
from matcher.taxonomy import load_taxonomy
from matcher.validation import load_banks

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "municipality"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mentors", type=Path, default=SAMPLE / "mentors.csv")
    parser.add_argument("--mentees", type=Path, default=SAMPLE / "mentees.csv")
    args = parser.parse_args(argv)
    taxonomy = load_taxonomy()
    mentors, mentees = load_banks(args.mentors, args.mentees, taxonomy)
    print("| objective | method | matched | total fit | min | p10 | median | mean | blocking pairs |")
    print("|---|---|---|---|---|---|---|---|---|")
    for fairness in ("total", "maxmin"):
        options = Options(fairness=fairness, robustness=False)
        summary = run_batch(mentees, mentors, options=options, taxonomy=taxonomy).summary
        fit = summary.quality["fit"]
        print(
            f"| {fairness} | {summary.solver['method']} | {summary.counts['matched_mentees']} | "
            f"{summary.objective['total_fit']:.2f} | {fit['min']:.3f} | {fit['p10']:.3f} | "  # type: ignore[index]
            f"{fit['median']:.3f} | {fit['mean']:.3f} | {summary.quality['blocking_pairs']} |"  # type: ignore[index]
        )
    options = Options(robustness=False)
    problem = problem_of(mentees, mentors, options=options, taxonomy=taxonomy)
    pairs = problem.pairs
    problem = dataclasses.replace(problem, max_mentors=np.ones_like(problem.max_mentors))
    ours = get_solver("flow").solve(problem, time_limit=options.time_limit)
    stable = hospital_resident(problem)
    print("\n| one mentor each | matched | total fit | blocking pairs |\n|---|---|---|---|")
    matched = int(np.unique(pairs.mentee_idx[ours.chosen]).size)
    ours_blocking = blocking_pairs(problem, ours.chosen)
    print(f"| mentor-match (min-cost flow) | {matched} | {ours.objective:.2f} | {ours_blocking} |")
    fit, blocking = stable["total_fit"], stable["blocking_pairs"]
    print(f"| hospital–resident (matching) | {stable['matched']} | {fit:.2f} | {blocking} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
