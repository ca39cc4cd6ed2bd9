"""List cells as curators write them: taxonomy items never narrowed in silence, degrees after a
dash or in brackets, Alt+Enter between items, and the common Russian forms of formats and consent.

Every case is a real small file (CSV, or a workbook for Alt+Enter) read and validated the way the
batch command does it (``load_banks`` / ``validate_*``).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

from matcher.errors import CellProblem, InputError
from matcher.model import MeetingFormat, Mentee, Mentor
from matcher.reading import read_table
from matcher.taxonomy import Taxonomy
from matcher.validation import load_banks, validate_mentees, validate_mentors

MENTOR_HEADER = ("Идентификатор", "ФИО", "Образовательная организация", "Компетенции", "Формат", "Согласие")
MENTEE_HEADER = ("Идентификатор", "ФИО", "Образовательная организация", "Затруднения", "Формат", "Согласие")
BOTH = frozenset(MeetingFormat)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def mentors_file(tmp_path: Path, *rows: Sequence[str]) -> Path:
    return write_csv(tmp_path / "наставники.csv", MENTOR_HEADER, rows)


def mentees_file(tmp_path: Path, *rows: Sequence[str]) -> Path:
    return write_csv(tmp_path / "наставляемые.csv", MENTEE_HEADER, rows)


def mentor(
    competences: str, formats: str = "очно", consent: str = "да", person: str = "m1"
) -> tuple[str, ...]:
    return (person, "Иванова Анна Сергеевна", "СОШ-1", competences, formats, consent)


def mentee(
    difficulties: str, formats: str = "очно", consent: str = "да", person: str = "e1"
) -> tuple[str, ...]:
    return (person, "Петров Олег Ильич", "СОШ-1", difficulties, formats, consent)


def read_mentor(tmp_path: Path, taxonomy: Taxonomy, row: Sequence[str]) -> Mentor:
    [read] = validate_mentors(read_table(mentors_file(tmp_path, row), kind="mentors"), taxonomy).mentors
    return read


def read_mentee(tmp_path: Path, taxonomy: Taxonomy, row: Sequence[str]) -> Mentee:
    [read] = validate_mentees(read_table(mentees_file(tmp_path, row), kind="mentees"), taxonomy).mentees
    return read


def refused(path: Path, taxonomy: Taxonomy, kind: str = "mentees") -> list[CellProblem]:
    validate = validate_mentees if kind == "mentees" else validate_mentors
    with pytest.raises(InputError) as caught:
        validate(read_table(path, kind=kind), taxonomy)  # type: ignore[operator]
    return list(caught.value.problems)


def one_difficulty_problem(tmp_path: Path, taxonomy: Taxonomy, cell: str) -> CellProblem:
    [problem] = refused(mentees_file(tmp_path, mentee(cell)), taxonomy)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "наставляемые.csv",
        2,
        "Затруднения",
        cell,
    )
    return problem


# --- 1. nothing of a taxonomy cell is lost in silence -----------------------------------------


def test_a_phrase_naming_two_items_is_refused_naming_both(tmp_path: Path, taxonomy: Taxonomy) -> None:
    problem = one_difficulty_problem(tmp_path, taxonomy, "работа с детьми с ОВЗ и одарёнными детьми")

    assert problem.message_ru == (
        "«работа с детьми с ОВЗ и одарёнными детьми» подходит к нескольким пунктам "
        "(«одарённые дети», «дети с ОВЗ»): укажите один или перечислите их через «;»"
    )


def test_a_shared_noun_naming_two_items_is_refused_naming_both(tmp_path: Path, taxonomy: Taxonomy) -> None:
    """«урочной» of the regulations' «организация урочной и внеурочной деятельности» is the lesson
    item's word (it was blamed as a word not understood)."""
    cell = "организация урочной и внеурочной деятельности"
    problem = one_difficulty_problem(tmp_path, taxonomy, cell)

    assert problem.message_ru == (
        f"«{cell}» подходит к нескольким пунктам («организация урока», «внеурочная деятельность»): "
        "укажите один или перечислите их через «;»"
    )


