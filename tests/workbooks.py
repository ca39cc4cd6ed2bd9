"""Files as curators make them, and files as an attacker makes them, built in memory.

The good ones are what a school's spreadsheet looks like (a title, a merged two-level header, a
row numbering the columns, Russian near-miss headers, every encoding Excel or an old system
writes); the hostile ones are what issue 13 found (a 2 KB workbook claiming a million rows, three
million shared strings, a zip bomb, broken styles, …). Nothing binary is committed: each file is
made here, from openpyxl's own workbook with one part swapped where needed.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from openpyxl import Workbook

MENTOR_HEADER = ("Идентификатор", "ФИО", "Образовательная организация", "Компетенции", "Согласие")
MENTORS = (
    ("m1", "Иванова Анна Петровна", "СОШ-5", "ИКТ:3; методика", "да"),
    ("m2", "Петров Пётр Ильич", "СОШ-5", "Работа с детьми с ОВЗ", "нет"),
    ("m3", "Ёлкина Юлия Эдуардовна", "СОШ-5", "работа с родителями:1", "да"),
)


def csv_bytes(rows: Sequence[Sequence[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def workbook_bytes(rows: Sequence[Sequence[object]], *, merged: Sequence[str] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Наставники"
    for row in rows:
        sheet.append(list(row))
    for cells in merged:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def school_template() -> bytes:
    """The usual school form: title, empty row, a two-level merged header, a numbering row."""
    return workbook_bytes(
        [
            ["База наставников МБОУ «СОШ №5» на 2025/2026 учебный год"],
            [],
            ["№ п/п", "Сведения о педагоге", None, None, "Наставничество", None, None, "Согласие"],
            [None, "Идентификатор", "ФИО", "Образовательная организация", "Компетенции", "Формат взаимодействия",
             "Макс. кол-во наставляемых", None],
            [1, 2, 3, 4, 5, 6, 7, 8],
            [1, "m1", "Иванова Анна Петровна", "СОШ-5", "ИКТ:3", "дистанционно", 1, "да"],
            [2, "m2", "Петров Пётр Ильич", "СОШ-5", "Работа с детьми с ОВЗ", "очно", 3, "да"],
        ],
        merged=("A1:H1", "A3:A4", "B3:D3", "E3:G3", "H3:H4"),
    )  # fmt: skip


def with_parts(workbook: bytes, parts: Mapping[str, bytes | Callable[[bytes], bytes]]) -> bytes:
    """``workbook`` with some of its archive's parts replaced (bytes) or rewritten (a function)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            change = parts.get(item.filename)
            if change is not None:
                data = change(data) if callable(change) else change
            target.writestr(item.filename, data)
        for name, change in parts.items():
            if name not in source.namelist() and isinstance(change, bytes):
                target.writestr(name, change)
    return out.getvalue()


def mentors_workbook() -> bytes:
    return workbook_bytes([MENTOR_HEADER, *MENTORS])


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def package(sheet_data: bytes, *, dimension: str = "A1:E4", shared: bytes | None = None) -> bytes:
    """A minimal workbook as Excel packs it: one sheet (``<sheetData>`` content), shared strings."""
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPE}.sharedStrings+xml"/>'
        "</Types>"
    )
    root_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>'
        '<sheet name="Наставники" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    sheet = (
        f'<worksheet xmlns="{_MAIN}"><dimension ref="{dimension}"/><sheetData>'.encode()
        + sheet_data
        + b"</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", shared if shared is not None else _shared_strings(()))
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _row(number: int, cells: Sequence[str]) -> bytes:
    inner = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{_escape(text)}</t></is></c>'
        for i, text in enumerate(cells)
    )
    return f'<row r="{number}">{inner}</row>'.encode()


def _shared_strings(strings: Sequence[bytes], count: int | None = None) -> bytes:
    total = len(strings) if count is None else count
    return (
        f'<sst xmlns="{_MAIN}" count="{total}" uniqueCount="{total}">'.encode()
        + b"".join(b"<si><t>%s</t></si>" % text for text in strings)
        + b"</sst>"
    )


def bank_rows(count: int) -> bytes:
    """``count`` valid mentors as sheet rows under the header."""
    rows = [_row(1, MENTOR_HEADER)]
    rows += [_row(n + 2, (f"m{n}", f"Наставник {n}", "СОШ-5", "ict", "да")) for n in range(count)]
    return b"".join(rows)


def huge_dimension(rows: int = 20_000) -> bytes:
    """A valid bank whose sheet claims A1:XFD1048576 (the reader used to pad every row to 16,384 cells)."""
    return package(bank_rows(rows), dimension="A1:XFD1048576")


def far_cell() -> bytes:
    """A bank with one stray cell in the sheet's last row and last column."""
    stray = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return package(bank_rows(3) + stray)


@cache  # made once per process: the corpus is refused by the reader, the CLI and the API
def shared_strings(count: int) -> bytes:
    """A bank whose shared strings table holds ``count`` strings (7 MB packed for three million)."""
    strings = (b"%d" % i for i in range(count))
    header = (
        b'<row r="1">'
        + b"".join(
            b'<c r="%s1" t="s"><v>%d</v></c>' % (chr(65 + i).encode(), i) for i in range(len(MENTOR_HEADER))
        )
        + b"</row>"
    )
    names = [title.encode() for title in MENTOR_HEADER]
    body = f'<sst xmlns="{_MAIN}" count="{count}" uniqueCount="{count}">'.encode()
    table = (
        body
        + b"".join(b"<si><t>%s</t></si>" % text for text in names)
        + b"".join(b"<si><t>%s</t></si>" % text for text in strings)
        + b"</sst>"
    )
    return package(header + bank_rows(3)[len(_row(1, MENTOR_HEADER)) :], shared=table)


