"""The service's ``pairs.xlsx`` is the batch command's ``results.xlsx``: one writer, two sources."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl

from matcher.cli import main
from tests.api.service import DATA, Service, full_names, import_banks, proposals, run_to_end


def _records(sheet: Any) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _headers(workbook: Any) -> dict[str, tuple[Any, ...]]:
    return {sheet.title: next(sheet.iter_rows(max_row=1, values_only=True)) for sheet in workbook.worksheets}


def test_the_export_is_the_same_workbook_as_the_command_writes(service: Service, tmp_path: Path) -> None:
    curator = service.user("municipal")
    import_banks(curator)
    run = run_to_end(curator, {"scope": "municipality"})
    assert run["status"] == "done", run
    first = proposals(curator, run["id"])[0]
    decided = curator.post(
        f"/api/v1/proposals/{first['id']}/decision",
        json={"decision": "pin", "comment": '=HYPERLINK("x")', "version": first["version"]},
    )
    assert decided.status_code == 200, decided.text
    response = curator.get(f"/api/v1/runs/{run['id']}/pairs.xlsx")
    assert response.status_code == 200
    assert "results-run-" in response.headers["content-disposition"]
    served = openpyxl.load_workbook(io.BytesIO(response.content))

    out = tmp_path / "out"
    assert (
        main(
            [
                "run",
                "--mentors",
                str(DATA / "mentors.csv"),
                "--mentees",
                str(DATA / "mentees.csv"),
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    written = openpyxl.load_workbook(out / "results.xlsx")

    assert _headers(served) == _headers(written)
    pairs = _records(served["Пары"])
    assert len(pairs) == len(proposals(curator, run["id"]))
    names = {**full_names("mentees"), **full_names("mentors")}
    for row in pairs:
        assert row["Наставляемый (ФИО)"] == names[row["Идентификатор наставляемого"]]
        assert row["Наставник (ФИО)"] == names[row["Идентификатор наставника"]]
    pinned = next(row for row in pairs if row["Идентификатор наставляемого"] == first["mentee_id"])
    assert pinned["Решение"] == "закрепить" and pinned["Комментарий"] == '=HYPERLINK("x")'
    comment = served["Пары"].cell(row=pairs.index(pinned) + 2, column=list(pinned).index("Комментарий") + 1)
    assert comment.data_type == "s"  # a string, never a formula
    alternatives = _records(served["Альтернативы"])
    assert alternatives and all(row["Другой наставник (ФИО)"] for row in alternatives)
    summary = {row["Показатель"]: row["Значение"] for row in _records(served["Сводка"])}
    assert summary["Предложено пар"] == run["summary"]["counts"]["proposals"]
    assert served["Пары"].data_validations.dataValidation
