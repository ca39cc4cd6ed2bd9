"""The run's files: pairs, unmatched, alternatives (CSV) and ``summary.json``, all or nothing.

Files are written into a fresh temporary folder beside ``out`` and moved into it only when all
of them are complete, so a failure never leaves a half-written result.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from pathlib import Path

from matcher.model import Alternative, MatchResult, Proposal, Unmatched

PAIRS_COLUMNS = (
    "mentee_id",
    "mentor_id",
    "group_id",
    "format",
    "score",
    "covered",
    "explanation",
    "robustness",
    "breakdown",
)
UNMATCHED_COLUMNS = ("mentee_id", "reason", "candidates", "explanation", "fix", "fix_verified")
ALTERNATIVES_COLUMNS = ("mentee_id", "mentor_id", "rank", "alternative_mentor_id", "score", "free_places")
FILES = ("pairs.csv", "unmatched.csv", "alternatives.csv", "summary.json")


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _pair_row(p: Proposal) -> tuple[object, ...]:
    breakdown = json.dumps(p.breakdown, ensure_ascii=False, sort_keys=True)
    return (
        p.mentee_id,
        p.mentor_id,
        p.group_id,
        p.format.value,
        f"{p.score:.4f}",
        ";".join(p.covered),
        p.explanation,
        p.robustness,
        breakdown,
    )


def _unmatched_row(u: Unmatched) -> tuple[object, ...]:
    return (
        u.mentee_id,
        u.reason.value,
        ";".join(u.candidates),
        u.explanation,
        u.fix,
        "да" if u.fix_verified else "нет",
    )


def _alternative_row(a: Alternative) -> tuple[object, ...]:
    return (a.mentee_id, a.mentor_id, a.rank, a.alternative_mentor_id, f"{a.score:.4f}", a.free_places)


DOCUMENTS = "документы"
"""The folder of the order and the forms (``matcher.documents``), beside the files."""


def write_outputs(
    result: MatchResult, out: Path, *, documents: Callable[[Path], list[Path]] | None = None
) -> list[Path]:
    """Write the files into ``out`` (created if needed); return their paths. ``documents`` writes
    the documents into the folder it is given, staged with the files."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".mentor-match-", dir=out.parent))
    try:
        started = time.perf_counter()
        _write_csv(staging / "pairs.csv", PAIRS_COLUMNS, map(_pair_row, result.proposals))
        _write_csv(staging / "unmatched.csv", UNMATCHED_COLUMNS, map(_unmatched_row, result.unmatched))
        _write_csv(
            staging / "alternatives.csv", ALTERNATIVES_COLUMNS, map(_alternative_row, result.alternatives)
        )
        result.summary.seconds["writing"] = round(time.perf_counter() - started, 4)
        (staging / "summary.json").write_text(
            json.dumps(asdict(result.summary), ensure_ascii=False, indent=2, default=str) + "\n",
            encoding="utf-8",
        )
        documents_written = [] if documents is None else documents(staging / DOCUMENTS)
        out.mkdir(parents=True, exist_ok=True)
        if documents is not None:
            shutil.rmtree(out / DOCUMENTS, ignore_errors=True)
            os.replace(staging / DOCUMENTS, out / DOCUMENTS)
        written = [out / path.relative_to(staging) for path in documents_written]
        for name in FILES:
            os.replace(staging / name, out / name)
            written.append(out / name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
