"""The banks over HTTP: imports all-or-nothing with every problem, formats, edits, erasure."""

from __future__ import annotations

import io
from typing import Any

import docx
import openpyxl
from sqlalchemy import create_engine, inspect, text

from tests.api.service import (
    Service,
    bank_csv,
    bank_rows,
    full_names,
    import_banks,
    proposals,
    run_to_end,
    running,
    upload,
)

SCHOOL = "school-1"


def _mentor_rows() -> tuple[list[str], list[list[str]]]:
    header, rows = bank_rows("mentors")
    return header, [r for r in rows if r[2] == SCHOOL]


def _order_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([*(p.text for p in document.paragraphs), *cells])


def test_a_bad_import_lists_every_problem_and_writes_nothing(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    header, rows = _mentor_rows()
    rows[0][header.index("Согласие")] = "может быть"
    rows[1][header.index("Компетенции")] = "телепатия:3"
    rows[2][header.index("ФИО")] = ""
    rows[3][0] = rows[0][0]
    response = upload(curator, "mentors", bank_csv("mentors", rows=rows))
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert [(p["row"], p["column"]) for p in problems] == [
        (2, "Согласие"),
        (3, "Компетенции"),
        (4, "ФИО"),
        (5, "Идентификатор"),
    ]
    assert problems[0]["value"] == "может быть" and problems[0]["file"] == "mentors.csv"
    assert "телепатия" in problems[1]["message"]
    assert curator.get("/api/v1/mentors").json()["total"] == 0

    # A later bad re-import leaves the good bank exactly as it was, even its valid rows.
    assert upload(curator, "mentors", bank_csv("mentors", institution=SCHOOL)).status_code == 200
    header, rows = _mentor_rows()
    rows[0][header.index("Должность")] = "директор"
    rows[1][header.index("Стаж")] = "много"
    assert upload(curator, "mentors", bank_csv("mentors", rows=rows)).status_code == 422
    assert curator.get("/api/v1/mentors/T-01").json()["position"] == "учитель математики"


def test_xlsx_and_excel_csv_are_imported_like_utf8_csv(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    header, rows = _mentor_rows()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    content = io.BytesIO()
    workbook.save(content)
    imported = upload(curator, "mentors", content.getvalue(), "наставники.xlsx").json()
    assert imported["file"] == "наставники.xlsx" and len(imported["created"]) == 4
    mentor = curator.get("/api/v1/mentors/T-01").json()
    assert mentor["competences"] == {"ict": 3, "methods": 3, "assessment": 2}
    assert mentor["formats"] == ["in_person", "remote"] and mentor["consent"] is True

    excel = bank_csv("mentees", institution=SCHOOL, delimiter=";", encoding="cp1251")
    imported = upload(curator, "mentees", excel, "наставляемые.csv").json()
    assert len(imported["created"]) == 7
    assert curator.get("/api/v1/mentees/M-01").json()["full_name"] == full_names("mentees")["M-01"]


def test_files_the_service_cannot_read_are_refused_with_a_reason(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    response = upload(curator, "mentors", b"%PDF-1.4", "наставники.pdf")
    assert response.status_code == 422
    assert response.json()["detail"][0]["row"] == 0 and "формат" in response.json()["detail"][0]["message"]
    unknown_mentor = upload(curator, "mentees", bank_csv("mentees", institution=SCHOOL))
    assert unknown_mentor.status_code == 422, "M-01 prefers T-01, who is not in the mentors' bank yet"
    assert unknown_mentor.json()["detail"][0]["value"] == "T-01"
    assert curator.post("/api/v1/mentors/import").status_code == 422


def test_a_file_over_the_limit_gets_413(database_url: str) -> None:
    with running(database_url, max_upload_bytes=1024) as small:
        curator = small.user("curator", SCHOOL)
        assert upload(curator, "mentors", bank_csv("mentors", institution=SCHOOL)).status_code == 413
        assert upload(curator, "mentors", bank_csv("mentors", rows=_mentor_rows()[1][:1])).status_code == 200


def test_edits_are_checked_whole_and_audited(service: Service) -> None:
    curator = service.user("curator", SCHOOL, name="Куратор")
    import_banks(curator, SCHOOL)
    changed = curator.patch(
        "/api/v1/mentors/T-01", json={"capacity": 3, "competences": {"ИКТ-компетенции": 2, "parents": 3}}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["capacity"] == 3 and changed.json()["competences"] == {"ict": 2, "parents": 3}
    assert curator.patch("/api/v1/mentees/M-02", json={"consent": False}).json()["consent"] is False
    for body in ({"capacity": -1}, {"competences": {"телепатия": 2}}, {"competences": {}}, {"shoe_size": 42}):
        assert curator.patch("/api/v1/mentors/T-01", json=body).status_code == 422, body
    moved = curator.patch("/api/v1/mentors/T-01", json={"institution": "school-2"})
    assert moved.status_code == 422 and moved.json()["detail"][0]["column"] == "institution"
    audit = curator.get("/api/v1/audit", params={"entity": "mentor", "entity_id": "T-01"}).json()["items"]
    assert [(a["action"], a["detail"]["fields"]) for a in audit] == [("update", ["capacity", "competences"])]


def test_erasing_a_person_leaves_no_trace_of_their_data(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    name = full_names("mentees")["M-01"]
    run = run_to_end(curator, {"scope": "institution"})
    pair: dict[str, Any] = next(p for p in proposals(curator, run["id"]) if p["mentee_id"] == "M-01")
    for path, body in (
        ("decision", {"decision": "approve"}),
        ("consent", {"party": "mentee", "agree": True}),
        ("consent", {"party": "mentor", "agree": True}),
    ):
        pair = curator.post(
            f"/api/v1/proposals/{pair['id']}/{path}", json={**body, "version": pair["version"]}
        ).json()
    assert name in _order_text(curator.get(f"/api/v1/runs/{run['id']}/order.docx").content)

    assert curator.delete("/api/v1/mentees/M-01").status_code == 204
    assert curator.get("/api/v1/mentees/M-01").status_code == 404
    assert curator.delete("/api/v1/mentees/M-01").status_code == 404
    assert "M-01" not in {m["id"] for m in curator.get("/api/v1/mentees").json()["items"]}
    assert any(p["mentee_id"] == "M-01" for p in proposals(curator, run["id"]))
    workbook = openpyxl.load_workbook(io.BytesIO(curator.get(f"/api/v1/runs/{run['id']}/pairs.xlsx").content))
    cells = [str(c) for row in workbook["Пары"].iter_rows(values_only=True) for c in row]
    assert "(данные удалены)" in cells and name not in cells
    assert name not in _order_text(curator.get(f"/api/v1/runs/{run['id']}/order.docx").content)
    erased = curator.get("/api/v1/audit", params={"entity": "mentee", "entity_id": "M-01"}).json()["items"]
    assert [a["action"] for a in erased] == ["erase"]

    engine = create_engine(service.database_url)
    with engine.connect() as connection:
        stored = [
            str(row)
            for table in inspect(connection).get_table_names()
            for row in connection.execute(text(f'SELECT * FROM "{table}"'))
        ]
    engine.dispose()
    surname = name.split()[0]
    assert not [row for row in stored if surname in row]
    assert any("Петров" in row for row in stored), "the other mentees are still there"


def test_nothing_a_client_sends_gets_a_500(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    for body in (
        {"full_name": "Смир\x00нова"},
        {"full_name": "Смир\x01нова"},
        {"position": "учитель\nматематики"},
        {"subjects": ["математика\x1b"]},
        {"experience_years": 10**20},
        {"capacity": 2**40},
        {"full_name": None},
        {"formats": ["telepathy"]},
        {"competences": {"ict": "high"}},
    ):
        response = curator.patch("/api/v1/mentors/T-01", json=body)
        assert response.status_code == 422, (body, response.text)
    header, rows = _mentor_rows()
    rows[0][header.index("Стаж")] = str(10**12)
    huge = upload(curator, "mentors", bank_csv("mentors", rows=rows))
    assert huge.status_code == 422 and huge.json()["detail"][0]["row"] == 2
    assert (
        curator.post("/api/v1/runs", json={"scope": "institution", "options": {"weights": 5}}).status_code
        == 422
    )
    assert (
        curator.post(
            "/api/v1/runs", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )
    for path, params in (("/api/v1/mentors/%00", {}), ("/api/v1/mentors", {"institution": "a\x00"})):
        assert curator.get(path, params=params).status_code < 500
