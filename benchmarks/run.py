"""Speed, memory and solution quality of ``mentor-match run`` on generated banks.

    python benchmarks/run.py                      # institution and municipality
    python benchmarks/run.py --sizes region       # the region (20,000 × 100,000)

Each size runs in a fresh process: generate the banks, write them as CSV, run the real batch
command (default options) in a child process — its wall time including Python's start-up, its
peak memory, and the seconds per stage from its ``summary.json`` — and then the baselines:
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
import threading
import time
from pathlib import Path
from typing import Any

SIZES = {
    "institution": (30, 100, 1),
    "municipality": (2_000, 10_000, 60),
    "region": (20_000, 100_000, 600),
}
HOSPITAL_RESIDENT_MAX_MENTEES = 5_000
"""The ``matching`` package is pure Python: beyond this it takes many minutes."""
EXPANDED_CELLS_LIMIT = 60_000_000
"""The exact baseline runs where mentees × total capacity stays below this many cells."""


def _exact_optimum(mentees: Any, mentors: Any, options: Any, taxonomy: Any) -> dict[str, float] | None:
    """Lexicographic optimum (matched, then total fit) over all allowed pairs, by scipy."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    from matcher.pipeline import problem_of

    capacity = np.asarray([m.capacity for m in mentors.mentors])
    if len(mentees) * int(capacity.sum()) > EXPANDED_CELLS_LIMIT:
        return None
    started = time.perf_counter()
    pairs = problem_of(mentees, mentors, options=options, taxonomy=taxonomy, unpruned=True).pairs
    slots = np.repeat(np.arange(capacity.size), capacity)
    first_slot = np.concatenate([[0], np.cumsum(capacity)])[:-1]
    big = (len(mentees) + 1) * options.score_scale  # one more matched mentee outweighs any fit
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


def hospital_resident(problem: Any) -> dict[str, float]:
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
    solved: dict[str, Any] = {}

    def solve() -> None:  # the package deep-copies its player graph recursively: give it a deep stack
        game = HospitalResident.create_from_dictionaries(
            resident_prefs, hospital_prefs, capacities, clean=True
        )
        solved["matching"] = game.solve(optimal="resident")

    sys.setrecursionlimit(1_000_000)
    threading.stack_size(1 << 30)
    worker = threading.Thread(target=solve)
    worker.start()
    worker.join()
    matching = solved["matching"]
    chosen_keys = {(r.name, h.name) for h, residents in matching.items() for r in residents}
    pair_keys = zip(pairs.mentee_idx.tolist(), pairs.mentor_idx.tolist(), strict=True)
    key_rows = {key: row for row, key in enumerate(pair_keys)}
    chosen = np.asarray(sorted(key_rows[k] for k in chosen_keys), dtype=np.int64)
    return {
        "matched": len(chosen_keys),
        "total_fit": float(pairs.score[chosen].astype(np.float64).sum()),
        "blocking_pairs": blocking_pairs(problem, chosen),
        "seconds": time.perf_counter() - started,
    }


def _baselines(mentees: Any, mentors: Any, taxonomy: Any) -> dict[str, Any]:
    """Ours, the exact optimum and hospital–resident on one mentor per mentee, same instance."""
    import dataclasses

    import numpy as np

    from matcher.options import Options
    from matcher.pipeline import problem_of
    from matcher.solvers import get_solver
    from matcher.stability import blocking_pairs

    options = Options(robustness=False, diagnosis_resolves=0)
    problem = problem_of(mentees, mentors, options=options, taxonomy=taxonomy)
    pairs = problem.pairs
    problem = dataclasses.replace(problem, max_mentors=np.ones_like(problem.max_mentors))
    ours = get_solver("flow").solve(problem, time_limit=options.time_limit)
    best_each = np.zeros(len(mentees))
    np.maximum.at(best_each, pairs.mentee_idx, pairs.score)
    row: dict[str, Any] = {
        "ours_one_each": {
            "matched": int(np.unique(pairs.mentee_idx[ours.chosen]).size),
            "total_fit": ours.objective,
            "blocking_pairs": blocking_pairs(problem, ours.chosen),
            "seconds": ours.seconds,
        },
        "upper_bound": {
            "matched": int((best_each > 0).sum()),
            "total_fit": float(best_each.sum()),
            "seconds": 0.0,
        },
        "exact": _exact_optimum(mentees, mentors, options, taxonomy),
    }
    if len(mentees) <= HOSPITAL_RESIDENT_MAX_MENTEES:
        row["hospital_resident"] = hospital_resident(problem)
    return row