@pytest.mark.parametrize(
    ("cell", "lost", "understood"),
    [
        ("урок, выгорание", "«выгорание»", "«организация урока»"),
        ("ОВЗ и функциональная грамотность", "«функциональная грамотность»", "«дети с ОВЗ»"),
        ("ИКТ - очень высокий", "«очень высокий»", "«ИКТ»"),
        ("ИКТ 3", "«3»", "«ИКТ»"),
    ],
)
def test_words_left_over_beside_an_item_are_refused_naming_them(
    tmp_path: Path, taxonomy: Taxonomy, cell: str, lost: str, understood: str
) -> None:
    problem = one_difficulty_problem(tmp_path, taxonomy, cell)

    assert problem.message_ru.startswith(
        f"в «{cell}» не распознано {lost} (распознано: {understood}); каждый пункт пишется отдельно "
        "через «;», уровень — после «:» (1, 2 или 3); допустимы коды и названия из таксономии: "
        "subject «предметное содержание»"
    )
    assert problem.message_ru.endswith("(элементы списка разделяются «;», а не запятой)") is ("," in cell)


def test_an_unknown_item_beside_a_known_one_is_refused_not_dropped(
    tmp_path: Path, taxonomy: Taxonomy
) -> None:
    [problem] = refused(mentors_file(tmp_path, mentor("методика, ИКТ; выгорание")), taxonomy, "mentors")

    assert (problem.file, problem.row, problem.column) == ("наставники.csv", 2, "Компетенции")
    assert problem.message_ru.startswith("неизвестная компетенция «методика, ИКТ», «выгорание»; допустимы")
    assert problem.message_ru.endswith("(элементы списка разделяются «;», а не запятой)")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Работа с детьми с ОВЗ", {"inclusion": 2}),
        ("работа с одарёнными детьми", {"gifted": 2}),
        ("Работа с одаренными детьми (олимпиады):3", {"gifted": 3}),
        ("Затруднения в организации урока", {"lesson": 2}),
        ("дисциплина на уроках", {"lesson": 2}),
        ("Подготовка к ОГЭ и ЕГЭ", {"assessment": 2}),
        ("Взаимодействие с родителями (законными представителями)", {"parents": 2}),
        ("психолого-педагогическое сопровождение", {"psychology": 2}),
        ("ИКТ-компетенции, цифровая образовательная среда", {"ict": 2}),
    ],
)
def test_phrases_whose_every_word_is_understood_still_resolve(
    tmp_path: Path, taxonomy: Taxonomy, cell: str, expected: dict[str, int]
) -> None:
    mentors, mentees = load_banks(
        mentors_file(tmp_path, mentor(cell)), mentees_file(tmp_path, mentee(cell)), taxonomy
    )

    assert mentors.mentors[0].competences == mentees.mentees[0].difficulties == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [  # the words a school's papers use for its pupils and for teaching frame an item, naming no other
        ("работа с родителями обучающихся", {"parents": 2}),
        ("Работа с родителями (законными представителями) - 3", {"parents": 3}),
        ("подготовка обучающихся к ОГЭ", {"assessment": 2}),
        ("Обучение детей с ОВЗ", {"inclusion": 2}),
        ("Оценивание образовательных результатов", {"assessment": 2}),
        ("Методика обучения", {"methods": 2}),
        ("методика преподавания математики", {"methods": 2}),
        ("Подготовка к ЕГЭ по русскому языку", {"assessment": 2}),
        ("работа с одарёнными детьми по физике", {"gifted": 2}),
    ],
)
def test_school_wording_around_an_item_is_understood(
    tmp_path: Path, taxonomy: Taxonomy, cell: str, expected: dict[str, int]
) -> None:
    read = read_mentee(tmp_path, taxonomy, mentee(cell))

    assert read.difficulties == expected


