"""Speed, memory and solution quality of ``mentor-match run`` on generated banks.

    python benchmarks/run.py                      # institution and municipality
    python benchmarks/run.py --sizes region       # the region (20,000 × 100,000)

Each size runs in a fresh process (so peak memory is its own): generate the banks, write them
as CSV, then run the batch pipeline stage by stage. In the same process, the baselines:
scipy's ``linear_sum_assignment`` on the capacity-expanded matrix of ALL allowed pairs (the
exact optimum of the one-mentor-per-mentee problem, where it fits in memory) and the PyPI
``matching`` package's hospital–resident (mentee-optimal stable) solution on the same
candidate pairs. Times are wall seconds on this machine; ratios are against the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZES = {
    "institution": (30, 100, 1),
    "municipality": (2_000, 10_000, 60),
    "region": (20_000, 100_000, 600),
}
EXPANDED_CELLS_LIMIT = 60_000_000
"""The exact baseline runs where mentees × total capacity stays below this many cells."""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _exact_optimum(mentees: Any, mentors: Any, options: Any, taxonomy: Any) -> dict[str, float] | None:
    """Lexicographic optimum (matched, then total fit) over all allowed pairs, by scipy."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    from matcher.eligibility import Eligibility
    from matcher.model import Decisions
    from matcher.scoring import score_pairs
    from matcher.vectorising import ProfileVectorizer

    capacity = np.asarray([m.capacity for m in mentors.mentors])
    if len(mentees) * int(capacity.sum()) > EXPANDED_CELLS_LIMIT:
        return None
    started = time.perf_counter()
    vectorizer = ProfileVectorizer(taxonomy, text_components=options.text_components, seed=options.seed)
    vectorizer.fit(mentees, mentors)
    unpruned = options.model_copy(update={"candidates_per_mentee": 10**9})
    eligibility = Eligibility.build(mentees, mentors, Decisions())
    pairs = score_pairs(
        vectorizer.transform_mentees(mentees), vectorizer.transform_mentors(mentors), eligibility, unpruned
    )
    slots = np.repeat(np.arange(capacity.size), capacity)
    first_slot = np.concatenate([[0], np.cumsum(capacity)])[:-1]
    big = 10 * options.score_scale
    gain = np.zeros((len(mentees), slots.size))
    integer = np.rint(pairs.score.astype(np.float64) * options.score_scale)
    for copy in range(int(capacity.max(initial=0))):
        ok = capacity[pairs.mentor_idx] > copy
        gain[pairs.mentee_idx[ok], first_slot[pairs.mentor_idx[ok]] + copy] = big + integer[ok]
    rows, cols = linear_sum_assignment(gain, maximize=True)
    taken = gain[rows, cols] > 0
    return {
        "matched": int(taken.sum()),
        "total_fit": float((gain[rows, cols][taken] - big).sum() / options.score_scale),
        "allowed_pairs": len(pairs),
        "seconds": time.perf_counter() - started,
    }


def _hospital_resident(problem: Any) -> dict[str, float]:
    """The PyPI ``matching`` package's resident-optimal stable matching on the candidate pairs."""
    import numpy as np
    from matching.games import HospitalResident

    from matcher.stability import blocking_pairs

    pairs = problem.pairs
    started = time.perf_counter()
    order = np.lexsort((-pairs.score, pairs.mentee_idx))
    resident_prefs: dict[int, list[int]] = {}
    for row in order.tolist():
        resident_prefs.setdefault(int(pairs.mentee_idx[row]), []).append(int(pairs.mentor_idx[row]))
    hospital_prefs: dict[int, list[int]] = {}
    for row in np.lexsort((-pairs.score, pairs.mentor_idx)).tolist():
        hospital_prefs.setdefault(int(pairs.mentor_idx[row]), []).append(int(pairs.mentee_idx[row]))
    capacities = {j: int(problem.capacity[j]) for j in hospital_prefs}
    game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities, clean=True)
    matching = game.solve(optimal="resident")
    chosen_keys = {(r.name, h.name) for h, residents in matching.items() for r in residents}
    key_rows = {(int(i), int(j)): row for row, (i, j) in enumerate(zip(pairs.mentee_idx, pairs.mentor_idx))}
    chosen = np.asarray(sorted(key_rows[k] for k in chosen_keys), dtype=np.int64)
    return {
        "matched": len(chosen_keys),
        "total_fit": float(pairs.score[chosen].astype(np.float64).sum()),
        "blocking_pairs": blocking_pairs(problem, chosen),
        "seconds": time.perf_counter() - started,
    }


