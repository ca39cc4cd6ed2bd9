"""The run's files: the interchange CSVs, ``summary.json`` and ``results.xlsx``, all or nothing.

The CSVs are the machine contract (``interchange.md``: columns never dropped or renamed),
written UTF-8 with a byte-order mark so that Excel recognises the encoding; every text cell
that begins like a formula gets an apostrophe (``matcher.neutralising``). ``results.xlsx`` is
the same results for people (``matcher.workbook``); the documents go into ``документы/``.
Everything is written into a staging folder that replaces the output folder as a whole
(``matcher.output_folder``).
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path

from matcher.model import Alternative, MatchResult, Proposal, Unmatched
from matcher.neutralising import neutralise
from matcher.output_folder import replacing
from matcher.supply_demand import SupplyDemand
from matcher.supply_sheet import CSV_COLUMNS as SUPPLY_COLUMNS
from matcher.supply_sheet import CSV_NAME as SUPPLY_CSV
from matcher.supply_sheet import csv_rows, supply_sheets
from matcher.taxonomy import Taxonomy
from matcher.workbook import FILE_NAME as WORKBOOK
from matcher.workbook import CouncilMarks, People, ResultsBook, write_workbook

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
FILES = ("pairs.csv", "unmatched.csv", "alternatives.csv", "summary.json", WORKBOOK)
CSV_ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark: Excel then reads the Cyrillic right."""
DOCUMENTS = "документы"
"""The folder of the order and the forms (``matcher.documents``), beside the files."""


def _text(value: object) -> str:
    """A CSV cell: text neutralised, a score with four decimals, other numbers as they are."""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([_text(value) for value in row] for row in rows)


def _pair_row(p: Proposal) -> tuple[object, ...]:
    breakdown = json.dumps(p.breakdown, ensure_ascii=False, sort_keys=True)
    return (
        p.mentee_id,
        p.mentor_id,
        p.group_id,
        p.format.value,
        p.score,
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
    return (a.mentee_id, a.mentor_id, a.rank, a.alternative_mentor_id, a.score, a.free_places)


def write_outputs(
    result: MatchResult,
    out: Path,
    *,
    people: People,
    taxonomy: Taxonomy,
    marks: Mapping[tuple[str, str], CouncilMarks] | None = None,
    documents: Callable[[Path], list[Path]] | None = None,
    supply: SupplyDemand | None = None,
    institutions: Mapping[str, str] | None = None,
    settle: Callable[[], MatchResult] | None = None,
) -> list[Path]:
    """Replace the folder ``out`` with the run's files; return their paths.

    ``marks`` prefill the council's columns of ``results.xlsx`` (the pins a run was given);
    ``documents`` writes the documents into the folder it is given, staged with the files;
    ``supply`` adds ``supply_demand.csv`` and its two sheets (institutions by ``institutions``'
    full names). With ``settle``, ``result``'s proposals still lack their robustness: what
    shows no proposal is written first, the proposals and the summary from ``settle()`` (which
    gives the same result each time it is called).
    """
    extra_files = (SUPPLY_CSV,) if supply is not None else ()
    with replacing(out) as staging:
        started = time.perf_counter()
        if supply is not None:
            _write_csv(staging / SUPPLY_CSV, SUPPLY_COLUMNS, csv_rows(supply))
        _write_csv(staging / "unmatched.csv", UNMATCHED_COLUMNS, map(_unmatched_row, result.unmatched))
        _write_csv(
            staging / "alternatives.csv", ALTERNATIVES_COLUMNS, map(_alternative_row, result.alternatives)
        )

        extra_sheets = () if supply is None else supply_sheets(supply, taxonomy, people, institutions or {})

        def book(of: MatchResult) -> ResultsBook:
            return ResultsBook(
                proposals=of.proposals,
                unmatched=of.unmatched,
                alternatives=of.alternatives,
                summary=asdict(of.summary),
                people=people,
                taxonomy=taxonomy,
                marks=marks or {},
                title=f"Подбор наставнических пар от {date.today():%d.%m.%Y}",
                extra_sheets=extra_sheets,
            )

        final = settle or (lambda: result)
        write_workbook(book(result), staging / WORKBOOK, settled=lambda: book(final()))
        result = final()
        _write_csv(staging / "pairs.csv", PAIRS_COLUMNS, map(_pair_row, result.proposals))
        result.summary.seconds["writing"] = round(time.perf_counter() - started, 4)
        (staging / "summary.json").write_text(
            json.dumps(asdict(result.summary), ensure_ascii=False, indent=2, default=str) + "\n",
            encoding="utf-8",
        )
        documents_written = [] if documents is None else documents(staging / DOCUMENTS)
    return [
        *(out / path.relative_to(staging) for path in documents_written),
        *(out / name for name in (*FILES, *extra_files)),
    ]
