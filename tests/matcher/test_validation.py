"""Validation: cell text into banks, and every problem of a file reported at once, in Russian."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from matcher.errors import CellProblem, InputError
from matcher.model import MeetingFormat, Mentee, Mentor
from matcher.reading import Kind, RawTable, read_table
from matcher.taxonomy import Taxonomy
from matcher.validation import check_references, load_banks, validate_mentees, validate_mentors

FILES = Path(__file__).parents[1] / "files"
GOOD = FILES / "good"
BAD = FILES / "bad"
BOTH = frozenset(MeetingFormat)
REQUIRED = "обязательное поле не заполнено"
BASE: dict[Kind, dict[str, str]] = {
    "mentors": {
        "id": "m1",
        "full_name": "Иванова Анна",
        "institution": "Школа №1",
        "competences": "ict",
        "consent": "да",
    },
    "mentees": {
        "id": "e1",
        "full_name": "Петров Олег",
        "institution": "Школа №1",
        "difficulties": "ict",
        "consent": "да",
    },
}


def one_row(kind: Kind, **cells: str) -> RawTable:
    """A real one-row CSV file of ``kind``: the required cells of ``BASE``, overridden by ``cells``."""
    row = {**BASE[kind], **cells}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([row.keys(), row.values()])
    return read_table(buffer.getvalue().encode(), name=f"{kind}.csv", kind=kind)


def one_mentor(taxonomy: Taxonomy, **cells: str) -> Mentor:
    [mentor] = validate_mentors(one_row("mentors", **cells), taxonomy).mentors
    return mentor


def one_mentee(taxonomy: Taxonomy, **cells: str) -> Mentee:
    [mentee] = validate_mentees(one_row("mentees", **cells), taxonomy).mentees
    return mentee


def only_problem(taxonomy: Taxonomy, **cells: str) -> CellProblem:
    with pytest.raises(InputError) as caught:
        validate_mentors(one_row("mentors", **cells), taxonomy)
    [problem] = caught.value.problems
    return problem


def problems(error: pytest.ExceptionInfo[InputError]) -> list[tuple[str, int, str, str]]:
    return [(p.file, p.row, p.column, p.value) for p in error.value.problems]


def test_comma_file_into_mentors(taxonomy: Taxonomy) -> None:
    bank = validate_mentors(read_table(GOOD / "mentors_comma.csv", kind="mentors"), taxonomy)

    assert bank.source == "mentors_comma.csv"
    first, second = bank.mentors
    assert first == Mentor(
        id="m1",
        full_name="Иванова Анна Петровна",
        institution="Школа №1",
        municipality="Светлогорск",
        position="учитель математики",
        subjects=("математика", "алгебра"),
        levels=("ООО", "СОО"),
        experience_years=25,
        qualification="высшая",
        competences={"ict": 3, "methods": 2},
        about='Призёр конкурса "Учитель года",\r\nведёт клуб',
        capacity=3,
        max_group=4,
        formats=frozenset({MeetingFormat.IN_PERSON}),
        consent=True,
    )
    assert type(first) is Mentor
    assert (second.competences, second.capacity, second.max_group, second.formats) == (
        {"subject": 2},
        2,
        1,
        BOTH,
    )
    assert (second.experience_years, second.subjects, second.consent) == (None, (), True)


def test_semicolon_and_cp1251_files_give_the_same_bank(taxonomy: Taxonomy, cp1251_mentors: Path) -> None:
    utf8 = validate_mentors(read_table(GOOD / "mentors_semicolon.csv", kind="mentors"), taxonomy)
    cp1251 = validate_mentors(read_table(cp1251_mentors, kind="mentors"), taxonomy)

    first, second = utf8.mentors
    assert (first.competences, first.formats, first.capacity) == (
        {"ict": 3},
        frozenset({MeetingFormat.REMOTE}),
        5,
    )
    assert (second.full_name, second.consent, second.formats) == ("Петров; Пётр", False, BOTH)
    assert cp1251.mentors == utf8.mentors


def test_workbook_numbers_and_booleans(taxonomy: Taxonomy, xlsx_mentors: Path) -> None:
    first, second = validate_mentors(read_table(xlsx_mentors, kind="mentors"), taxonomy).mentors

    assert (first.id, first.experience_years, first.capacity, first.consent) == ("101", 5, 3, True)
    assert (second.institution, second.position, second.competences, second.consent) == (
        "17",
        "2.5",
        {"methods": 2},
        False,
    )


def test_mentees_with_russian_headers(taxonomy: Taxonomy) -> None:
    bank = validate_mentees(read_table(GOOD / "mentees_headers.csv", kind="mentees"), taxonomy)

    first, second = bank.mentees
    assert first.difficulties == {"ict": 3, "parents": 2}
    assert (first.preferred_mentors, first.excluded_mentors, first.max_mentors) == (("m1",), ("m2",), 2)
    assert (first.category, first.request) == ("молодой специалист", "Помощь с электронным журналом")
    assert (second.difficulties, second.consent, second.max_mentors) == ({"methods": 1}, False, 1)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("ict", {"ict": 2}),
        ("ICT:1", {"ict": 1}),
        ("ИКТ", {"ict": 2}),
        ("  ИКТ-Компетенции,   цифровая образовательная среда :3", {"ict": 3}),
        ("«ИКТ-компетенции, цифровая образовательная среда»", {"ict": 2}),
        ("цифровая среда", {"ict": 2}),
        ("Работа с одаренными детьми, олимпиады", {"gifted": 2}),
        ("работа с одарёнными", {"gifted": 2}),
        ("ict:1; ИКТ:3; методика : 1;;", {"ict": 3, "methods": 1}),
    ],
)
def test_taxonomy_items_by_code_label_or_synonym(
    taxonomy: Taxonomy, cell: str, expected: dict[str, int]
) -> None:
    assert one_mentor(taxonomy, competences=cell).competences == expected
    assert one_mentee(taxonomy, difficulties=cell).difficulties == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("", BOTH),
        ("in_person", {MeetingFormat.IN_PERSON}),
        ("Очно", {MeetingFormat.IN_PERSON}),
        ("очный", {MeetingFormat.IN_PERSON}),
        ("remote", {MeetingFormat.REMOTE}),
        ("ДИСТАНЦИОННО", {MeetingFormat.REMOTE}),
        ("дистанционный", {MeetingFormat.REMOTE}),
        ("онлайн", {MeetingFormat.REMOTE}),
        ("Online", {MeetingFormat.REMOTE}),
        ("mixed", BOTH),
        ("смешанный", BOTH),
        ("оба", BOTH),
        ("both", BOTH),
        ("очно; дистанционно", BOTH),
    ],
)
def test_format_spellings(taxonomy: Taxonomy, cell: str, expected: frozenset[MeetingFormat]) -> None:
    assert one_mentor(taxonomy, formats=cell).formats == expected


@pytest.mark.parametrize(
    "cell",
    [
        "да",
        "ДА",
        "Yes",
        "1",
        "true",
        "TRUE",
        "y",
        "д",
        "+",
        "ИСТИНА",
        "нет",
        "No",
        "0",
        "false",
        "n",
        "Н",
        "-",
    ],
)
def test_consent_spellings(taxonomy: Taxonomy, cell: str) -> None:
    expected = cell.casefold() in {"да", "yes", "1", "true", "y", "д", "+", "истина"}
    assert one_mentor(taxonomy, consent=cell).consent is expected


@pytest.mark.parametrize("cell", ["5", "5.0", "5,0", "05"])
def test_whole_numbers(taxonomy: Taxonomy, cell: str) -> None:
    mentor = one_mentor(taxonomy, experience_years=cell, capacity=cell, max_group=cell)
    assert (mentor.experience_years, mentor.capacity, mentor.max_group) == (5, 5, 5)
    assert one_mentee(taxonomy, max_mentors=cell).max_mentors == 5


def test_zero_capacity_is_allowed(taxonomy: Taxonomy) -> None:
    assert one_mentor(taxonomy, capacity="0").capacity == 0


def test_levels_become_upper_case_codes(taxonomy: Taxonomy) -> None:
    assert one_mentor(taxonomy, levels="до; ноо ; Доп; ООО; ооо").levels == ("ДО", "НОО", "ДОП", "ООО")


def test_lists_drop_empty_items(taxonomy: Taxonomy) -> None:
    mentee = one_mentee(taxonomy, subjects=" физика ;; химия;", preferred_mentors="m1; ;m2")
    assert (mentee.subjects, mentee.preferred_mentors) == (("физика", "химия"), ("m1", "m2"))


@pytest.mark.parametrize(
    ("cells", "column", "value", "message"),
    [
        (
            {"competences": "ict; Астрология"},
            "competences",
            "ict; Астрология",
            "неизвестная компетенция «Астрология»",
        ),
        ({"competences": "ict, methods"}, "competences", "ict, methods", "разделяются «;»"),
        ({"competences": "ict:"}, "competences", "ict:", "уровень владения должен быть 1, 2 или 3: «ict:»"),
        ({"competences": ";"}, "competences", ";", REQUIRED),
        ({"experience_years": "-1"}, "experience_years", "-1", "стаж должен быть целым числом от 0 до 80"),
        (
            {"capacity": "два"},
            "capacity",
            "два",
            "максимум наставляемых должен быть целым числом от 0 до 100",
        ),
        (
            {"max_group": "0"},
            "max_group",
            "0",
            "максимальный размер группы должен быть целым числом от 1 до 50",
        ),
        (
            {"capacity": "100000"},
            "capacity",
            "100000",
            "максимум наставляемых должен быть целым числом от 0 до 100",
        ),
        ({"levels": "ООО; ВУЗ"}, "levels", "ООО; ВУЗ", "допустимы: ДО, НОО, ООО, СОО, СПО, ДОП"),
        ({"formats": "очно; заочно"}, "formats", "очно; заочно", "неизвестный формат «заочно»"),
        ({"consent": "может быть"}, "consent", "может быть", "«да» или «нет»"),
        ({"consent": ""}, "consent", "", REQUIRED),
        ({"institution": ""}, "institution", "", REQUIRED),
    ],
)
def test_each_bad_cell(
    taxonomy: Taxonomy, cells: dict[str, str], column: str, value: str, message: str
) -> None:
    problem = only_problem(taxonomy, **cells)

    assert (problem.file, problem.row, problem.column, problem.value) == ("mentors.csv", 2, column, value)
    assert message in problem.message_ru


def test_every_problem_of_the_mentors_file_at_once(taxonomy: Taxonomy) -> None:
    with pytest.raises(InputError) as caught:
        validate_mentors(read_table(BAD / "mentors_bad_cells.csv", kind="mentors"), taxonomy)

    file = "mentors_bad_cells.csv"
    assert problems(caught) == [
        (file, 3, "Компетенции", "астрология"),
        (file, 4, "Компетенции", "ict:4"),
        (file, 5, "Стаж", "пять"),
        (file, 6, "Максимум наставляемых", "-1"),
        (file, 7, "Идентификатор", "m1"),
        (file, 8, "ФИО", ""),
        (file, 9, "Согласие", "может быть"),
        (file, 10, "Формат", "по почте"),
        (file, 11, "Уровни образования", "ВУЗ"),
        (file, 12, "Максимальный размер группы", "0"),
        (file, 13, "Согласие", ""),
        (file, 14, "Стаж", "2.5"),
        (file, 15, "ФИО", ""),
        (file, 15, "Стаж", "-3"),
        (file, 15, "Компетенции", "xyz"),
    ]
    messages = [p.message_ru for p in caught.value.problems]
    assert messages[0].startswith(
        "неизвестная компетенция «астрология»; допустимы коды и названия из таксономии"
    )
    assert messages[4] == "повторяющийся идентификатор (уже в строке 2)"
    assert messages[5] == messages[10] == REQUIRED
    assert caught.value.render_ru().count("\n") == len(messages)


def test_every_problem_of_the_mentees_file_at_once(taxonomy: Taxonomy) -> None:
    with pytest.raises(InputError) as caught:
        validate_mentees(read_table(BAD / "mentees_bad_cells.csv", kind="mentees"), taxonomy)

    file = "mentees_bad_cells.csv"
    assert problems(caught) == [
        (file, 2, "difficulties", "ict:0"),
        (file, 3, "difficulties", ""),
        (file, 3, "max_mentors", "2.5"),
        (file, 4, "difficulties", "икт, методика"),
        (file, 4, "max_mentors", "0"),
    ]
    messages = [p.message_ru for p in caught.value.problems]
    assert messages[0] == "степень затруднения должна быть 1, 2 или 3: «ict:0»"
    assert messages[1] == REQUIRED
    assert messages[2] == messages[4] == "максимум наставников должен быть целым числом от 1 до 10"
    assert messages[3].startswith("неизвестное затруднение «икт, методика»")


def test_load_banks_reads_both_files(taxonomy: Taxonomy) -> None:
    mentors, mentees = load_banks(GOOD / "mentors_comma.csv", GOOD / "mentees_headers.csv", taxonomy)

    assert (mentors.source, len(mentors)) == ("mentors_comma.csv", 2)
    assert (mentees.source, len(mentees)) == ("mentees_headers.csv", 2)


def test_unknown_mentor_ids_in_preferences_and_exclusions(taxonomy: Taxonomy) -> None:
    with pytest.raises(InputError) as caught:
        load_banks(GOOD / "mentors_comma.csv", BAD / "mentees_unknown_refs.csv", taxonomy)

    file = "mentees_unknown_refs.csv"
    assert problems(caught) == [(file, 2, "preferred_mentors", "m99"), (file, 3, "excluded_mentors", "x7")]
    assert "нет наставника с таким идентификатором" in caught.value.problems[0].message_ru


def test_check_references_maps_mentees_to_their_rows(taxonomy: Taxonomy) -> None:
    mentors = validate_mentors(read_table(GOOD / "mentors_bom.csv", kind="mentors"), taxonomy)
    table = read_table(GOOD / "mentees_headers.csv", kind="mentees")
    mentees = validate_mentees(table, taxonomy)

    with pytest.raises(InputError) as caught:
        check_references(mentees, mentors, mentee_table=table)

    assert problems(caught) == [("mentees_headers.csv", 2, "Исключенные  наставники", "m2")]


def test_load_banks_reports_both_files_together(taxonomy: Taxonomy) -> None:
    with pytest.raises(InputError) as caught:
        load_banks(BAD / "mentors_missing_columns.csv", BAD / "mentees_bad_cells.csv", taxonomy)

    files = [p.file for p in caught.value.problems]
    assert files == ["mentors_missing_columns.csv"] * 3 + ["mentees_bad_cells.csv"] * 5


def test_load_banks_reports_an_unreadable_file_with_the_other_files_problems(taxonomy: Taxonomy) -> None:
    with pytest.raises(InputError) as caught:
        load_banks(BAD / "mentors_bad_cells.csv", BAD / "empty.csv", taxonomy)

    assert len(caught.value.problems) == 16
    assert problems(caught)[-1] == ("empty.csv", 0, "", "")
