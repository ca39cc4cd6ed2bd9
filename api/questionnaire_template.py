"""The intake workbook a curator fills from the paper questionnaires: one sheet whose columns are
the questions of «Анкета наставляемого» / «Анкета наставника» (``matcher/templates/
анкета-*.docx``) under their Russian names (``matcher.columns``), one row per program whose
participant belongs to the caller's institution, numbered and named; scale cells accept whole
numbers 1–10 and the last question «да / нет / пока не знаю» (Excel's data validation). The file
goes back through ``POST /api/v1/monitoring/questionnaires/import`` unchanged."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from matcher.columns import COLUMNS
from matcher.neutralising import neutralise
from matcher.questionnaires import FUTURE_RU, OPEN_QUESTIONS, OUTCOMES, SCALES, Party

_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_GIVEN_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_QUESTION = {
    Party.MENTEE: {
        "satisfaction": 1, "overcome": 2, "partly": 2, "not_overcome": 2, "motivation": 3, "innovation": 4,
        "adaptation": 5, "interaction": 6, "most_useful": 7, "unmet": 8, "suggestions": 9, "future": 10,
    },
    Party.MENTOR: {
        "satisfaction": 1, "overcome": 2, "partly": 2, "not_overcome": 2, "plan": 3, "growth": 4,
        "interaction": 5, "troubles": 6, "support": 7, "suggestions": 8, "future": 9,
    },
}  # fmt: skip
"""The number of each column's question on the paper form."""


def template_xlsx(party: Party, rows: Sequence[tuple[int, str, str]]) -> bytes:
    """The intake workbook of ``party`` with ``rows`` of (program id, participant's ФИО, the
    program's difficulties in Russian) prefilled."""
    columns = list(COLUMNS[party.kind].items())  # type: ignore[index]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"Анкеты {party.label_ru}"
    sheet["A1"] = f"Ответы на анкету {party.label_ru} по итогам программы наставничества"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = (
        "Оценки — целые числа от 1 до 10; вопрос 2 — затруднения (коды или названия) через «;»; "
        f"последний вопрос — {', '.join(FUTURE_RU.values())}. "
        "Номер вопроса анкеты — в примечании к заголовку."
    )
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(columns))
    sheet.row_dimensions[2].height = 32
    header = 4
    for position, (column, alias) in enumerate(columns, start=1):
        cell = sheet.cell(header, position, alias)
        cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        question = _QUESTION[party].get(column)
        if question is not None:
            cell.comment = Comment(f"Вопрос {question} анкеты {party.label_ru}", "mentor-match")
        width = 17 if column in ("satisfaction", *SCALES[party], "future") else 30
        width = {"program": 12, "full_name": 36}.get(column, width)
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.row_dimensions[header].height = 48
    position_of = {column: position for position, (column, _) in enumerate(columns, start=1)}
    for number, (program_id, full_name, difficulties) in enumerate(rows, start=header + 1):
        sheet.cell(number, position_of["program"], program_id).fill = _GIVEN_FILL
        sheet.cell(number, position_of["program"]).alignment = Alignment(horizontal="center")
        sheet.cell(number, position_of["full_name"], neutralise(full_name)).fill = _GIVEN_FILL
        for position in position_of.values():
            sheet.cell(number, position).border = _BOX
        if difficulties:
            sheet.cell(number, position_of["overcome"]).comment = Comment(
                f"Затруднения программы: {difficulties}", "mentor-match"
            )
    last = max(header + len(rows), header + 200)
    scales = DataValidation(
        type="whole", operator="between", formula1="1", formula2="10", allow_blank=True,
        error="Оценка — целое число от 1 до 10", errorTitle="Оценка", showErrorMessage=True,
    )  # fmt: skip
    future = DataValidation(
        type="list", formula1='"' + ",".join(FUTURE_RU.values()) + '"', allow_blank=True,
        error="Ответ: да, нет или пока не знаю", showErrorMessage=True,
    )  # fmt: skip
    for column in ("satisfaction", *SCALES[party]):
        letter = get_column_letter(position_of[column])
        scales.add(f"{letter}{header + 1}:{letter}{last}")
    letter = get_column_letter(position_of["future"])
    future.add(f"{letter}{header + 1}:{letter}{last}")
    sheet.add_data_validation(scales)
    sheet.add_data_validation(future)
    for column in (*OUTCOMES, *OPEN_QUESTIONS[party]):
        for number in range(header + 1, last + 1):
            sheet.cell(number, position_of[column]).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(header + 1, 3)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
