"""Mentoring programs: opened from an agreed pair, occupying the mentor in later runs, extended,
completed, ended early, and the mentee's request to replace the mentor."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.api.service import Service, agree, bank_rows, import_banks, proposals, run_to_end, wait_for_run

A, B = "school-1", "school-2"


def _capacities() -> dict[str, int]:
    header, rows = bank_rows("mentors")
    return {row[0]: int(row[header.index("Максимум наставляемых")]) for row in rows}


@pytest.fixture
def school(service: Service) -> dict[str, Any]:
    import_banks(service.user("municipal"))
    curator = service.user("curator", A)
    run = run_to_end(curator, {"scope": "institution"})
    pairs = [p for p in proposals(curator, run["id"]) if not p["group_id"]]
    return {"service": service, "curator": curator, "run": run, "pairs": pairs}


def test_an_agreed_pair_becomes_a_program_that_occupies_its_mentor(school: dict[str, Any]) -> None:
    curator, pairs = school["curator"], school["pairs"]
    first = pairs[0]
    body = {"proposal_id": first["id"], "start": "2026-09-15", "months": 9}
    refused = curator.post("/api/v1/programs", json=body)
    assert refused.status_code == 409 and "одобренной" in refused.json()["detail"]
    agree(curator, first)
    assert curator.post("/api/v1/programs", json={**body, "months": 13}).status_code == 422
    created = curator.post("/api/v1/programs", json=body)
    assert created.status_code == 201, created.text
    program = created.json()
    assert program["status"] == "active" and program["status_ru"] == "реализуется"
    assert program["year"] == "2026/27" and program["planned_end"] == "2027-06-15"
    assert program["mentee_institution"] == program["mentor_institution"] == A
    assert curator.post("/api/v1/programs", json=body).status_code == 409
    other = school["service"].user("curator", B)
    assert other.get(f"/api/v1/programs/{program['id']}").status_code == 404
    assert other.get("/api/v1/programs").json()["total"] == 0
    assert school["service"].user("council", A).get("/api/v1/programs").json()["total"] == 1

    later = run_to_end(curator, {"scope": "institution"})
    assert later["status"] == "done", later["error"]
    again = proposals(curator, later["id"])
    assert first["mentee_id"] not in {p["mentee_id"] for p in again}  # she has her mentor
    unmatched = curator.get(f"/api/v1/runs/{later['id']}/unmatched", params={"limit": 100}).json()["items"]
    assert first["mentee_id"] not in {u["mentee_id"] for u in unmatched}
    load = sum(1 for p in again if p["mentor_id"] == first["mentor_id"])
    assert load <= _capacities()[first["mentor_id"]] - 1


def test_extension_completion_and_early_end_follow_the_regulations(school: dict[str, Any]) -> None:
    curator = school["curator"]
    opened = []
    for pair in school["pairs"][:2]:
        agree(curator, pair)
        body = {"proposal_id": pair["id"], "start": "2026-09-01", "months": 6}
        opened.append(curator.post("/api/v1/programs", json=body).json())
    first, second = opened
    path = f"/api/v1/programs/{first['id']}"
    too_early = curator.post(f"{path}/extend", json={"until": "2027-01-01", "version": 1})
    assert too_early.status_code == 409 and "позже" in too_early.json()["detail"]
    extended = curator.post(
        f"{path}/extend", json={"until": "2027-05-31", "comment": "по согласию", "version": 1}
    )
    assert extended.json()["status"] == "extended" and extended.json()["planned_end"] == "2027-05-31"
    assert curator.post(f"{path}/extend", json={"until": "2027-06-30", "version": 1}).status_code == 409
    done = curator.post(f"{path}/complete", json={"on": "2027-05-30", "version": 2})
    assert done.json()["status"] == "completed" and done.json()["ended_on"] == "2027-05-30"
    assert curator.post(f"{path}/extend", json={"until": "2027-08-30", "version": 3}).status_code == 409
    ended = curator.post(
        f"/api/v1/programs/{second['id']}/end",
        json={"reason": "mutual", "on": "2026-11-01", "version": 1},
    ).json()
    assert ended["status"] == "ended_early" and ended["end_reason_ru"].startswith("по взаимному")
    statuses = curator.get("/api/v1/programs", params={"status": "ended_early"}).json()
    assert [p["id"] for p in statuses["items"]] == [second["id"]]
    audit = curator.get("/api/v1/audit", params={"entity": "program", "limit": 50}).json()["items"]
    assert {e["action"] for e in audit} == {"start", "extend", "complete", "end_early"}


def test_replacing_the_mentor_rematches_that_mentee_alone_never_with_the_same_mentor(
    school: dict[str, Any],
) -> None:
    curator, pair = school["curator"], school["pairs"][0]
    agree(curator, pair)
    program = curator.post(
        "/api/v1/programs", json={"proposal_id": pair["id"], "start": "2026-09-01", "months": 9}
    ).json()
    council = school["service"].user("council", A)
    path = f"/api/v1/programs/{program['id']}/replace-mentor"
    assert council.post(path, json={"version": 1}).status_code == 403
    accepted = curator.post(path, json={"comment": "ходатайство от 01.10", "version": 1})
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["program"]["status"] == "ended_early"
    assert accepted.json()["program"]["end_reason"] == "mentor_replaced"
    run = wait_for_run(curator, accepted.json()["run"]["id"])
    assert run["status"] == "done", run["error"]
    rematched = proposals(curator, run["id"])
    assert {p["mentee_id"] for p in rematched} <= {pair["mentee_id"]}
    assert pair["mentor_id"] not in {p["mentor_id"] for p in rematched}
    assert run["summary"]["counts"]["mentees"] == 1
    # the pair that ended early is not proposed again in a full run either
    full = run_to_end(curator, {"scope": "institution"})
    assert (pair["mentee_id"], pair["mentor_id"]) not in {
        (p["mentee_id"], p["mentor_id"]) for p in proposals(curator, full["id"])
    }


def test_a_run_started_by_hand_rests_the_mentors_of_the_service_rule(school: dict[str, Any]) -> None:
    """With the service's limit on heavy years set, a run started outside the yearly cycle holds
    back the places of the mentors who rest this school year, as the cycle's runs do."""
    service, curator, first = school["service"], school["curator"], school["pairs"][0]
    this_year = date.today().year if date.today().month >= 9 else date.today().year - 1
    last_year = date(this_year - 1, 9, 15)
    agree(curator, first)
    opened = curator.post(
        "/api/v1/programs", json={"proposal_id": first["id"], "start": str(last_year), "months": 3}
    )
    assert opened.status_code == 201, opened.text
    program = opened.json()
    done = curator.post(
        f"/api/v1/programs/{program['id']}/complete",
        json={"on": str(last_year.replace(month=12)), "version": program["version"]},
    )
    assert done.status_code == 200, done.text
    mentor = first["mentor_id"]

    def mentors_proposed() -> set[str]:
        run = run_to_end(curator, {"scope": "institution"})
        assert run["status"] == "done", run
        return {p["mentor_id"] for p in proposals(curator, run["id"])}

    assert mentor in mentors_proposed()  # no rule: the mentor is free again
    service.server.settings.update(heavy_years=1, heavy_year_mentees=1)
    service.restart()
    assert mentor not in mentors_proposed()  # one heavy year last year: no new mentee this year