# --- 2. the degree after a dash, in brackets or by name ------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("ИКТ - 3", {"ict": 3}),
        ("ИКТ-3", {"ict": 3}),
        ("ИКТ (3)", {"ict": 3}),
        ("организация урока — 3", {"lesson": 3}),
        ("Работа с родителями – 1", {"parents": 1}),
        ("ИКТ - высокий", {"ict": 3}),
        ("ИКТ: высокий уровень", {"ict": 3}),
        ("методика — базовый; ИКТ (уверенный)", {"methods": 1, "ict": 2}),
        ("психолого-педагогическое сопровождение - 1", {"psychology": 1}),
        ("Взаимодействие с родителями (законными представителями) (3)", {"parents": 3}),
        ("ИКТ: уровень 3", {"ict": 3}),
        ("ИКТ (уровень 3)", {"ict": 3}),
        ("ИКТ – 3 уровень", {"ict": 3}),
        ("ИКТ – 2 (средний)", {"ict": 2}),
        ("ИКТ (3 - высокий)", {"ict": 3}),
        ("ИКТ: 3.", {"ict": 3}),
        ("ИКТ: 3 балла", {"ict": 3}),
        ("1. Организация урока: 3\n2. Работа с родителями", {"lesson": 3, "parents": 2}),
    ],
)
def test_a_mentors_level_after_a_dash_or_in_brackets(
    tmp_path: Path, taxonomy: Taxonomy, cell: str, expected: dict[str, int]
) -> None:
    read = read_mentor(tmp_path, taxonomy, mentor(cell))

    assert read.competences == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("ИКТ — острое", {"ict": 3}),
        ("работа с родителями (небольшое)", {"parents": 1}),
        ("организация урока - заметное", {"lesson": 2}),
    ],
)
def test_a_mentees_severity_by_name(
    tmp_path: Path, taxonomy: Taxonomy, cell: str, expected: dict[str, int]
) -> None:
    read = read_mentee(tmp_path, taxonomy, mentee(cell))

    assert read.difficulties == expected


@pytest.mark.parametrize("cell", ["ИКТ - 5", "ИКТ (0)", "ИКТ:4"])
def test_a_number_out_of_range_after_a_dash_or_in_brackets_is_refused(
    tmp_path: Path, taxonomy: Taxonomy, cell: str
) -> None:
    problem = one_difficulty_problem(tmp_path, taxonomy, cell)

    assert problem.message_ru == f"степень затруднения должна быть 1, 2 или 3: «{cell}»"


def test_codes_with_levels_separated_by_commas_are_refused_as_a_list(
    tmp_path: Path, taxonomy: Taxonomy
) -> None:
    problem = one_difficulty_problem(tmp_path, taxonomy, "lesson:3, parents:1")

    assert problem.message_ru.startswith("неизвестное затруднение «lesson:3, parents:1»; допустимы")
    assert problem.message_ru.endswith("(элементы списка разделяются «;», а не запятой)")


# --- 3. Alt+Enter between the items of a list cell ----------------------------------------------


def test_line_breaks_separate_the_items_of_list_cells_in_a_workbook(
    tmp_path: Path, taxonomy: Taxonomy
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        [
            "Идентификатор",
            "ФИО",
            "Образовательная организация",
            "Предметы",
            "Уровни образования",
            "Затруднения",
            "Формат",
            "Согласие",
            "Желаемые наставники",
            "Исключённые наставники",
        ]
    )
    sheet.append(
        [
            "e1",
            "Петров Олег",
            "СОШ-1",
            "физика\nхимия",
            "ООО\nСОО",
            "Организация урока\nРабота с родителями",
            "очно\nдистанционно",
            "да",
            "m1\nm2",
            "m3",
        ]
    )
    sheet.append(
        ["e2", "Сидорова Вера", "СОШ-1", "", "", "ИКТ;\nВоспитательная работа:3", "очно", "да", "", ""]
    )
    path = tmp_path / "наставляемые.xlsx"
    workbook.save(path)

    first, second = validate_mentees(read_table(path, kind="mentees"), taxonomy).mentees

    assert (first.subjects, first.levels, first.difficulties) == (
        ("физика", "химия"),
        ("ООО", "СОО"),
        {"lesson": 2, "parents": 2},
    )
    assert (first.formats, first.preferred_mentors, first.excluded_mentors) == (BOTH, ("m1", "m2"), ("m3",))
    assert second.difficulties == {"ict": 2, "upbringing": 3}


