"""The council's page over HTTP: the shell holds no data, its fragments need the member's token and
keep to the member's scope, its script calls only documented endpoints; /docs works offline."""

from __future__ import annotations

import re

from tests.api.conftest import sqlite_only
from tests.api.service import Service, import_banks, proposals, run_to_end

SCHOOL, OTHER = "school-1", "school-2"


def test_page_shell_holds_no_data_and_its_script_calls_only_documented_endpoints(service: Service) -> None:
    client = service.client()
    page = client.get("/council")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Ключ доступа" in page.text and "/static/council.js" in page.text
    assert not re.search(r"(src|href)=\"https?://", page.text)
    script = client.get("/static/council.js").text
    documented = set(client.get("/openapi.json").json()["paths"])
    called = {re.sub(r"\$\{[^}]+\}", "{id}", path) for path in re.findall(r"`(/api/v1/[^`?]+)", script)}
    called |= set(re.findall(r'"(/api/v1/[^"?]+)', script))
    assert called == {
        "/api/v1/runs",
        "/api/v1/runs/{id}",
        "/api/v1/proposals/{id}/decision",
        "/api/v1/proposals/{id}/consent",
        "/api/v1/proposals/{id}/swap",
    }
    assert called <= documented
    assert "sessionStorage" in script and "localStorage" not in script


def test_fragments_need_a_token_and_keep_to_the_scope(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    run = run_to_end(curator, {"scope": "institution"})
    first = proposals(curator, run["id"])[0]
    anonymous, stranger = service.client(), service.user("council", OTHER)
    member = service.user("council", SCHOOL)
    paths = [
        f"/council/fragments/runs/{run['id']}",
        f"/council/fragments/runs/{run['id']}/proposals",
        f"/council/fragments/runs/{run['id']}/unmatched",
        f"/council/fragments/proposals/{first['id']}",
        f"/council/fragments/proposals/{first['id']}/alternatives",
    ]
    for path in paths:
        assert anonymous.get(path).status_code == 401, path
        assert stranger.get(path).status_code == 404, path
        assert member.get(path).status_code == 200, path
    assert stranger.get("/council/fragments/runs").status_code == 200
    assert f"Подбор № {run['id']}" not in stranger.get("/council/fragments/runs").text
    card = member.get(f"/council/fragments/proposals/{first['id']}").text
    assert first["mentee"]["full_name"] in card and first["mentor"]["full_name"] in card
    assert "Одобрить" in card
    reader = service.user("reader", SCHOOL)
    assert "Одобрить" not in reader.get(f"/council/fragments/proposals/{first['id']}").text
    run_page = member.get(f"/council/fragments/runs/{run['id']}").text
    assert "Подобрать заново" not in run_page and "Скачать" not in run_page  # the council may neither
    assert "Подобрать заново" in curator.get(f"/council/fragments/runs/{run['id']}").text
    documented = set(member.get("/openapi.json").json()["paths"])
    pages = curator.get(f"/council/fragments/runs/{run['id']}").text
    pages += curator.get(f"/council/fragments/proposals/{first['id']}").text
    downloads = {re.sub(r"/\d+/", "/{id}/", path) for path in re.findall(r'data-download="([^"?]+)', pages)}
    assert downloads == {
        "/api/v1/runs/{id}/order.docx",
        "/api/v1/runs/{id}/pairs.xlsx",
        "/api/v1/proposals/{id}/programme.docx",
        "/api/v1/proposals/{id}/consent.docx",
    }
    assert downloads <= documented


@sqlite_only
def test_docs_work_offline(service: Service) -> None:
    client = service.client()
    docs = client.get("/docs")
    assert docs.status_code == 200
    assets = re.findall(r"(?:src|href)=['\"]([^'\"]+)['\"]", docs.text)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert "/static/docs.js" in assets and "<script>" not in docs.text, "swagger-ui is started by a file"
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert "cache-control" not in served.headers and served.headers["x-content-type-options"] == "nosniff"
    assert client.get("/redoc").status_code == 404


def test_proposals_come_in_pages_grouped_by_institution(service: Service) -> None:
    municipal = service.user("municipal")
    import_banks(municipal)
    run = run_to_end(municipal, {"scope": "municipality"})
    total = run["summary"]["counts"]["proposals"]
    path = f"/council/fragments/runs/{run['id']}/proposals"
    first = municipal.get(path, params={"limit": 2}).text
    assert f"Пары 1–2 из {total}" in first and 'data-offset="2"' in first
    assert first.count('class="card ') == 2
    second = municipal.get(path, params={"limit": 2, "offset": 2}).text
    assert f"Пары 3–4 из {total}" in second and 'data-offset="0"' in second
    everything = municipal.get(path, params={"limit": 200}).text
    headings = re.findall(r"<h3>([^<]+)</h3>", everything)
    assert headings == sorted(set(headings)) == ["school-1", "school-2"]
    assert "Группа Г1" in everything
