"""Real-shaped spreadsheets, each with its expected result: read right, or refused naming the column.

The files are what schools send: a title above the header, a two-level merged header with a
row numbering the columns, Russian near-miss headers, a BOM, «;», and every Cyrillic encoding
Excel or an old system writes. Each is built here (``tests.workbooks``) and read by the real
reader and validator.
"""

from __future__ import annotations

import pytest

from matcher.errors import CellProblem, InputError
from matcher.model import MeetingFormat
from matcher.reading import Kind, read_table
from matcher.taxonomy import Taxonomy
from matcher.validation import validate_mentees, validate_mentors
from tests.workbooks import MENTOR_HEADER, MENTORS, csv_bytes, school_template, workbook_bytes

TITLE = ("База наставников школы 5 на 2025/2026 учебный год",)


def problems(data: bytes, name: str, kind: Kind = "mentors") -> list[CellProblem]:
    with pytest.raises(InputError) as caught:
        read_table(data, name=name, kind=kind)
    return list(caught.value.problems)


def test_school_template_with_title_merged_two_level_header_and_numbering(taxonomy: Taxonomy) -> None:
    table = read_table(school_template(), name="наставники.xlsx", kind="mentors")

    assert table.header_rows == (3, 4)
    assert table.headers == {
        "id": "Идентификатор",
        "full_name": "ФИО",
        "institution": "Образовательная организация",
        "competences": "Компетенции",
        "formats": "Формат взаимодействия",
        "capacity": "Макс. кол-во наставляемых",
        "consent": "Согласие",
    }
    assert table.left_aside == ("№ п/п",)
    assert table.row_numbers == [6, 7]
    first, second = validate_mentors(table, taxonomy).mentors
    assert (first.formats, first.capacity, first.competences) == (
        frozenset({MeetingFormat.REMOTE}),
        1,
        {"ict": 3},
    )
    assert (second.formats, second.capacity, second.competences) == (
        frozenset({MeetingFormat.IN_PERSON}),
        3,
        {"inclusion": 2},
    )


def test_the_silently_lost_columns_of_issue_11_are_read_or_refused(taxonomy: Taxonomy) -> None:
    header = ("ID", "Ф.И.О.", "ОО", "Затруднения", "Согласие", "Формат взаимодействия", "Желаемый наставник")
    data = csv_bytes([header, ("e1", "Сидорова Мария", "СОШ-5", "ИКТ", "да", "дистанционно", "m1")])

    [mentee] = validate_mentees(read_table(data, name="наставляемые.csv", kind="mentees"), taxonomy).mentees

    assert mentee.formats == frozenset({MeetingFormat.REMOTE})
    assert mentee.preferred_mentors == ("m1",)


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [
        ("utf-8", ",", False),
        ("utf-8", ";", True),
        ("cp1251", ";", False),
        ("koi8_r", ";", False),
        ("cp866", ",", False),
        ("mac_cyrillic", ";", False),
        ("utf-16", "\t", False),  # Excel's «Текст Юникод»: UTF-16 with BOM, tab-delimited
    ],
)
def test_every_encoding_and_delimiter_reads_as_the_original(encoding: str, delimiter: str, bom: bool) -> None:
    rows = [TITLE, (), MENTOR_HEADER, *MENTORS]
    data = csv_bytes(rows, delimiter=delimiter, encoding=encoding)
    data = b"\xef\xbb\xbf" + data if bom else data

    table = read_table(data, name="наставники.csv", kind="mentors")

    assert table.header_rows == (3,)
    assert [list(row.values()) for row in table.rows] == [list(person) for person in MENTORS]


def test_text_that_no_code_page_reads_clearly_is_refused() -> None:
    data = bytes(range(0x80, 0x100)) * 4 + b"\n"
    [problem] = problems(data, "наставники.csv")
    assert "не удалось уверенно определить кодировку" in problem.message_ru


