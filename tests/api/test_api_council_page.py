"""The council's page: served without data, in Russian, calling only documented endpoints."""

from __future__ import annotations

import re

from tests.api.service import Service


def test_council_page_is_served_and_calls_only_documented_endpoints(service: Service) -> None:
    client = service.client()
    response = client.get("/council")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "Предложения наставнических пар" in page and "Одобрить" in page and "Отклонить" in page
    documented = set(client.get("/openapi.json").json()["paths"])
    called = {re.sub(r"\$\{[^}]+\}", "{id}", path) for path in re.findall(r"`(/api/v1/[^`?]+)", page)}
    called |= set(re.findall(r'"(/api/v1/[^"?]+)', page))
    assert called == {"/api/v1/runs", "/api/v1/runs/{id}/proposals", "/api/v1/proposals/{id}/decision"}
    assert called <= documented
