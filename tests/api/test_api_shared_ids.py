"""Two institutions using the same ids (people are keyed by institution and id): each curator
imports, reads, edits and erases its own people; the municipal role names the institution when
an id is used by several; a municipality-wide run keeps the two apart; references to mentors go
through the pool's rules; and the logs hold no name and no token."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from tests.api.service import Service, bank_csv, bank_rows, full_names, proposals, run_to_end, upload

A, B = "school-1", "school-2"
SHARED = {"T-21": "T-01", "T-22": "T-02", "M-21": "M-01", "M-22": "M-02"}
"""School 2's people take school 1's ids; T-50 is school 2's alone."""


def _school_2(kind: str) -> bytes:
    header, rows = bank_rows(kind)
    column = header.index("Образовательная организация")
    mine = [[SHARED.get(row[0], row[0]), *row[1:]] for row in rows if row[column] == B]
    if kind == "mentors":
        mine.append(["T-50", *mine[0][1:]])
    for row in mine:
        for name in ("Желаемые наставники", "Исключённые наставники"):
            if name in header:
                row[header.index(name)] = ""
    return bank_csv(kind, rows=mine)


@pytest.fixture
def schools(service: Service, caplog: pytest.LogCaptureFixture) -> dict[str, Any]:
    caplog.set_level(logging.INFO)
    tokens = {
        "curator_a": service.token("curator", A),
        "curator_b": service.token("curator", B),
        "municipal": service.token("municipal"),
    }
    clients = {role: service.client(token) for role, token in tokens.items()}
    for kind in ("mentors", "mentees"):
        assert upload(clients["curator_a"], kind, bank_csv(kind, institution=A)).status_code == 200
        shared = upload(clients["curator_b"], kind, _school_2(kind))
        assert shared.status_code == 200, shared.text
    return {**clients, "tokens": tokens}


def _name(client: httpx.Client, path: str, **params: str) -> str:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return str(response.json()["full_name"])