def measure(size: str, baselines: bool) -> dict[str, Any]:
    """One size, in this process."""
    from matcher.model import Decisions
    from matcher.options import Options
    from matcher.pipeline import build_problem, run_batch
    from matcher.synthetic import generate_banks, write_banks
    from matcher.taxonomy import load_taxonomy
    from matcher.validation import load_banks
    from matcher.writing import write_outputs

    n_mentees, n_mentors, n_institutions = SIZES[size]
    options = Options(robustness=False, diagnosis_resolves=0)
    taxonomy = load_taxonomy()
    with tempfile.TemporaryDirectory() as tmp:
        mentors_frame, mentees_frame = generate_banks(
            n_mentees=n_mentees, n_mentors=n_mentors, n_institutions=n_institutions, seed=7
        )
        mentors_path, mentees_path = write_banks(mentors_frame, mentees_frame, Path(tmp))
        del mentors_frame, mentees_frame
        started = time.perf_counter()
        mentors, mentees = load_banks(mentors_path, mentees_path, taxonomy)
        reading = time.perf_counter() - started
        result = run_batch(mentees, mentors, options=options, taxonomy=taxonomy)
        write_outputs(result, Path(tmp) / "out")
    seconds = {"reading": reading, **result.summary.seconds}
    row: dict[str, Any] = {
        "size": size,
        "mentees": n_mentees,
        "mentors": n_mentors,
        "seconds": seconds,
        "end_to_end": sum(seconds.values()),
        "peak_mb": _peak_mb(),
        "allowed_pairs": result.summary.counts["allowed_pairs"],
        "candidate_pairs": result.summary.counts["candidate_pairs"],
        "matched": result.summary.counts["matched_mentees"],
        "total_fit": result.summary.objective["total_fit"],
        "blocking_pairs": result.summary.quality["blocking_pairs"],
        "status": result.summary.solver["status"],
    }
    if baselines:
        one_each = Options(robustness=False, diagnosis_resolves=0)
        row["exact"] = _exact_optimum(mentees, mentors, one_each, taxonomy)
        from matcher.eligibility import Eligibility
        from matcher.scoring import score_pairs
        from matcher.vectorising import ProfileVectorizer

        vectorizer = ProfileVectorizer(taxonomy).fit(mentees, mentors)
        mentee_profiles = vectorizer.transform_mentees(mentees)
        mentor_profiles = vectorizer.transform_mentors(mentors)
        eligibility = Eligibility.build(mentees, mentors, Decisions())
        pairs = score_pairs(mentee_profiles, mentor_profiles, eligibility, one_each)
        problem = build_problem(pairs, mentees, mentors, mentee_profiles, mentor_profiles, eligibility, one_each)
        row["hospital_resident"] = _hospital_resident(problem)
    return row


def _table(rows: list[dict[str, Any]]) -> str:
    stages = ("reading", "vectorising", "scoring", "solving", "explaining", "writing")
    head = ["size", *stages, "total s", "peak MB", "allowed pairs", "kept pairs", "matched", "total fit", "status"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["size"], *(f"{r['seconds'].get(s, 0.0):.2f}" for s in stages), f"{r['end_to_end']:.2f}",
                 f"{r['peak_mb']:.0f}", f"{r['allowed_pairs']:,}", f"{r['candidate_pairs']:,}", str(r["matched"]),
                 f"{r['total_fit']:.2f}", r["status"]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _baseline_table(rows: list[dict[str, Any]]) -> str:
    head = ["size", "method", "matched", "total fit", "ratio to ours", "blocking pairs", "seconds"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append(f"| {r['size']} | mentor-match (flow, top-k) | {r['matched']} | {r['total_fit']:.2f} | 1.000 | "
                     f"{r['blocking_pairs']} | {r['seconds']['solving']:.2f} |")
        for name, label in (("exact", "exact optimum, all pairs (scipy LSA)"),
                            ("hospital_resident", "hospital–resident (matching)")):
            b = r.get(name)
            if b:
                ratio = b["total_fit"] / r["total_fit"] if r["total_fit"] else float("nan")
                lines.append(f"| {r['size']} | {label} | {b['matched']} | {b['total_fit']:.2f} | {ratio:.4f} | "
                             f"{b.get('blocking_pairs', '')} | {b['seconds']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", choices=sorted(SIZES), default=["institution", "municipality"])
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--one", choices=sorted(SIZES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, baselines=not args.no_baselines)))
        return 0
    rows = []
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", size] + (["--no-baselines"] if args.no_baselines else [])
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(_table(rows))
    print()
    print(_baseline_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
