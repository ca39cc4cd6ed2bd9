"""Build the packaged DOCX templates in ``matcher/templates/`` (docxtpl: Jinja2 inside Word).

Run after changing a form's wording: ``python scripts/document_templates.py``. The files are the
package's data; a school edits its copy in Word instead (README, «Шаблоны документов»). Layout
follows ГОСТ Р 7.0.97-2016 for organisational documents: A4, margins 30/15/20/20 mm,
Times New Roman 14 (12 in tables), page numbers at the top centre from the second page.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

FOLDER = Path(__file__).resolve().parent.parent / "matcher" / "templates"
TEXT_WIDTH = Mm(210 - 30 - 15)
LEFT, CENTER, RIGHT, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)
SIGN_DATE = "«___» __________ 20___ г."
SCALE = "1     2     3     4     5     6     7     8     9     10"


def _page_number(paragraph: Paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def new_document() -> DocxDocument:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.header_distance = Mm(10)
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = CENTER
    _page_number(header)
    return document


def para(
    document: DocxDocument | Table,
    text: str = "",
    *,
    align: WD_ALIGN_PARAGRAPH = JUSTIFY,
    bold: bool = False,
    indent: bool = False,
    size: int | None = None,
    before: int = 0,
    keep: bool = False,
) -> Paragraph:
    paragraph = document.add_paragraph()  # type: ignore[union-attr]
    paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1.25)
    if before:
        paragraph.paragraph_format.space_before = Pt(before)
    if keep:
        paragraph.paragraph_format.keep_with_next = True
    if text:
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
    return paragraph


def cell_text(cell: object, text: str, *, bold: bool = False, align: WD_ALIGN_PARAGRAPH = LEFT) -> None:
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(12)


def cell_paragraph(cell: object, text: str) -> None:
    paragraph = cell.add_paragraph()  # type: ignore[attr-defined]
    paragraph.add_run(text).font.size = Pt(12)


def table(document: DocxDocument, header: list[str], widths: list[float], *, grid: bool = True) -> Table:
    result = document.add_table(rows=1, cols=len(header))
    if grid:
        result.style = "Table Grid"
    result.alignment = WD_TABLE_ALIGNMENT.CENTER
    result.autofit = False
    for cell, text in zip(result.rows[0].cells, header, strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    _repeat_header(result)
    set_widths(result, widths)
    return result


def _repeat_header(result: Table) -> None:
    properties = result.rows[0]._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


def set_widths(result: Table, widths: list[float]) -> None:
    for column, width in zip(result.columns, widths, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def row(result: Table, texts: list[str], widths: list[float]) -> None:
    cells = result.add_row().cells
    for cell, text, width in zip(cells, texts, widths, strict=True):
        cell.width = Cm(width)
        cell_text(cell, text)


def loop_rows(
    result: Table, start: str, cells: list[str], widths: list[float], *, height: float = 0.0
) -> None:
    """A docxtpl row loop: «{%tr for … %}», the row, «{%tr endfor %}»."""
    row(result, [start] + [""] * (len(cells) - 1), widths)
    row(result, cells, widths)
    if height:
        result.rows[-1].height = Cm(height)
        result.rows[-1].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    row(result, ["{%tr endfor %}"] + [""] * (len(cells) - 1), widths)


SIGNATURE_WIDTHS = [6.2, 3.8, 6.5]


def signatures(document: DocxDocument, lines: list[tuple[str, str]], *, before: int = 24) -> Table:
    """Signature lines as a table without borders: who, the line to sign on, the name."""
    para(document, before=before, keep=True)
    result = document.add_table(rows=0, cols=3)
    result.autofit = False
    for left, right in lines:
        cells = result.add_row().cells
        result.rows[-1].height = Cm(1.0)
        for cell, text, align in zip(
            cells,
            (left, "" if left.startswith("{%") else "____________", right),
            (LEFT, CENTER, RIGHT),
            strict=True,
        ):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = align
            paragraph.add_run(text)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    set_widths(result, SIGNATURE_WIDTHS)
    return result


def heading_block(document: DocxDocument) -> None:
    para(document, "{{ организация.полное_наименование }}", align=CENTER, bold=True)
    para(document, "(проект)", align=CENTER, before=6)


def order() -> DocxDocument:
    document = new_document()
    heading_block(document)
    para(document, "ПРИКАЗ", align=CENTER, bold=True, size=16, before=12)
    date_line = para(document, align=LEFT, before=12)
    date_line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    date_line.add_run(f"{SIGN_DATE}\t№ __________")
    para(document, "О закреплении наставнических пар (групп)", align=LEFT, bold=True, before=18)
    para(
        document,
        "В соответствии с Положением о системе (целевой модели) наставничества педагогических "
        "работников, на основании {% if основание %}{{ основание }} и {% endif %}письменного согласия "
        "наставников и наставляемых (пары и группы сформированы на добровольной основе, "
        "с учётом взаимного интереса),",
        indent=True,
        before=12,
    )
    para(document, "ПРИКАЗЫВАЮ:", align=LEFT, bold=True, before=12, keep=True)
    para(
        document,
        "1. Закрепить наставнические пары (группы) на период {{ срок.текст }}"
        "{% if пары %} в следующем составе:{% else %}: пар и групп, одобренных советом "
        "и согласованных участниками, нет.{% endif %}",
        indent=True,
        keep=True,
    )
    widths = [1.0, 5.3, 6.0, 4.2]
    pairs = table(
        document,
        ["№", "Наставник (ФИО, должность)", "Наставляемый (ФИО, должность)", "Вид наставничества"],
        widths,
    )
    loop_rows(
        pairs,
        "{%tr for п in пары %}",
        [
            "{{ п.номер }}",
            "{{ п.наставник.фио }}, {{ п.наставник.должность }}{% if п.наставник.другая_организация %} "
            "({{ п.наставник.другая_организация }}){% endif %}",
            "{%p for м in п.наставляемые %}",
            "{{ п.вид }}",
        ],
        widths,
    )
    mentees = pairs.rows[-2].cells[2]
    cell_paragraph(
        mentees,
        "{% if п.групповая %}{{ loop.index }}) {% endif %}{{ м.фио }}, {{ м.должность }}"
        "{% if м.другая_организация %} ({{ м.другая_организация }}){% endif %}",
    )
    cell_paragraph(mentees, "{%p endfor %}")
    para(
        document,
        "2. Установить срок реализации персонализированных программ наставничества {{ срок.месяцев }}: "
        "с {{ срок.начало }} по {{ срок.окончание }}.",
        indent=True,
        before=12,
    )
    para(
        document,
        "3. Наставникам совместно с наставляемыми в течение одного месяца со дня издания настоящего "
        "приказа разработать персонализированные программы наставничества и представить их куратору.",
        indent=True,
    )
    para(
        document,
        "4. Назначить куратором реализации персонализированных программ наставничества "
        '{% if куратор %}{{ куратор.фио|падеж("винительный") }}'
        '{% if куратор.должность %}, {{ куратор.должность|падеж_должности("винительный") }}{% endif %}'
        "{% else %}______________________________ (ФИО, должность){% endif %}.",
        indent=True,
    )
    para(document, "5. Контроль за исполнением настоящего приказа оставляю за собой.", indent=True)
    signatures(
        document,
        [
            (
                "{{ организация.должность_руководителя }}",
                "{{ организация.руководитель_подпись or '____________________' }}",
            )
        ],
        before=36,
    )
    para(document, "С приказом ознакомлены:", align=LEFT, before=24, keep=True)
    acquainted_widths = [7.5, 4.5, 4.5]
    acquainted = table(document, ["Фамилия, имя, отчество", "Подпись", "Дата"], acquainted_widths)
    loop_rows(
        acquainted,
        "{%tr for ч in ознакомлены %}",
        ["{{ ч.фио }}", "", ""],
        acquainted_widths,
        height=0.9,
    )
    return document


def participants_table(document: DocxDocument) -> None:
    widths = [5.5, 11.0]
    result = table(document, ["", ""], widths)
    result.rows[0]._tr.getparent().remove(result.rows[0]._tr)
    for label, value in (
        (
            "Наставник",
            "{{ пара.наставник.фио }}, {{ пара.наставник.должность }}"
            "{% if пара.наставник.другая_организация %} ({{ пара.наставник.другая_организация }})"
            "{% endif %}",
        ),
        (
            "{% if пара.групповая %}Наставляемые (группа){% else %}Наставляемый{% endif %}",
            "{%p for м in пара.наставляемые %}",
        ),
        ("Форма наставничества", "«педагог – педагог»"),
        ("Вид наставничества", "{{ пара.вид }}"),
        ("Режим работы", "{{ пара.режим }}"),
        ("Срок реализации", "{{ срок.месяцев }}: {{ срок.текст }}"),
        ("Куратор", "{% if куратор %}{{ куратор.фио }}, {{ куратор.должность }}{% endif %}"),
    ):
        row(result, [label, value], widths)
    mentees = result.rows[1].cells[1]
    cell_paragraph(
        mentees,
        "{% if пара.групповая %}{{ loop.index }}) {% endif %}{{ м.фио }}, {{ м.должность }}"
        "{% if м.другая_организация %} ({{ м.другая_организация }}){% endif %}",
    )
    cell_paragraph(mentees, "{%p endfor %}")


def programme() -> DocxDocument:
    document = new_document()
    for line in (
        "УТВЕРЖДАЮ",
        "{{ организация.должность_руководителя }}",
        "_____________ {{ организация.руководитель_подпись }}",
        SIGN_DATE,
    ):
        paragraph = para(document, line, align=LEFT)
        paragraph.paragraph_format.left_indent = Mm(95)
    para(document, "{{ организация.полное_наименование }}", align=CENTER, before=18)
    para(document, "ПЕРСОНАЛИЗИРОВАННАЯ ПРОГРАММА НАСТАВНИЧЕСТВА", align=CENTER, bold=True, before=12)
    para(document, "(проект)", align=CENTER)
    para(document, "1. Пояснительная записка", align=LEFT, bold=True, before=12, keep=True)
    para(document, "1.1. Участники и параметры взаимодействия", align=LEFT, before=6, keep=True)
    participants_table(document)
    para(document, "1.2. Описание проблемы", align=LEFT, before=12, keep=True)
    para(
        document,
        "По итогам сбора профессиональных запросов {% if пара.групповая %}наставляемые испытывают"
        "{% else %}наставляемый испытывает{% endif %} следующие профессиональные затруднения:",
        indent=True,
    )
    para(document, "{%p for з in затруднения %}", align=LEFT)
    para(
        document,
        "– {{ з.название }} ({{ з.степень }} затруднение{% if пара.групповая %}: {{ з.у_кого }}{% endif %})"
        "{% if not з.закрывает_наставник %} — вне компетенций наставника{% endif %};",
        indent=True,
    )
    para(document, "{%p endfor %}", align=LEFT)
    para(document, "1.3. Цель и задачи", align=LEFT, before=6, keep=True)
    para(
        document,
        "Цель: профессиональная и должностная адаптация {% if пара.групповая %}наставляемых{% else %}"
        "наставляемого{% endif %}, преодоление выявленных профессиональных затруднений и поддержка "
        "сильных сторон.",
        indent=True,
    )
    para(document, "Задачи:", indent=True)
    para(document, "{%p for т in темы_наставника %}", align=LEFT)
    para(document, "– оказать методическую помощь по направлению «{{ т }}»;", indent=True)
    para(document, "{%p endfor %}", align=LEFT)
    para(document, "– развить навыки самоанализа и профессионального самообразования.", indent=True)
    para(document, "1.4. Возможное содержание деятельности", align=LEFT, before=6, keep=True)
    para(
        document,
        "Консультации наставника, совместное планирование, взаимное посещение {{ уроков }} с их разбором, "
        "изучение нормативных документов и методических материалов, участие в методических "
        "мероприятиях и профессиональных конкурсах.",
        indent=True,
    )
    para(document, "1.5. Промежуточные и планируемые результаты", align=LEFT, before=6, keep=True)
    para(
        document,
        "Промежуточные результаты подводятся на встрече с куратором в середине срока, итоговые — "
        "в последний месяц программы (самоанализ наставляемого, отчёт наставника, анкетирование). "
        "Планируемый результат: выявленные затруднения преодолены или уменьшены.",
        indent=True,
    )
    para(document, "1.6. Расписание встреч и условия", align=LEFT, before=6, keep=True)
    para(
        document,
        "Встречи не реже ____ раз(а) в месяц; день и время: ______________________; "
        "режим работы: {{ пара.режим }}; место (платформа): ______________________.",
        indent=True,
    )
    para(document, "2. План мероприятий", align=LEFT, bold=True, before=12, keep=True)
    widths = [0.8, 3.3, 4.7, 2.2, 3.5, 2.0]
    plan = table(
        document,
        ["№", "Направление (затруднение)", "Мероприятия", "Срок", "Планируемый результат", "Отметка"],
        widths,
    )
    loop_rows(
        plan,
        "{%tr for м in план %}",
        [
            "{{ м.номер }}",
            "{{ м.направление }}",
            "{{ м.мероприятия }}",
            "{{ м.срок }}",
            "{{ м.результат }}",
            "",
        ],
        widths,
    )
    signatures(
        document,
        [
            ("Наставник", "{{ пара.наставник.инициалы_фамилия }}"),
            ("{%tr for м in пара.наставляемые %}", ""),
            ("Наставляемый", "{{ м.инициалы_фамилия }}"),
            ("{%tr endfor %}", ""),
            ("Куратор", "{% if куратор %}{{ куратор.инициалы_фамилия }}{% endif %}"),
        ],
        before=30,
    )
    return document


def consent() -> DocxDocument:
    document = new_document()
    for line in (
        '{{ организация.должность_руководителя|падеж_должности("дательный") }}',
        "{{ организация.краткое_наименование }}",
        '{{ организация.руководитель|падеж("дательный") }}',
        'от {{ участник.фио|падеж("родительный") }}',
        '{{ участник.должность|падеж_должности("родительный") }}',
    ):
        paragraph = para(document, line, align=LEFT)
        paragraph.paragraph_format.left_indent = Mm(85)
    para(document, "СОГЛАСИЕ", align=CENTER, bold=True, before=18)
    para(
        document,
        "на участие в программе наставничества и на обработку персональных данных",
        align=CENTER,
        bold=True,
    )
    para(
        document,
        "Я, {{ участник.фио }}, паспорт серия ______ № ________, выдан «___» ________ ____ г. "
        "________________________________, адрес: ________________________________, "
        "даю согласие на участие в персонализированной программе наставничества педагогических "
        "работников {{ организация.краткое_наименование }} в качестве "
        "{% if наставник_ли %}наставника{% else %}наставляемого{% endif %} на период {{ срок.текст }} "
        "{% if наставник_ли %}{% if пара.групповая %}для группы наставляемых: "
        "{% for п in партнёры %}{{ п.фио }}{% if not loop.last %}, {% endif %}{% endfor %}"
        '{% else %}для {{ партнёры[0].фио|падеж("родительный") }}{% endif %}'
        '{% else %}с наставником {{ партнёры[0].фио|падеж("творительный") }}{% endif %}.',
        indent=True,
        before=12,
    )
    para(document, "{%p if наставник_ли %}", align=LEFT)
    para(
        document,
        "Даю согласие на возложение на меня дополнительных обязанностей, "
        "связанных с наставнической деятельностью.",
        indent=True,
    )
    para(document, "{%p endif %}", align=LEFT)
    para(
        document,
        "В соответствии со статьёй 9 Федерального закона от 27.07.2006 № 152-ФЗ «О персональных "
        "данных» даю согласие оператору — {{ организация.полное_наименование }} (адрес: "
        "{{ организация.адрес or '____________________________' }}) — на обработку моих персональных "
        "данных: фамилия, имя, отчество; должность и место работы; стаж педагогической работы; "
        "преподаваемые предметы и уровни образования; "
        "{% if наставник_ли %}перечень профессиональных компетенций{% else %}перечень "
        "профессиональных затруднений (запросов){% endif %}; предпочтительный формат встреч; "
        "результаты анкетирования по итогам программы.",
        indent=True,
    )
    para(
        document,
        "Цель обработки: формирование банка {% if наставник_ли %}наставников{% else %}наставляемых"
        "{% endif %}, подбор наставнических пар (групп), разработка и реализация персонализированной "
        "программы наставничества, мониторинг и оценка её результатов.",
        indent=True,
    )
    para(
        document,
        "Согласие дано на следующие действия: сбор, запись, систематизация, накопление, хранение, "
        "уточнение (обновление, изменение), извлечение, использование, передача (предоставление, "
        "доступ) куратору, совету наставников и органу местного самоуправления, осуществляющему "
        "управление в сфере образования, обезличивание, блокирование, удаление, уничтожение — "
        "с использованием средств автоматизации и без них.",
        indent=True,
    )
    para(
        document,
        "Согласие действует со дня подписания до окончания программы наставничества и истечения "
        "сроков хранения документов по ней. Согласие может быть отозвано мною в любое время "
        "письменным заявлением оператору.",
        indent=True,
    )
    signatures(document, [(SIGN_DATE, "{{ участник.инициалы_фамилия }}")], before=12)
    return document


def scale_question(document: DocxDocument, text: str) -> None:
    para(document, text, align=LEFT, before=8, keep=True)
    para(document, SCALE, align=CENTER)


def questionnaire(*, mentor: bool) -> DocxDocument:
    document = new_document()
    para(document, "{{ организация.полное_наименование }}", align=CENTER)
    para(
        document,
        f"АНКЕТА {'НАСТАВНИКА' if mentor else 'НАСТАВЛЯЕМОГО'}",
        align=CENTER,
        bold=True,
        before=12,
    )
    para(
        document,
        "по итогам реализации персонализированной программы наставничества",
        align=CENTER,
        bold=True,
    )
    para(document, "ФИО: {{ участник.фио }}", align=LEFT, before=12)
    para(
        document,
        "Наставляемые: {% for п in партнёры %}{{ п.фио }}{% if not loop.last %}, {% endif %}{% endfor %}"
        if mentor
        else "Наставник: {{ партнёры[0].фио }}",
        align=LEFT,
    )
    para(document, "Срок программы: {{ срок.текст }}", align=LEFT)
    para(
        document,
        "Оцените утверждения по шкале от 1 до 10 (1 — совсем нет, 10 — полностью): обведите число.",
        indent=True,
        before=8,
    )
    if mentor:
        scale_question(
            document, "1. Насколько вы удовлетворены участием в программе наставничества в роли наставника?"
        )
        para(
            document,
            "2. Насколько, по вашей оценке, наставляемый преодолел затруднения, "
            "с которыми пришёл в программу? Отметьте знаком «V».",
            align=LEFT,
            before=8,
            keep=True,
        )
    else:
        scale_question(document, "1. Насколько вы удовлетворены участием в программе наставничества?")
        para(
            document,
            "2. Насколько вам удалось преодолеть затруднения, с которыми вы пришли "
            "в программу? Отметьте знаком «V».",
            align=LEFT,
            before=8,
            keep=True,
        )
    widths = [7.7, 2.9, 2.9, 3.0]
    difficulties = table(document, ["Затруднение", "Преодолено", "Частично", "Не удалось"], widths)
    loop_rows(
        difficulties,
        "{%tr for з in затруднения %}",
        ["{{ з.название }}{% if наставник_ли and пара.групповая %} ({{ з.у_кого }}){% endif %}", "", "", ""],
        widths,
    )
    questions = (
        [
            "3. Насколько выполнен план мероприятий программы?",
            "4. Насколько участие в программе способствовало вашему профессиональному росту?",
            "5. Насколько продуктивным было взаимодействие с наставляемым (наставляемыми)?",
        ]
        if mentor
        else [
            "3. Насколько программа повысила вашу мотивацию к саморазвитию и профессиональному "
            "самообразованию?",
            "4. Насколько вы включились в инновационную и методическую деятельность организации "
            "(проекты, конкурсы, методические объединения)?",
            "5. Насколько легче вам стало работать в организации (адаптация на рабочем месте)?",
            "6. Насколько полезным и регулярным было взаимодействие с наставником?",
        ]
    )
    for question in questions:
        scale_question(document, question)
    open_questions = (
        [
            "6. Какие трудности возникли при реализации программы?",
            "7. Какая поддержка куратора или методической службы вам была бы нужна?",
            "8. Ваши предложения по совершенствованию программ наставничества:",
        ]
        if mentor
        else [
            "7. Что в программе было для вас самым полезным?",
            "8. Что не оправдало ваших ожиданий?",
            "9. Ваши предложения по совершенствованию программ наставничества:",
        ]
    )
    for question in open_questions:
        para(document, question, align=LEFT, before=8, keep=True)
        para(document, "_" * 62, align=LEFT)
        para(document, "_" * 62, align=LEFT)
    last = (
        "9. Готовы ли вы продолжить наставническую деятельность?"
        if mentor
        else "10. Хотели бы вы в будущем стать наставником?"
    )
    para(document, last, align=LEFT, before=8, keep=True)
    para(document, "да          нет          пока не знаю", align=CENTER)
    signatures(document, [(SIGN_DATE, "{{ участник.инициалы_фамилия }}")], before=12)
    return document


FORMS = {
    "приказ.docx": order,
    "программа.docx": programme,
    "согласие.docx": consent,
    "анкета-наставляемого.docx": lambda: questionnaire(mentor=False),
    "анкета-наставника.docx": lambda: questionnaire(mentor=True),
}


def main() -> int:
    FOLDER.mkdir(exist_ok=True)
    for name, build in FORMS.items():
        build().save(str(FOLDER / name))
        print(FOLDER / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
