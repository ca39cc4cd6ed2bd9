"""``results.xlsx`` written by the real command: what the council sees, and its decisions read back."""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from matcher.taxonomy import load_taxonomy
from matcher.workbook import DECISIONS_RU
from tests.cli.samples import SAMPLES
from tests.cli.samples import run_sample as _run

SHEETS = [
    "Пары",
    "Группы",
    "Без пары",
    "Альтернативы",
    "Спрос и предложение",
    "Нет наставника по профилю",
    "Сводка",
]
LATIN_WORD = re.compile(
    r"\b(in_person|remote|solid|weight-sensitive|coverage|no_consent|capacity_exhausted)\b"
)


def _records(sheet: Worksheet) -> list[dict[str, object]]:
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(title) for title in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def _people(sample: str, kind: str) -> dict[str, dict[str, str]]:
    with (SAMPLES / sample / f"{kind}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("school") / "out"
    assert _run("school", out) == 0
    return out


def test_the_workbook_has_its_sheets_with_people_by_name(school: Path) -> None:
    workbook = load_workbook(school / "results.xlsx")
    assert workbook.sheetnames == SHEETS
    pairs = _records(workbook["Пары"])
    with (school / "pairs.csv").open(encoding="utf-8-sig", newline="") as handle:
        contract = list(csv.DictReader(handle))
    assert len(pairs) == len(contract)
    mentees, mentors = _people("school", "mentees"), _people("school", "mentors")
    for row, machine in zip(pairs, contract, strict=True):
        mentee, mentor = mentees[machine["mentee_id"]], mentors[machine["mentor_id"]]
        assert row["Наставляемый (ФИО)"] == mentee["full_name"]
        assert row["Должность наставляемого"] == mentee["position"]
        assert row["Организация наставляемого"] == mentee["institution"]
        assert row["Наставник (ФИО)"] == mentor["full_name"]
        assert row["Формат встреч"] in {"очно", "дистанционно"}
        assert row["Надёжность"] == "надёжная" or str(row["Надёжность"]).startswith("зависит от весов: ")
        assert row["Соответствие"] == pytest.approx(float(machine["score"]), abs=1e-4)
        assert 0 <= float(str(row["Закрытие затруднений"])) <= 1
        assert row["Решение"] is None and row["Комментарий"] is None
        assert row["Идентификатор наставляемого"] == machine["mentee_id"]
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and (LATIN_WORD.search(value) or value.startswith("{")))


def test_the_council_columns_are_ready_to_fill(school: Path) -> None:
    workbook = load_workbook(school / "results.xlsx")
    pairs = workbook["Пары"]
    header = [cell.value for cell in pairs[1]]
    decision = header.index("Решение") + 1
    letter = pairs.cell(row=1, column=decision).column_letter
    lists = {str(v.sqref): v.formula1 for v in pairs.data_validations.dataValidation if v.type == "list"}
    assert lists[f"{letter}2:{letter}{pairs.max_row}"] == '"' + ",".join(DECISIONS_RU) + '"'
    assert pairs.freeze_panes == "C2"
    assert (
        pairs.auto_filter.ref
        == f"A1:{pairs.cell(row=1, column=pairs.max_column).column_letter}{pairs.max_row}"
    )
    explanation = header.index("Пояснение") + 1
    assert pairs.cell(row=2, column=explanation).alignment.wrap_text
    assert pairs.column_dimensions[pairs.cell(row=1, column=explanation).column_letter].width >= 50
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes is not None and sheet.auto_filter.ref


def test_the_groups_unmatched_and_summary_sheets(school: Path) -> None:
    workbook = load_workbook(school / "results.xlsx")
    groups = _records(workbook["Группы"])
    pairs = _records(workbook["Пары"])
    grouped = [row for row in pairs if row["Группа"]]
    assert sum(int(str(g["Участников"])) for g in groups) == len(grouped) > 0
    for group in groups:
        members = {str(row["Наставляемый (ФИО)"]) for row in grouped if row["Группа"] == group["Группа"]}
        assert set(str(group["Участники"]).split("\n")) == members
    unmatched = _records(workbook["Без пары"])
    assert [row["Причина"] for row in unmatched] == ["нет согласия на участие"]
    summary = {row["Показатель"]: row["Значение"] for row in _records(workbook["Сводка"])}
    assert summary["Предложено пар"] == len(pairs)
    assert summary["Групп"] == len(groups)
    assert summary["Без пары"] == len(unmatched)
    assert summary["Решение"] == "оптимальное (доказано)"
    alternatives = _records(workbook["Альтернативы"])
    assert alternatives and all(row["Другой наставник (ФИО)"] for row in alternatives)


