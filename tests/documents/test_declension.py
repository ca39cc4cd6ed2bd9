"""Names and positions declined by the dictionary, checked on hand-declined examples."""

from __future__ import annotations

import pytest

from matcher.documents.declension import (
    Case,
    case_named,
    decline_name,
    decline_position,
    initials_first,
    surname_initials,
)


@pytest.mark.parametrize(
    ("name", "accusative", "dative", "genitive"),
    [
        (
            "Орлова Мария Сергеевна",
            "Орлову Марию Сергеевну",
            "Орловой Марии Сергеевне",
            "Орловой Марии Сергеевны",
        ),
        ("Орлов Иван Петрович", "Орлова Ивана Петровича", "Орлову Ивану Петровичу", "Орлова Ивана Петровича"),
        ("Шевчук Анна Ивановна", "Шевчук Анну Ивановну", "Шевчук Анне Ивановне", "Шевчук Анны Ивановны"),
        ("Шевчук Олег Ильич", "Шевчука Олега Ильича", "Шевчуку Олегу Ильичу", "Шевчука Олега Ильича"),
        (
            "Римская-Корсакова Ольга Петровна",
            "Римскую-Корсакову Ольгу Петровну",
            "Римской-Корсаковой Ольге Петровне",
            "Римской-Корсаковой Ольги Петровны",
        ),
        (
            "Иванов-Петров Сергей Ильич",
            "Иванова-Петрова Сергея Ильича",
            "Иванову-Петрову Сергею Ильичу",
            "Иванова-Петрова Сергея Ильича",
        ),
        ("Белых Анна Сергеевна", "Белых Анну Сергеевну", "Белых Анне Сергеевне", "Белых Анны Сергеевны"),
        (
            "Толстая Любовь Николаевна",
            "Толстую Любовь Николаевну",
            "Толстой Любови Николаевне",
            "Толстой Любови Николаевны",
        ),
        ("Орлова М. С.", "Орлову М. С.", "Орловой М. С.", "Орловой М. С."),
    ],
)
def test_names_decline_by_gender_and_part(name: str, accusative: str, dative: str, genitive: str) -> None:
    assert decline_name(name, Case.ACCUSATIVE) == accusative
    assert decline_name(name, Case.DATIVE) == dative
    assert decline_name(name, Case.GENITIVE) == genitive
    assert decline_name(name, Case.NOMINATIVE) == name


@pytest.mark.parametrize(
    ("position", "accusative", "dative"),
    [
        ("заместитель директора", "заместителя директора", "заместителю директора"),
        ("старший воспитатель", "старшего воспитателя", "старшему воспитателю"),
        ("учитель-логопед", "учителя-логопеда", "учителю-логопеду"),
        ("учитель начальных классов", "учителя начальных классов", "учителю начальных классов"),
        (
            "заместитель директора по учебно-воспитательной работе",
            "заместителя директора по учебно-воспитательной работе",
            "заместителю директора по учебно-воспитательной работе",
        ),
        ("Заведующий", "Заведующего", "Заведующему"),
        ("Заведующий МБДОУ", "Заведующего МБДОУ", "Заведующему МБДОУ"),
    ],
)
def test_positions_decline_their_head_word_only(position: str, accusative: str, dative: str) -> None:
    assert decline_position(position, Case.ACCUSATIVE) == accusative
    assert decline_position(position, Case.DATIVE) == dative


def test_signature_forms_and_case_names() -> None:
    assert initials_first("Орлова Мария Сергеевна") == "М. С. Орлова"
    assert surname_initials("Орлова Мария Сергеевна") == "Орлова М. С."
    assert case_named("Винительный") is Case.ACCUSATIVE
    with pytest.raises(ValueError, match="неизвестный падеж «звательный»"):
        case_named("звательный")
