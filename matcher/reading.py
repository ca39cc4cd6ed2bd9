"""Reading a curator's file into a raw table: every cell as text, with its spreadsheet row.

The only step on the way in that touches files. The extension decides the format: ``.xlsx``
(first sheet, header in row 1) or ``.csv`` (UTF-8 with or without BOM, or Windows-1251;
``,``- or ``;``-delimited, detected from the header line). Headers are matched to the
contract's columns by their English name or Russian alias in any case, with ё/е and extra
spaces ignored; unknown columns are dropped, and so are rows with no value in any known
column (their neighbours keep their spreadsheet row numbers). Nothing here checks a cell's
meaning: that is ``validation``'s job.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Literal

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from matcher.errors import CellProblem, InputError
from matcher.taxonomy import normalise_term

Kind = Literal["mentors", "mentees", "decisions", "institutions"]

_PERSON_COLUMNS: dict[str, str] = {
    "id": "Идентификатор",
    "full_name": "ФИО",
    "institution": "Образовательная организация",
    "municipality": "Муниципалитет",
    "position": "Должность",
    "subjects": "Предметы",
    "levels": "Уровни образования",
    "experience_years": "Стаж",
    "formats": "Формат",
    "consent": "Согласие",
}

COLUMNS: Mapping[Kind, Mapping[str, str]] = {
    "mentors": {
        **_PERSON_COLUMNS,
        "qualification": "Квалификационная категория",
        "competences": "Компетенции",
        "about": "Опыт и достижения",
        "capacity": "Максимум наставляемых",
        "max_group": "Максимальный размер группы",
    },
    "mentees": {
        **_PERSON_COLUMNS,
        "category": "Категория",
        "difficulties": "Затруднения",
        "request": "Запрос",
        "preferred_mentors": "Желаемые наставники",
        "excluded_mentors": "Исключённые наставники",
        "max_mentors": "Максимум наставников",
    },
    "decisions": {
        "mentee_id": "Наставляемый",
        "mentor_id": "Наставник",
        "decision": "Решение",
        "comment": "Комментарий",
    },
    "institutions": {
        "code": "Код",
        "full_name": "Полное наименование",
        "short_name": "Краткое наименование",
        "kind": "Тип",
        "municipality": "Муниципалитет",
        "head_name": "ФИО руководителя",
        "head_position": "Должность руководителя",
        "address": "Адрес",
    },
}
"""Canonical column name -> its Russian alias, per kind of file (the banks: interchange contract)."""

REQUIRED: Mapping[Kind, tuple[str, ...]] = {
    "mentors": ("id", "full_name", "institution", "competences", "consent"),
    "mentees": ("id", "full_name", "institution", "difficulties", "consent"),
    "decisions": ("mentee_id", "mentor_id", "decision"),
    "institutions": ("code", "full_name"),
}

_ALIASES: Mapping[Kind, Mapping[str, str]] = {
    kind: {
        normalise_term(title): canonical
        for canonical, alias in columns.items()
        for title in (canonical, alias)
    }
    for kind, columns in COLUMNS.items()
}

_ENCODINGS = ("utf-8-sig", "cp1251")
# A broken part of the archive: XML errors of ElementTree and of lxml both derive from SyntaxError.
_XLSX_ERRORS = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    IndexError,
    ValueError,
    SyntaxError,
    OSError,
)


@dataclass(frozen=True, slots=True)
class RawTable:
    file: str
    headers: dict[str, str]  # canonical column -> header as written in the file
    rows: list[dict[str, str]]  # canonical column -> cell text (stripped; "" for empty)
    row_numbers: list[int]  # spreadsheet row of each row, header = row 1


def read_table(source: Path | bytes, *, name: str | None = None, kind: Kind) -> RawTable:
    """The file's recognised columns and non-empty rows; ``name`` is how the curator knows the file."""
    if name is None:
        if isinstance(source, bytes):
            raise ValueError("name is required when reading bytes")
        name = source.name
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        shown = f"«{suffix}»" if suffix else "без расширения"
        raise _file_error(
            name, f"неподдерживаемый формат файла {shown}; сохраните таблицу как .xlsx или .csv"
        )
    data = source if isinstance(source, bytes) else _read_bytes(source, name)
    if not data.strip():
        raise _file_error(name, "файл пуст")
    grid = _read_xlsx(data, name) if suffix == ".xlsx" else _read_csv(data, name)
    return _table(grid, name, kind)


