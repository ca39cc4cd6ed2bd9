"""Schemathesis against the service's own OpenAPI, on both databases: every operation, as the
municipal curator, with generated requests (ids half the time taken from real people, runs and
proposals), and every answer checked against the document — no 5xx, every status, content type,
header and body as documented, nothing answered without a token. The log is then searched for
names and tokens."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.service import full_names, import_banks, proposals, run_to_end, running

EXAMPLES = 6
"""Generated requests per operation (plus one with a real id where there is one): about 320 a
database, each under every check."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]


def _real_ids(client: Any) -> dict[str, list[Any]]:
    run = run_to_end(client, {"scope": "institution", "institution": "school-1"})
    return {
        "/api/v1/mentors/": list(full_names("mentors")),
        "/api/v1/mentees/": list(full_names("mentees")),
        "/api/v1/runs/": [run["id"]],
        "/api/v1/proposals/": [p["id"] for p in proposals(client, run["id"])],
        "/api/v1/institutions/": ["school-1", "school-2"],
    }


@pytest.mark.slow(20)
def test_the_service_keeps_to_its_openapi_document(
    database_url: str, backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with running(database_url, bad_tokens_per_minute=10**6, max_queued_runs=10**6) as service:
        municipal = service.user("municipal")
        import_banks(municipal)
        real = _real_ids(municipal)
        token = str(municipal.headers["authorization"])
        schema = schemathesis.openapi.from_url(f"{service.server.url}/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        sent = 0
        failures: dict[str, str] = {}
        for operation in operations:
            ids = next((v for prefix, v in real.items() if operation.path.startswith(prefix)), None)
            known = st.sampled_from(ids) if ids and "{" in operation.path else st.none()

            def with_real_id(pair: tuple[Any, Any]) -> Any:
                case, real_id = pair
                if real_id is not None:
                    name = next(iter(case.path_parameters))
                    case.path_parameters[name] = real_id
                return case

            cases = st.tuples(operation.as_strategy(), st.one_of(st.none(), known)).map(with_real_id)

            @given(case=cases)
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def conforms(case: Any) -> None:
                nonlocal sent
                sent += 1
                case.call_and_validate(
                    base_url=service.server.url, headers={"Authorization": token}, checks=CHECKS
                )

            try:
                conforms()
            except Exception as failure:  # every operation is tried; all failures reported at once
                failures[operation.label] = str(failure)[:3000]
    print(f"schemathesis, {backend}: {len(operations)} operations, {sent} requests, {len(failures)} failed")
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
    assert len(operations) >= 30 and sent >= len(operations) * EXAMPLES // 2
    logged = caplog.text
    assert token.split()[-1] not in logged
    assert not [name for name in full_names("mentors").values() if name in logged]
    assert not [name for name in full_names("mentees").values() if name in logged]
