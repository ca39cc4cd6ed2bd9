"""Workbooks whose table is not on the first sheet, formulas without a stored result, Excel's
«Текст Юникод» (.txt) and the operating system's refusals, all in Russian."""

from __future__ import annotations

import errno
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from matcher.errors import CellProblem, InputError
from matcher.options import Options
from matcher.reading import ReadingLimits, read_table

HEADER = ["Идентификатор", "ФИО", "Образовательная организация", "Стаж", "Компетенции", "Согласие"]
ROWS = [["m1", "Иванова Анна", "СОШ-5", 12, "ict:3", "да"], ["m2", "Петров Пётр", "СОШ-5", 3, "ict", "нет"]]


def book(path: Path, *sheets: tuple[str, list[list[object]], str]) -> Path:
    """A workbook of ``(title, rows, state)`` sheets, in that order."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for title, rows, state in sheets:
        sheet = workbook.create_sheet(title)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def problems_of(path: Path, **kwargs: object) -> list[CellProblem]:
    with pytest.raises(InputError) as caught:
        read_table(path, kind="mentors", **kwargs)  # type: ignore[arg-type]
    return list(caught.value.problems)


TABLE = [HEADER, *ROWS]
NOTE = [["Заполните лист «Наставники». Согласие: да/нет."]]


def test_an_instruction_sheet_first_the_table_is_read_from_the_sheet_that_holds_it(tmp_path: Path) -> None:
    path = book(
        tmp_path / "наставники.xlsx", ("Инструкция", NOTE, "visible"), ("Наставники", TABLE, "visible")
    )

    table = read_table(path, kind="mentors")

    assert table.sheet == "Наставники"
    assert table.file == "наставники.xlsx, лист «Наставники»"  # so every later message names it
    assert [row["id"] for row in table.rows] == ["m1", "m2"] and table.row_numbers == [2, 3]


def test_a_hidden_first_sheet_is_never_read(tmp_path: Path) -> None:
    lists = [["очно"], ["дистанционно"], ["смешанный"]]
    path = book(tmp_path / "b.xlsx", ("Справочники", lists, "hidden"), ("Данные", TABLE, "visible"))
    assert read_table(path, kind="mentors").sheet == "Данные"

    # even a hidden sheet that holds a table: the visible one is read
    path = book(tmp_path / "c.xlsx", ("Старое", [HEADER, ROWS[0]], "hidden"), ("Данные", TABLE, "visible"))
    table = read_table(path, kind="mentors")
    assert (table.sheet, len(table.rows)) == ("Данные", 2)


def test_the_first_visible_sheet_with_a_header_wins_over_later_ones(tmp_path: Path) -> None:
    archive = [HEADER, ["old1", "Сидоров", "СОШ-1", 1, "ict", "да"]]
    path = book(tmp_path / "b.xlsx", ("2026-27", TABLE, "visible"), ("2025-26 (архив)", archive, "visible"))

    table = read_table(path, kind="mentors")

    assert (table.sheet, table.file) == ("2026-27", "b.xlsx, лист «2026-27»")
    assert [row["id"] for row in table.rows] == ["m1", "m2"]


def test_a_single_sheet_book_keeps_its_file_name(tmp_path: Path) -> None:
    table = read_table(book(tmp_path / "b.xlsx", ("Лист1", TABLE, "visible")), kind="mentors")

    assert (table.file, table.sheet) == ("b.xlsx", "Лист1")


def test_several_sheets_with_a_table_after_a_headerless_first_are_refused_naming_them(tmp_path: Path) -> None:
    path = book(
        tmp_path / "b.xlsx",
        ("Инструкция", NOTE, "visible"),
        ("2026-27", TABLE, "visible"),
        ("2025-26", TABLE, "visible"),
    )

    [problem] = problems_of(path)

    assert (problem.file, problem.row) == ("b.xlsx", 0)
    assert "на первом листе «Инструкция» нет строки заголовков" in problem.message_ru
    assert "на нескольких листах: «2026-27», «2025-26»" in problem.message_ru


def test_no_header_on_any_sheet_names_every_sheet_looked_at(tmp_path: Path) -> None:
    path = book(
        tmp_path / "b.xlsx",
        ("Инструкция", NOTE, "visible"),
        ("Заметки", [["просто текст"]], "visible"),
        ("Справочники", [["очно"]], "hidden"),
    )

    [problem] = problems_of(path)

    assert "ни на одном листе книги («Инструкция», «Заметки») не найдена строка заголовков" in (
        problem.message_ru
    )
    assert "скрытые листы не читаются («Справочники»)" in problem.message_ru


def test_a_headerless_only_sheet_is_named(tmp_path: Path) -> None:
    [problem] = problems_of(book(tmp_path / "b.xlsx", ("Лист1", NOTE, "visible")))

    assert problem.message_ru.startswith("на листе «Лист1» не найдена строка заголовков столбцов")


def test_errors_in_a_sheet_of_a_book_of_several_name_the_sheet(tmp_path: Path) -> None:
    bad = [HEADER, ["m1", "Иванова Анна" * 5, "СОШ-5", 12, "ict", "да"]]
    path = book(tmp_path / "b.xlsx", ("Инструкция", NOTE, "visible"), ("Наставники", bad, "visible"))

    [problem] = problems_of(path, limits=ReadingLimits(max_cell_chars=50))

    assert (problem.file, problem.row) == ("b.xlsx, лист «Наставники»", 2)
    rendered = InputError([problem]).render_ru()
    assert "файл b.xlsx, лист «Наставники», строка 2: значение длиннее 50 знаков" in rendered


def formula_book(path: Path, *, sheets: int = 1) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Наставники"
    for row in TABLE:
        sheet.append(row)
    sheet["D3"] = "=2026-2024"  # openpyxl stores no result, as any script writing a workbook
    for number in range(1, sheets):
        workbook.create_sheet(f"Лист{number + 1}")
    workbook.save(path)
    return path


def test_a_formula_without_a_stored_result_is_refused_naming_it(tmp_path: Path) -> None:
    [problem] = problems_of(formula_book(tmp_path / "b.xlsx"))

    assert (problem.file, problem.row, problem.column, problem.value) == ("b.xlsx", 3, "Стаж", "=2026-2024")
    assert "на листе «Наставники» формула без сохранённого результата" in problem.message_ru
    assert "откройте файл в Excel и сохраните его" in problem.message_ru


def test_in_a_book_of_several_sheets_the_formula_names_its_sheet_once(tmp_path: Path) -> None:
    [problem] = problems_of(formula_book(tmp_path / "b.xlsx", sheets=2))

    assert problem.file == "b.xlsx, лист «Наставники»"
    assert problem.message_ru.startswith("в ячейке формула без сохранённого результата")


def with_stored_results(path: Path, replacements: dict[bytes, bytes]) -> Path:
    """The workbook as Excel would save it: each formula cell with its result."""
    source = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                for old, new in replacements.items():
                    assert old in data
                    data = data.replace(old, new)
            target.writestr(item, data)
    saved = path.with_name("saved.xlsx")
    saved.write_bytes(out.getvalue())
    return saved


def test_a_formula_with_its_stored_result_is_read_as_the_result(tmp_path: Path) -> None:
    path = formula_book(tmp_path / "b.xlsx")
    saved = with_stored_results(path, {b"<f>2026-2024</f><v></v>": b"<f>2026-2024</f><v>2</v>"})

    assert read_table(saved, kind="mentors").rows[1]["experience_years"] == "2"


def test_a_formula_whose_stored_result_is_empty_text_is_an_empty_cell(tmp_path: Path) -> None:
    path = formula_book(tmp_path / "b.xlsx")
    saved = with_stored_results(
        path, {b'<c r="D3"><f>2026-2024</f><v></v>': b'<c r="D3" t="str"><f>IF(1,"","")</f><v></v>'}
    )

    assert read_table(saved, kind="mentors").rows[1]["experience_years"] == ""


def test_a_formula_outside_the_columns_read_is_no_problem(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([*HEADER, "Примечание"])
    sheet.append([*ROWS[0], "=1+1"])
    workbook.save(tmp_path / "b.xlsx")

    table = read_table(tmp_path / "b.xlsx", kind="mentors")

    assert table.left_aside == ("Примечание",) and len(table.rows) == 1


def test_excel_unicode_text_is_read_like_csv(tmp_path: Path) -> None:
    lines = ["\t".join(HEADER), *("\t".join(str(cell) for cell in row) for row in ROWS)]
    path = tmp_path / "наставники.txt"
    path.write_bytes("\r\n".join(lines).encode("utf-16"))  # Excel's «Текст Юникод»: UTF-16 with BOM

    table = read_table(path, kind="mentors")

    assert table.file == "наставники.txt" and table.sheet == ""
    assert [(row["id"], row["full_name"], row["experience_years"]) for row in table.rows] == [
        ("m1", "Иванова Анна", "12"),
        ("m2", "Петров Пётр", "3"),
    ]


def test_a_semicolon_txt_in_windows_1251_is_read_too(tmp_path: Path) -> None:
    lines = [";".join(HEADER), *(";".join(str(cell) for cell in row) for row in ROWS)]
    path = tmp_path / "b.TXT"
    path.write_bytes("\r\n".join(lines).encode("cp1251"))

    assert [row["id"] for row in read_table(path, kind="mentors").rows] == ["m1", "m2"]


def test_a_missing_file_is_named_in_russian(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path / "нет.csv")

    assert (problem.file, problem.row) == ("нет.csv", 0)
    assert problem.message_ru.startswith("не удалось прочитать файл: файл не найден")
    assert str(tmp_path / "нет.csv") in problem.message_ru
    assert "No such file" not in problem.message_ru


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "банк.xlsx"
    folder.mkdir()

    [problem] = problems_of(folder)

    assert "указана папка, а не файл" in problem.message_ru


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "нет доступа к файлу"),
        (OSError(errno.EBUSY, "Device or resource busy"), "файл занят другой программой"),
        (OSError(errno.EIO, "Input/output error"), f"ошибка операционной системы (код ошибки {errno.EIO})"),
    ],
)
def test_os_refusals_are_russian(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, message: str
) -> None:
    path = tmp_path / "b.csv"
    path.write_text(",".join(HEADER), encoding="utf-8")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr(Path, "open", refuse)
    [problem] = problems_of(path)

    assert problem.file == "b.csv" and message in problem.message_ru
    assert error.strerror not in problem.message_ru


def test_a_file_locked_by_excel_on_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "b.xlsx"
    path.write_bytes(b"x")
    locked = PermissionError(errno.EACCES, "The process cannot access the file")
    locked.winerror = 32  # type: ignore[attr-defined]  # ERROR_SHARING_VIOLATION

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise locked

    monkeypatch.setattr(Path, "open", refuse)
    [problem] = problems_of(path)

    assert "файл занят другой программой (например, открыт в Excel)" in problem.message_ru


def test_a_run_says_which_sheet_it_read_when_it_was_not_the_first(tmp_path: Path) -> None:
    from matcher.pipeline import run_files

    mentors = book(
        tmp_path / "наставники.xlsx", ("Инструкция", NOTE, "visible"), ("Наставники", TABLE, "visible")
    )
    mentees = tmp_path / "наставляемые.csv"
    mentees.write_text(
        "Идентификатор,ФИО,Образовательная организация,Затруднения,Согласие\nn1,Сидорова Анна,СОШ-5,ict,да\n",
        encoding="utf-8",
    )
    result = run_files(mentors, mentees, tmp_path / "out", options=Options(robustness=False))
    assert result.summary.notices == [
        "наставники.xlsx, лист «Наставники» — прочитан этот лист: на первом листе «Инструкция» нет строки "
        "заголовков"
    ]


def test_a_row_written_twice_in_the_sheet_is_refused_not_skipped(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx", ("Наставники", TABLE, "visible"))
    with zipfile.ZipFile(path) as source:
        sheet = source.read("xl/worksheets/sheet1.xml")
    start = sheet.index(b'<row r="3"')
    end = sheet.index(b"</row>", start) + len(b"</row>")
    doubled = with_stored_results(path, {sheet[start:end]: sheet[start:end] * 2})

    [problem] = problems_of(doubled)

    assert problem.row == 3 and "строка 3 записана дважды или не по порядку" in problem.message_ru


FOOTER = [[], ["Итого:", 2], ["Ответственный: заместитель директора Сидорова И.И."], ["М.П."]]


def test_a_total_and_signatures_under_the_table_are_not_people_and_the_run_says_so(tmp_path: Path) -> None:
    from matcher.pipeline import run_files

    mentors = book(tmp_path / "наставники.xlsx", ("Наставники", [*TABLE, *FOOTER], "visible"))
    table = read_table(mentors, kind="mentors")
    assert [row["id"] for row in table.rows] == ["m1", "m2"]
    assert [number for number, _ in table.footer] == [5, 6, 7]

    mentees = tmp_path / "наставляемые.csv"
    mentees.write_text(
        "Идентификатор,ФИО,Образовательная организация,Затруднения,Согласие\nn1,Сидорова Анна,СОШ-5,ict,да\n"
        "Всего: 1,,,,\n",
        encoding="utf-8",
    )
    result = run_files(mentors, mentees, tmp_path / "out", options=Options(robustness=False))
    assert result.summary.notices == [
        "наставники.xlsx: строки 5, 6, 7 под таблицей («Итого:», «Ответственный: заместитель директора "
        "Си…», «М.П.») — итог или подпись, не люди: не прочитаны",
        "наставляемые.csv: строка 3 под таблицей («Всего: 1») — итог или подпись, не люди: не прочитаны",
    ]


def test_a_total_between_people_is_reported_as_the_row_it_is(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx", ("Наставники", [HEADER, ROWS[0], ["Итого:", 1], ROWS[1]], "visible"))

    table = read_table(path, kind="mentors")

    assert table.footer == () and [row["id"] for row in table.rows] == ["m1", "Итого:", "m2"]


def test_a_date_where_the_experience_belongs_is_shown_as_excel_shows_it_with_a_hint(tmp_path: Path) -> None:
    from datetime import datetime

    from matcher.taxonomy import load_taxonomy
    from matcher.validation import validate_mentors

    path = book(
        tmp_path / "b.xlsx",
        (
            "Наставники",
            [HEADER, ["m1", "Иванова Анна", "СОШ-5", datetime(2015, 9, 1), "ict:3", "да"]],
            "visible",
        ),
    )
    with pytest.raises(InputError) as caught:
        validate_mentors(read_table(path, kind="mentors"), load_taxonomy())
    [problem] = caught.value.problems

    assert (problem.column, problem.value) == ("Стаж", "01.09.2015")
    assert problem.message_ru == (
        "стаж должен быть целым числом от 0 до 80, а в ячейке дата: укажите число полных лет стажа"
    )
