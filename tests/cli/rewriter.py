"""The child process of the kill -9 tests: rewrites one output folder again and again.

``rewrite_forever(out, first, ready)`` writes versions first, first+1, … of a made-up result
into ``out`` with the real writer, and sets ``ready`` once the first is in place. Every file of
version k says k (``version_of`` reads it back), so a folder mixing versions, or holding a
half-written file, is detected.
"""

from __future__ import annotations

import csv
import json
from multiprocessing.synchronize import Event
from pathlib import Path

from openpyxl import load_workbook

from matcher.model import (
    Alternative,
    MatchResult,
    MeetingFormat,
    Proposal,
    RunSummary,
    Unmatched,
    UnmatchedReason,
)
from matcher.taxonomy import Taxonomy
from matcher.workbook import People, PersonCard
from matcher.writing import FILES, write_outputs

PAIRS = 60
PEOPLE = People(
    mentees={f"A{i}": PersonCard(f"Наставляемая {i}", "учитель", "СОШ-1") for i in range(PAIRS + 1)},
    mentors={f"M{i}": PersonCard(f"Наставница {i}", "учитель", "СОШ-1") for i in range(PAIRS)},
)


def result(version: int) -> MatchResult:
    tag = f"версия {version}"
    proposals = tuple(
        Proposal(
            f"A{i}", f"M{i}", MeetingFormat.IN_PERSON, 0.5, ("ict",), tag, {"coverage": 1.0}, "", "solid"
        )
        for i in range(PAIRS)
    )
    unmatched = (Unmatched(f"A{PAIRS}", UnmatchedReason.CAPACITY_EXHAUSTED, fix=tag),)
    alternatives = tuple(
        Alternative(f"A{i}", f"M{i}", 1, f"M{(i + 1) % PAIRS}", 0.4, version) for i in range(PAIRS)
    )
    summary = RunSummary(counts={"version": version, "proposals": PAIRS})
    return MatchResult(proposals, unmatched, summary, alternatives)


def write(out: Path, version: int, taxonomy: Taxonomy) -> None:
    write_outputs(result(version), out, people=PEOPLE, taxonomy=taxonomy)


def version_of(out: Path) -> int:
    """The one version every file of ``out`` holds; AssertionError if they differ or one is broken."""
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)

    def rows(name: str) -> list[dict[str, str]]:
        with (out / name).open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))

    pairs = rows("pairs.csv")
    assert len(pairs) == PAIRS
    found = {int(row["explanation"].removeprefix("версия ")) for row in pairs}
    found |= {int(row["fix"].removeprefix("версия ")) for row in rows("unmatched.csv")}
    alternatives = rows("alternatives.csv")
    assert len(alternatives) == PAIRS
    found |= {int(row["free_places"]) for row in alternatives}
    found.add(json.loads((out / "summary.json").read_text(encoding="utf-8"))["counts"]["version"])
    sheet = load_workbook(out / "results.xlsx", read_only=True)["Пары"]
    table = list(sheet.iter_rows(values_only=True))
    column = table[0].index("Пояснение")
    explanations = [row[column] for row in table[1:]]
    assert len(explanations) == PAIRS
    found |= {int(str(text).removeprefix("версия ")) for text in explanations}
    assert len(found) == 1, f"versions mixed: {sorted(found)}"
    return found.pop()


def rewrite_forever(out: Path, first: int, ready: Event) -> None:
    taxonomy = Taxonomy.default()
    version = first
    while True:
        write(out, version, taxonomy)
        ready.set()
        version += 1
