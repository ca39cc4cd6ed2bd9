"""Reading a curator's file into a raw table: every cell as text, with its spreadsheet row.

The only step on the way in that touches files. The extension decides the format: ``.xlsx``
or delimited text, ``.csv`` or ``.txt`` (Excel's «Текст Юникод» is tab-separated UTF-16 saved as
``.txt``; both are read alike). A workbook's table is its first visible sheet; when that sheet has
no header row, the one other visible sheet that has one (several such sheets are refused, naming
them; hidden sheets are never read). In a workbook of several sheets every problem names the
sheet read (``file`` is «книга.xlsx, лист «…»»). A formula cell without a stored result is refused.
A CSV's encoding is UTF-8 (with or without BOM), UTF-16 with BOM,
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
import errno
import io
import re
import time
import zipfile
import zlib
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from functools import cache
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from charset_normalizer import from_bytes

from matcher.columns import (
    COLUMNS,
    HEADER_SCAN,
    REQUIRED,
    Kind,
    headerless,
    known_columns,
    locate_columns,
)
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
_FOOTER = re.compile(
    r"(?:итого|всего|ответственн|исполнител|составил|подготовил|руководител|директор|заведующ"
    r"|подпись|м\.\s*п\.|дата\s+(?:заполнения|составления))",
    re.IGNORECASE,
)
"""How the rows under a school's table begin: its total and its signatures."""
FOOTER_MAX_CELLS = 3
"""A footer row fills at most this many cells (a person's row fills the required ones)."""
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
    sheet: str = ""  # the workbook's sheet read ("" for delimited text)
    passed_over: str = ""
    """The first visible sheet, when it had no header row and the table was read from another."""
    footer: tuple[tuple[int, str], ...] = ()
    """Rows under the table that are a total or a signature («Итого:», «Ответственный: …»), not
    people: their spreadsheet row and first filled cell, left out of ``rows`` and told."""
    problems: tuple[CellProblem, ...] = ()
    """Problems of single cells or rows found while reading (a control character, a formula
    without a stored result, a row wider than the header), when ``read_table`` keeps them for the
    validation to report with its own (``keep_cell_problems``): every problem of a file at once."""


def read_table(
    source: Path | bytes,
    *,
    name: str | None = None,
    kind: Kind,
    limits: ReadingLimits = LIMITS,
    keep_cell_problems: bool = False,
) -> RawTable:
    """The file's recognised columns and non-empty rows; ``name`` is how the curator knows the file.
    Problems of single cells are raised, or with ``keep_cell_problems`` kept in the table
    (``RawTable.problems``) for its validation to report with its own."""
    table = _read(source, name, kind, limits)
    if table.problems and not keep_cell_problems:
        raise InputError(list(table.problems))
    return table


def _read(source: Path | bytes, name: str | None, kind: Kind, limits: ReadingLimits) -> RawTable:
    if name is None:
        if isinstance(source, bytes):
            raise ValueError("name is required when reading bytes")
        name = source.name
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx"):
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
    if suffix == ".xlsx":
        return _read_workbook(data, name, kind, limits, deadline)
    grid, numbers = _collect(enumerate(_csv_rows(data, name, limits), start=1), name, limits, deadline)
    return _table(grid, numbers, name, kind, delimited=True)


def _too_big(limits: ReadingLimits) -> str:
    return f"файл больше {_megabytes(limits.max_bytes)}: такой файл не принимается"


def _megabytes(size: int) -> str:
    return f"{size // MB} МБ"


def _file_error(name: str, message: str, row: int = 0) -> InputError:
    return InputError([CellProblem(name, row, "", "", message)])


def _read_bytes(path: Path, name: str, limits: ReadingLimits) -> bytes:
    try:
        if path.is_dir():  # Windows says «permission denied» when a folder is opened
            raise IsADirectoryError(errno.EISDIR, "", str(path))
        with path.open("rb") as handle:
            if path.stat().st_size > limits.max_bytes:  # refused unread, whatever its size
                raise _file_error(name, _too_big(limits))
            data = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise _file_error(name, f"не удалось прочитать файл: {_os_error_ru(exc, path)}") from None
    return data


_LOCKED_ERRNOS = frozenset({errno.EBUSY, errno.ETXTBSY, errno.EDEADLK, errno.ENOLCK})
_LOCKED_WINERRORS = frozenset({32, 33})  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION


