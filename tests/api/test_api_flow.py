"""The whole council flow over HTTP: import, run, review, decide, consent, re-run, export."""

from __future__ import annotations

import io
import logging
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from tests.api.service import (
    Service,
    bank_csv,
    bank_rows,
    full_names,
    import_banks,
    proposals,
    run_to_end,
    upload,
)
from tests.cli.test_results_workbook import SHEETS

SCHOOL = "school-1"


def _decide(client: Any, proposal: dict[str, Any], decision: str, comment: str = "") -> dict[str, Any]:
    response = client.post(
        f"/api/v1/proposals/{proposal['id']}/decision",
        json={"decision": decision, "comment": comment, "version": proposal["version"]},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _consent(client: Any, proposal: dict[str, Any], party: str, agree: bool) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/proposals/{proposal['id']}/consent",
        json={"party": party, "agree": agree, "version": proposal["version"]},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _order_text(content: bytes) -> tuple[str, list[list[str]]]:
    document = docx.Document(io.BytesIO(content))
    body = document.element.body
    paragraphs = "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))
    pairs = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    return paragraphs, pairs


def test_rerun_changes_no_undecided_pair_when_the_tolerance_allows(service: Service) -> None:
    """One rejection must not reshuffle the list: with a generous stability tolerance, only the
    chain the rejection forces moves (M-04 needs ICT, and the only other ICT mentor in the school
    is full, so one of that mentor's mentees moves to M-04's old mentor); the rest stays."""
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    first = run_to_end(curator, {"scope": "institution"})
    base = proposals(curator, first["id"])
    rejected = _decide(curator, next(p for p in base if p["mentee_id"] == "M-04"), "reject")
    second = run_to_end(
        curator, {"scope": "institution", "based_on": first["id"], "options": {"stability_tolerance": 0.5}}
    )
    assert second["status"] == "done", second["error"]
    untouched = {
        (p["mentee_id"], p["mentor_id"])
        for p in base
        if p["mentee_id"] != "M-04" and p["mentor_id"] != rejected["mentor_id"]
    }
    kept = {(p["mentee_id"], p["mentor_id"]) for p in proposals(curator, second["id"])}
    assert len(untouched - kept) <= 1
    assert second["changes"]["changed_mentees"] <= 2


def test_council_flow(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    curator = service.user("curator", SCHOOL, name="Куратор школы 1")
    council = service.user("council", SCHOOL, name="Совет школы 1")
    mentor_names, mentee_names = full_names("mentors"), full_names("mentees")

    # Import both banks, then re-import the mentors with one change: updated by id, nothing duplicated.
    import_banks(curator, SCHOOL)
    header, rows = bank_rows("mentors")
    rows = [r for r in rows if r[2] == SCHOOL]
    rows[2][header.index("Должность")] = "заместитель директора"
    again = upload(curator, "mentors", bank_csv("mentors", rows=rows)).json()
    assert again["created"] == [] and again["updated"] == ["T-03"]  # the one row that changed
    assert sorted(again["unchanged"]) == ["T-01", "T-02", "T-04"] and again["absent"] == []
    assert curator.get("/api/v1/mentors/T-03").json()["position"] == "заместитель директора"
    assert curator.get("/api/v1/mentors").json()["total"] == 4
    assert curator.get("/api/v1/mentees", params={"limit": 2}).json()["total"] == 7

    # First run.
    first = run_to_end(curator, {"scope": "institution"})
    assert first["status"] == "done", first["error"]
    assert first["progress"] == 1.0 and first["institution"] == SCHOOL
    assert first["summary"]["counts"]["mentees"] == 7
    assert first["summary"]["solver"]["status"] == "optimal"
    base = proposals(council, first["id"])
    assert len(base) == first["summary"]["counts"]["proposals"] >= 4
    assert all(p["status"] == "proposed" and p["version"] == 1 for p in base)
    unmatched = council.get(f"/api/v1/runs/{first['id']}/unmatched").json()["items"]
    assert {"mentee_id": "M-06", "reason": "no_consent"}.items() <= next(
        u for u in unmatched if u["mentee_id"] == "M-06"
    ).items()

    # The council approves one pair (both agree), rejects another, and a mentee refuses a third.
    by_mentee = {p["mentee_id"]: p for p in base}
    approved = _decide(council, by_mentee["M-01"], "approve", "совпадают предмет и запрос")
    assert approved["status"] == "approved" and approved["version"] == 2
    approved = _consent(council, approved, "mentee", True)
    approved = _consent(council, approved, "mentor", True)
    assert approved["mentee_consent"] is True and approved["mentor_consent"] is True
    rejected = _decide(council, by_mentee["M-03"], "reject", "разные смены")
    refused = _consent(council, by_mentee["M-04"], "mentee", False)
    assert refused["status"] == "proposed" and refused["mentee_consent"] is False

    # A stale version is refused and changes nothing.
    stale = council.post(
        f"/api/v1/proposals/{approved['id']}/decision", json={"decision": "reject", "version": 1}
    )
    assert stale.status_code == 409
    assert "версия" in stale.json()["detail"]
    assert council.get(f"/api/v1/proposals/{approved['id']}").json()["status"] == "approved"

    # Re-run based on the first: decisions honoured, and every change given a reason.
    second = run_to_end(curator, {"scope": "institution", "based_on": first["id"]})
    assert second["status"] == "done", second["error"]
    again_pairs = {(p["mentee_id"], p["mentor_id"]): p for p in proposals(council, second["id"])}
    kept = again_pairs[("M-01", approved["mentor_id"])]
    assert kept["status"] == "approved" and kept["mentee_consent"] is True and kept["mentor_consent"] is True
    assert ("M-03", rejected["mentor_id"]) not in again_pairs
    assert ("M-04", refused["mentor_id"]) not in again_pairs
    changes = second["changes"]
    assert changes["base_run_id"] == first["id"]
    removed = {
        (i["mentee_id"], i["mentor_id"]): i["reason"] for i in changes["items"] if i["change"] == "removed"
    }
    assert removed[("M-03", rejected["mentor_id"])] == "rejected"
    assert removed[("M-04", refused["mentor_id"])] == "refused"
    assert changes["kept"] + changes["removed"] == len(base)
    assert changes["added"] == len(again_pairs) - changes["kept"]
    assert all(item["reason_ru"] for item in changes["items"])
    assert f"отклонена пара M-03 — {rejected['mentor_id']}" in changes["summary_ru"]
    assert "измен" in changes["summary_ru"]

    # A third run based on the second still honours what was decided on the first.
    third = run_to_end(curator, {"scope": "institution", "based_on": second["id"]})
    third_pairs = {(p["mentee_id"], p["mentor_id"]): p for p in proposals(council, third["id"])}
    assert ("M-03", rejected["mentor_id"]) not in third_pairs
    assert ("M-04", refused["mentor_id"]) not in third_pairs
    assert third_pairs[("M-01", approved["mentor_id"])]["status"] == "approved"

    # The draft order lists only the approved pair both sides agreed to, with names and the form.
    order = curator.get(
        f"/api/v1/runs/{second['id']}/order.docx",
        params={"months": 3, "curator": "Орлова М. С., заместитель директора"},
    )
    assert order.status_code == 200
    assert order.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    paragraphs, table = _order_text(order.content)
    assert "О закреплении наставнических пар (групп)" in paragraphs
    assert "Положением о системе (целевой модели) наставничества" in paragraphs
    assert "3 месяца" in paragraphs
    assert (
        "Назначить куратором реализации персонализированных программ наставничества Орлову М. С., "
        "заместителя директора" in paragraphs
    )  # the curator in the accusative
    assert len(table) == 2, "a header and the one agreed pair"
    assert mentee_names["M-01"] in table[1][2] and mentor_names[approved["mentor_id"]] in table[1][1]
    assert "учитель математики" in table[1][2]
    assert table[1][3] == "традиционная («один на один»)"
    acquainted = paragraphs.split("С приказом ознакомлены")[1]
    assert all(name in acquainted for name in (mentee_names["M-01"], mentor_names[approved["mentor_id"]]))
    assert mentee_names["M-03"] not in paragraphs + str(table)
    assert curator.get(f"/api/v1/runs/{second['id']}/order.docx", params={"months": 13}).status_code == 422

    # The workbook is the batch command's results.xlsx, with names and the council's decisions.
    workbook = openpyxl.load_workbook(
        io.BytesIO(curator.get(f"/api/v1/runs/{first['id']}/pairs.xlsx").content)
    )
    assert workbook.sheetnames == SHEETS  # the batch command's workbook
    pair_rows = _records(workbook["Пары"])
    assert len(pair_rows) == len(base)
    assert any(
        row["Наставляемый (ФИО)"] == mentee_names["M-03"]
        and row["Решение"] == "отклонить"
        and row["Комментарий"] == "разные смены"
        for row in pair_rows
    )
    assert any(row["Решение"] == "утвердить" and row["Согласие наставника"] == "да" for row in pair_rows)
    left = _records(workbook["Без пары"])
    assert any(
        row["Идентификатор наставляемого"] == "M-06" and row["Наставляемый (ФИО)"] == mentee_names["M-06"]
        for row in left
    )

    # The audit log says who decided what and when.
    audit = curator.get("/api/v1/audit", params={"entity": "proposal", "limit": 100}).json()["items"]
    decision = next(a for a in audit if a["action"] == "decision" and a["detail"]["decision"] == "reject")
    assert decision["actor"] == "Совет школы 1" and decision["role"] == "council"
    assert decision["detail"]["comment"] == "разные смены" and decision["at"]
    assert any(a["action"] == "consent" and a["detail"]["agree"] is False for a in audit)

    # Nobody's name reached the service's logs, though every request and both runs were logged.
    logged = "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith(("httpx", "httpcore"))
    )
    assert "POST /api/v1/runs 202" in logged and "run 3 done" in logged
    for name in [*mentor_names.values(), *mentee_names.values(), "Орлова М. С."]:
        assert name.split()[0] not in logged


def _records(sheet: Any) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
