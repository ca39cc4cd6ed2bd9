"""Headers with words besides a known column's name: read as the column, refused, or left aside.

Real school forms add remarks to headers («Максимум наставляемых (примечание)», «Стаж на дату
заполнения», «Желаемый наставник (при наличии)»): such a column matters and must be read, not
left aside as unrelated with its defaults applied in silence. A header naming a known column
with other words is refused naming it; only genuinely unrelated columns are left aside.
Each case is a small real CSV file read by ``load_banks`` (or ``read_table``).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest

from matcher.errors import CellProblem, InputError
from matcher.model import MeetingFormat, MenteeBank, MentorBank
from matcher.reading import Kind, read_table
from matcher.taxonomy import Taxonomy
from matcher.validation import load_banks

MENTOR = {
    "Идентификатор": ("M1", "M2"),
    "ФИО": ("Сидорова Мария Олеговна", "Петров Иван Ильич"),
    "Образовательная организация": ("СОШ-5", "СОШ-7"),
    "Стаж": ("26", "14"),
    "Компетенции": ("subject:3;assessment", "lesson:2"),
    "Максимум наставляемых": ("3", "1"),
    "Максимальный размер группы": ("3", "1"),
    "Формат": ("дистанционно", "очно"),
    "Согласие": ("да", "да"),
}
MENTEE = {
    "Идентификатор": ("N1", "N2"),
    "ФИО": ("Соколова Наталья Андреевна", "Ким Ольга Сергеевна"),
    "Образовательная организация": ("СОШ-5", "СОШ-7"),
    "Стаж": ("3", "1"),
    "Затруднения": ("assessment:3", "lesson"),
    "Желаемые наставники": ("M2", ""),
    "Максимум наставников": ("2", "1"),
    "Формат": ("дистанционно", "очно"),
    "Согласие": ("да", "да"),
}


def write(path: Path, columns: dict[str, tuple[str, ...]], renamed: dict[str, str] | None = None) -> Path:
    """A CSV file of ``columns``, headed as the contract names them unless ``renamed``."""
    renamed = renamed or {}
    headers = [renamed.get(header, header) for header in columns]
    rows = zip(*columns.values(), strict=True)
    with path.open("w", newline="", encoding="utf-8-sig") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def load(
    tmp_path: Path,
    taxonomy: Taxonomy,
    mentors: dict[str, str] | None = None,
    mentees: dict[str, str] | None = None,
    *,
    extra_mentor: dict[str, tuple[str, ...]] | None = None,
    extra_mentee: dict[str, tuple[str, ...]] | None = None,
) -> tuple[MentorBank, MenteeBank]:
    return load_banks(
        write(tmp_path / "наставники.csv", {**MENTOR, **(extra_mentor or {})}, mentors),
        write(tmp_path / "наставляемые.csv", {**MENTEE, **(extra_mentee or {})}, mentees),
        taxonomy,
    )


def refused(
    tmp_path: Path,
    taxonomy: Taxonomy,
    mentors: dict[str, str] | None = None,
    mentees: dict[str, str] | None = None,
    **extra: dict[str, tuple[str, ...]],
) -> list[CellProblem]:
    with pytest.raises(InputError) as caught:
        load(tmp_path, taxonomy, mentors, mentees, **extra)
    return list(caught.value.problems)


def test_headers_with_a_remark_in_brackets_or_a_qualifier_are_read_as_their_columns(
    tmp_path: Path, taxonomy: Taxonomy
) -> None:
    """The tester's file: every one of these was left aside and its default applied."""
    mentors, mentees = load(
        tmp_path,
        taxonomy,
        mentors={
            "Максимум наставляемых": "Максимум наставляемых (примечание)",
            "Максимальный размер группы": "Максимальный размер группы (примечание)",
            "Формат": "Формат (адрес проведения)",
            "Стаж": "Стаж на дату заполнения",
        },
        mentees={
            "Максимум наставников": "Максимум наставников (примечание)",
            "Желаемые наставники": "Желаемый наставник (при наличии, примечание)",
            "Стаж": "Стаж на 01.09.2025 г.",
            "Формат": "Формат: очно / дистанционно",
        },
    )

    first, second = mentors.mentors
    assert (first.capacity, first.max_group, first.experience_years) == (3, 3, 26)
    assert (second.capacity, second.max_group) == (1, 1)
    assert first.formats == frozenset({MeetingFormat.REMOTE})
    assert second.formats == frozenset({MeetingFormat.IN_PERSON})
    assert mentors.left_aside == ()
    one, two = mentees.mentees
    assert (one.max_mentors, one.preferred_mentors, one.experience_years) == (2, ("M2",), 3)
    assert one.formats == frozenset({MeetingFormat.REMOTE})
    assert two.formats == frozenset({MeetingFormat.IN_PERSON})
    assert mentees.left_aside == ()


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Стаж (полных лет)", "experience_years"),
        ("Стаж на момент заполнения анкеты", "experience_years"),
        ("Стаж на 1 сентября 2025 года", "experience_years"),
        ("Максимум наставляемых [до 5]", "capacity"),
        ("Согласие (да/нет)", "consent"),
        ("Компетенции (коды через «;»)", "competences"),
        ("Формат, если есть", "formats"),
        ("Компетенции, уровень (1-3)", "competences"),
        ("Компетенции; уровень владения от 1 до 3", "competences"),
    ],
)
def test_harmless_words_around_a_known_name_keep_the_column(header: str, column: str, tmp_path: Path) -> None:
    columns = dict(MENTOR)
    canonical = {"experience_years": "Стаж", "capacity": "Максимум наставляемых"}
    canonical |= {"consent": "Согласие", "competences": "Компетенции", "formats": "Формат"}
    table = read_table(
        write(tmp_path / "наставники.csv", columns, {canonical[column]: header}), kind="mentors"
    )

    assert table.headers[column] == header
    assert table.left_aside == ()


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Максимум наставников, примечание", "Максимум наставников"),
        ("Стаж педагога до прихода в школу", "Стаж"),
        ("Формат дата", "Формат"),
    ],
)
def test_a_known_name_with_other_words_is_refused_naming_the_column(
    header: str, column: str, tmp_path: Path, taxonomy: Taxonomy
) -> None:
    """Neither read as the column (the words may change what it holds) nor left aside."""
    [problem] = refused(tmp_path, taxonomy, mentees={column: header})

    assert (problem.file, problem.row, problem.column) == ("наставляемые.csv", 1, header)
    assert problem.message_ru.startswith(f"столбец не распознан — возможно, имелся в виду «{column}»")
    assert "пояснение можно дать в скобках" in problem.message_ru