def test_line_breaks_in_a_csv_list_cell_and_a_refusal_on_one_line(tmp_path: Path, taxonomy: Taxonomy) -> None:
    path = mentors_file(
        tmp_path, mentor("methods:3\r\nict:2\nparents:1", person="m1"), mentor("ИКТ\nвыгорание", person="m2")
    )

    with pytest.raises(InputError) as caught:
        validate_mentors(read_table(path, kind="mentors"), taxonomy)

    [problem] = caught.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "Компетенции", "ИКТ ⏎ выгорание")
    assert problem.message_ru.startswith("неизвестная компетенция «выгорание»")
    assert caught.value.render_ru().count("\n") == 1
    read = read_mentor(tmp_path, taxonomy, mentor("methods:3\r\nict:2\nparents:1"))
    assert read.competences == {"methods": 3, "ict": 2, "parents": 1}


def test_other_control_characters_in_list_cells_are_still_refused(tmp_path: Path, taxonomy: Taxonomy) -> None:
    path = mentors_file(tmp_path, mentor("ИКТ\tметодика"), mentor("ИКТ\x07", person="m2"))

    with pytest.raises(InputError) as caught:
        read_table(path, kind="mentors")

    assert [(p.row, p.column, p.message_ru.split(" (")[0]) for p in caught.value.problems] == [
        (2, "Компетенции", "недопустимый управляющий символ U+0009"),
        (3, "Компетенции", "недопустимый управляющий символ U+0007"),
    ]


def test_control_characters_are_reported_with_the_files_other_problems(
    tmp_path: Path, taxonomy: Taxonomy
) -> None:
    """Every problem of a file at once: a control character found while reading does not hide the
    problems of the other rows, from the command's ``load_banks`` as from the service's import."""
    mentors = mentors_file(tmp_path, mentor("ИКТ\x07"), mentor("ИКТ", consent="может быть", person="m2"))
    mentees = mentees_file(tmp_path, mentee("урок\x07"), mentee("неизвестное", person="e2"))
    with pytest.raises(InputError) as caught:
        load_banks(mentors, mentees, taxonomy)
    assert [(Path(p.file).name, p.row, p.column) for p in caught.value.problems] == [
        ("наставники.csv", 2, "Компетенции"),
        ("наставники.csv", 3, "Согласие"),
        ("наставляемые.csv", 2, "Затруднения"),
        ("наставляемые.csv", 3, "Затруднения"),
    ]
    assert len(refused(mentors, taxonomy, "mentors")) == 1  # ``read_table`` alone still raises at once
    kept = read_table(mentors, kind="mentors", keep_cell_problems=True)
    with pytest.raises(InputError) as caught:
        validate_mentors(kept, taxonomy)
    assert [p.row for p in caught.value.problems] == [2, 3]


def test_a_line_break_in_a_single_value_cell_is_still_refused(tmp_path: Path) -> None:
    path = mentors_file(tmp_path, mentor("ИКТ", consent="да\nнет"))

    with pytest.raises(InputError) as caught:
        read_table(path, kind="mentors")

    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "Согласие")
    assert problem.message_ru.startswith("недопустимый управляющий символ U+000A")