def _file_error(name: str, message: str) -> InputError:
    return InputError([CellProblem(name, 0, "", "", message)])


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _file_error(name, f"не удалось прочитать файл ({exc.strerror})") from None


def _read_csv(data: bytes, name: str) -> list[list[str]]:
    text = _decode(data, name)
    if "\x00" in text:
        raise _file_error(name, "файл повреждён или не является текстовым CSV")
    delimiter = _delimiter(text)
    grid: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            grid.append([cell.strip() for cell in record])
    except csv.Error:
        raise InputError(
            [CellProblem(name, len(grid) + 1, "", "", "нарушены кавычки CSV: у значения нет парной кавычки")]
        ) from None
    _check_widths(grid, name, delimiter)
    return grid


def _decode(data: bytes, name: str) -> str:
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_error(name, "не удалось определить кодировку; сохраните файл в UTF-8")


def _delimiter(text: str) -> str:
    """``;`` if the header line has more of them than commas outside quotes, else ``,``."""
    counts = {";": 0, ",": 0}
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char in "\r\n":
            break
        elif char in counts:
            counts[char] += 1
    return ";" if counts[";"] > counts[","] else ","


def _check_widths(grid: list[list[str]], name: str, delimiter: str) -> None:
    """A row with more values than the header has columns: a delimiter inside an unquoted value."""
    width = len(grid[0]) if grid else 0
    problems = [
        CellProblem(
            name,
            number,
            "",
            delimiter.join(cells[width:]),
            f"в строке больше значений, чем столбцов в заголовке: вероятно, значение с «{delimiter}» "
            "не заключено в кавычки",
        )
        for number, cells in enumerate(grid, start=1)
        if any(cells[width:])
    ]
    if problems:
        raise InputError(problems)


def _read_xlsx(data: bytes, name: str) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
    except _XLSX_ERRORS:
        raise _file_error(name, "файл повреждён или не является книгой Excel (.xlsx)") from None


def _cell_text(value: object) -> str:
    """A spreadsheet value as the curator would type it: 5.0 -> "5", a date without its midnight."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _table(grid: list[list[str]], name: str, kind: Kind) -> RawTable:
    if not any(any(cells) for cells in grid):
        raise _file_error(name, "файл пуст")
    header = grid[0]
    positions = _locate_columns(header, name, kind)
    rows: list[dict[str, str]] = []
    row_numbers: list[int] = []
    for number, cells in enumerate(grid[1:], start=2):
        row = {column: cells[i] if i < len(cells) else "" for column, i in positions.items()}
        if any(row.values()):
            rows.append(row)
            row_numbers.append(number)
    headers = {column: header[i] for column, i in positions.items()}
    return RawTable(file=name, headers=headers, rows=rows, row_numbers=row_numbers)


def _locate_columns(header: Sequence[str], name: str, kind: Kind) -> dict[str, int]:
    """Canonical column -> its position; every duplicate and missing required column at once."""
    aliases = _ALIASES[kind]
    positions: dict[str, int] = {}
    problems: list[CellProblem] = []
    for position, title in enumerate(header):
        column = aliases.get(normalise_term(title))
        if column is None:
            continue
        if column in positions:
            earlier = header[positions[column]]
            problems.append(CellProblem(name, 1, title, "", f"столбец повторяется: то же, что «{earlier}»"))
        else:
            positions[column] = position
    if not positions:
        examples = ", ".join(f"«{column}»" for column in REQUIRED[kind])
        raise _file_error(name, f"в первой строке нет заголовков столбцов; ожидаются, например, {examples}")
    problems.extend(
        CellProblem(name, 0, column, "", f"нет обязательного столбца «{column}» («{COLUMNS[kind][column]}»)")
        for column in REQUIRED[kind]
        if column not in positions
    )
    if problems:
        raise InputError(problems)
    return positions
