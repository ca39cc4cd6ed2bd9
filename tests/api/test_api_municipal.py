"""The municipal pool (issue 10): a municipality-wide run seen and decided by each institution.

Three schools; school-3 has a mentee whose difficulty no mentor of its own covers, so the
municipal run pairs her remotely with a mentor of school-1 or school-2. Every role of every
institution is checked against that cross-institution pair.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.api.service import Service, bank_csv, bank_rows, import_banks, proposals, run_to_end, upload

C = "school-3"


def _school_3(kind: str) -> bytes:
    header, _ = bank_rows(kind)
    value = dict.fromkeys(header, "")
    if kind == "mentees":
        value |= {
            "Идентификатор": "M-31",
            "ФИО": "Соколова Вера Андреевна",
            "Должность": "учитель информатики",
            "Затруднения": "ict:3",
            "Максимум наставников": "1",
            "Формат": "дистанционно",
        }
    else:
        value |= {
            "Идентификатор": "T-31",
            "ФИО": "Зайцев Олег Петрович",
            "Должность": "учитель истории",
            "Компетенции": "legal:3",
            "Максимум наставляемых": "1",
            "Максимальный размер группы": "1",
            "Формат": "очно",
        }
    value |= {"Образовательная организация": C, "Согласие": "да"}
    return bank_csv(kind, rows=[[value[column] for column in header]])


@pytest.fixture
def pool(service: Service) -> dict[str, Any]:
    municipal = service.user("municipal")
    import_banks(municipal)
    for kind in ("mentors", "mentees"):
        assert upload(municipal, kind, _school_3(kind)).status_code == 200
    run = run_to_end(municipal, {"scope": "municipality"})
    assert run["status"] == "done"
    [cross] = [p for p in proposals(municipal, run["id"]) if p["mentee_id"] == "M-31"]
    mentor_school = cross["mentor_institution"]
    other = "school-2" if mentor_school == "school-1" else "school-1"
    assert cross["mentee_institution"] == C and mentor_school != C and cross["format"] == "remote"
    users = {
        (role, school): service.user(role, school)
        for role in ("curator", "council", "reader")
        for school in (C, mentor_school, other)
    }
    return {
        "service": service,
        "municipal": municipal,
        "run": run,
        "cross": cross,
        "mentor_school": mentor_school,
        "other": other,
        "users": users,
    }


def _status(client: httpx.Client, path: str) -> int:
    return client.get(path).status_code


def test_every_role_of_both_institutions_sees_the_cross_pair_and_no_one_else_does(
    pool: dict[str, Any],
) -> None:
    run_id, cross = pool["run"]["id"], pool["cross"]
    for (role, school), client in pool["users"].items():
        involved = school in (C, pool["mentor_school"])
        expected = 200 if involved else 404
        assert _status(client, f"/api/v1/proposals/{cross['id']}") == expected, (role, school)
        listed = {p["id"] for p in proposals(client, run_id)} if involved else set()
        assert (cross["id"] in listed) is involved, (role, school)
        mine = client.get(f"/api/v1/runs/{run_id}/proposals", params={"limit": 1000}).json()["items"]
        assert all(school in (p["mentee_institution"], p["mentor_institution"]) for p in mine)
        # of the person from the other institution: nothing of that bank beyond the pair
        person = (
            f"/api/v1/mentors/{cross['mentor_id']}"
            if school == C
            else f"/api/v1/mentees/{cross['mentee_id']}"
        )
        assert _status(client, person) == 404, (role, school)
    for role in ("curator", "council", "reader"):
        run = pool["users"][(role, C)].get(f"/api/v1/runs/{run_id}").json()
        assert run["summary"] == {"institution": C, "proposals": 1, "cross_institution": 1, "unmatched": 0}
    everything = pool["municipal"].get(f"/api/v1/runs/{run_id}").json()
    assert everything["summary"]["counts"]["proposals"] >= 2
    runs_of_c = pool["users"][("reader", C)].get("/api/v1/runs").json()
    assert [r["id"] for r in runs_of_c["items"]] == [run_id]


def test_a_cross_pair_needs_both_institutions_or_the_municipal_role(pool: dict[str, Any]) -> None:
    users, cross = pool["users"], pool["cross"]
    path = f"/api/v1/proposals/{cross['id']}"
    assert (
        users[("reader", C)].post(f"{path}/decision", json={"decision": "approve", "version": 1}).status_code
        == 403
    )
    assert (
        users[("council", pool["other"])]
        .post(f"{path}/decision", json={"decision": "approve", "version": 1})
        .status_code
        == 404
    )
    first = users[("council", C)].post(f"{path}/decision", json={"decision": "approve", "version": 1})
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "proposed" and first.json()["sides"] == {C: "approve"}
    second = users[("curator", pool["mentor_school"])].post(
        f"{path}/decision", json={"decision": "pin", "version": 2}
    )
    assert second.json()["status"] == "pinned"
    assert second.json()["sides"] == {C: "approve", pool["mentor_school"]: "pin"}
    rejected = users[("council", pool["mentor_school"])].post(
        f"{path}/decision", json={"decision": "reject", "comment": "нет часов", "version": 3}
    )
    assert rejected.json()["status"] == "rejected"
    municipal = pool["municipal"].post(f"{path}/decision", json={"decision": "approve", "version": 4})
    assert municipal.json()["status"] == "approved"
    assert set(municipal.json()["sides"].values()) == {"approve"}
    # each institution records the agreement of its own participant
    own = users[("council", C)].post(f"{path}/consent", json={"party": "mentee", "agree": True, "version": 5})
    assert own.status_code == 200, own.text
    foreign = users[("council", C)].post(
        f"{path}/consent", json={"party": "mentor", "agree": True, "version": 6}
    )
    assert foreign.status_code == 403
    audit = users[("curator", C)].get("/api/v1/audit", params={"limit": 100}).json()["items"]
    assert {e["action"] for e in audit if e["entity"] == "proposal"} == {"decision", "consent"}


def test_each_institution_exports_only_its_own_pairs(pool: dict[str, Any]) -> None:
    run_id = pool["run"]["id"]

    def pair_rows(client: httpx.Client) -> list[tuple[Any, ...]]:
        response = client.get(f"/api/v1/runs/{run_id}/pairs.xlsx")
        assert response.status_code == 200, response.text
        sheet = load_workbook(BytesIO(response.content))["Пары"]
        return list(sheet.iter_rows(min_row=2, values_only=True))

    rows = pair_rows(pool["users"][("curator", C)])
    assert [row[-2] for row in rows] == ["M-31"]  # «Идентификатор наставляемого»
    everything = pair_rows(pool["municipal"])
    assert len(everything) > len(rows)
    assert pool["users"][("curator", C)].get(f"/api/v1/runs/{run_id}/order.docx").status_code == 200


def test_a_rerun_shows_each_institution_only_its_own_changes(pool: dict[str, Any]) -> None:
    municipal, cross = pool["municipal"], pool["cross"]
    reject = {"decision": "reject", "comment": "другая смена", "version": 1}
    assert municipal.post(f"/api/v1/proposals/{cross['id']}/decision", json=reject).status_code == 200
    rerun = run_to_end(municipal, {"scope": "municipality", "based_on": pool["run"]["id"]})
    assert rerun["changes"]["removed"] >= 1
    seen_by_other = pool["users"][("curator", pool["other"])].get(f"/api/v1/runs/{rerun['id']}")
    if seen_by_other.status_code == 200:
        changes = seen_by_other.json()["changes"]
        assert all(
            pool["other"] in (item["mentee_institution"], item["mentor_institution"])
            for item in changes["items"]
        )
        assert "M-31" not in changes["summary_ru"]
    seen_by_c = pool["users"][("council", C)].get(f"/api/v1/runs/{rerun['id']}").json()
    assert any(
        item["mentee_id"] == "M-31" and item["change"] == "removed" for item in seen_by_c["changes"]["items"]
    )
    assert "M-31" in seen_by_c["changes"]["summary_ru"]
