"""Reading: every file style into the same raw table, and every unreadable file named in Russian."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.errors import CellProblem, InputError
from matcher.reading import Kind, read_table

FILES = Path(__file__).parents[1] / "files"
GOOD = FILES / "good"
BAD = FILES / "bad"
REQUIRED_HEADER = "id,full_name,institution,competences,consent"


def problems_of(
    source: Path | bytes, *, name: str | None = None, kind: Kind = "mentors"
) -> list[CellProblem]:
    with pytest.raises(InputError) as caught:
        read_table(source, name=name, kind=kind)
    return list(caught.value.problems)


def where(problems: list[CellProblem]) -> list[tuple[str, int, str, str]]:
    return [(p.file, p.row, p.column, p.value) for p in problems]


def test_comma_csv_keeps_rfc4180_quoting_and_skips_empty_rows() -> None:
    table = read_table(GOOD / "mentors_comma.csv", kind="mentors")

    assert table.file == "mentors_comma.csv"
    assert table.row_numbers == [2, 4]  # the quoted line break stays in row 2; row 3 is empty
    first = table.rows[0]
    assert first["competences"] == "ict:3; Методика обучения и преподавания, образовательные технологии"
    assert first["about"] == 'Призёр конкурса "Учитель года",\r\nведёт клуб'
    assert first["experience_years"] == "25"
    assert table.rows[1]["municipality"] == ""
    assert "notes" not in first and "notes" not in table.headers  # extra columns are dropped
    assert table.headers["max_group"] == "max_group"


def test_bom_and_header_case_and_spaces() -> None:
    table = read_table(GOOD / "mentors_bom.csv", kind="mentors")

    assert table.headers == {
        "id": "ID",
        "full_name": "Full_Name",
        "institution": "INSTITUTION",
        "competences": "Competences",
        "consent": "Consent",
    }
    assert table.rows == [
        {
            "id": "m1",
            "full_name": "Иванова Анна",
            "institution": "Школа №1",
            "competences": "ict:1",
            "consent": "1",
        }
    ]


def test_semicolon_csv_with_russian_headers() -> None:
    table = read_table(GOOD / "mentors_semicolon.csv", kind="mentors")

    assert table.headers["id"] == "Идентификатор"
    assert table.headers["capacity"] == "Максимум наставляемых"
    assert [row["full_name"] for row in table.rows] == ["Иванова Анна", "Петров; Пётр"]
    assert table.rows[0]["competences"] == "ИКТ-компетенции, цифровая образовательная среда:3"


def test_cp1251_semicolon_reads_as_its_utf8_original(cp1251_mentors: Path) -> None:
    original = read_table(GOOD / "mentors_semicolon.csv", kind="mentors")
    table = read_table(cp1251_mentors, kind="mentors")

    assert table.file == "mentors_cp1251.csv"
    assert (table.headers, table.rows, table.row_numbers) == (
        original.headers,
        original.rows,
        original.row_numbers,
    )


def test_mentee_headers_in_any_case_with_extra_spaces_and_e_for_yo() -> None:
    table = read_table(GOOD / "mentees_headers.csv", kind="mentees")

    assert table.headers["id"] == "ИДЕНТИФИКАТОР"
    assert table.headers["institution"] == "образовательная   организация"
    assert table.headers["excluded_mentors"] == "Исключенные  наставники"
    assert set(table.headers) == {
        "id",
        "full_name",
        "institution",
        "difficulties",
        "consent",
        "preferred_mentors",
        "excluded_mentors",
        "max_mentors",
        "category",
        "request",
    }
    assert table.rows[0]["excluded_mentors"] == "m2"


def test_xlsx_first_sheet_cells_as_typed_text(xlsx_mentors: Path) -> None:
    table = read_table(xlsx_mentors, kind="mentors")

    assert table.row_numbers == [2, 4]
    first, second = table.rows
    assert first["id"] == "101"
    assert first["experience_years"] == "5"
    assert first["position"] == "01.09.2024"  # as Excel shows a date in Russia
    assert first["consent"] == "да"
    assert second["full_name"] == "Петров Пётр"
    assert second["institution"] == "17"
    assert second["position"] == "2.5"
    assert second["experience_years"] == ""
    assert second["consent"] == "нет"


def test_bytes_need_a_display_name() -> None:
    data = (GOOD / "mentors_bom.csv").read_bytes()

    assert read_table(data, name="upload.csv", kind="mentors").file == "upload.csv"
    with pytest.raises(ValueError, match="name"):
        read_table(data, kind="mentors")


cells = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), max_size=8)


@given(
    rows=st.lists(st.tuples(cells.filter(bool), cells, cells), min_size=1, max_size=5),
    delimiter=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig"]),
)
def test_any_cell_text_survives_a_csv_writer(
    rows: list[tuple[str, str, str]], delimiter: str, encoding: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["id", "full_name", "institution", "competences", "consent"])
    writer.writerows([(person_id, name, place, "ict", "да") for person_id, name, place in rows])

    table = read_table(buffer.getvalue().encode(encoding), name="round.csv", kind="mentors")

    assert [(row["id"], row["full_name"], row["institution"]) for row in table.rows] == rows
    assert table.row_numbers == list(range(2, len(rows) + 2))


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("mentors.ods", "неподдерживаемый формат файла «.ods»"),
        ("empty.csv", "файл пуст"),
        ("no_header.csv", "не найдена строка заголовков столбцов"),
        ("corrupt.xlsx", "не является книгой Excel"),
        ("missing.csv", "не удалось прочитать файл"),
    ],
)
def test_unreadable_files_are_one_problem_naming_the_file(file: str, message: str) -> None:
    [problem] = problems_of(BAD / file)

    assert (problem.file, problem.row, problem.column, problem.value) == (file, 0, "", "")
    assert message in problem.message_ru


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\n\r\n  \n", "файл пуст"),
        (b";;;\n;;;\n", "файл пуст"),
        (REQUIRED_HEADER.encode() + b"\nm1,\x98,x,ict,1\n", "кодировку"),
        (REQUIRED_HEADER.encode() + b"\nm1,\x00,x,ict,1\n", "не является текстовым CSV"),
    ],
)
def test_empty_and_binary_csv(data: bytes, message: str) -> None:
    [problem] = problems_of(data, name="upload.csv")

    assert (problem.file, problem.row) == ("upload.csv", 0)
    assert message in problem.message_ru


def test_truncated_and_hollow_workbooks(xlsx_mentors: Path) -> None:
    whole = xlsx_mentors.read_bytes()
    hollow = io.BytesIO()
    with zipfile.ZipFile(hollow, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")

    for data in (whole[: len(whole) // 2], hollow.getvalue()):
        [problem] = problems_of(data, name="book.xlsx")
        assert (problem.file, problem.row) == ("book.xlsx", 0)
        assert "не является книгой Excel" in problem.message_ru


def test_missing_required_columns_are_all_reported() -> None:
    problems = problems_of(BAD / "mentors_missing_columns.csv")

    assert where(problems) == [
        ("mentors_missing_columns.csv", 0, "", ""),
        ("mentors_missing_columns.csv", 0, "", ""),
        ("mentors_missing_columns.csv", 0, "", ""),
    ]  # a missing column is named in Russian in the message, never by its code
    assert "«Компетенции»" in problems[1].message_ru
    assert not any("competences" in p.message_ru or "consent" in p.message_ru for p in problems)


def test_missing_mentee_columns_follow_the_mentee_contract() -> None:
    problems = problems_of(GOOD / "mentors_bom.csv", kind="mentees")

    assert [p.column for p in problems] == ["Competences", ""]
    assert "«Затруднения»" in problems[1].message_ru
    assert "не распознан — возможно, имелся в виду «Компетенции»" not in problems[0].message_ru


def test_a_column_given_twice() -> None:
    [problem] = problems_of(BAD / "mentors_duplicate_column.csv")

    assert where([problem]) == [("mentors_duplicate_column.csv", 1, "Идентификатор", "")]
    assert "«id»" in problem.message_ru


def test_unclosed_quote_names_its_row() -> None:
    [problem] = problems_of(BAD / "unclosed_quote.csv")

    assert (problem.file, problem.row) == ("unclosed_quote.csv", 3)
    assert "кавычк" in problem.message_ru


def test_unquoted_delimiter_makes_a_row_too_wide() -> None:
    [problem] = problems_of(BAD / "ragged.csv")

    assert where([problem]) == [("ragged.csv", 3, "", "да")]
    assert "кавычки" in problem.message_ru
