"""Reading filled questionnaires: the banks' reader (headers, encodings, limits), then every
problem in Russian with file, row, column and value."""

from __future__ import annotations

import pytest

from matcher.errors import InputError
from matcher.questionnaires import Future, Party, validate_questionnaires
from matcher.reading import read_table
from matcher.taxonomy import Taxonomy

TAXONOMY = Taxonomy.default()


def _read(text: str, party: Party = Party.MENTEE, encoding: str = "utf-8") -> object:
    table = read_table(text.encode(encoding), name="анкеты.csv", kind=party.kind)  # type: ignore[arg-type]
    return validate_questionnaires(table, party, TAXONOMY)


def test_a_curators_sheet_with_a_title_row_and_russian_values_is_read() -> None:
    intake = _read(
        "Ответы на анкеты наставляемых;;;;;\n"
        "№ программы;ФИО наставляемого;Удовлетворённость;Затруднения преодолены;"
        "Затруднения не преодолены;Хотел бы стать наставником;Самое полезное;Телефон\n"
        "12;Иванова Ольга Дмитриевна;9;ИКТ;оценивание;пока не знаю;открытые уроки;+7 900\n"
        "№ 13;Петров Алексей;7,0;;;да;;\n",
        encoding="cp1251",
    )
    first, second = intake.questionnaires  # type: ignore[attr-defined]
    assert (first.program_id, first.satisfaction, first.overcome, first.not_overcome) == (
        12,
        9,
        ("ict",),
        ("assessment",),
    )
    assert first.future is Future.UNSURE and first.answers == {"most_useful": "открытые уроки"}
    assert (second.program_id, second.satisfaction, second.future) == (13, 7, Future.YES)
    assert intake.rows == (3, 4) and intake.left_aside == ("Телефон",)  # type: ignore[attr-defined]


def test_every_problem_is_named_with_file_row_column_and_value() -> None:
    with pytest.raises(InputError) as raised:
        _read(
            "Программа,ФИО,Удовлетворённость участием,Выполнение плана мероприятий,"
            "Затруднения преодолены,Затруднения преодолены частично,Готов продолжить наставничество\n"
            "7,Смирнова Анна Петровна,11,8,ИКТ,,может быть\n"
            "восемь,Кузнецов Игорь,,ноль,,,да\n"
            "9,Орлова Мария,6,5,ИКТ,ИКТ,нет\n"
            "7,Смирнова Анна Петровна,8,,,,\n"
            "10,Белов Пётр,5,,астрология,,\n",
            party=Party.MENTOR,
        )
    lines = [problem.render_ru() for problem in raised.value.problems]
    assert lines[:4] == [
        "файл анкеты.csv, строка 2, столбец «Удовлетворённость участием», значение «11»: "
        "ожидается целое число от 1 до 10",
        "файл анкеты.csv, строка 2, столбец «Готов продолжить наставничество», значение «может быть»: "
        "ожидается «да», «нет» или «пока не знаю»",
        "файл анкеты.csv, строка 3, столбец «Программа», значение «восемь»: "
        "ожидается номер программы (целое число, как в списке программ)",
        "файл анкеты.csv, строка 3, столбец «Удовлетворённость участием»: обязательное поле не заполнено",
    ]
    assert "строка 3, столбец «Выполнение плана мероприятий», значение «ноль»" in lines[4]
    assert "строка 4" in lines[5] and "отмечено в нескольких столбцах вопроса 2" in lines[5]
    assert lines[6].startswith(
        "файл анкеты.csv, строка 5, столбец «Программа», значение «7»: анкета наставника"
    )
    assert "уже есть в строке 2" in lines[6]
    assert (
        "строка 6, столбец «Затруднения преодолены», значение «астрология»: неизвестное затруднение"
        in lines[7]
    )
    assert len(lines) == 8


def test_a_column_of_the_other_questionnaire_or_a_near_miss_is_refused() -> None:
    with pytest.raises(InputError) as raised:
        _read("Программа;Удовлетворённость участием;Удовлетворенность программой;Мотивацыя\n1;5;6;7\n")
    messages = [problem.render_ru() for problem in raised.value.problems]
    assert any("«Удовлетворенность программой»" in m and "столбец повторяется" in m for m in messages)
    assert any(
        "«Мотивацыя»" in m and "возможно, имелся в виду «Мотивация к саморазвитию»" in m for m in messages
    )
    with pytest.raises(InputError) as missing:
        _read("Программа;ФИО\n1;Иванова\n")
    assert "нет обязательного столбца «Удовлетворённость участием»" in missing.value.problems[0].message_ru
