"""``results.xlsx``: a run's results as the council reads them, and their decisions read back.

Sheets «Пары», «Группы», «Без пары», «Альтернативы», «Сводка»: people by name, position and
institution (the registry's full name), Russian headers and values, explanations wrapped,
filters, frozen headers. «Пары» ends with the council's columns, ready to fill: «Решение» (a
drop-down list: утвердить, отклонить, закрепить), «Комментарий» and both written consents
(да/нет). Ids come last, so that ``--decisions results.xlsx`` can read the decisions back
(``council_decisions``). The batch command and the service write the same workbook: the
command from its result, the service from stored proposals (``api.results_workbook``).
Every text cell is neutralised (``matcher.neutralising``): never a formula.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from zipfile import BadZipFile

from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

from matcher.model import Alternative, MenteeBank, MentorBank, Proposal, Unmatched
from matcher.neutralising import printable, starts_like_formula
from matcher.reading import RawTable
from matcher.summary_ru import summary_rows
from matcher.taxonomy import Taxonomy

FILE_NAME = "results.xlsx"
PAIRS, GROUPS, UNMATCHED, ALTERNATIVES, SUMMARY = "Пары", "Группы", "Без пары", "Альтернативы", "Сводка"
DECISIONS_RU = ("утвердить", "отклонить", "закрепить")
STATUS_DECISION = {"approved": "утвердить", "rejected": "отклонить", "pinned": "закрепить"}
"""A stored proposal's status as the council's decision in the workbook."""
ERASED = "(данные удалены)"
FORMAT_RU = {"in_person": "очно", "remote": "дистанционно"}
REASON_RU = {
    "no_consent": "нет согласия на участие",
    "no_compatible_mentor": "нет наставника с нужными компетенциями",
    "capacity_exhausted": "подходящие наставники заняты",
    "format_mismatch": "не подходит формат встреч",
    "excluded": "подходящие наставники исключены",
}
COMPONENT_TITLES = {
    "coverage": "Закрытие затруднений",
    "subject": "Совпадение предметов",
    "level": "Уровни образования",
    "text": "Запрос и опыт наставника",
    "experience": "Стаж",
    "institution": "Та же организация",
    "preference": "Выбор наставляемого",
}
"""The score's components (``Proposal.breakdown``), one column each."""
MAX_NAMES = 5
MENTEE_ID, MENTOR_ID = "Идентификатор наставляемого", "Идентификатор наставника"
DECISION, COMMENT = "Решение", "Комментарий"


@dataclass(frozen=True, slots=True)
class PersonCard:
    full_name: str
    position: str = ""
    institution: str = ""


_ERASED_CARD = PersonCard(ERASED)


@dataclass(frozen=True, slots=True)
class People:
    """Who the ids of a run are: names, positions, institutions' full names."""

    mentees: Mapping[str, PersonCard]
    mentors: Mapping[str, PersonCard]

    def mentee(self, person_id: str) -> PersonCard:
        return self.mentees.get(person_id, _ERASED_CARD)

    def mentor(self, person_id: str) -> PersonCard:
        return self.mentors.get(person_id, _ERASED_CARD)

    @classmethod
    def from_banks(
        cls, mentees: MenteeBank, mentors: MentorBank, institutions: Mapping[str, str] | None = None
    ) -> People:
        names = institutions or {}

        def card(full_name: str, position: str, institution: str) -> PersonCard:
            return PersonCard(full_name, position, names.get(institution, institution))

        return cls(
            mentees={m.id: card(m.full_name, m.position, m.institution) for m in mentees.mentees},
            mentors={m.id: card(m.full_name, m.position, m.institution) for m in mentors.mentors},
        )


@dataclass(frozen=True, slots=True)
class CouncilMarks:
    """What is already recorded on a pair: the council's decision, comment and consents."""

    decision: str = ""
    comment: str = ""
    mentee_consent: bool | None = None
    mentor_consent: bool | None = None


