"""Speed, memory and solution quality of ``mentor-match run`` on generated banks.

    python benchmarks/run.py                      # institution and municipality
    python benchmarks/run.py --sizes region       # the region (20,000 × 100,000)
    python benchmarks/run.py --groups school municipality region
    python benchmarks/run.py --one-to-one --no-baselines --code /tmp/old   # an older checkout

``--one-to-one`` sets every group size and number of mentors to 1 (the one-to-one path);
``--code`` runs the command from another checkout, for a baseline in the same session.
``--groups`` measures the whole model instead, on banks where half of the mentors accept groups
of 3–5 and 30 % of the mentees may have two mentors (``GROUP_SIZES``): the default command
(``auto``: the group-slot MIP) and, as the baseline in the same run, today's plain CP-SAT model
(``--solver cpsat``, its default 30 s wall-clock limit, so it is capped in time; left out above
5,000 mentees, where it takes minutes only to build) on the same files; per row the seconds
per stage (wall, from ``summary.json``), the command's wall and CPU seconds (user + system of
the child, from ``wait4``), the load average when it ended, peak memory, objective, bound,
gap, groups formed and mentees in groups, and the group-free (flow) answer's fit beside it.

Each size runs in a fresh process: generate the banks, write them as CSV, run the real batch
command (default options) in a child process — its wall time including Python's start-up, its
peak memory, and the seconds per stage from its ``summary.json``; start-up is Python importing
the command's module alone — and then the baselines:
scipy's ``linear_sum_assignment`` on the capacity-expanded matrix of ALL allowed pairs (the
exact optimum of the one-mentor-per-mentee problem, where it fits in memory) and the PyPI
``matching`` package's hospital–resident (mentee-optimal stable) solution on the same
candidate pairs. Times are wall seconds on this machine; ratios are against the same run.
"""

from __future__ import annotations

import argparse
import json
import os
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
    "region-1500": (20_000, 100_000, 1_500),
}
"""(mentees, mentors, institutions). ``region-1500`` is the region with many small institutions,
as the banks a region made independently of this project have (issue 9: 1,500 institutions)."""
GROUP_SIZES = {
    "school": (400, 260, 30),
    "municipality": (2_000, 10_000, 60),
    "region": (20_000, 100_000, 600),
}
GROUP_LEADER_SHARE = 0.5
TWO_MENTORS_SHARE = 0.3
CPSAT_BASELINE_MAX_MENTEES = 5_000
"""Above this the plain CP-SAT model takes minutes only to build: the baseline is left out."""
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


def measure(size: str, baselines: bool, one_to_one: bool = False, code: str | None = None) -> dict[str, Any]:
    """One size: the real ``mentor-match run`` in a child process, then the baselines here.

    ``one_to_one`` sets every mentor's group size and every mentee's number of mentors to 1;
    ``code`` runs the command from another checkout of the project (a baseline in the same run).
    """
    import os

    from matcher.synthetic import generate_banks, write_banks
    from matcher.taxonomy import load_taxonomy
    from matcher.validation import load_banks

    n_mentees, n_mentors, n_institutions = SIZES[size]
    with tempfile.TemporaryDirectory() as tmp:
        mentors_frame, mentees_frame = generate_banks(
            n_mentees=n_mentees, n_mentors=n_mentors, n_institutions=n_institutions, seed=7
        )
        if one_to_one:
            mentors_frame["max_group"] = 1
            mentees_frame["max_mentors"] = 1
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
        # ``python -c`` puts the working directory first on sys.path: run in ``code``, or a
        # baseline started from inside this checkout would import this checkout's code
        env = {**os.environ, "PYTHONPATH": code} if code else None
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=code)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import matcher.cli"], check=True, env=env, cwd=code)
        import_wall = time.perf_counter() - started
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        row: dict[str, Any] = {
            "size": size + (" one-to-one" if one_to_one else "") + (f" ({code})" if code else ""),
            "mentees": n_mentees,
            "mentors": n_mentors,
            "seconds": summary["seconds"],
            "end_to_end": wall,
            "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
            "start_up": import_wall,
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


def _run_command(mentors: Path, mentees: Path, out: Path, *extra: str) -> dict[str, Any]:
    """The real batch command in a child process: its wall seconds, peak MB and summary.json."""
    command = [
        sys.executable,
        "-c",
        "from matcher.cli import entrypoint; entrypoint()",
        "run",
        "--mentors",
        str(mentors),
        "--mentees",
        str(mentees),
        "--out",
        str(out),
        "--quiet",
        *extra,
    ]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, _, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if child.stderr is not None:
        child.stderr.close()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "load": os.getloadavg()[0],
        "peak_mb": usage.ru_maxrss / 1024,
        "summary": summary,
    }


