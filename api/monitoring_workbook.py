"""The monitoring report as a workbook: one row per institution (full names) and the municipality,
each indicator beside its target, met in green and missed in red; the targets and what each
figure counts on two more sheets. A4 landscape, frozen header, filters."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from api.monitoring import MonitoringReport
from matcher.monitoring import INDICATORS, SATISFIED, YOUNG_YEARS, Indicators, Share
from matcher.neutralising import neutralise

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_TITLE = Font(name="Calibri", bold=True, size=14)
_BOLD = Font(name="Calibri", bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_MET = PatternFill("solid", fgColor="C6EFCE")
_MISSED = PatternFill("solid", fgColor="FFC7CE")
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_PERCENT = "0.0%"
_NONE = "—"

GROUPS: Sequence[tuple[str, Sequence[str]]] = (
    ("Организация", ("Полное наименование",)),
    ("Молодые специалисты", ("всего", "в программах", "доля", "цель")),
    ("Удовлетворённость наставляемых", ("анкет", "средний балл (1–10)", "доля удовлетворены", "цель")),
    ("Удовлетворённость наставников", ("анкет", "средний балл (1–10)", "доля удовлетворены", "цель")),
    (
        "Программы наставничества",
        ("реализуются", "завершены", "прекращены досрочно", "доля завершённых", "цель"),
    ),
    ("Затруднения наставляемых", ("отмечено в анкетах", "преодолены", "частично")),
)
WIDTHS = [46, 8, 14, 9, 8, 8, 10, 15, 8, 8, 10, 15, 8, 14, 12, 14, 14, 8, 12, 13, 10]
LINE_POINTS = 15.0
CHARS_PER_LINE = 42
"""About how many characters of a name fit on one line of the first column (width 46)."""


def _percent(share: Share) -> float | str:
    return _NONE if share.percent is None else share.percent / 100


def _target(share: Share) -> float | str:
    return _NONE if share.target is None else share.target / 100


def _row(name: str, item: Indicators) -> list[object]:
    mentee, mentor = item.mentee_satisfaction, item.mentor_satisfaction
    return [
        neutralise(name),
        item.young_specialists.whole,
        item.young_specialists.part,
        _percent(item.young_specialists),
        _target(item.young_specialists),
        mentee.count,
        _NONE if mentee.mean is None else mentee.mean,
        _percent(mentee.satisfied),
        _target(mentee.satisfied),
        mentor.count,
        _NONE if mentor.mean is None else mentor.mean,
        _percent(mentor.satisfied),
        _target(mentor.satisfied),
        item.running,
        item.completed.part,
        item.ended_early,
        _percent(item.completed),
        _target(item.completed),
        item.overcome.whole,
        _percent(item.overcome),
        _percent(item.partly_overcome),
    ]


_SHARE_COLUMNS = {
    4: "young_specialists",
    8: "mentee_satisfaction",
    12: "mentor_satisfaction",
    17: "completed",
}
"""Column (1-based) of each indicator's share, coloured by whether it meets its target."""
_PERCENT_COLUMNS = {4, 5, 8, 9, 12, 13, 17, 18, 20, 21}
_TARGET_COLUMNS = {5, 9, 13, 18}
_MEAN_COLUMNS = {7, 11}