@dataclass(frozen=True, slots=True)
class ResultsBook:
    """Everything ``results.xlsx`` shows; the command and the service each build one."""

    proposals: Sequence[Proposal]
    unmatched: Sequence[Unmatched]
    alternatives: Sequence[Alternative]
    summary: Mapping[str, Any]
    people: People
    taxonomy: Taxonomy
    marks: Mapping[tuple[str, str], CouncilMarks] = field(default_factory=dict)
    title: str = "Подбор наставнических пар"
    extra_sheets: Sequence[ExtraSheet] = ()
    """Sheets other modules add before «Сводка» (``matcher.supply_sheet``)."""


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: float
    wrap: bool = False
    number_format: str = ""


@dataclass(frozen=True, slots=True)
class ExtraSheet:
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[object]]
    frozen: str = "A2"


HEADER_FILL = "#DDE6F0"
COUNCIL_FILL = "#FFF2CC"
PERCENT = "0%"
CHARS_PER_WIDTH = 0.9
"""Characters of ordinary text in one unit of column width (the width of a «0»), roughly."""
BOLD = 0.8
"""Bold headers take more room than ordinary text."""
LINE_POINTS = 15.0
A4 = 9
"""The paper size code of A4 in a workbook's page setup."""
MAX_ROW_POINTS = 409.0


def _person_columns(role: str, of_role: str) -> list[Column]:
    """ФИО, position and institution of one side (``of_role``: the role in the genitive)."""
    return [
        Column(f"{role} (ФИО)", 28, wrap=True),
        Column(f"Должность {of_role}", 22, wrap=True),
        Column(f"Организация {of_role}", 26, wrap=True),
    ]


PAIR_COLUMNS = [
    Column("№", 6),
    *_person_columns("Наставляемый", "наставляемого"),
    *_person_columns("Наставник", "наставника"),
    Column("Группа", 8),
    Column("Формат встреч", 14),
    Column("Соответствие", 13, number_format=PERCENT),
    Column("Закрывает затруднения", 30, wrap=True),
    Column("Пояснение", 60, wrap=True),
    Column("Надёжность", 24, wrap=True),
    Column(DECISION, 14),
    Column(COMMENT, 30, wrap=True),
    Column("Согласие наставляемого", 14),
    Column("Согласие наставника", 14),
    *(Column(title, 14, number_format=PERCENT) for title in COMPONENT_TITLES.values()),
    Column(MENTEE_ID, 16),
    Column(MENTOR_ID, 16),
]
GROUP_COLUMNS = [
    Column("Группа", 8),
    *_person_columns("Наставник", "наставника"),
    Column("Формат встреч", 14),
    Column("Участников", 12),
    Column("Участники", 50, wrap=True),
    Column("Общие затруднения", 30, wrap=True),
    Column("Соответствие (среднее)", 14, number_format=PERCENT),
]
UNMATCHED_COLUMNS = [
    Column("№", 6),
    *_person_columns("Наставляемый", "наставляемого"),
    Column("Причина", 28, wrap=True),
    Column("Пояснение", 60, wrap=True),
    Column("Что поможет", 45, wrap=True),
    Column("Проверено пересчётом", 14),
    Column("Возможные наставники", 40, wrap=True),
    Column(COMMENT, 30, wrap=True),
    Column(MENTEE_ID, 16),
]
ALTERNATIVE_COLUMNS = [
    Column("Наставляемый (ФИО)", 30, wrap=True),
    Column("Предложенный наставник (ФИО)", 30, wrap=True),
    Column("Вариант", 9),
    *_person_columns("Другой наставник", "другого наставника"),
    Column("Соответствие", 13, number_format=PERCENT),
    Column("Свободных мест", 12),
    Column(MENTEE_ID, 16),
    Column("Идентификатор другого наставника", 16),
]
SUMMARY_COLUMNS = [Column("Показатель", 60, wrap=True), Column("Значение", 40, wrap=True)]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("да" if value else "нет")


def robustness_ru(label: str) -> str:
    """``solid`` → «надёжная»; ``weight-sensitive:<component>`` → «зависит от весов: …»."""
    if not label:
        return ""
    if label == "solid":
        return "надёжная"
    component = label.partition(":")[2]
    return f"зависит от весов: {COMPONENT_TITLES.get(component, component).lower()}"