def _os_error_ru(exc: OSError, path: Path) -> str:
    """The operating system's refusal in Russian (its own text may be English or unreadable)."""
    if getattr(exc, "winerror", None) in _LOCKED_WINERRORS or exc.errno in _LOCKED_ERRNOS:
        return "файл занят другой программой (например, открыт в Excel); закройте его и повторите"
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return f"файл не найден ({path}); проверьте папку и имя файла"
    if isinstance(exc, IsADirectoryError):
        return f"указана папка, а не файл ({path}); укажите сам файл таблицы"
    if isinstance(exc, PermissionError):
        return (
            "нет доступа к файлу: у вас нет прав на его чтение или он открыт в другой программе "
            "(например, в Excel); закройте его или попросите доступ и повторите"
        )
    code = f" (код ошибки {exc.errno})" if exc.errno is not None else ""
    return f"ошибка операционной системы{code}; проверьте, что файл доступен, и повторите"


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
    rows: Iterable[tuple[int, list[str]]], name: str, limits: ReadingLimits, deadline: _Deadline
) -> tuple[list[list[str]], list[int]]:
    """The non-empty rows (trailing empty cells cut) with their spreadsheet row numbers, capped."""
    grid: list[list[str]] = []
    numbers: list[int] = []
    for count, (number, cells) in enumerate(rows, start=1):
        if count % _CHECK_EVERY == 0:
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

_BROKEN = "файл повреждён или не является книгой Excel (.xlsx)"
_UNCOMPUTED = "\x00"
"""Leads the text of a formula cell without a stored result (an XML cell cannot hold U+0000)."""
_HEADER_MISSING = "не найдена строка заголовков"


def _read_workbook(
    data: bytes, name: str, kind: Kind, limits: ReadingLimits, deadline: _Deadline
) -> RawTable:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive, name, limits)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except InputError:
        raise
    except (InvalidFileException, *_XLSX_ERRORS):
        raise _file_error(name, _BROKEN) from None
    try:
        sheet, passed_over = _table_sheet(workbook, name, kind, limits)
        title = str(sheet.title)
        several = len(getattr(workbook, "sheetnames")) > 1  # noqa: B009 - untyped openpyxl
        label = f"{name}, лист «{title}»" if several else name
        grid, numbers = _collect(_sheet_rows(sheet, label, limits), label, limits, deadline)
    finally:
        getattr(workbook, "close")()  # noqa: B009
    try:
        table = _table(grid, numbers, label, kind, delimited=False, sheet=None if several else title)
    except InputError as error:
        raise InputError([_header_missing_on(problem, title) for problem in error.problems]) from None
    return replace(table, sheet=title, passed_over=passed_over)


def _header_missing_on(problem: CellProblem, title: str) -> CellProblem:
    """«Header not found», saying on which sheet it was looked for."""
    if problem.row or not problem.message_ru.startswith(_HEADER_MISSING):
        return problem
    return replace(problem, message_ru=f"на листе «{title}» {problem.message_ru}")