def _group_row(label: str, run: dict[str, Any]) -> dict[str, Any]:
    summary = run["summary"]
    free = summary["quality"].get("group_free", {})
    return {
        "run": label,
        "seconds": summary["seconds"],
        "end_to_end": run["wall"],
        "cpu": run.get("cpu", 0.0),
        "load": run.get("load", 0.0),
        "peak_mb": run["peak_mb"],
        "candidate_pairs": summary["counts"]["candidate_pairs"],
        "matched": summary["counts"]["matched_mentees"],
        "total_fit": summary["objective"]["total_fit"],
        "bound": summary["objective"]["bound"],
        "gap": summary["objective"].get("gap"),
        "status": summary["solver"]["status"],
        "groups": summary["counts"]["groups"],
        "mentees_in_groups": summary["counts"]["mentees_in_groups"],
        "group_free_matched": free.get("matched_mentees"),
        "group_free_fit": free.get("total_fit"),
        "fit": summary["quality"]["fit"],
        "group_free_fit_distribution": free.get("fit"),
    }


def measure_groups(size: str) -> dict[str, Any]:
    """One size of ``GROUP_SIZES``: the default command, then plain CP-SAT, on the same files."""
    from matcher.synthetic import generate_banks, write_banks

    n_mentees, n_mentors, n_institutions = GROUP_SIZES[size]
    with tempfile.TemporaryDirectory() as tmp:
        mentors_frame, mentees_frame = generate_banks(
            n_mentees=n_mentees,
            n_mentors=n_mentors,
            n_institutions=n_institutions,
            seed=7,
            group_leader_share=GROUP_LEADER_SHARE,
            two_mentors_share=TWO_MENTORS_SHARE,
        )
        mentors, mentees = write_banks(mentors_frame, mentees_frame, Path(tmp))
        del mentors_frame, mentees_frame
        rows = [_group_row("auto (group-slot MIP)", _run_command(mentors, mentees, Path(tmp) / "auto"))]
        if n_mentees <= CPSAT_BASELINE_MAX_MENTEES:
            cpsat = _run_command(mentors, mentees, Path(tmp) / "cpsat", "--solver", "cpsat")
            rows.append(_group_row("cpsat (plain CP-SAT, 30 s limit)", cpsat))
    return {"size": size, "mentees": n_mentees, "mentors": n_mentors, "rows": rows}


def _group_table(results: list[dict[str, Any]]) -> str:
    stages = ("reading", "vectorising", "scoring", "solving", "robustness", "explaining", "writing")
    head = [
        "size",
        "run",
        *stages,
        "command wall s",
        "command CPU s",
        "load average",
        "peak MB",
        "matched",
        "total fit",
        "bound",
        "gap",
        "status",
        "groups",
        "mentees in groups",
        "group-free matched / fit",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for result in results:
        for r in result["rows"]:
            gap = "" if r["gap"] is None else f"{100 * r['gap']:.2f} %"
            cells = [
                f"{result['size']} {result['mentees']:,} × {result['mentors']:,}",
                r["run"],
                *(f"{r['seconds'].get(s, 0.0):.2f}" for s in stages),
                f"{r['end_to_end']:.2f}",
                f"{r['cpu']:.2f}",
                f"{r['load']:.1f}",
                f"{r['peak_mb']:.0f}",
                str(r["matched"]),
                f"{r['total_fit']:.2f}",
                "" if r["bound"] is None else f"{r['bound']:.2f}",
                gap,
                r["status"],
                str(r["groups"]),
                str(r["mentees_in_groups"]),
                f"{r['group_free_matched']} / {r['group_free_fit']}",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _table(rows: list[dict[str, Any]]) -> str:
    stages = ("reading", "vectorising", "scoring", "solving", "robustness", "explaining", "writing")
    head = [
        "size",
        "start-up",
        *stages,
        "command wall s",
        "command CPU s",
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
            f"{r['start_up']:.2f}",
            *(f"{r['seconds'].get(s, 0.0):.2f}" for s in stages),
            f"{r['end_to_end']:.2f}",
            f"{r['cpu']:.2f}",
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
    parser.add_argument("--groups", nargs="+", choices=list(GROUP_SIZES), help="the whole-model rows")
    parser.add_argument(
        "--one-to-one", action="store_true", help="no groups, one mentor per mentee (the one-to-one path)"
    )
    parser.add_argument("--code", help="run the command from this checkout of the project instead")
    parser.add_argument("--one", choices=sorted(SIZES), help=argparse.SUPPRESS)
    parser.add_argument("--one-groups", choices=sorted(GROUP_SIZES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_groups:
        print(json.dumps(measure_groups(args.one_groups)))
        return 0
    if args.groups:
        results = []
        for size in args.groups:
            done = subprocess.run(
                [sys.executable, __file__, "--one-groups", size], check=True, capture_output=True, text=True
            )
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
        print(_group_table(results))
        return 0
    if args.one:
        print(json.dumps(measure(args.one, not args.no_baselines, args.one_to_one, args.code)))
        return 0
    rows = []
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", size] + (
            ["--no-baselines"] if args.no_baselines else []
        )
        command += ["--one-to-one"] if args.one_to_one else []
        command += ["--code", args.code] if args.code else []
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(_table(rows))
    print()
    print(_baseline_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