def _names(ids: Iterable[str], people: People) -> str:
    names = [people.mentor(i).full_name for i in ids]
    shown = "\n".join(names[:MAX_NAMES])
    rest = len(names) - MAX_NAMES
    return f"{shown}\nи ещё {rest}" if rest > 0 else shown


def _covered(codes: Iterable[str], taxonomy: Taxonomy) -> str:
    return "; ".join(taxonomy.short(code) if code in taxonomy else code for code in codes)


def _card(card: PersonCard) -> list[object]:
    return [card.full_name, card.position, card.institution]


def _pair_rows(book: ResultsBook) -> Iterable[list[object]]:
    for number, p in enumerate(book.proposals, start=1):
        marks = book.marks.get((p.mentee_id, p.mentor_id), CouncilMarks())
        yield [
            number,
            *_card(book.people.mentee(p.mentee_id)),
            *_card(book.people.mentor(p.mentor_id)),
            p.group_id,
            FORMAT_RU.get(p.format.value, p.format.value),
            p.score,
            _covered(p.covered, book.taxonomy),
            p.explanation,
            robustness_ru(p.robustness),
            marks.decision,
            marks.comment,
            _yes_no(marks.mentee_consent),
            _yes_no(marks.mentor_consent),
            *(p.breakdown.get(name) for name in COMPONENT_TITLES),
            p.mentee_id,
            p.mentor_id,
        ]


def _group_rows(book: ResultsBook) -> Iterable[list[object]]:
    groups: dict[str, list[Proposal]] = defaultdict(list)
    for p in book.proposals:
        if p.group_id:
            groups[p.group_id].append(p)
    for group_id, members in groups.items():
        shared = set(members[0].covered).intersection(*(m.covered for m in members[1:]))
        yield [
            group_id,
            *_card(book.people.mentor(members[0].mentor_id)),
            "дистанционно" if any(m.format.value == "remote" for m in members) else "очно",
            len(members),
            "\n".join(book.people.mentee(m.mentee_id).full_name for m in members),
            _covered(sorted(shared), book.taxonomy),
            sum(m.score for m in members) / len(members),
        ]


def _unmatched_rows(book: ResultsBook) -> Iterable[list[object]]:
    for number, u in enumerate(book.unmatched, start=1):
        yield [
            number,
            *_card(book.people.mentee(u.mentee_id)),
            REASON_RU.get(u.reason.value, u.reason.value),
            u.explanation,
            u.fix,
            "да" if u.fix_verified else ("нет" if u.fix else ""),
            _names(u.candidates, book.people),
            "",
            u.mentee_id,
        ]


def _alternative_rows(book: ResultsBook) -> Iterable[list[object]]:
    for a in book.alternatives:
        yield [
            book.people.mentee(a.mentee_id).full_name,
            book.people.mentor(a.mentor_id).full_name,
            a.rank,
            *_card(book.people.mentor(a.alternative_mentor_id)),
            a.score,
            a.free_places,
            a.mentee_id,
            a.alternative_mentor_id,
        ]


class _Formats:
    """The cell formats of one sheet's columns: text, text that starts like a formula (shown as
    text, never a formula) and number; a column's numbers carry its number format."""

    def __init__(self, workbook: Workbook, columns: Sequence[Column]) -> None:
        self.text = [workbook.add_format(_alignment(column)) for column in columns]
        self.quoted = [
            workbook.add_format({**_alignment(column), "quote_prefix": True}) for column in columns
        ]
        self.numbers = [
            workbook.add_format({**_alignment(column), "num_format": column.number_format})
            if column.number_format
            else self.text[index]
            for index, column in enumerate(columns)
        ]


def _alignment(column: Column) -> dict[str, object]:
    return {"valign": "top", "text_wrap": True} if column.wrap else {"valign": "top"}


