"""Formula injection: every text cell that begins like a formula is written as text, in every file."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
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
from matcher.neutralising import neutralise, printable, starts_like_formula
from matcher.taxonomy import Taxonomy
from matcher.workbook import People, PersonCard
from matcher.writing import write_outputs

HOSTILE = ['=HYPERLINK("http://evil","x")', "+7 999", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_text_beginning_like_a_formula_gets_an_apostrophe(text: str) -> None:
    assert starts_like_formula(text)
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Иванова", "1-я категория", "a=b", "", "'уже текст"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert neutralise(text) == text


def test_control_characters_are_replaced_for_xml() -> None:
    assert printable("Ива\x01нова\x1f\tА\nБ") == "Ива\ufffdнова\ufffd\tА\nБ"


def _hostile_result() -> tuple[MatchResult, People]:
    proposal = Proposal(
        mentee_id="=A1",
        mentor_id="@M1",
        format=MeetingFormat.REMOTE,
        score=0.5,
        covered=("ict",),
        explanation="-сомнительное пояснение",
        breakdown={"coverage": 1.0},
        group_id="",
        robustness="solid",
    )
    unmatched = Unmatched(
        mentee_id="+B2", reason=UnmatchedReason.CAPACITY_EXHAUSTED, candidates=("@M1",), fix="=1+1"
    )
    alternative = Alternative("=A1", "@M1", 1, "-M2", -0.25, 1)
    people = People(
        mentees={
            "=A1": PersonCard('=HYPERLINK("http://evil","Иванова")', "-учитель", "+СОШ"),
            "+B2": PersonCard("Пет\x01рова", "\tучитель", "@ДС"),
        },
        mentors={"@M1": PersonCard("=1+2", "", ""), "-M2": PersonCard("-Сидорова", "", "")},
    )
    summary = RunSummary(counts={"proposals": 1, "unmatched_mentees": 1})
    return MatchResult((proposal,), (unmatched,), summary, (alternative,)), people


def test_csv_outputs_neutralise_text_but_not_numbers(tmp_path: Path) -> None:
    result, people = _hostile_result()
    write_outputs(result, tmp_path / "out", people=people, taxonomy=Taxonomy.default())
    raw = (tmp_path / "out" / "pairs.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    with (tmp_path / "out" / "pairs.csv").open(encoding="utf-8-sig", newline="") as handle:
        pair = next(csv.DictReader(handle))
    assert pair["mentee_id"] == "'=A1" and pair["mentor_id"] == "'@M1"
    assert pair["explanation"] == "'-сомнительное пояснение"
    with (tmp_path / "out" / "unmatched.csv").open(encoding="utf-8-sig", newline="") as handle:
        unmatched = next(csv.DictReader(handle))
    assert (
        unmatched["mentee_id"] == "'+B2" and unmatched["candidates"] == "'@M1" and unmatched["fix"] == "'=1+1"
    )
    with (tmp_path / "out" / "alternatives.csv").open(encoding="utf-8-sig", newline="") as handle:
        alternative = next(csv.DictReader(handle))
    assert alternative["alternative_mentor_id"] == "'-M2"
    assert alternative["score"] == "-0.2500"  # a number, not text: left as it is


def test_the_workbook_writes_them_as_text_never_as_formulas(tmp_path: Path) -> None:
    result, people = _hostile_result()
    write_outputs(result, tmp_path / "out", people=people, taxonomy=Taxonomy.default())
    path = tmp_path / "out" / "results.xlsx"
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in archive.read(name)
    workbook = load_workbook(path)
    pairs = workbook["Пары"]
    header = [cell.value for cell in pairs[1]]
    row = {title: pairs.cell(row=2, column=i + 1) for i, title in enumerate(header)}
    name = row["Наставляемый (ФИО)"]
    assert name.value == '=HYPERLINK("http://evil","Иванова")' and name.data_type == "s"
    assert name.quotePrefix
    assert row["Должность наставляемого"].value == "-учитель"
    assert row["Организация наставляемого"].data_type == "s"
    assert row["Наставник (ФИО)"].value == "=1+2" and row["Наставник (ФИО)"].data_type == "s"
    assert row["Соответствие"].value == 0.5 and row["Соответствие"].data_type == "n"
    unmatched = workbook["Без пары"]
    header = [cell.value for cell in unmatched[1]]
    cells = {title: unmatched.cell(row=2, column=i + 1) for i, title in enumerate(header)}
    assert cells["Наставляемый (ФИО)"].value == "Пет\ufffdрова"
    assert cells["Что поможет"].value == "=1+1" and cells["Что поможет"].data_type == "s"
    alternatives = workbook["Альтернативы"]
    header = [cell.value for cell in alternatives[1]]
    cells = {title: alternatives.cell(row=2, column=i + 1) for i, title in enumerate(header)}
    assert cells["Соответствие"].value == -0.25 and cells["Соответствие"].data_type == "n"
    assert (
        cells["Другой наставник (ФИО)"].value == "-Сидорова"
        and cells["Другой наставник (ФИО)"].data_type == "s"
    )
