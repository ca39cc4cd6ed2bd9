"""Who is who across the two banks (``matcher.identity``), through the batch pipeline on real
files: one institution however it is spelled, one person per id, nobody proposed to herself."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from matcher.errors import InputError
from matcher.identity import institution_key
from matcher.options import Options
from matcher.pipeline import run_files
from matcher.taxonomy import load_taxonomy
from matcher.validation import load_banks

MENTOR_HEADER = ["id", "full_name", "institution", "competences", "capacity", "formats", "consent"]
MENTEE_HEADER = ["id", "full_name", "institution", "difficulties", "formats", "consent"]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _run(tmp_path: Path, mentors: list[list[str]], mentees: list[list[str]]) -> dict[str, object]:
    out = tmp_path / "out"
    run_files(
        _write(tmp_path / "mentors.csv", MENTOR_HEADER, mentors),
        _write(tmp_path / "mentees.csv", MENTEE_HEADER, mentees),
        out,
        options=Options(robustness=False),
    )
    with (out / "pairs.csv").open(encoding="utf-8-sig") as handle:
        pairs = [(row["mentee_id"], row["mentor_id"]) for row in csv.DictReader(handle)]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    sheet = openpyxl.load_workbook(out / "results.xlsx", read_only=True)["Сводка"]
    shown = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    return {"pairs": pairs, "notices": summary["notices"], "shown": shown}


def test_spellings_of_one_institution_are_one_institution() -> None:
    written = ["МБОУ СОШ №5", "мбоу сош № 5", "МБОУ «СОШ №5»", "МБОУ\u00a0СОШ  №5", "Мбоу Сош №5."]
    assert len({institution_key(text) for text in written}) == 1
    assert institution_key("МБОУ СОШ №5") != institution_key("МБОУ СОШ №15")


def test_in_person_pairs_across_spellings_of_one_school_are_proposed_and_said(tmp_path: Path) -> None:
    mentors = [
        ["M1", "Сидорова Мария Олеговна", "МБОУ СОШ №5", "lesson:3;parents:3", "3", "очно", "да"],
        ["M2", "Петров Пётр Петрович", "мбоу сош № 5", "ict:3", "2", "очно", "да"],
    ]
    mentees = [
        ["N1", "Алексеева Анна Ивановна", "МБОУ «СОШ №5»", "lesson:3", "очно", "да"],
        ["N2", "Борисов Борис Борисович", "МБОУ\u00a0СОШ №5", "parents:2", "очно", "да"],
        ["N3", "Васильева Вера Васильевна", "мбоу сош №5", "ict:2", "очно", "да"],
    ]
    run = _run(tmp_path, mentors, mentees)
    assert sorted(run["pairs"]) == [("N1", "M1"), ("N2", "M1"), ("N3", "M2")]  # type: ignore[call-overload]
    [notice] = run["notices"]  # type: ignore[misc]
    assert notice.startswith("Организация «МБОУ СОШ №5» записана и как «мбоу сош № 5», ")
    assert "«МБОУ\u00a0СОШ №5» (с неразрывным пробелом)" in notice  # a space one cannot see is named
    assert ("Обратите внимание", notice) in run["shown"]  # type: ignore[operator]


def test_one_id_for_two_people_is_refused_naming_both(tmp_path: Path) -> None:
    mentors = _write(
        tmp_path / "наставники.csv",
        MENTOR_HEADER,
        [["1", "Сидорова Мария Олеговна", "СОШ-5", "lesson:3", "2", "очно", "да"]],
    )
    mentees = _write(
        tmp_path / "наставляемые.csv",
        MENTEE_HEADER,
        [
            ["1", "Алексеева Анна Ивановна", "СОШ-5", "lesson:3", "очно", "да"],
            ["2", "Борисов Борис Борисович", "СОШ-5", "lesson:2", "очно", "да"],
        ],
    )
    with pytest.raises(InputError) as refused:
        load_banks(mentors, mentees, load_taxonomy())
    [problem] = refused.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == ("наставляемые.csv", 2, "id", "1")
    assert (
        "«Сидорова Мария Олеговна»" in problem.message_ru
        and "«Алексеева Анна Ивановна»" in problem.message_ru
    )


def test_one_person_under_one_id_in_both_banks_is_welcome(tmp_path: Path) -> None:
    mentors = [
        ["1", "Сидорова Мария Олеговна", "СОШ-5", "ict:3", "2", "очно", "да"],
        ["2", "Петров Пётр Петрович", "СОШ-5", "lesson:3", "2", "очно", "да"],
    ]
    mentees = [["1", "сидорова  мария олеговна", "СОШ-5", "lesson:3", "очно", "да"]]
    run = _run(tmp_path, mentors, mentees)
    assert run["pairs"] == [("1", "2")] and run["notices"] == []


def test_one_person_under_two_ids_is_not_proposed_to_herself_and_is_named(tmp_path: Path) -> None:
    mentors = [
        ["M1", "Сидорова Мария Олеговна", "СОШ-5", "lesson:3", "2", "очно", "да"],
        ["M2", "Петров Пётр Петрович", "СОШ-5", "lesson:1", "2", "очно", "да"],
    ]
    mentees = [["N1", "Сидорова Мария Олеговна", "сош-5", "lesson:3", "очно", "да"]]
    run = _run(tmp_path, mentors, mentees)
    assert run["pairs"] == [("N1", "M2")]  # not the better fit M1: that is herself
    notices = run["notices"]
    assert len(notices) == 2  # type: ignore[arg-type]
    assert "«Сидорова Мария Олеговна» (СОШ-5) есть в обеих базах под разными идентификаторами" in notices[1]  # type: ignore[index]


def test_a_mentor_id_written_in_another_case_or_as_a_name_is_refused_with_a_hint(tmp_path: Path) -> None:
    mentors = _write(
        tmp_path / "наставники.csv",
        MENTOR_HEADER,
        [["M003", "Сидорова Мария Олеговна", "СОШ-5", "lesson:3", "2", "очно", "да"]],
    )
    header = [*MENTEE_HEADER, "preferred_mentors"]
    mentees = _write(
        tmp_path / "наставляемые.csv",
        header,
        [
            ["N1", "Алексеева Анна Ивановна", "СОШ-5", "lesson:3", "очно", "да", "m003"],
            ["N2", "Борисов Борис Борисович", "СОШ-5", "lesson:2", "очно", "да", "Сидорова Мария Олеговна"],
            ["N3", "Васильева Вера Васильевна", "СОШ-5", "lesson:2", "очно", "да", "M003, M004"],
        ],
    )
    with pytest.raises(InputError) as refused:
        load_banks(mentors, mentees, load_taxonomy())
    messages = {problem.row: problem.message_ru for problem in refused.value.problems}
    assert "не ФИО" in messages[3] and "а не запятой" in messages[4]
    with pytest.raises(InputError) as refused:
        load_banks(
            mentors,
            _write(
                tmp_path / "н2.csv",
                header,
                [["N1", "Алексеева Анна", "СОШ-5", "lesson:3", "очно", "да", "m003"]],
            ),
            load_taxonomy(),
        )
    [problem] = refused.value.problems
    assert problem.value == "m003" and "возможно, имелся в виду «M003»" in problem.message_ru
