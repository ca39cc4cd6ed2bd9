"""The institutions' registry in the service: all-or-nothing import, scope, full names in documents."""

from __future__ import annotations

import io

import httpx
from docx import Document

from tests.api.service import Service, import_banks, proposals, run_to_end

A, B = "school-1", "school-2"
HEADER = "Код,Полное наименование,Краткое наименование,Тип,Муниципалитет," + (
    "ФИО руководителя,Должность руководителя,Адрес"
)
ROWS = {
    A: f"{A},Муниципальное бюджетное общеобразовательное учреждение «Средняя школа №1»,МБОУ «СШ №1»,школа,"
    'Заречный,Ковалёва Наталья Михайловна,директор,"г. Заречный, ул. Ленина, д. 1"',
    B: f"{B},Муниципальное автономное общеобразовательное учреждение «Лицей №2»,МАОУ «Лицей №2»,школа,"
    "Заречный,Власов Игорь Петрович,директор,",
}


def _registry(*rows: str) -> bytes:
    return "\r\n".join([HEADER, *rows]).encode("utf-8")


def _import(client: httpx.Client, content: bytes) -> httpx.Response:
    return client.post("/api/v1/institutions/import", files={"file": ("организации.csv", content)})


def test_the_registry_is_imported_whole_or_not_at_all(service: Service) -> None:
    municipal = service.user("municipal")
    bad = _import(municipal, _registry(ROWS[A], f"{B},,,планетарий,,,,"))
    assert bad.status_code == 422
    problems = bad.json()["detail"]
    assert {(p["row"], p["column"]) for p in problems} == {(3, "Полное наименование"), (3, "Тип")}
    assert municipal.get("/api/v1/institutions").json()["total"] == 0
    done = _import(municipal, _registry(ROWS[A], ROWS[B]))
    assert done.status_code == 200, done.text
    assert done.json()["created"] == [A, B]
    again = _import(municipal, _registry(ROWS[A].replace("Ковалёва", "Петрова")))
    assert again.json()["updated"] == [A]
    one = municipal.get(f"/api/v1/institutions/{A}").json()
    assert one["head_name"] == "Петрова Наталья Михайловна" and one["kind_ru"] == "школа"


def test_a_curator_imports_its_own_row_and_sees_its_partners_only(service: Service) -> None:
    municipal = service.user("municipal")
    import_banks(municipal)
    curator = service.user("curator", A)
    refused = _import(curator, _registry(ROWS[A], ROWS[B]))
    assert refused.status_code == 422
    assert [(p["row"], p["value"]) for p in refused.json()["detail"]] == [(3, B)]
    assert _import(curator, _registry(ROWS[A])).status_code == 200
    assert _import(municipal, _registry(ROWS[B])).status_code == 200
    assert (
        service.user("council", A)
        .post("/api/v1/institutions/import", files={"file": ("x.csv", b"")})
        .status_code
        == 403
    )
    assert [i["code"] for i in curator.get("/api/v1/institutions").json()["items"]] == [A]
    assert curator.get(f"/api/v1/institutions/{B}").status_code == 404
    assert curator.get("/api/v1/institutions/nowhere").status_code == 404
    assert service.user("reader").get("/api/v1/institutions").json()["total"] == 2


def test_orders_name_the_institution_in_full(service: Service) -> None:
    municipal = service.user("municipal")
    import_banks(municipal)
    assert _import(municipal, _registry(ROWS[A], ROWS[B])).status_code == 200
    curator = service.user("curator", A)
    run = run_to_end(curator, {"scope": "institution"})
    first = proposals(curator, run["id"])[0]
    for step in (
        {"decision": "approve", "version": 1},
        {"party": "mentee", "agree": True, "version": 2},
        {"party": "mentor", "agree": True, "version": 3},
    ):
        kind = "decision" if "decision" in step else "consent"
        assert curator.post(f"/api/v1/proposals/{first['id']}/{kind}", json=step).status_code == 200
    order = curator.get(f"/api/v1/runs/{run['id']}/order.docx")
    assert order.status_code == 200
    document = Document(io.BytesIO(order.content))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "«Средняя школа №1»" in text
