"""Reading a curator's file into a raw table: every cell as text, with its spreadsheet row.

The only step on the way in that touches files. The extension decides the format: ``.xlsx``
(first sheet) or ``.csv``. A CSV's encoding is UTF-8 (with or without BOM), UTF-16 with BOM,
or a Cyrillic code page (Windows-1251, KOI8-R, CP866, Mac-Cyrillic) told apart by
``charset_normalizer``; a file whose code page cannot be told with confidence is refused,
never guessed. Its delimiter (``,``, ``;`` or tab) is the one that splits the first rows into
the most equal widths. ``matcher.columns`` then finds the header and sorts the columns.

Reading is bounded (``ReadingLimits``): file size, unpacked size of a workbook, its shared
strings, rows, columns, cell length and time each have a cap, and a file over one is refused
with a Russian message naming the cap. A workbook is streamed row by row without trusting the
sheet's declared ``<dimension>``, so a tiny file claiming a million rows costs nothing.

Nothing here checks a cell's meaning (that is ``validation``'s job), except that no kept
cell may hold a control character.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import IO
from xml.parsers import expat

from charset_normalizer import from_bytes

from matcher.columns import COLUMNS, REQUIRED, Kind, headerless, locate_columns
from matcher.errors import CellProblem, InputError

__all__ = [
    "COLUMNS",
    "FREE_TEXT",
    "REQUIRED",
    "Kind",
    "RawTable",
    "ReadingLimits",
    "control_character",
    "control_message",
    "read_table",
]

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReadingLimits:
    """The most a file may hold; far above any municipality's bank (100,000 people)."""

    max_bytes: int = 100 * MB
    max_unpacked_bytes: int = 300 * MB
    max_shared_strings: int = 1_000_000
    max_rows: int = 200_000
    max_columns: int = 100
    max_cell_chars: int = 10_000
    max_seconds: float = 120.0


LIMITS = ReadingLimits()

