"""The documents opened with python-docx and checked for their parts, on hand-made pairs."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx
import pytest

from matcher.documents.content import Official, Period, pairings_from
from matcher.documents.rendering import DocumentSettings, order_context, write_documents
from matcher.documents.templates import Form, TemplateError, TemplateSet, packaged
from matcher.errors import ConfigurationError
from matcher.institutions import Institution, InstitutionKind, InstitutionRegistry
from matcher.model import MeetingFormat, Mentee, Mentor, Proposal
from matcher.taxonomy import Taxonomy

SCHOOL = Institution(
    code="sch-46",
    full_name="Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 46»",
    short_name="МБОУ СШ № 46",
    kind=InstitutionKind.SCHOOL,
    head_name="Котова Алла Юрьевна",
    head_position="директор",
    address="г. Светлогорск, ул. Школьная, д. 4",
)
REGISTRY = InstitutionRegistry([SCHOOL])
CURATOR = Official.parse("Орлова Мария Сергеевна, заместитель директора")
MENTORS = {
    "T1": Mentor(
        id="T1",
        full_name="Шевчук Олег Ильич",
        institution="sch-46",
        position="учитель математики",
        consent=True,
        competences={"methods": 3, "ict": 2},
    ),
    "T2": Mentor(
        id="T2",
        full_name="Римская-Корсакова Ольга Петровна",
        institution="sch-46",
        position="учитель начальных классов",
        consent=True,
        competences={"parents": 3},
        max_group=3,
    ),
    "T3": Mentor(
        id="T3",
        full_name="Белых Анна Сергеевна",
        institution="sch-12",
        position="учитель физики",
        consent=True,
        competences={"subject": 3},
    ),
}
MENTEES = {
    "M1": Mentee(
        id="M1",
        full_name="Шевчук Анна Ивановна",
        institution="sch-46",
        position="учитель математики",
        consent=True,
        difficulties={"methods": 3, "legal": 1},
    ),
    "M2": Mentee(
        id="M2",
        full_name="Иванов-Петров Сергей Ильич",
        institution="sch-46",
        position="учитель начальных классов",
        consent=True,
        difficulties={"parents": 2},
    ),
    "M3": Mentee(
        id="M3",
        full_name="Толстая Любовь Николаевна",
        institution="sch-46",
        position="учитель физики",
        consent=True,
        difficulties={"subject": 2},
    ),
}


def _proposal(mentee: str, mentor: str, group: str = "", remote: bool = False) -> Proposal:
    meeting = MeetingFormat.REMOTE if remote else MeetingFormat.IN_PERSON
    return Proposal(mentee, mentor, meeting, 0.5, (), "", {}, group_id=group)


PROPOSALS = [
    _proposal("M1", "T1"),
    _proposal("M2", "T2", group="g1"),  # a group the council approved one member of
    _proposal("M3", "T3", remote=True),  # a mentor from another school, online
]


def _settings(templates: TemplateSet | None = None) -> DocumentSettings:
    return DocumentSettings(
        Period(date(2026, 10, 1), 9), templates or TemplateSet.standard(), CURATOR, "решения совета"
    )


def _text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def _order(templates: TemplateSet | None = None) -> docx.document.Document:
    pairings = pairings_from(PROPOSALS, MENTORS, MENTEES)
    content = (templates or TemplateSet.standard())[Form.ORDER].render(
        order_context(SCHOOL, pairings, _settings(templates), REGISTRY.get)
    )
    return docx.Document(io.BytesIO(content))


def test_the_order_is_a4_with_the_full_name_and_the_head() -> None:
    order = _order()
    section = order.sections[0]
    size = (section.page_width, section.page_height, section.left_margin, section.right_margin)
    assert [round(length.mm) for length in size] == [210, 297, 30, 15]
    assert order.styles["Normal"].font.name == "Times New Roman"
    assert order.styles["Normal"].font.size.pt == 14
    assert order.paragraphs[0].text == SCHOOL.full_name
    text = _text(order)
    assert "ПРИКАЗ" in text and "О закреплении наставнических пар (групп)" in text
    assert "Директор" in text and "А. Ю. Котова" in text
    assert "персонализированные программы наставничества" in text
    assert "индивидуальные планы" not in text


def test_the_order_names_the_curator_in_the_accusative_and_the_period_with_dates() -> None:
    text = _text(_order())
    assert (
        "Назначить куратором реализации персонализированных программ наставничества "
        "Орлову Марию Сергеевну, заместителя директора." in text
    )
    assert "с 01.10.2026 по 30.06.2027" in text
    assert "9 месяцев" in text


def test_the_order_lists_groups_as_groups_and_marks_virtual_cross_institution_pairs() -> None:
    table = _order().tables[0]
    rows = {row.cells[1].text.split(",")[0]: [cell.text for cell in row.cells] for row in table.rows[1:]}
    assert set(rows) == {"Шевчук Олег Ильич", "Римская-Корсакова Ольга Петровна", "Белых Анна Сергеевна"}
    group = rows["Римская-Корсакова Ольга Петровна"]
    assert "групповая" in group[3]
    assert group[2].startswith("1) Иванов-Петров Сергей Ильич")
    assert rows["Шевчук Олег Ильич"][3] == "традиционная («один на один»)"
    remote = rows["Белых Анна Сергеевна"]
    assert "виртуальная" in remote[3] and "межорганизационная" in remote[3]
    assert "(sch-12)" in remote[1]  # the other school, by its code until it is registered


def test_the_acquainted_block_has_a_line_per_person() -> None:
    order = _order()
    acquainted = order.tables[-1]
    assert [cell.text for cell in acquainted.rows[0].cells] == ["Фамилия, имя, отчество", "Подпись", "Дата"]
    names = [row.cells[0].text for row in acquainted.rows[1:]]
    people = [p.full_name for p in (*MENTORS.values(), *MENTEES.values())]
    assert sorted(names[:-1]) == sorted(people)
    assert names[-1] == "Орлова Мария Сергеевна"
    assert "С приказом ознакомлены:" in _text(order)


def test_a_run_writes_the_order_and_each_pairing_forms(tmp_path: Path, taxonomy: Taxonomy) -> None:
    pairings = pairings_from(PROPOSALS, MENTORS, MENTEES)
    written = write_documents(tmp_path / "документы", pairings, _settings(), taxonomy, REGISTRY.get)
    names = {path.relative_to(tmp_path / "документы").as_posix() for path in written}
    assert "Приказ о закреплении наставнических пар (групп).docx" in names
    assert "02 Римская-Корсакова О. П. (группа)/Программа наставничества.docx" in names
    assert "02 Римская-Корсакова О. П. (группа)/Согласие (Иванов-Петров С. И.).docx" in names
    assert "03 Шевчук О. И. (пара)/Анкета наставника (Шевчук О. И.).docx" in names
    assert "03 Шевчук О. И. (пара)/Анкета наставляемого (Шевчук А. И.).docx" in names

    folder = tmp_path / "документы" / "03 Шевчук О. И. (пара)"
    programme = _text(docx.Document(str(folder / "Программа наставничества.docx")))
    assert "ПЕРСОНАЛИЗИРОВАННАЯ ПРОГРАММА НАСТАВНИЧЕСТВА" in programme
    assert "Пояснительная записка" in programme and "План мероприятий" in programme
    assert "Методика обучения и преподавания, образовательные технологии (острое затруднение)" in programme
    assert "вне компетенций наставника" in programme  # legal is not the mentor's
    assert "октябрь 2026" in programme and "июнь 2027" in programme
    assert "посещение уроков" in programme

    consent = _text(docx.Document(str(folder / "Согласие (Шевчук А. И.).docx")))
    assert "152-ФЗ" in consent and SCHOOL.full_name in consent
    assert "от Шевчук Анны Ивановны" in consent and "Директору" in consent
    assert "с наставником Шевчуком Олегом Ильичом" in consent
    mentor_consent = _text(docx.Document(str(folder / "Согласие (Шевчук О. И.).docx")))
    assert "дополнительных обязанностей" in mentor_consent
    assert "для Шевчук Анны Ивановны" in mentor_consent

    questionnaire = _text(docx.Document(str(folder / "Анкета наставляемого (Шевчук А. И.).docx")))
    assert "АНКЕТА НАСТАВЛЯЕМОГО" in questionnaire
    assert "удовлетворены участием" in questionnaire
    assert "Нормативно-правовая база и документация" in questionnaire
    assert "Хотели бы вы в будущем стать наставником?" in questionnaire


def test_control_characters_and_markup_do_not_break_a_document() -> None:
    mentors = {
        **MENTORS,
        "T1": MENTORS["T1"].model_copy(update={"position": 'учитель <b>&\x07 =HYPERLINK("x")\x0b'}),
    }
    pairings = pairings_from(PROPOSALS, mentors, MENTEES)
    content = TemplateSet.standard()[Form.ORDER].render(
        order_context(SCHOOL, pairings, _settings(), REGISTRY.get)
    )
    text = _text(docx.Document(io.BytesIO(content)))
    assert 'учитель <b>& =HYPERLINK("x")' in text


def _custom_order(folder: Path, body: str) -> None:
    document = docx.Document()
    document.add_paragraph(body)
    document.save(str(folder / "приказ.docx"))


def test_a_school_template_replaces_the_packaged_one(tmp_path: Path) -> None:
    _custom_order(
        tmp_path,
        '{{ организация.краткое_наименование }}: куратор {{ куратор.фио|падеж("винительный") }}, '
        "пар {{ пары|length }}",
    )
    templates = TemplateSet.from_folder(tmp_path)
    assert templates[Form.ORDER].source == str(tmp_path / "приказ.docx")
    assert templates[Form.PROGRAMME] == packaged(Form.PROGRAMME)
    assert _order(templates).paragraphs[0].text == "МБОУ СШ № 46: куратор Орлову Марию Сергеевну, пар 3"


def test_a_broken_template_is_named_in_russian(tmp_path: Path) -> None:
    _custom_order(tmp_path, "{% for п in пары %}{{ п.номер }}")
    with pytest.raises(TemplateError, match=r"шаблон «приказ\.docx» \(.*приказ\.docx\): ошибка в разметке"):
        TemplateSet.from_folder(tmp_path)


def test_an_unknown_field_is_named_when_rendering(tmp_path: Path) -> None:
    _custom_order(tmp_path, "{{ организация.директор }}")
    templates = TemplateSet.from_folder(tmp_path)
    with pytest.raises(TemplateError, match=r"шаблон «приказ\.docx».*неизвестное поле"):
        _order(templates)


def test_an_unknown_file_in_the_templates_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "~$приказ.docx").write_bytes(b"Word's lock file")
    (tmp_path / "ордер.docx").write_bytes(b"")
    with pytest.raises(ConfigurationError, match=r"файл «ордер\.docx» не распознан"):
        TemplateSet.from_folder(tmp_path)


def test_a_file_that_is_not_word_is_named(tmp_path: Path) -> None:
    (tmp_path / "согласие.docx").write_text("not a zip", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"шаблон «согласие\.docx».*не документ Word"):
        TemplateSet.from_folder(tmp_path)