def _indicators_sheet(sheet: Worksheet, report: MonitoringReport) -> None:
    monitoring = report.monitoring
    width = sum(len(children) for _, children in GROUPS)
    sheet["A1"] = (
        f"Мониторинг программ наставничества педагогических работников, {monitoring.year} учебный год"
    )
    sheet["A1"].font = _TITLE
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A2"] = (
        "Показатели целевой модели наставничества (приказ Управления образования г. Ижевска "
        "от 04.03.2022 № 100, таблица показателей). Удовлетворённым считается ответ не ниже "
        f"{SATISFIED} из 10; цели — на листе «Цели»."
    )
    sheet["A2"].alignment = _WRAP
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet.row_dimensions[2].height = 30
    column = 1
    for group, children in GROUPS:
        sheet.cell(4, column, group)
        if len(children) > 1:
            sheet.merge_cells(
                start_row=4, start_column=column, end_row=4, end_column=column + len(children) - 1
            )
        for offset, child in enumerate(children):
            sheet.cell(5, column + offset, child)
        column += len(children)
    sheet.merge_cells(start_row=4, start_column=1, end_row=5, end_column=1)
    sheet.cell(4, 1, "Организация")
    for row in (4, 5):
        for col in range(1, width + 1):
            cell = sheet.cell(row, col)
            cell.font, cell.fill, cell.alignment, cell.border = _BOLD, _HEADER_FILL, _CENTER, _BOX
    sheet.row_dimensions[5].height = 48
    rows = [(report.name(item.code), item) for item in monitoring.institutions]
    if monitoring.municipality is not None:
        rows.append((report.name(None), monitoring.municipality))
    for number, (name, item) in enumerate(rows, start=6):
        for col, value in enumerate(_row(name, item), start=1):
            cell = sheet.cell(number, col, value)
            cell.border = _BOX
            cell.alignment = _WRAP if col == 1 else Alignment(horizontal="center", vertical="top")
            if col in _PERCENT_COLUMNS and isinstance(value, float):
                cell.number_format = "0%" if col in _TARGET_COLUMNS else _PERCENT
            if col in _MEAN_COLUMNS and isinstance(value, float):
                cell.number_format = "0.0"
            if item.code is None:
                cell.font, cell.fill = _BOLD, _TOTAL_FILL
        sheet.row_dimensions[number].height = LINE_POINTS * max(1, -(-len(name) // CHARS_PER_LINE))
        for col, indicator in _SHARE_COLUMNS.items():
            met = item.share(indicator).met
            if met is not None:
                sheet.cell(number, col).fill = _MET if met else _MISSED
    for col, width_chars in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width_chars
    sheet.freeze_panes = "B6"
    sheet.auto_filter.ref = f"A5:{get_column_letter(width)}{max(5, 5 + len(rows))}"
    _page(sheet)


def _targets_sheet(sheet: Worksheet, report: MonitoringReport) -> None:
    targets = report.monitoring.targets
    sheet.append(["Показатель", "Цель, %"])
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment, cell.border = _BOLD, _HEADER_FILL, _CENTER, _BOX
    for indicator, label in INDICATORS.items():
        value = targets.of(indicator)
        sheet.append([label, _NONE if value is None else value / 100])
        sheet.cell(sheet.max_row, 2).number_format = "0%"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.border, cell.alignment = _BOX, _WRAP
        row[1].alignment = _CENTER
    sheet.column_dimensions["A"].width = 75
    sheet.column_dimensions["B"].width = 12
    _page(sheet)


DEFINITIONS = (
    (
        "Молодые специалисты",
        f"Наставляемые из базы наставляемых с категорией «молодой специалист» или со стажем меньше "
        f"{YOUNG_YEARS} лет; «в программах» — те, у кого программа наставничества реализовывалась в этом "
        "учебном году. Относятся к организации наставляемого.",
    ),
    (
        "Удовлетворённость",
        f"Вопрос 1 анкеты по итогам программы (1–10). Доля удовлетворённых — анкеты с ответом не ниже "
        f"{SATISFIED}. Анкета относится к учебному году окончания программы и к организации того, кто её "
        "заполнил.",
    ),
    (
        "Программы",
        "«Реализуются» — программы, действовавшие в учебном году (в том числе продлённые); «завершены» и "
        "«прекращены досрочно» — окончившиеся в этом учебном году; доля завершённых — от окончившихся. "
        "Относятся к организации наставляемого.",
    ),
    (
        "Затруднения",
        "Вопрос 2 анкеты наставляемого: сколько затруднений отмечено и какая доля преодолена полностью "
        "и частично.",
    ),
)


def _definitions_sheet(sheet: Worksheet) -> None:
    sheet.append(["Показатель", "Как считается"])
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment, cell.border = _BOLD, _HEADER_FILL, _CENTER, _BOX
    for row in DEFINITIONS:
        sheet.append(list(row))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.border, cell.alignment = _BOX, _WRAP
        sheet.row_dimensions[row[0].row].height = LINE_POINTS * -(-len(str(row[1].value)) // 95)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100
    _page(sheet)


def _page(sheet: Worksheet) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True


def monitoring_xlsx(report: MonitoringReport) -> bytes:
    workbook = Workbook()
    indicators = workbook.active
    assert indicators is not None
    indicators.title = "Показатели"
    _indicators_sheet(indicators, report)
    _targets_sheet(workbook.create_sheet("Цели"), report)
    _definitions_sheet(workbook.create_sheet("Пояснения"))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