def _table_sheet(workbook: object, name: str, kind: Kind, limits: ReadingLimits) -> tuple[Any, str]:
    """The first visible sheet, or, when it has no header row, the one other visible sheet that
    has (and the title of the first, passed over)."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    sheets = [
        sheet
        for sheet in getattr(workbook, "worksheets")  # noqa: B009
        if isinstance(sheet, ReadOnlyWorksheet)
    ]
    visible = [sheet for sheet in sheets if sheet.sheet_state == "visible"]
    if not visible:
        raise _file_error(name, "в книге нет ни одного видимого листа с таблицей")
    first = visible[0]
    if len(visible) == 1 or _has_header(first, name, kind, limits):
        return first, ""
    found = [sheet for sheet in visible[1:] if _has_header(sheet, name, kind, limits)]
    if len(found) == 1:
        return found[0], str(first.title)
    if found:
        raise _file_error(
            name,
            f"на первом листе «{first.title}» нет строки заголовков, а таблица есть на нескольких "
            f"листах: {_titles(found)}; неясно, какой читать — оставьте в книге один лист с таблицей "
            "или поставьте нужный лист первым",
        )
    hidden = [sheet for sheet in sheets if sheet.sheet_state != "visible"]
    aside = f"; скрытые листы не читаются ({_titles(hidden)})" if hidden else ""
    raise _file_error(
        name,
        f"ни на одном листе книги ({_titles(visible)}) не найдена строка заголовков столбцов "
        f"(искали в первых {HEADER_SCAN} строках каждого листа){aside}; "
        f"ожидаются столбцы {known_columns(kind)}",
    )


def _titles(sheets: Iterable[Any]) -> str:
    return ", ".join(f"«{sheet.title}»" for sheet in sheets)


def _has_header(sheet: Any, name: str, kind: Kind, limits: ReadingLimits) -> bool:
    """Whether the first rows of ``sheet`` hold a header row (read no further than they go)."""
    label = f"{name}, лист «{sheet.title}»"
    grid: list[list[str]] = []
    numbers: list[int] = []
    rows = _sheet_rows(sheet, label, limits)
    try:
        for number, cells in rows:
            if number > HEADER_SCAN:
                break
            width = len(cells)
            while width and not cells[width - 1]:
                width -= 1
            if width:
                grid.append(cells[:width])
                numbers.append(number)
    finally:
        rows.close()  # the sheet's part is closed now, not when the generator is collected
    try:
        locate_columns(grid, numbers, label, kind)
    except InputError as error:
        return not any(problem.message_ru.startswith(_HEADER_MISSING) for problem in error.problems)
    return True


def _sheet_rows(sheet: Any, name: str, limits: ReadingLimits) -> Generator[tuple[int, list[str]], None, None]:
    """Each row of ``sheet`` the file holds, numbered as the spreadsheet shows it; the sheet's declared
    ``<dimension>`` is not trusted and rows it leaves out cost nothing."""
    from openpyxl.utils.exceptions import InvalidFileException

    number = 0
    try:
        workbook = sheet.parent
        with sheet._get_source() as source:
            parser = _parser_class()(
                source,
                sheet._shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            for index, cells in parser.parse():
                if index <= number:  # no spreadsheet program writes this: refused, not skipped
                    raise _file_error(
                        name, f"{_BROKEN}: строка {index} записана дважды или не по порядку", index
                    )
                number = index
                yield number, _row_texts(cells, name, number, limits)
    except InputError:
        raise
    except (InvalidFileException, *_XLSX_ERRORS):
        raise _file_error(name, _BROKEN, number + 1 if number else 0) from None


def _row_texts(cells: list[dict[str, Any]], name: str, number: int, limits: ReadingLimits) -> list[str]:
    """The cells of one row as text, placed by their column; none beyond ``limits.max_columns``."""
    values: dict[int, object] = {}
    for cell in cells:
        column, value = cell["column"], cell["value"]
        if column > limits.max_columns:
            if value is not None:
                raise _file_error(
                    name, f"в строке больше {limits.max_columns} столбцов: такой файл не принимается", number
                )
            continue
        values[column] = value
    texts = [""] * max(values, default=0)
    for column, value in values.items():
        if column >= 1:
            texts[column - 1] = _capped(_cell_text(value), name, number, limits)
    return texts


@cache
def _parser_class() -> type:
    """openpyxl's sheet parser, but a formula cell without a stored result is ``_Uncomputed``, not empty."""
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            formula = element.find(FORMULA_TAG)
            if formula is None:
                return cell
            if element.findtext(VALUE_TAG) or element.get("t") in ("str", "inlineStr"):
                # a stored result (an empty one only as text: an empty <v> of a number is none);
                # the first cell of a shared formula is learnt for the cells after it storing none
                if formula.get("t") == "shared" and formula.text:
                    self.parse_formula(element)
                return cell
            parsed = self.parse_formula(element)
            text = parsed if isinstance(parsed, str) else getattr(parsed, "text", None)
            cell["value"] = _Uncomputed(text if isinstance(text, str) and text != "=" else "")
            return cell

    return Parser


class _Uncomputed(str):
    """The text of a formula whose result the file does not store ("" when unknown)."""


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
    """A spreadsheet value as the curator would type it and Excel shows it in Russia: 5.0 -> "5",
    a date as «01.09.2015» (without its midnight), a time as «08:30»."""
    if value is None:
        return ""
    if isinstance(value, _Uncomputed):
        return _UNCOMPUTED + value
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y}" if value.time() == clock_time() else f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, clock_time):
        return f"{value:%H:%M}"
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


# --- the table -------------------------------------------------------------------------------