@pytest.mark.parametrize(
    ("header", "suggestion"),
    [
        ("Формат встреч", "«Формат»"),  # the contract's own example of a near-miss
        ("Форма встреч", "«Формат»"),
        ("Компитенции", "«Компетенции»"),
        ("Максимум наставляемых в группе", "«Максимум наставляемых»"),
        ("Категория наставника", "«Квалификационная категория»"),
    ],
)
def test_a_near_miss_header_is_refused_naming_the_column_it_may_mean(header: str, suggestion: str) -> None:
    data = workbook_bytes([TITLE, (*MENTOR_HEADER, header), (*MENTORS[0], "x")])

    [problem] = problems(data, "наставники.xlsx")

    assert (problem.row, problem.column) == (2, header)
    assert problem.message_ru.startswith(f"столбец не распознан — возможно, имелся в виду {suggestion}")


def test_an_unknown_header_lists_the_russian_columns_once() -> None:
    data = csv_bytes([(*MENTOR_HEADER, "Хобби", "Любимый цвет"), (*MENTORS[0], "шахматы", "синий")])

    first, second = problems(data, "наставники.csv")

    assert "известные столбцы: «Идентификатор», «ФИО»" in first.message_ru
    assert "перечислены выше" in second.message_ru


def test_plainly_unrelated_columns_are_left_aside_and_named() -> None:
    header = ("№", *MENTOR_HEADER, "Примечание", "Телефон", "Дата рождения", "E-mail")
    data = csv_bytes([header, ("1", *MENTORS[0], "в отпуске", "+7 900", "1980-01-01", "a@b.ru")])

    table = read_table(data, name="наставники.csv", kind="mentors")

    assert table.left_aside == ("№", "Примечание", "Телефон", "Дата рождения", "E-mail")
    assert set(table.headers) == {"id", "full_name", "institution", "competences", "consent"}


def test_a_workbook_column_without_header_but_with_data_is_named() -> None:
    data = workbook_bytes([MENTOR_HEADER, (*MENTORS[0], None, "забытая заметка")])

    table = read_table(data, name="наставники.xlsx", kind="mentors")

    assert table.left_aside == ("без заголовка (столбец G)",)


def test_a_mentors_file_given_as_mentees_says_so() -> None:
    data = csv_bytes([(*MENTOR_HEADER, "Затруднения"), (*MENTORS[0], "ict")])

    [problem] = problems(data, "наставляемые.csv", kind="mentees")

    assert problem.column == "Компетенции"
    assert "это столбец базы наставников" in problem.message_ru


def test_taxonomy_items_inside_phrases_and_the_allowed_labels(taxonomy: Taxonomy) -> None:
    data = csv_bytes(
        [
            MENTOR_HEADER,
            ("m1", "Иванова", "СОШ-5", "Работа с детьми с ОВЗ; подготовка к ОГЭ:3", "да"),
            ("m2", "Петров", "СОШ-5", "хоровое пение", "да"),
            ("m3", "Сидоров", "СОШ-5", "ИКТ в работе с родителями", "да"),
        ]
    )
    table = read_table(data, name="наставники.csv", kind="mentors")

    with pytest.raises(InputError) as caught:
        validate_mentors(table, taxonomy)

    unknown, ambiguous = caught.value.problems
    assert (
        unknown.row == 3
        and "допустимы коды и названия из таксономии: subject «предметное содержание»" in (unknown.message_ru)
    )
    assert ambiguous.row == 4 and "подходит к нескольким пунктам («работа с родителями», «ИКТ»)" in (
        ambiguous.message_ru
    )
    [mentor] = validate_mentors(
        read_table(data.split(b"\r\n")[0] + b"\r\n" + data.split(b"\r\n")[1], name="a.csv", kind="mentors"),
        taxonomy,
    ).mentors
    assert mentor.competences == {"inclusion": 2, "assessment": 3}