def test_each_institution_has_its_own_people_under_one_id(
    schools: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    a, b, municipal = schools["curator_a"], schools["curator_b"], schools["municipal"]
    names = full_names("mentors")
    assert _name(a, "/api/v1/mentors/T-01") == names["T-01"]
    assert _name(b, "/api/v1/mentors/T-01") == names["T-21"]

    # Another institution's person answers exactly as a missing one.
    foreign = a.get("/api/v1/mentors/T-01", params={"institution": B})
    missing = a.get("/api/v1/mentors/T-99")
    assert foreign.status_code == missing.status_code == 404 and foreign.json() == missing.json()
    assert a.get("/api/v1/mentors/T-50").json() == missing.json()

    # The municipal role sees every institution, so it is told which use the id.
    ambiguous = municipal.get("/api/v1/mentors/T-01")
    assert ambiguous.status_code == 409
    assert A in ambiguous.json()["detail"] and B in ambiguous.json()["detail"]
    assert "?institution=" in ambiguous.json()["detail"]
    assert _name(municipal, "/api/v1/mentors/T-01", institution=B) == names["T-21"]
    assert _name(municipal, "/api/v1/mentors/T-50") == names["T-21"]

    edited = municipal.patch("/api/v1/mentors/T-01", params={"institution": B}, json={"capacity": 1})
    assert edited.status_code == 200 and edited.json()["institution"] == B
    assert a.get("/api/v1/mentors/T-01").json()["capacity"] == 2
    moved = municipal.patch("/api/v1/mentors/T-50", json={"institution": A})
    assert moved.status_code == 200
    clash = municipal.patch("/api/v1/mentors/T-02", params={"institution": B}, json={"institution": A})
    assert clash.status_code == 409 and "T-02" in clash.json()["detail"]

    ids = [item["id"] for item in municipal.get("/api/v1/mentors", params={"limit": 100}).json()["items"]]
    assert ids.count("T-01") == 2

    # Erasing school 1's T-01 leaves school 2's.
    assert a.delete("/api/v1/mentors/T-01").status_code == 204
    assert a.get("/api/v1/mentors/T-01").status_code == 404
    assert _name(b, "/api/v1/mentors/T-01") == names["T-21"]
    assert _name(municipal, "/api/v1/mentors/T-01") == names["T-21"]
    _no_names_or_tokens(caplog, schools["tokens"])


def test_edited_references_follow_the_pool_rules(
    schools: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """A PATCH of preferred or excluded mentors is checked as the import checks them: school 2's
    T-50 (outside the pool) gets the same answer as an id nobody uses; an unsafe id is refused."""
    a = schools["curator_a"]
    foreign = a.patch("/api/v1/mentees/M-01", json={"preferred_mentors": ["T-50"]})
    missing = a.patch("/api/v1/mentees/M-01", json={"preferred_mentors": ["T-98"]})
    assert foreign.status_code == missing.status_code == 422
    assert [p["message"] for p in foreign.json()["detail"]] == [
        p["message"] for p in missing.json()["detail"]
    ]
    unsafe = a.patch("/api/v1/mentees/M-01", json={"excluded_mentors": ["T/01"]})
    assert unsafe.status_code == 422 and "только буквы" in unsafe.json()["detail"][0]["message"]
    own = a.patch("/api/v1/mentees/M-01", json={"preferred_mentors": ["T-02"], "excluded_mentors": ["T-03"]})
    assert own.status_code == 200 and own.json()["preferred_mentors"] == ["T-02"]
    unchanged = a.get("/api/v1/mentees/M-01").json()
    assert unchanged["excluded_mentors"] == ["T-03"]
    _no_names_or_tokens(caplog, schools["tokens"])


def test_a_municipal_run_keeps_people_with_one_id_apart(
    schools: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    municipal, a, b = schools["municipal"], schools["curator_a"], schools["curator_b"]
    run = run_to_end(municipal, {"scope": "municipality"})
    assert run["status"] == "done", run
    pairs = proposals(municipal, run["id"])
    assert pairs
    for pair in pairs:
        assert pair["mentee"]["institution"] == pair["mentee_institution"]
        assert pair["mentor"]["institution"] == pair["mentor_institution"]
        assert "@" not in pair["mentee_id"] + pair["mentor_id"]
    mentees = {(p["mentee_institution"], p["mentee_id"]) for p in pairs}
    assert (A, "M-01") in mentees and (B, "M-01") in mentees, "both M-01 are matched, each on its own"
    names = {**full_names("mentees"), **full_names("mentors")}
    for client, school, other in ((a, A, B), (b, B, A)):
        seen = proposals(client, run["id"])
        assert seen and all(school in (p["mentee_institution"], p["mentor_institution"]) for p in seen)
        for pair in seen:
            if pair["mentee_institution"] == school and pair["mentee_id"] == "M-01":
                expected = names["M-01"] if school == A else names["M-21"]
                assert pair["mentee"]["full_name"] == expected
        text = client.get(f"/api/v1/runs/{run['id']}/unmatched", params={"limit": 1000}).text
        assert f'"institution":"{other}"' not in text.replace(" ", "")
    workbook = municipal.get(f"/api/v1/runs/{run['id']}/pairs.xlsx")
    assert workbook.status_code == 200
    rerun = run_to_end(municipal, {"scope": "municipality", "based_on": run["id"]})
    assert rerun["status"] == "done" and rerun["changes"] is not None
    _no_names_or_tokens(caplog, schools["tokens"])


def _no_names_or_tokens(caplog: pytest.LogCaptureFixture, tokens: dict[str, str]) -> None:
    logged = caplog.text
    assert logged, "the requests were logged"
    names = [*full_names("mentors").values(), *full_names("mentees").values()]
    assert not [name for name in names if name.split()[0] in logged]
    assert not [token for token in tokens.values() if token in logged]