def test_decisions_filled_in_the_workbook_are_read_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run("school", out) == 0
    workbook = load_workbook(out / "results.xlsx")
    sheet = workbook["Пары"]
    header = [cell.value for cell in sheet[1]]
    column = {title: header.index(title) + 1 for title in ("Решение", "Комментарий", "Группа")}
    ids = {
        title: header.index(title) + 1
        for title in ("Идентификатор наставляемого", "Идентификатор наставника")
    }
    singles = [r for r in range(2, sheet.max_row + 1) if not sheet.cell(row=r, column=column["Группа"]).value]
    kept, rejected = singles[0], singles[1]

    def pair(row: int) -> tuple[str, str]:
        return (
            str(sheet.cell(row=row, column=ids["Идентификатор наставляемого"]).value),
            str(sheet.cell(row=row, column=ids["Идентификатор наставника"]).value),
        )

    sheet.cell(row=kept, column=column["Решение"]).value = "закрепить"
    sheet.cell(row=rejected, column=column["Решение"]).value = "отклонить"
    sheet.cell(row=rejected, column=column["Комментарий"]).value = "разные смены"
    workbook.save(out / "results.xlsx")

    assert _run("school", out, "--decisions", str(out / "results.xlsx")) == 0
    with (out / "pairs.csv").open(encoding="utf-8-sig", newline="") as handle:
        now = {(row["mentee_id"], row["mentor_id"]) for row in csv.DictReader(handle)}
    assert pair(kept) in now and pair(rejected) not in now
    again = _records(load_workbook(out / "results.xlsx")["Пары"])
    marked = {
        (str(r["Идентификатор наставляемого"]), str(r["Идентификатор наставника"])): r["Решение"]
        for r in again
    }
    assert marked[pair(kept)] == "закрепить"


def test_a_wrong_decision_in_the_workbook_names_sheet_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _run("kindergarten", out) == 0
    decisions = tmp_path / "results.xlsx"
    shutil.copy(out / "results.xlsx", decisions)
    workbook = load_workbook(decisions)
    sheet = workbook["Пары"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=3, column=header.index("Решение") + 1).value = "подумать"
    workbook.save(decisions)
    before = (out / "pairs.csv").read_bytes()
    assert _run("kindergarten", out, "--decisions", str(decisions)) == 2
    err = capsys.readouterr().err
    assert "results.xlsx, лист «Пары», строка 3, столбец «Решение», значение «подумать»" in err
    assert (out / "pairs.csv").read_bytes() == before


def test_no_cell_of_the_workbook_is_a_formula(school: Path) -> None:
    with zipfile.ZipFile(school / "results.xlsx") as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
        assert len(sheets) == len(SHEETS)
        assert not any(b"<f>" in archive.read(name) for name in sheets)


def test_supply_and_demand_by_area_with_russian_labels(school: Path) -> None:
    with (school / "supply_demand.csv").open(encoding="utf-8-sig", newline="") as handle:
        machine = list(csv.DictReader(handle))
    taxonomy = load_taxonomy()
    mentees = _people("school", "mentees")
    requests: dict[tuple[str, str], int] = {}
    for person in mentees.values():
        if person["consent"] in ("да", "yes", "1", "true"):
            for item in person["difficulties"].split(";"):
                code = taxonomy.resolve(item.partition(":")[0]) or item.partition(":")[0]
                for where in (person["institution"], ""):
                    requests[where, code] = requests.get((where, code), 0) + 1
    assert {(row["institution"], row["area"]): int(row["requests"]) for row in machine} == requests
    for row in machine:
        numbers = {key: int(value) for key, value in row.items() if key not in ("institution", "area")}
        assert numbers["covered"] + numbers["uncovered"] == numbers["requests"]
        assert numbers["waiting"] - numbers["remote_closable"] == numbers["to_recruit"] >= 0
    sheet = _records(load_workbook(school / "results.xlsx")["Спрос и предложение"])
    assert len(sheet) == len(machine)
    assert sheet[0]["Организация"] == "Муниципалитет (все организации)"
    labels = {item.label_ru for item in (taxonomy[row["area"]] for row in machine)}
    assert {row["Направление (затруднение)"] for row in sheet} == labels
    assert all(str(row["Вывод"]) for row in sheet)