def _write_row(sheet: Worksheet, row: int, values: Sequence[object], formats: _Formats) -> None:
    for index, value in enumerate(values):
        if isinstance(value, str) and value:
            text = printable(value)
            if starts_like_formula(text):
                sheet.write_string(row, index, text, formats.quoted[index])
            else:
                sheet.write_string(row, index, text, formats.text[index])
        elif value is None or value == "":
            sheet.write_blank(row, index, None, formats.text[index])
        elif isinstance(value, bool):
            sheet.write_boolean(row, index, value, formats.numbers[index])
        elif isinstance(value, int | float):
            sheet.write_number(row, index, value, formats.numbers[index])
        else:
            sheet.write_string(row, index, printable(str(value)), formats.text[index])


class _Heights:
    """Points a row needs to show its wrapped text (spreadsheets do not grow rows on opening):
    only the wrapped columns' texts count."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.wrapped = [
            (index, max(column.width * CHARS_PER_WIDTH, 1.0))
            for index, column in enumerate(columns)
            if column.wrap
        ]

    def of(self, values: Sequence[object]) -> float:
        lines = 1
        for index, per_line in self.wrapped:
            value = values[index]
            if isinstance(value, str) and value:
                if len(value) <= per_line and "\n" not in value:
                    continue  # one line
                lines = max(lines, sum(math.ceil(max(len(part), 1) / per_line) for part in value.split("\n")))
        return min(lines * LINE_POINTS + 2, MAX_ROW_POINTS)


def _page(sheet: Worksheet) -> None:
    """A4 landscape, as wide as one page, the header repeated on every page."""
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)


def _cell(reference: str) -> tuple[int, int]:
    """``"C2"`` → (row 1, column 2), counted from 0."""
    letters = reference.rstrip("0123456789")
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(reference[len(letters) :]) - 1, column - 1


def _added(workbook: Workbook, title: str, columns: Sequence[Column], frozen: str = "A2") -> Worksheet:
    """A new sheet with its columns' widths, frozen panes and print setup, not yet filled."""
    sheet = workbook.add_worksheet(title)
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
    sheet.freeze_panes(*_cell(frozen))
    _page(sheet)
    return sheet


def _filled(
    workbook: Workbook,
    sheet: Worksheet,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    *,
    council: Sequence[str] = (),
    printed: int | None = None,
) -> int:
    """The header and ``rows`` written into ``sheet``; ``printed`` columns go on paper (the rest
    are details for the screen). The number of rows."""
    titles = [column.title for column in columns]
    sheet.set_row(0, _Heights([Column(c.title, c.width * BOLD, True) for c in columns]).of(titles))
    header = {"bold": True, "font_name": "Calibri", "text_wrap": True, "valign": "top", "pattern": 1}
    plain = workbook.add_format({**header, "bg_color": HEADER_FILL})
    marked = workbook.add_format({**header, "bg_color": COUNCIL_FILL})
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.title, marked if column.title in council else plain)
    count = 0
    formats = _Formats(workbook, columns)
    heights = _Heights(columns)
    for count, row in enumerate(rows, start=1):
        sheet.set_row(count, heights.of(row))
        _write_row(sheet, count, row, formats)
    sheet.autofilter(0, 0, count, len(columns) - 1)
    if printed is not None:
        sheet.print_area(0, 0, count, printed - 1)
    return count


def _sheet(
    workbook: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    *,
    council: Sequence[str] = (),
    frozen: str = "A2",
) -> None:
    _filled(workbook, _added(workbook, title, columns, frozen), columns, rows, council=council)


def _choice(
    sheet: Worksheet, columns: Sequence[Column], title: str, values: Sequence[str], rows: int
) -> None:
    column = [c.title for c in columns].index(title)
    sheet.data_validation(
        1,
        column,
        max(rows, 1),
        column,
        {
            "validate": "list",
            "source": list(values),
            "ignore_blank": True,
            "show_input": False,
            "show_error": True,
            "error_title": title,
            "error_message": "Выберите значение из списка: " + ", ".join(values),
            "input_title": title,
            "input_message": "Выберите: " + ", ".join(values),
        },
    )


