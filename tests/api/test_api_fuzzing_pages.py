"""The HTML side, which is not in the OpenAPI document and so not met by schemathesis: the council's
page and its fragments, the decisions its forms post, and ``/docs``, fuzzed with hypothesis on
both databases. Path ids are real (either school's runs and proposals) or anything at all; query
parameters and decision bodies are anything the page's controls could send and more. No answer
is a 5xx, none given to a school-1 caller holds a school-2 person's name or reaches a school-2
resource, and the log holds no name and no token."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.api.service import bank_rows, import_banks, proposals, run_to_end, running

A, B = "school-1", "school-2"
EXAMPLES = 150
"""Generated requests per database for the council's side, and as many again for /docs."""

FRAGMENTS = (
    "/council/fragments/runs",
    "/council/fragments/runs/{run}",
    "/council/fragments/runs/{run}/proposals",
    "/council/fragments/runs/{run}/unmatched",
    "/council/fragments/proposals/{proposal}",
    "/council/fragments/proposals/{proposal}/alternatives",
)
DECISIONS = ("decision", "consent", "swap")
HUGE = st.integers(min_value=-(2**70), max_value=2**70)
ANY_TEXT = st.text(max_size=40)
VALUES = st.one_of(
    ANY_TEXT,
    HUGE,
    st.booleans(),
    st.sampled_from(["", A, B, "proposed", "approved", "rejected", "pinned", "true", "-1", "0", "1e9"]),
)
QUERY = st.dictionaries(
    st.sampled_from(["status", "institution", "weight_sensitive", "name", "limit", "offset", "seen", "x"]),
    VALUES,
    max_size=5,
)
BODY = st.dictionaries(
    st.sampled_from(["decision", "comment", "version", "party", "agree", "mentor_id", "mentor_institution"]),
    st.one_of(VALUES, st.sampled_from(["approve", "reject", "pin", "mentee", "mentor", "T-01", "T-21"])),
    max_size=6,
)


def _names(institution: str) -> list[str]:
    found = []
    for kind in ("mentors", "mentees"):
        header, rows = bank_rows(kind)
        column = header.index("Образовательная организация")
        found += [row[header.index("ФИО")] for row in rows if row[column] == institution]
    return found


def _school_2_ids(client: httpx.Client, run_id: int) -> list[int]:
    return [p["id"] for p in proposals(client, run_id)]


def test_the_council_pages_and_docs_hold_under_fuzzing(
    database_url: str, backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with running(database_url, bad_tokens_per_minute=10**6, max_queued_runs=10**6) as service:
        municipal = service.user("municipal")
        import_banks(municipal)
        tokens = {
            "curator_a": service.token("curator", A),
            "council_a": service.token("council", A),
            "reader_a": service.token("reader", A),
            "municipal": str(municipal.headers["authorization"]).split()[-1],
        }
        clients = {role: service.client(token) for role, token in tokens.items()}
        run_a = run_to_end(clients["curator_a"], {"scope": "institution"})["id"]
        run_b = run_to_end(municipal, {"scope": "institution", "institution": B})["id"]
        proposals_a = _school_2_ids(municipal, run_a)
        proposals_b = _school_2_ids(municipal, run_b)
        foreign_names = [name for name in _names(B) if name.split()[0] not in " ".join(_names(A))]
        runs = st.one_of(st.sampled_from([run_a, run_b]), HUGE, ANY_TEXT)
        proposal_ids = st.one_of(st.sampled_from(proposals_a + proposals_b), HUGE, ANY_TEXT)
        sent = {"council": 0, "decisions": 0, "docs": 0}
        statuses: dict[int, int] = {}

        def checked(role: str, response: httpx.Response, foreign: bool) -> None:
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code < 500, (response.request.method, response.request.url, response.text)
            assert response.headers["x-content-type-options"] == "nosniff"
            if role != "municipal":
                leaked = [name for name in foreign_names if name in response.text]
                assert not leaked, (response.request.url, leaked)
                if foreign:
                    assert response.status_code in (401, 403, 404, 422), (response.request.url, response.text)

        @given(
            role=st.sampled_from(list(clients)),
            template=st.sampled_from(FRAGMENTS),
            run=runs,
            proposal=proposal_ids,
            query=QUERY,
        )
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def fragments(role: str, template: str, run: Any, proposal: Any, query: dict[str, Any]) -> None:
            path = template.format(run=quote(str(run), safe=""), proposal=quote(str(proposal), safe=""))
            response = clients[role].get(path, params={k: str(v) for k, v in query.items()})
            sent["council"] += 1
            foreign = ("{run}" in template and run == run_b) or (
                "{proposal}" in template and proposal in proposals_b
            )
            checked(role, response, foreign)

        @given(
            role=st.sampled_from(list(clients)),
            what=st.sampled_from(DECISIONS),
            proposal=proposal_ids,
            body=BODY,
        )
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def decisions(role: str, what: str, proposal: Any, body: dict[str, Any]) -> None:
            response = clients[role].post(
                f"/api/v1/proposals/{quote(str(proposal), safe='')}/{what}", json=body
            )
            sent["decisions"] += 1
            checked(role, response, proposal in proposals_b)

        @given(
            path=st.one_of(
                st.just("/docs"),
                st.builds(lambda tail: f"/docs/{quote(tail)}", ANY_TEXT),
                st.builds(lambda tail: f"/static/swagger/{quote(tail)}", ANY_TEXT),
                st.builds(lambda tail: f"/static/{quote(tail)}", ANY_TEXT),
                st.just("/council"),
            ),
            query=QUERY,
            role=st.sampled_from([None, *clients]),
        )
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def docs(path: str, query: dict[str, Any], role: str | None) -> None:
            client = service.client() if role is None else clients[role]
            response = client.get(path, params={k: str(v) for k, v in query.items()})
            sent["docs"] += 1
            checked(role or "anonymous", response, False)
            if path in ("/docs", "/council"):
                assert response.status_code == 200
                assert "'unsafe-inline'" not in response.headers["content-security-policy"]

        fragments()
        decisions()
        docs()
    print(
        f"pages fuzzing, {backend}: {sum(sent.values())} requests {sent}, statuses {sorted(statuses.items())}"
    )
    assert sum(sent.values()) >= 3 * EXAMPLES
    logged = caplog.text
    assert logged and not [token for token in tokens.values() if token in logged]
    assert not [name for name in _names(A) + _names(B) if name in logged]