def test_a_level_scale_is_a_remark_but_a_level_of_education_is_not(
    tmp_path: Path, taxonomy: Taxonomy
) -> None:
    """«Компетенции, уровень (1-3)» is the competences (above); «Затруднения, уровень
    образования» may be two columns run together: refused, naming both columns it may be."""
    problems = refused(tmp_path, taxonomy, mentees={"Затруднения": "Затруднения, уровень образования"})

    assert problems[0].column == "Затруднения, уровень образования"
    assert problems[0].message_ru.startswith("столбец не распознан — возможно, имелся в виду «")
    assert "«Уровни образования»" in problems[0].message_ru and "«Затруднения»" in problems[0].message_ru


def test_a_bracket_remark_naming_another_column_is_not_read_as_the_first(
    tmp_path: Path, taxonomy: Taxonomy
) -> None:
    problems = refused(tmp_path, taxonomy, mentors={"Стаж": "Стаж (квалификационная категория)"})

    assert [problem.column for problem in problems] == ["Стаж (квалификационная категория)"]
    message = problems[0].message_ru
    assert message.startswith("столбец не распознан — возможно, имелся в виду «Квалификационная категория»")
    assert "(в том числе название столбца «Стаж»)" in message


def test_a_remark_naming_how_people_are_given_is_only_a_remark(tmp_path: Path, taxonomy: Taxonomy) -> None:
    _, mentees = load(tmp_path, taxonomy, mentees={"Желаемые наставники": "Желаемые наставники (ID)"})

    assert mentees.mentees[0].preferred_mentors == ("M2",)