def measure(size: str, baselines: bool) -> dict[str, Any]:
    """One size: the real ``mentor-match run`` in a child process, then the baselines here."""
    from matcher.synthetic import generate_banks, write_banks
    from matcher.taxonomy import load_taxonomy
    from matcher.validation import load_banks

    n_mentees, n_mentors, n_institutions = SIZES[size]
    with tempfile.TemporaryDirectory() as tmp:
        mentors_frame, mentees_frame = generate_banks(
            n_mentees=n_mentees, n_mentors=n_mentors, n_institutions=n_institutions, seed=7
        )
        mentors_path, mentees_path = write_banks(mentors_frame, mentees_frame, Path(tmp))
        del mentors_frame, mentees_frame
        out = Path(tmp) / "out"
        command = [
            sys.executable,
            "-c",
            "from matcher.cli import entrypoint; entrypoint()",
            "run",
            "--mentors",
            str(mentors_path),
            "--mentees",
            str(mentees_path),
            "--out",
            str(out),
            "--quiet",
        ]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        wall = time.perf_counter() - started
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        row: dict[str, Any] = {
            "size": size,
            "mentees": n_mentees,
            "mentors": n_mentors,
            "seconds": summary["seconds"],
            "end_to_end": wall,
            "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "allowed_pairs": summary["counts"]["allowed_pairs"],
            "candidate_pairs": summary["counts"]["candidate_pairs"],
            "matched": summary["counts"]["matched_mentees"],
            "total_fit": summary["objective"]["total_fit"],
            "blocking_pairs": summary["quality"]["blocking_pairs"],
            "status": summary["solver"]["status"],
        }
        if baselines:
            taxonomy = load_taxonomy()
            mentors, mentees = load_banks(mentors_path, mentees_path, taxonomy)
            row.update(_baselines(mentees, mentors, taxonomy))
    return row


def _table(rows: list[dict[str, Any]]) -> str:
    stages = ("reading", "vectorising", "scoring", "solving", "robustness", "explaining", "writing")
    head = [
        "size",
        *stages,
        "command wall s",
        "µs per allowed pair",
        "peak MB",
        "allowed pairs",
        "kept pairs",
        "matched",
        "total fit",
        "status",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        per_pair = 1e6 * r["end_to_end"] / max(r["allowed_pairs"], 1)
        cells = [
            r["size"],
            *(f"{r['seconds'].get(s, 0.0):.2f}" for s in stages),
            f"{r['end_to_end']:.2f}",
            f"{per_pair:.3f}",
            f"{r['peak_mb']:.0f}",
            f"{r['allowed_pairs']:,}",
            f"{r['candidate_pairs']:,}",
            str(r["matched"]),
            f"{r['total_fit']:.2f}",
            r["status"],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _baseline_table(rows: list[dict[str, Any]]) -> str:
    head = [
        "size (one mentor each)",
        "method",
        "matched",
        "total fit",
        "ratio to ours",
        "blocking pairs",
        "seconds",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        ours = r.get("ours_one_each")
        if not ours:
            continue
        for name, label in (
            ("ours_one_each", "mentor-match (flow on top-k candidates)"),
            ("exact", "exact optimum over all allowed pairs (scipy LSA)"),
            ("upper_bound", "bound: every mentee with their best mentor (no capacities)"),
            ("hospital_resident", "hospital–resident, mentee-optimal stable (matching)"),
        ):
            b = r.get(name)
            if b:
                ratio = b["total_fit"] / ours["total_fit"] if ours["total_fit"] else float("nan")
                lines.append(
                    f"| {r['size']} | {label} | {b['matched']} | {b['total_fit']:.2f} | {ratio:.4f} | "
                    f"{b.get('blocking_pairs', '')} | {b['seconds']:.2f} |"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", choices=sorted(SIZES), default=["institution", "municipality"])
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--one", choices=sorted(SIZES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, baselines=not args.no_baselines)))
        return 0
    rows = []
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", size] + (
            ["--no-baselines"] if args.no_baselines else []
        )
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(_table(rows))
    print()
    print(_baseline_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