def write_workbook(
    book: ResultsBook, target: Path | IO[bytes], settled: Callable[[], ResultsBook] | None = None
) -> None:
    """Write ``results.xlsx`` for ``book`` into ``target`` (a path or a binary stream).

    With ``settled``, ``book``'s proposals still lack their robustness (``matcher.pipeline``:
    the re-solves that give it are running): the sheets that show no proposal are filled from
    ``book`` first, then the proposals' and the summary's from ``settled()``.
    """
    workbook = Workbook(
        str(target) if isinstance(target, Path) else target,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    pairs = _added(workbook, PAIRS, PAIR_COLUMNS, frozen="C2")
    groups = _added(workbook, GROUPS, GROUP_COLUMNS)
    _sheet(workbook, UNMATCHED, UNMATCHED_COLUMNS, _unmatched_rows(book), council=(COMMENT,), frozen="C2")
    _sheet(workbook, ALTERNATIVES, ALTERNATIVE_COLUMNS, _alternative_rows(book), frozen="B2")
    for extra in book.extra_sheets:
        _sheet(workbook, extra.title, extra.columns, extra.rows, frozen=extra.frozen)
    summary = _added(workbook, SUMMARY, SUMMARY_COLUMNS)
    if settled is not None:
        book = settled()
    count = _filled(
        workbook,
        pairs,
        PAIR_COLUMNS,
        _pair_rows(book),
        council=(DECISION, COMMENT, "Согласие наставляемого", "Согласие наставника"),
        printed=[c.title for c in PAIR_COLUMNS].index("Согласие наставника") + 1,
    )
    _choice(pairs, PAIR_COLUMNS, DECISION, DECISIONS_RU, count)
    _choice(pairs, PAIR_COLUMNS, "Согласие наставляемого", ("да", "нет"), count)
    _choice(pairs, PAIR_COLUMNS, "Согласие наставника", ("да", "нет"), count)
    _filled(workbook, groups, GROUP_COLUMNS, _group_rows(book))
    _filled(workbook, summary, SUMMARY_COLUMNS, summary_rows(book.title, book.summary))
    workbook.close()


def is_results_workbook(path: Path) -> bool:
    """Whether ``path`` is a ``results.xlsx`` (its «Пары» sheet has the council's columns)."""
    return _pairs_header(path) is not None


def _pairs_header(path: Path) -> list[str] | None:
    if path.suffix.lower() != ".xlsx":
        return None
    from openpyxl import load_workbook  # the reader only where a workbook is read back
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError):
        return None  # not a workbook of ours: the ordinary reader reports what is wrong with it
    try:
        if PAIRS not in workbook.sheetnames:
            return None
        first = next(workbook[PAIRS].iter_rows(max_row=1, values_only=True), ())
        header = ["" if value is None else str(value).strip() for value in first]
        return header if {DECISION, MENTEE_ID, MENTOR_ID} <= set(header) else None
    finally:
        workbook.close()


def council_decisions(path: Path) -> RawTable:
    """The rows of «Пары» whose «Решение» is filled, as a decisions table (``matcher.decisions``)."""
    header = _pairs_header(path)
    if header is None:
        raise ValueError(f"{path} is not a results workbook")
    wanted = {"mentee_id": MENTEE_ID, "mentor_id": MENTOR_ID, "decision": DECISION, "comment": COMMENT}
    position = {canonical: header.index(title) for canonical, title in wanted.items()}
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    try:
        sheet = workbook[PAIRS]
        for number, values in enumerate(
            sheet.iter_rows(min_row=2, max_col=len(header), values_only=True), start=2
        ):
            cells = {
                canonical: "" if index >= len(values) or values[index] is None else str(values[index]).strip()
                for canonical, index in position.items()
            }
            if cells["decision"]:
                rows.append(cells)
                numbers.append(number)
    finally:
        workbook.close()
    return RawTable(file=f"{path.name}, лист «{PAIRS}»", headers=dict(wanted), rows=rows, row_numbers=numbers)