_CYRILLIC_CODE_PAGES = ("cp1251", "koi8_r", "cp866", "mac_cyrillic")
_CODE_PAGE_NAMES = {
    "cp1251": "Windows-1251",
    "koi8_r": "KOI8-R",
    "cp866": "CP866 (DOS)",
    "mac_cyrillic": "Mac-Cyrillic",
}
_DELIMITERS = (",", ";", "\t")
_MAX_CHAOS = 0.2
_CLEAR_LEAD = 0.1
"""A code page is taken when its text is clean and clearly more Russian than the runner-up's."""
_CHECK_EVERY = 2_000
"""Rows between two looks at the clock."""
FREE_TEXT = frozenset({"about", "request", "comment", "address", "full_name", "short_name"})
"""Columns where a line break or a tab inside a cell is ordinary text."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_FREE_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A broken part of the archive: XML errors of ElementTree and of lxml both derive from SyntaxError;
# malformed styles or cell types surface as TypeError or AttributeError inside openpyxl (whose own
# InvalidFileException joins these where openpyxl is imported: only when a workbook is read).
_XLSX_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,
    OSError,
    EOFError,
    zlib.error,
    expat.ExpatError,
)


@dataclass(frozen=True, slots=True)
class RawTable:
    file: str
    headers: dict[str, str]  # canonical column -> header as written in the file
    rows: list[dict[str, str]]  # canonical column -> cell text (stripped; "" for empty)
    row_numbers: list[int]  # spreadsheet row of each row
    left_aside: tuple[str, ...] = ()  # headers as written of the columns not read (unrelated)
    header_rows: tuple[int, ...] = (1,)


def read_table(
    source: Path | bytes, *, name: str | None = None, kind: Kind, limits: ReadingLimits = LIMITS
) -> RawTable:
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
    data = source if isinstance(source, bytes) else _read_bytes(source, name, limits)
    if len(data) > limits.max_bytes:
        raise _file_error(name, _too_big(limits))
    if not data.strip():
        raise _file_error(name, "файл пуст")
    deadline = _Deadline(name, limits.max_seconds)
    rows = _xlsx_rows(data, name, limits) if suffix == ".xlsx" else _csv_rows(data, name, limits)
    grid, numbers = _collect(rows, name, limits, deadline)
    return _table(grid, numbers, name, kind, limits)


def _too_big(limits: ReadingLimits) -> str:
    return f"файл больше {_megabytes(limits.max_bytes)}: такой файл не принимается"


def _megabytes(size: int) -> str:
    return f"{size // MB} МБ"


def _file_error(name: str, message: str, row: int = 0) -> InputError:
    return InputError([CellProblem(name, row, "", "", message)])


def _read_bytes(path: Path, name: str, limits: ReadingLimits) -> bytes:
    try:
        with path.open("rb") as handle:
            if path.stat().st_size > limits.max_bytes:  # refused unread, whatever its size
                raise _file_error(name, _too_big(limits))
            data = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise _file_error(name, f"не удалось прочитать файл ({exc.strerror})") from None
    return data


class _Deadline:
    def __init__(self, name: str, seconds: float) -> None:
        self.name = name
        self.seconds = seconds
        self.until = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.until:
            raise _file_error(
                self.name, f"файл читается дольше {self.seconds:g} с: такой файл не принимается"
            )


def _collect(
    rows: Iterator[list[str]], name: str, limits: ReadingLimits, deadline: _Deadline
) -> tuple[list[list[str]], list[int]]:
    """The non-empty rows (trailing empty cells cut) with their spreadsheet row numbers, capped."""
    grid: list[list[str]] = []
    numbers: list[int] = []
    for number, cells in enumerate(rows, start=1):
        if number % _CHECK_EVERY == 0:
            deadline.check()
        width = len(cells)
        while width and not cells[width - 1]:
            width -= 1
        if not width:
            continue
        if width > limits.max_columns:
            raise _file_error(
                name, f"в строке больше {limits.max_columns} столбцов: такой файл не принимается", number
            )
        if len(grid) == limits.max_rows:
            raise _file_error(
                name, f"в файле больше {limits.max_rows:,} строк: такой файл не принимается".replace(",", " ")
            )
        grid.append(cells[:width])
        numbers.append(number)
    deadline.check()
    if not grid:
        raise _file_error(name, "файл пуст")
    return grid, numbers


# --- CSV -------------------------------------------------------------------------------------


def _csv_rows(data: bytes, name: str, limits: ReadingLimits) -> Iterator[list[str]]:
    encoding = _encoding(data, name)
    delimiter = _delimiter(data, encoding)
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    record = 0
    try:
        for record, cells in enumerate(reader, start=1):
            yield [_capped(cell.strip(), name, record, limits) for cell in cells]
    except csv.Error as error:
        row = record + 1
        if "field larger than field limit" in str(error):
            raise _file_error(name, _too_long(limits), row) from None
        raise _file_error(name, "нарушены кавычки CSV: у значения нет парной кавычки", row) from None
    except UnicodeDecodeError:
        raise _file_error(
            name, f"файл не читается в кодировке {_CODE_PAGE_NAMES.get(encoding, 'UTF-8')}", record + 1
        ) from None


def _too_long(limits: ReadingLimits) -> str:
    return f"значение длиннее {limits.max_cell_chars:,} знаков: такое значение не принимается".replace(
        ",", " "
    )


def _capped(text: str, name: str, row: int, limits: ReadingLimits) -> str:
    if len(text) > limits.max_cell_chars:
        raise _file_error(name, _too_long(limits), row)
    return text


def _encoding(data: bytes, name: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in data:
        raise _file_error(name, "файл повреждён или не является текстовым CSV")
    if _is_utf8(data):
        return "utf-8"
    return _code_page(data, name)


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` decodes as UTF-8, checked a megabyte at a time (no copy of the whole)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), MB):
            decoder.decode(view[start : start + MB], final=start + MB >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def _code_page(data: bytes, name: str) -> str:
    """The Cyrillic code page of ``data``, when its text reads clearly better in it than in any other."""
    sample = data[: 256 * 1024]
    matches = [
        m for m in from_bytes(sample, cp_isolation=list(_CYRILLIC_CODE_PAGES)) if m.chaos <= _MAX_CHAOS
    ]
    if matches:
        best = matches[0]
        runner_up = next((m for m in matches[1:] if str(m) != str(best)), None)
        if runner_up is None or best.coherence - runner_up.coherence >= _CLEAR_LEAD:
            return best.encoding
    raise _file_error(
        name,
        "не удалось уверенно определить кодировку файла; сохраните его в Excel как «CSV UTF-8 "
        "(разделитель — запятая)» или как книгу .xlsx",
    )


def _delimiter(data: bytes, encoding: str) -> str:
    """The delimiter that splits the first rows into the most rows of one width (2 columns or more)."""
    head = data[: 64 * 1024].decode(encoding, errors="replace")
    lines = head.splitlines()[:40]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        widths = [len(cells) for cells in csv.reader(lines, delimiter=delimiter)]
        wide = [width for width in widths if width > 1]
        if not wide:
            continue
        width = max(set(wide), key=wide.count)
        score = (wide.count(width), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


# --- XLSX ------------------------------------------------------------------------------------


def _xlsx_rows(data: bytes, name: str, limits: ReadingLimits) -> Iterator[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    broken = "файл повреждён или не является книгой Excel (.xlsx)"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive, name, limits)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except InputError:
        raise
    except (InvalidFileException, *_XLSX_ERRORS):
        raise _file_error(name, broken) from None
    return _sheet_rows(workbook, name, limits, broken)


_NO_CELLS: list[str] = []
"""The cells of every row a sheet leaves out (read, never changed: ``_collect`` skips it)."""


def _sheet_rows(workbook: object, name: str, limits: ReadingLimits, broken: str) -> Iterator[list[str]]:
    from openpyxl.utils.exceptions import InvalidFileException
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    number = 0
    try:
        sheets = getattr(workbook, "worksheets")  # noqa: B009 - openpyxl's Workbook is untyped here
        if not sheets or not isinstance(sheets[0], ReadOnlyWorksheet):
            raise _file_error(name, "первый лист книги не является таблицей")
        sheet = sheets[0]
        sheet.reset_dimensions()  # the declared <dimension> is not trusted: rows come as they are
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if not values:  # a row the sheet leaves out: nothing made for it
                yield _NO_CELLS
                continue
            yield [
                _capped(_cell_text(value), name, number, limits) for value in values[: limits.max_columns + 1]
            ]
            if len(values) > limits.max_columns and any(
                value is not None for value in values[limits.max_columns :]
            ):
                raise _file_error(
                    name, f"в строке больше {limits.max_columns} столбцов: такой файл не принимается", number
                )
    except InputError:
        raise
    except (InvalidFileException, *_XLSX_ERRORS):
        raise _file_error(name, broken, number + 1 if number else 0) from None
    finally:
        getattr(workbook, "close")()  # noqa: B009


def _check_archive(archive: zipfile.ZipFile, name: str, limits: ReadingLimits) -> None:
    """Refuse a zip bomb and a flood of shared strings before openpyxl unpacks anything."""
    members = archive.infolist()
    if sum(member.file_size for member in members) > limits.max_unpacked_bytes:
        raise _file_error(
            name,
            f"книга в распакованном виде больше {_megabytes(limits.max_unpacked_bytes)}: "
            "такой файл не принимается",
        )
    for member in members:
        if member.filename.lower().endswith("sharedstrings.xml"):
            with archive.open(member) as stream:
                _count_shared_strings(stream, name, limits)


class _TooManyStrings(Exception):
    pass


def _count_shared_strings(stream: IO[bytes], name: str, limits: ReadingLimits) -> None:
    count = 0

    def start(tag: str, _attributes: object) -> None:
        nonlocal count
        if tag == "si" or tag.endswith(":si") or tag.endswith("}si"):
            count += 1
            if count > limits.max_shared_strings:
                raise _TooManyStrings

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    try:
        parser.ParseFile(stream)
    except _TooManyStrings:
        raise _file_error(
            name,
            f"в книге больше {limits.max_shared_strings:,} разных строк: такой файл не принимается".replace(
                ",", " "
            ),
        ) from None


def _cell_text(value: object) -> str:
    """A spreadsheet value as the curator would type it: 5.0 -> "5", a date without its midnight."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == clock_time() else value.isoformat(sep=" ")
    if isinstance(value, date | clock_time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


# --- the table -------------------------------------------------------------------------------


def _table(
    grid: list[list[str]], numbers: list[int], name: str, kind: Kind, limits: ReadingLimits
) -> RawTable:
    layout = locate_columns(grid, numbers, name, kind)
    is_csv = name.lower().endswith(".csv")
    rows: list[dict[str, str]] = []
    row_numbers: list[int] = []
    problems: list[CellProblem] = []
    beyond: set[int] = set()  # positions right of the header holding data (a workbook's)
    for index in range(layout.first_data, len(grid)):
        cells, number = grid[index], numbers[index]
        row = {column: cells[i] if i < len(cells) else "" for column, i in layout.positions.items()}
        extra = [i for i in range(layout.width, len(cells)) if cells[i]]
        if extra and is_csv:
            problems.append(_ragged(name, number, [cells[i] for i in extra]))
        beyond.update(extra)
        if not any(row.values()):
            continue
        problems.extend(_control_characters(name, number, row, layout.headers))
        rows.append(row)
        row_numbers.append(number)
    if problems:
        raise InputError(problems)
    return RawTable(
        file=name,
        headers=layout.headers,
        rows=rows,
        row_numbers=row_numbers,
        left_aside=layout.left_aside + tuple(headerless(position) for position in sorted(beyond)),
        header_rows=layout.header_rows,
    )


def _ragged(name: str, number: int, extra: Sequence[str]) -> CellProblem:
    """A row with more values than the header has columns: a delimiter inside an unquoted value."""
    return CellProblem(
        name,
        number,
        "",
        "; ".join(cell for cell in extra if cell)[:100],
        "в строке больше значений, чем столбцов в заголовке: вероятно, значение с разделителем "
        "не заключено в кавычки",
    )


def control_message(character: str) -> str:
    return (
        f"недопустимый управляющий символ U+{ord(character):04X} (невидимый знак, часто попадает "
        "при копировании); удалите его"
    )


def control_character(text: str, *, free_text: bool) -> str | None:
    """The first control character of ``text`` (a line break or tab is text in ``free_text``)."""
    found = (_CONTROL_IN_FREE_TEXT if free_text else _CONTROL).search(text)
    return None if found is None else found[0]


def _control_characters(
    name: str, number: int, row: dict[str, str], headers: dict[str, str]
) -> Iterable[CellProblem]:
    if _CONTROL.search("".join(row.values())) is None:  # the usual row: one look at all its cells
        return
    for column, text in row.items():
        found = control_character(text, free_text=column in FREE_TEXT)
        if found is not None:
            shown = _CONTROL.sub(lambda match: f"\\x{ord(match[0]):02x}", text)[:100]
            yield CellProblem(
                name,
                number,
                headers[column],
                shown,
                control_message(found),
            )