# --- 4. the common Russian forms of formats and consent ------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("очная", {MeetingFormat.IN_PERSON}),
        ("Очное", {MeetingFormat.IN_PERSON}),
        ("дистанционная", {MeetingFormat.REMOTE}),
        ("смешанная", BOTH),
        ("очно-дистанционно", BOTH),
        ("Очно-дистанционная", BOTH),
        ("очно, дистанционно", BOTH),
        ("очно/дистанционно", BOTH),
        ("очно и дистанционно", BOTH),
        ("очно или дистанционно", BOTH),
        ("смешанный формат", BOTH),
        ("гибридный", BOTH),
        ("дистанционно (онлайн)", {MeetingFormat.REMOTE}),
    ],
)
def test_format_forms(
    tmp_path: Path, taxonomy: Taxonomy, cell: str, expected: frozenset[MeetingFormat]
) -> None:
    mentors, mentees = load_banks(
        mentors_file(tmp_path, mentor("ИКТ", formats=cell)),
        mentees_file(tmp_path, mentee("ИКТ", formats=cell)),
        taxonomy,
    )

    assert mentors.mentors[0].formats == mentees.mentees[0].formats == expected


def test_an_unknown_format_names_the_forms_accepted(tmp_path: Path, taxonomy: Taxonomy) -> None:
    [problem] = refused(mentees_file(tmp_path, mentee("ИКТ", formats="заочно")), taxonomy)

    assert (problem.row, problem.column, problem.value) == (2, "Формат", "заочно")
    assert problem.message_ru == (
        "неизвестный формат «заочно»; допустимы: очно (in_person), дистанционно (remote), "
        "смешанный или очно-дистанционно (mixed)"
    )


def test_a_format_contradicting_itself_is_refused_not_read_as_one_of_its_words(
    tmp_path: Path, taxonomy: Taxonomy
) -> None:
    [problem] = refused(mentees_file(tmp_path, mentee("ИКТ", formats="очно (онлайн)")), taxonomy)

    assert (problem.column, problem.value) == ("Формат", "очно (онлайн)")
    assert problem.message_ru.startswith("неизвестный формат «очно (онлайн)»")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Да, согласен", True),
        ("да, согласна", True),
        ("согласен", True),
        ("Согласна", True),
        ("согласен(на)", True),
        ("не согласен", False),
        ("не согласна", False),
        ("не согласен(на)", False),
        ("Нет, не согласен", False),
    ],
)
def test_consent_in_words(tmp_path: Path, taxonomy: Taxonomy, cell: str, *, expected: bool) -> None:
    mentors, mentees = load_banks(
        mentors_file(tmp_path, mentor("ИКТ", consent=cell)),
        mentees_file(tmp_path, mentee("ИКТ", consent=cell)),
        taxonomy,
    )

    assert mentors.mentors[0].consent is mentees.mentees[0].consent is expected


@pytest.mark.parametrize("cell", ["да, не согласен", "нет, согласна", "может быть"])
def test_contradictory_or_unclear_consent_is_refused(tmp_path: Path, taxonomy: Taxonomy, cell: str) -> None:
    [problem] = refused(mentors_file(tmp_path, mentor("ИКТ", consent=cell)), taxonomy, "mentors")

    assert (problem.file, problem.row, problem.column, problem.value) == (
        "наставники.csv",
        2,
        "Согласие",
        cell,
    )
    assert problem.message_ru.startswith("согласие: ожидается «да» или «нет»")


def test_every_problem_of_both_files_at_once(tmp_path: Path, taxonomy: Taxonomy) -> None:
    mentors = mentors_file(
        tmp_path, mentor("ИКТ - 3; урок, выгорание"), mentor("ИКТ", consent="согласна", person="m2")
    )
    mentees = mentees_file(
        tmp_path, mentee("ОВЗ и функциональная грамотность", formats="очная"), mentee("ИКТ (4)", person="e2")
    )

    with pytest.raises(InputError) as caught:
        load_banks(mentors, mentees, taxonomy)

    assert [(p.file, p.row, p.column, p.value) for p in caught.value.problems] == [
        ("наставники.csv", 2, "Компетенции", "ИКТ - 3; урок, выгорание"),
        ("наставляемые.csv", 2, "Затруднения", "ОВЗ и функциональная грамотность"),
        ("наставляемые.csv", 3, "Затруднения", "ИКТ (4)"),
    ]