def test_unrelated_columns_are_still_left_aside_with_their_headers(
    tmp_path: Path, taxonomy: Taxonomy
) -> None:
    unrelated = ("№ п/п", "Примечание", "Телефон", "Дата рождения", "E-mail", "Телефон ОО", "Дата согласия")
    extra = {header: ("", "") for header in unrelated}
    extra["№ п/п"] = ("1", "2")
    extra["Примечание"] = ("в отпуске", "")

    mentors, _ = load(tmp_path, taxonomy, extra_mentor=extra)

    assert mentors.left_aside == unrelated
    assert [mentor.capacity for mentor in mentors.mentors] == [3, 1]


def test_teaching_load_is_not_read_as_the_mentors_capacity(tmp_path: Path, taxonomy: Taxonomy) -> None:
    """«Нагрузка» is a school's teaching hours (18-36): read as capacity it gave a mentor 7 mentees."""
    [problem] = refused(tmp_path, taxonomy, mentors={"Максимум наставляемых": "Нагрузка"})

    assert (problem.column, problem.row) == ("Нагрузка", 1)
    assert "учебные часы" in problem.message_ru
    assert "назовите его «Максимум наставляемых»" in problem.message_ru


def test_teaching_load_beside_the_capacity_is_refused_not_dropped(tmp_path: Path, taxonomy: Taxonomy) -> None:
    [problem] = refused(tmp_path, taxonomy, extra_mentor={"Учебная нагрузка, ч": ("18", "36")})

    assert problem.column == "Учебная нагрузка, ч"


def test_clear_capacity_synonyms_are_still_read(tmp_path: Path, taxonomy: Taxonomy) -> None:
    mentors, _ = load(tmp_path, taxonomy, mentors={"Максимум наставляемых": "Макс. кол-во наставляемых"})

    assert [mentor.capacity for mentor in mentors.mentors] == [3, 1]


def test_a_missing_column_is_named_in_russian_only(tmp_path: Path, taxonomy: Taxonomy) -> None:
    """The banks swapped: no English code («competences», «difficulties») in what the curator reads."""
    mentors = write(tmp_path / "наставники.csv", MENTOR)
    mentees = write(tmp_path / "наставляемые.csv", MENTEE)
    with pytest.raises(InputError) as caught:
        load_banks(mentees, mentors, taxonomy)

    rendered = caught.value.render_ru()
    missing = [p for p in caught.value.problems if "нет обязательного столбца" in p.message_ru]
    assert {p.column for p in missing} == {""}
    assert "нет обязательного столбца «Компетенции»" in rendered
    assert "нет обязательного столбца «Затруднения»" in rendered
    for code in ("competences", "difficulties", "capacity", "max_mentors"):
        assert code not in rendered


def headers_of(problems: Sequence[CellProblem]) -> list[str]:
    return [problem.column for problem in problems]


def test_a_mentors_column_with_a_remark_in_the_mentees_file_says_which_bank(tmp_path: Path) -> None:
    path = write(tmp_path / "наставляемые.csv", {**MENTEE, "Компетенции (коды)": ("ict", "ict")})
    kind: Kind = "mentees"
    with pytest.raises(InputError) as caught:
        read_table(path, kind=kind)

    assert headers_of(caught.value.problems) == ["Компетенции (коды)"]
    assert "это столбец базы наставников" in caught.value.problems[0].message_ru


def test_common_headers_of_consent_and_difficulties_are_read(tmp_path: Path) -> None:
    from matcher.reading import read_table

    mentors = tmp_path / "наставники.csv"
    mentors.write_text(
        "Идентификатор,ФИО наставника,Образовательная организация,Компетенции,Согласие наставника\n"
        "m1,Иванова Анна,СОШ-1,ИКТ,да\n",
        encoding="utf-8",
    )
    mentees = tmp_path / "наставляемые.csv"
    mentees.write_text(
        "Идентификатор,ФИО,Образовательная организация,Выявленные затруднения,"
        "Согласие на участие в программе наставничества\n"
        "e1,Петров Олег,СОШ-1,ИКТ,да\n",
        encoding="utf-8",
    )
    assert set(read_table(mentors, kind="mentors").headers) >= {"consent", "competences"}
    assert set(read_table(mentees, kind="mentees").headers) >= {"consent", "difficulties"}