def _table(
    grid: list[list[str]],
    numbers: list[int],
    name: str,
    kind: Kind,
    *,
    delimited: bool,
    sheet: str | None = None,
) -> RawTable:
    """The table under the header of ``grid``; ``sheet`` is named in a formula's problem when ``name``
    does not name it already."""
    layout = locate_columns(grid, numbers, name, kind)
    rows: list[dict[str, str]] = []
    row_numbers: list[int] = []
    problems: list[CellProblem] = []
    beyond: set[int] = set()  # positions right of the header holding data (a workbook's)
    for index in range(layout.first_data, len(grid)):
        cells, number = grid[index], numbers[index]
        row = {column: cells[i] if i < len(cells) else "" for column, i in layout.positions.items()}
        extra = [i for i in range(layout.width, len(cells)) if cells[i]]
        if extra and delimited:
            problems.append(_ragged(name, number, [cells[i] for i in extra]))
        beyond.update(extra)
        if not any(row.values()):
            continue
        if not delimited:
            problems.extend(_uncomputed(name, number, row, layout.headers, sheet))
        problems.extend(_control_characters(name, number, row, layout.headers))
        rows.append(row)
        row_numbers.append(number)
    footer = _footer(rows, row_numbers, list(layout.positions))
    kept = len(rows) - len(footer)
    footer_rows = {number for number, _ in footer}
    problems = [problem for problem in problems if problem.row not in footer_rows]
    return RawTable(
        file=name,
        headers=layout.headers,
        rows=rows[:kept],
        row_numbers=row_numbers[:kept],
        footer=footer,
        left_aside=layout.left_aside + tuple(headerless(position) for position in sorted(beyond)),
        header_rows=layout.header_rows,
        problems=tuple(problems),
    )


def _footer(rows: list[dict[str, str]], numbers: list[int], order: list[str]) -> tuple[tuple[int, str], ...]:
    """The last rows of the table that are its total or signatures: each begins, in its first
    filled cell, with «Итого», «Ответственный», «Директор», «Подпись», … and fills at most
    ``FOOTER_MAX_CELLS`` cells. Only rows after the last person's count: a total between people
    is reported as the row it is."""
    found: list[tuple[int, str]] = []
    for row, number in zip(reversed(rows), reversed(numbers), strict=True):
        filled = [row[column] for column in order if row[column]]
        if len(filled) > FOOTER_MAX_CELLS or not _FOOTER.match(filled[0]):
            break
        found.append((number, filled[0]))
    return tuple(reversed(found))


def _uncomputed(
    name: str, number: int, row: dict[str, str], headers: dict[str, str], sheet: str | None
) -> Iterator[CellProblem]:
    """A formula cell whose result the file does not store (a file written by a script): its value
    is unknown here (formulas are not computed), so it is refused, never read as empty."""
    on_sheet = "" if sheet is None else f" на листе «{sheet}»"
    for column, text in row.items():
        if text.startswith(_UNCOMPUTED):
            row[column] = ""  # the formula is reported here, not as a control character
            yield CellProblem(
                name,
                number,
                headers[column],
                text[1:][:100],
                f"в ячейке{on_sheet} формула без сохранённого результата: программа формулы не "
                "вычисляет, а файл записан без их значений (например, скриптом); откройте файл в "
                "Excel и сохраните его — значения формул сохранятся",
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


LIST_COLUMNS = frozenset(
    {"subjects", "levels", "competences", "difficulties", "formats", "preferred_mentors", "excluded_mentors"}
)
"""The banks' list columns, where a line break inside a cell (Alt+Enter) separates items like «;»."""
_CONTROL_IN_LIST = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_message(character: str) -> str:
    return (
        f"недопустимый управляющий символ U+{ord(character):04X} (невидимый знак, часто попадает "
        "при копировании); удалите его"
    )


def control_character(text: str, *, free_text: bool, list_cell: bool = False) -> str | None:
    """The first control character of ``text`` (a line break or tab is text in ``free_text``; a
    line break separates the items of a ``list_cell``)."""
    pattern = _CONTROL_IN_FREE_TEXT if free_text else _CONTROL_IN_LIST if list_cell else _CONTROL
    found = pattern.search(text)
    return None if found is None else found[0]


def _control_characters(
    name: str, number: int, row: dict[str, str], headers: dict[str, str]
) -> Iterable[CellProblem]:
    if _CONTROL.search("".join(row.values())) is None:  # the usual row: one look at all its cells
        return
    for column, text in row.items():
        found = control_character(text, free_text=column in FREE_TEXT, list_cell=column in LIST_COLUMNS)
        if found is not None:
            shown = _CONTROL.sub(lambda match: f"\\x{ord(match[0]):02x}", text)[:100]
            yield CellProblem(
                name,
                number,
                headers[column],
                shown,
                control_message(found),
            )
