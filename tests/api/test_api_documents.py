"""The draft order names each pair's and group's form (kind) of mentoring as the regulations do."""

from __future__ import annotations

import io
from typing import Any

import docx
from sqlalchemy import create_engine, update

from api.storage.tables import ProposalRow
from tests.api.service import Service, full_names, import_banks, proposals, run_to_end

SCHOOL = "school-1"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _agree_to_everything(client: Any, run_id: int) -> None:
    for proposal in proposals(client, run_id):
        for path, body in (
            ("decision", {"decision": "approve"}),
            ("consent", {"party": "mentee", "agree": True}),
            ("consent", {"party": "mentor", "agree": True}),
        ):
            response = client.post(
                f"/api/v1/proposals/{proposal['id']}/{path}", json={**body, "version": proposal["version"]}
            )
            proposal = response.json()


def _as_the_solver_would_have_grouped(database_url: str, run_id: int) -> None:
    """Mark T-01's two mentees as one group and T-03's pair as remote, as a run can propose."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        where = (ProposalRow.run_id == run_id,)
        connection.execute(
            update(ProposalRow).where(*where, ProposalRow.mentor_id == "T-01").values(group_id="g1")
        )
        connection.execute(
            update(ProposalRow).where(*where, ProposalRow.mentor_id == "T-03").values(format="remote")
        )
    engine.dispose()


def test_the_order_names_groups_virtual_and_reverse_mentoring(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    run = run_to_end(curator, {"scope": "institution"})
    pairs = {(p["mentee_id"], p["mentor_id"]) for p in proposals(curator, run["id"])}
    assert {("M-01", "T-01"), ("M-05", "T-01"), ("M-03", "T-03"), ("M-04", "T-04")} <= pairs
    _agree_to_everything(curator, run["id"])
    _as_the_solver_would_have_grouped(service.database_url, run["id"])

    order = _docx(curator.get(f"/api/v1/runs/{run['id']}/order.docx", params={"start": "2026-10-01"}))
    rows = {row.cells[1].text.split(",")[0]: row.cells for row in order.tables[0].rows[1:]}
    mentors, mentees = full_names("mentors"), full_names("mentees")
    assert len(rows) == len({mentor for _, mentor in pairs})
    group = rows[mentors["T-01"]]
    assert group[3].text.startswith("групповая")
    assert mentees["M-01"] in group[2].text and mentees["M-05"] in group[2].text
    assert group[2].text.startswith("1) ")
    assert "виртуальная (дистанционная)" in rows[mentors["T-03"]][3].text
    assert "реверсивная" in rows[mentors["T-04"]][3].text
    text = _text(order)
    assert "с 01.10.2026 по 30.06.2027" in text
    assert "куратором реализации персонализированных программ наставничества ____" in text
    acquainted = [row.cells[0].text for row in order.tables[-1].rows[1:]]
    assert sorted(acquainted) == sorted({mentors[m] for _, m in pairs} | {mentees[m] for m, _ in pairs})


def _docx(response: Any) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == DOCX
    return docx.Document(io.BytesIO(response.content))


def _text(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def test_a_group_stays_a_group_with_one_approved_member(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    run = run_to_end(curator, {"scope": "institution"})
    _agree_to_everything(curator, run["id"])
    _as_the_solver_would_have_grouped(service.database_url, run["id"])
    engine = create_engine(service.database_url)
    with engine.begin() as connection:
        connection.execute(
            update(ProposalRow)
            .where(ProposalRow.run_id == run["id"], ProposalRow.mentee_id == "M-05")
            .values(status="rejected")
        )
    engine.dispose()
    order = _docx(curator.get(f"/api/v1/runs/{run['id']}/order.docx"))
    rows = {row.cells[1].text.split(",")[0]: row.cells for row in order.tables[0].rows[1:]}
    group = rows[full_names("mentors")["T-01"]]
    assert group[3].text.startswith("групповая")
    assert full_names("mentees")["M-05"] not in group[2].text


def test_a_pairs_forms_and_a_curator_in_the_right_case(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    run = run_to_end(curator, {"scope": "institution"})
    proposal = next(p for p in proposals(curator, run["id"]) if p["mentor_id"] == "T-03")
    mentees, mentors = full_names("mentees"), full_names("mentors")
    params = {"curator": "Орлова Мария Сергеевна, заместитель директора", "start": "2026-09-01"}
    base = f"/api/v1/proposals/{proposal['id']}"
    programme = _text(_docx(curator.get(f"{base}/programme.docx", params=params)))
    assert "ПЕРСОНАЛИЗИРОВАННАЯ ПРОГРАММА НАСТАВНИЧЕСТВА" in programme
    assert "сентябрь 2026" in programme and "май 2027" in programme
    assert mentees[proposal["mentee_id"]] in programme and mentors["T-03"] in programme
    consent = _text(_docx(curator.get(f"{base}/consent.docx", params={"party": "mentor"})))
    assert "152-ФЗ" in consent and "дополнительных обязанностей" in consent
    questionnaire = _text(_docx(curator.get(f"{base}/questionnaire.docx", params={"party": "mentee"})))
    assert "АНКЕТА НАСТАВЛЯЕМОГО" in questionnaire and mentees[proposal["mentee_id"]] in questionnaire
    assert curator.get(f"{base}/consent.docx", params={"party": "curator"}).status_code == 422

    _agree_to_everything(curator, run["id"])
    order = _text(_docx(curator.get(f"/api/v1/runs/{run['id']}/order.docx", params=params)))
    assert "Орлову Марию Сергеевну, заместителя директора" in order
    council = service.user("council", SCHOOL)
    assert council.get(f"{base}/programme.docx").status_code == 403
    other = service.user("curator", "school-2")
    assert other.get(f"{base}/programme.docx").status_code == 404


def _template(body: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(body)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_curator_replaces_a_template_and_a_broken_one_is_refused(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    run = run_to_end(curator, {"scope": "institution"})
    listed = curator.get("/api/v1/templates").json()
    assert {t["form"] for t in listed} >= {"order", "programme", "consent"}
    assert not any(t["custom"] for t in listed)
    packaged = curator.get("/api/v1/templates/order.docx")
    assert "ПРИКАЗ" in _text(_docx(packaged))

    broken = curator.put(
        "/api/v1/templates/order.docx", files={"file": ("мой-приказ.docx", _template("{% if пары %}"), DOCX)}
    )
    assert broken.status_code == 422
    assert "шаблон «приказ.docx» (мой-приказ.docx)" in broken.text

    custom = _template("Наш приказ: {{ организация.полное_наименование }}, пар {{ пары|length }}")
    uploaded = curator.put("/api/v1/templates/order.docx", files={"file": ("приказ.docx", custom, DOCX)})
    assert uploaded.status_code == 200 and uploaded.json()["custom"] is True
    order = _docx(curator.get(f"/api/v1/runs/{run['id']}/order.docx"))
    assert order.paragraphs[0].text == f"Наш приказ: {SCHOOL}, пар 0"
    other = service.user("curator", "school-2")
    assert (
        other.put(
            "/api/v1/templates/order.docx",
            params={"institution": SCHOOL},
            files={"file": ("a.docx", custom, DOCX)},
        ).status_code
        == 403
    )

    assert curator.delete("/api/v1/templates/order.docx").status_code == 204
    assert "ПРИКАЗ" in _text(_docx(curator.get(f"/api/v1/runs/{run['id']}/order.docx")))
