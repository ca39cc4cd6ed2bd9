"""The service describes itself: /health, and an OpenAPI document covering all of api.md."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import sqlite_only
from tests.api.service import Service

SPEC_OPERATIONS = {
    ("get", "/health"),
    ("post", "/api/v1/mentors/import"),
    ("post", "/api/v1/mentees/import"),
    ("get", "/api/v1/mentors"),
    ("get", "/api/v1/mentees"),
    ("get", "/api/v1/mentors/{id}"),
    ("patch", "/api/v1/mentors/{id}"),
    ("delete", "/api/v1/mentors/{id}"),
    ("get", "/api/v1/mentees/{id}"),
    ("patch", "/api/v1/mentees/{id}"),
    ("delete", "/api/v1/mentees/{id}"),
    ("post", "/api/v1/runs"),
    ("get", "/api/v1/runs"),
    ("get", "/api/v1/runs/{id}"),
    ("get", "/api/v1/runs/{id}/proposals"),
    ("get", "/api/v1/runs/{id}/unmatched"),
    ("post", "/api/v1/proposals/{id}/decision"),
    ("post", "/api/v1/proposals/{id}/consent"),
    ("get", "/api/v1/runs/{id}/order.docx"),
    ("get", "/api/v1/runs/{id}/pairs.xlsx"),
    ("get", "/api/v1/audit"),
}
"""Every method and path of the resource table in api.md."""


def test_health_needs_no_token(service: Service) -> None:
    response = service.client().get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@sqlite_only
def test_openapi_documents_every_endpoint_of_the_spec(service: Service) -> None:
    document: dict[str, Any] = service.client().get("/openapi.json").json()
    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    assert operations >= SPEC_OPERATIONS
    for method, path in SPEC_OPERATIONS:
        operation = document["paths"][path][method]
        assert operation.get("summary"), (method, path)
        assert any(code.startswith("2") for code in operation["responses"]), (method, path)
        if path != "/health":
            assert "404" in operation["responses"] and "401" in operation["responses"], (method, path)
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


@sqlite_only
def test_openapi_schemas_carry_examples(service: Service) -> None:
    schemas: dict[str, Any] = service.client().get("/openapi.json").json()["components"]["schemas"]
    for name in ("RunCreate", "DecisionCreate", "ConsentCreate", "ImportPublic", "ChangesPublic"):
        assert schemas[name].get("examples"), name
    for name in ("ProposalPublic", "MentorPublic", "MenteePublic", "RunPublic", "ProblemPublic"):
        fields = schemas[name]["properties"]
        assert any("examples" in field for field in fields.values()), name


@sqlite_only
def test_import_errors_are_documented_as_problem_lists(service: Service) -> None:
    document: dict[str, Any] = service.client().get("/openapi.json").json()
    for kind in ("mentors", "mentees"):
        responses = document["paths"][f"/api/v1/{kind}/import"]["post"]["responses"]
        assert responses["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ProblemsPublic")
        assert "413" in responses