@cache
def zip_bomb(unpacked_mb: int = 320) -> bytes:
    """A workbook whose sheet unpacks to ``unpacked_mb`` MB of blanks (a third of a megabyte packed)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package(bank_rows(3)))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with target.open(item.filename, "w", force_zip64=True) as stream:
                    xml = source.read(item.filename)
                    cut = xml.index(b"<sheetData>")
                    stream.write(xml[:cut])
                    blanks = b" " * (1024 * 1024)
                    for _ in range(unpacked_mb):
                        stream.write(blanks)
                    stream.write(xml[cut:])
            else:
                target.writestr(item.filename, source.read(item.filename))
    return out.getvalue()


def broken_styles() -> bytes:
    """Styles whose cell formats name fonts and formats by words, not numbers."""
    styles = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<fonts count="1"><font><sz val="big"/></font></fonts>'
        b'<cellXfs count="1"><xf numFmtId="general" fontId="x" fillId="y" borderId="z"/></cellXfs>'
        b"</styleSheet>"
    )
    return with_parts(mentors_workbook(), {"xl/styles.xml": styles})


def truncated() -> bytes:
    whole = mentors_workbook()
    return whole[: len(whole) // 2]


def binary() -> bytes:
    return os.urandom(4096)


def huge_cell_csv(length: int) -> bytes:
    return csv_bytes(
        [MENTOR_HEADER, ("m1", "Иванова", "СОШ-5", "ict", "да"), ("m2", "я" * length, "СОШ-5", "ict", "да")]
    )


def huge_cell_workbook(length: int) -> bytes:
    return workbook_bytes(
        [MENTOR_HEADER, ("m1", "Иванова", "СОШ-5", "ict", "да"), ("m2", "я" * length, "СОШ-5", "ict", "да")]
    )


def _with_nul() -> bytes:
    return b"\x00" + os.urandom(4095)


def _mentor_csv(*rows: Sequence[str]) -> bytes:
    return csv_bytes([MENTOR_HEADER, *rows])


@dataclass(frozen=True)
class Hostile:
    """A bad file and what the curator is told: the message's start and the row it names."""

    name: str
    make: Callable[[], bytes]
    message: str
    row: int = 0


HOSTILE: tuple[Hostile, ...] = (
    Hostile("empty.csv", lambda: b"", "файл пуст"),
    Hostile("empty.xlsx", lambda: b"", "файл пуст"),
    Hostile("blank.csv", lambda: b" \r\n;;;\r\n", "файл пуст"),
    Hostile("binary.csv", _with_nul, "файл повреждён или не является текстовым CSV"),
    Hostile("binary.xlsx", binary, "файл повреждён или не является книгой Excel"),
    Hostile("truncated.xlsx", truncated, "файл повреждён или не является книгой Excel"),
    Hostile("broken_styles.xlsx", broken_styles, "файл повреждён или не является книгой Excel"),
    Hostile("zip_bomb.xlsx", zip_bomb, "книга в распакованном виде больше 300 МБ"),
    Hostile(
        "shared_strings.xlsx", lambda: shared_strings(3_000_000), "в книге больше 1 000 000 разных строк"
    ),
    Hostile("far_cell.xlsx", far_cell, "в строке больше 100 столбцов", 1_048_576),
    Hostile("huge_cell.csv", lambda: huge_cell_csv(200_000), "значение длиннее 10 000 знаков", 3),
    Hostile("long_cell.csv", lambda: huge_cell_csv(20_000), "значение длиннее 10 000 знаков", 3),
    Hostile("huge_cell.xlsx", lambda: huge_cell_workbook(20_000), "значение длиннее 10 000 знаков", 3),
    Hostile("unclosed_quote.csv", lambda: _mentor_csv(MENTORS[0]) + b'm9,"open', "нарушены кавычки CSV", 3),
    Hostile(
        "undecidable.csv",
        lambda: bytes(range(0x80, 0x100)) * 4 + b"\n",
        "не удалось уверенно определить кодировку",
    ),
    Hostile(
        "control_characters.csv",
        lambda: _mentor_csv(("m1", "Иванова\x07Анна", "СОШ-5", "ict", "да")),
        "недопустимый управляющий символ U+0007",
        2,
    ),
    Hostile(
        "slash_id.csv",
        lambda: _mentor_csv(MENTORS[0], ("../m2", "Петров", "СОШ-5", "ict", "да")),
        "идентификатор может содержать только буквы, цифры",
        3,
    ),
    Hostile(
        "duplicate_ids.csv",
        lambda: _mentor_csv(MENTORS[0], ("m1", "Петров", "СОШ-5", "ict", "да")),
        "повторяющийся идентификатор (уже в строке 2)",
        3,
    ),
    Hostile(
        "huge_number.csv",
        lambda: csv_bytes([(*MENTOR_HEADER, "Максимум наставляемых"), (*MENTORS[0], "9" * 30)]),
        "максимум наставляемых должен быть целым числом от 0 до 100",
        2,
    ),
    Hostile(
        "near_miss.xlsx",
        lambda: workbook_bytes([("Наставники",), (*MENTOR_HEADER, "Форма встреч"), (*MENTORS[0], "очно")]),
        "столбец не распознан — возможно, имелся в виду «Формат»",
        2,
    ),
)
"""The bad-file corpus: each refused with its Russian message, nothing written or imported."""
