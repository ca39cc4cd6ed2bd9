"""Every role's scope: what each may do, and that nothing outside its institution is visible."""

from __future__ import annotations

import contextlib
import csv
import io
import os
from typing import Any

import httpx
import pytest

from api.commands import add_user
from tests.api.service import (
    Service,
    bank_csv,
    bank_rows,
    full_names,
    import_banks,
    proposals,
    run_to_end,
    upload,
)

A, B = "school-1", "school-2"


@pytest.fixture
def world(service: Service) -> dict[str, Any]:
    """A world of its own, for a test that changes what the others read."""
    return _world(service)


@pytest.fixture(scope="module")
def read_world(shared_service: Service) -> dict[str, Any]:
    """One world per module and database for the tests whose requests are all refused or read."""
    return _world(shared_service)


def _world(service: Service) -> dict[str, Any]:
    """Both schools' banks imported by the municipal curator, and one finished run per school."""
    municipal = service.user("municipal")
    import_banks(municipal)
    curator_a, curator_b = service.user("curator", A), service.user("curator", B)
    run_a = run_to_end(curator_a, {"scope": "institution"})
    run_b = run_to_end(curator_b, {"scope": "institution"})
    assert run_a["status"] == run_b["status"] == "done"
    return {
        "municipal": municipal,
        "curator_a": curator_a,
        "curator_b": curator_b,
        "council_a": service.user("council", A),
        "reader_a": service.user("reader", A),
        "reader_all": service.user("reader"),
        "run_a": run_a,
        "run_b": run_b,
        "proposal_b": proposals(curator_b, run_b["id"])[0],
    }


def _ids(client: httpx.Client, path: str, **filters: str) -> set[str]:
    return {item["id"] for item in client.get(path, params={"limit": 1000, **filters}).json()["items"]}


def test_without_a_valid_token_nothing_but_health_answers(service: Service) -> None:
    anonymous = service.client()
    assert anonymous.get("/api/v1/mentors").status_code == 401
    assert anonymous.get("/api/v1/mentors").headers["www-authenticate"] == "Bearer"
    assert service.client("not-a-token").get("/api/v1/runs").status_code == 401
    assert anonymous.get("/health").status_code == 200


def test_a_curator_sees_and_changes_only_its_institution(read_world: dict[str, Any]) -> None:
    curator = read_world["curator_a"]
    assert _ids(curator, "/api/v1/mentors") == {"T-01", "T-02", "T-03", "T-04"}
    assert _ids(curator, "/api/v1/mentors", institution=B) == set()
    assert all(m.startswith("M-0") for m in _ids(curator, "/api/v1/mentees"))
    for method, path in (
        ("GET", "/api/v1/mentors/T-21"),
        ("PATCH", "/api/v1/mentors/T-21"),
        ("DELETE", "/api/v1/mentors/T-21"),
        ("GET", "/api/v1/mentees/M-21"),
        ("GET", f"/api/v1/runs/{read_world['run_b']['id']}"),
        ("GET", f"/api/v1/runs/{read_world['run_b']['id']}/proposals"),
        ("GET", f"/api/v1/runs/{read_world['run_b']['id']}/unmatched"),
        ("GET", f"/api/v1/runs/{read_world['run_b']['id']}/order.docx"),
        ("GET", f"/api/v1/runs/{read_world['run_b']['id']}/pairs.xlsx"),
        ("GET", f"/api/v1/proposals/{read_world['proposal_b']['id']}"),
    ):
        response = curator.request(method, path, json={"capacity": 1} if method == "PATCH" else None)
        assert response.status_code == 404, (method, path)
    decision = {"decision": "approve", "version": 1}
    assert (
        curator.post(
            f"/api/v1/proposals/{read_world['proposal_b']['id']}/decision", json=decision
        ).status_code
        == 404
    )
    assert {r["id"] for r in curator.get("/api/v1/runs").json()["items"]} == {read_world["run_a"]["id"]}
    assert curator.post("/api/v1/runs", json={"scope": "institution", "institution": B}).status_code == 404
    assert curator.post("/api/v1/runs", json={"scope": "municipality"}).status_code == 403
    based_on_b = {"scope": "institution", "based_on": read_world["run_b"]["id"]}
    assert curator.post("/api/v1/runs", json=based_on_b).status_code == 404
    assert read_world["curator_b"].get(f"/api/v1/runs/{read_world['run_b']['id']}").status_code == 200


def test_a_curator_cannot_import_another_institutions_people(read_world: dict[str, Any]) -> None:
    response = upload(read_world["curator_a"], "mentors", bank_csv("mentors"))
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert {(p["row"], p["column"], p["value"]) for p in problems} == {
        (6, "Образовательная организация", B),
        (7, "Образовательная организация", B),
    }, "only the rows of another institution; whether it uses those ids is not looked at"


def test_the_council_reads_and_decides_but_does_not_edit(world: dict[str, Any]) -> None:
    council = world["council_a"]
    run_id = world["run_a"]["id"]
    assert council.get("/api/v1/mentors").status_code == 200
    first = proposals(council, run_id)[0]
    assert council.post(
        f"/api/v1/proposals/{first['id']}/decision", json={"decision": "pin", "version": 1}
    ).is_success
    assert upload(council, "mentors", bank_csv("mentors", institution=A)).status_code == 403
    assert council.patch("/api/v1/mentors/T-01", json={"capacity": 1}).status_code == 403
    assert council.delete("/api/v1/mentees/M-01").status_code == 403
    assert council.post("/api/v1/runs", json={"scope": "institution"}).status_code == 403
    assert council.get(f"/api/v1/runs/{run_id}/order.docx").status_code == 403
    assert council.get("/api/v1/audit").status_code == 403
    assert council.get(f"/api/v1/runs/{world['run_b']['id']}").status_code == 404


def test_a_reader_only_reads(read_world: dict[str, Any]) -> None:
    reader = read_world["reader_a"]
    run_id = read_world["run_a"]["id"]
    first = proposals(reader, run_id)[0]
    assert reader.get(f"/api/v1/runs/{run_id}/unmatched").status_code == 200
    refused = reader.post(
        f"/api/v1/proposals/{first['id']}/decision", json={"decision": "approve", "version": 1}
    )
    assert refused.status_code == 403
    consent = {"party": "mentee", "agree": True, "version": 1}
    assert reader.post(f"/api/v1/proposals/{first['id']}/consent", json=consent).status_code == 403
    assert reader.get(f"/api/v1/runs/{run_id}/pairs.xlsx").status_code == 403
    assert reader.get("/api/v1/mentors/T-21").status_code == 404
    everything = read_world["reader_all"]
    assert _ids(everything, "/api/v1/mentors") >= {"T-01", "T-21"}
    assert everything.get(f"/api/v1/runs/{read_world['run_b']['id']}").status_code == 200
    assert everything.post("/api/v1/runs", json={"scope": "institution", "institution": A}).status_code == 403


def test_municipal_does_everything_including_cross_institution_runs(world: dict[str, Any]) -> None:
    municipal = world["municipal"]
    run = run_to_end(municipal, {"scope": "municipality"})
    assert run["status"] == "done" and run["institution"] is None
    assert run["summary"]["counts"]["mentees"] == 9
    assert {p["mentee_id"] for p in proposals(municipal, run["id"])} >= {"M-01", "M-21"}
    for viewer in ("curator_a", "council_a", "reader_a"):  # a school sees its own teachers' pairs
        seen = world[viewer].get(f"/api/v1/runs/{run['id']}").json()
        assert seen["summary"]["institution"] == A and "counts" not in seen["summary"], viewer
        assert {p["mentee_id"][:3] for p in proposals(world[viewer], run["id"])} == {"M-0"}, viewer
    assert world["reader_all"].get(f"/api/v1/runs/{run['id']}").status_code == 200
    assert municipal.get(f"/api/v1/runs/{world['run_a']['id']}/order.docx").status_code == 200
    assert municipal.post("/api/v1/runs", json={"scope": "institution", "institution": B}).status_code == 202
    assert municipal.post("/api/v1/runs", json={"scope": "institution"}).status_code == 422
    assert (
        municipal.post("/api/v1/runs", json={"scope": "institution", "institution": "nowhere"}).status_code
        == 404
    )


def test_the_audit_log_is_scoped_like_everything_else(read_world: dict[str, Any]) -> None:
    entries = read_world["curator_a"].get("/api/v1/audit", params={"limit": 1000}).json()["items"]
    assert entries and {e["institution"] for e in entries} == {A}
    everything = read_world["municipal"].get("/api/v1/audit", params={"limit": 1000}).json()["items"]
    assert {e["institution"] for e in everything} == {A, B}
    assert {e["action"] for e in everything} >= {"import", "start"}
    assert read_world["reader_all"].get("/api/v1/audit").status_code == 403


@pytest.mark.parametrize(
    ("role", "institution"),
    [("curator", None), ("council", None), ("municipal", A), ("nobody", A)],
)
def test_users_add_refuses_what_the_roles_do_not_allow(
    database_url: str, role: str, institution: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    with contextlib.redirect_stderr(io.StringIO()) as err, contextlib.redirect_stdout(io.StringIO()) as out:
        assert add_user(name="Кто-то", role=role, institution=institution) == 2
    assert out.getvalue() == "" and err.getvalue()
    assert os.environ["DATABASE_URL"] == database_url


def _with_municipality(kind: str, ids: set[str], municipality: str) -> bytes:
    header, rows = bank_rows(kind)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*header, "Муниципалитет"])
    writer.writerows([*row, municipality] for row in rows if row[0] in ids)
    return out.getvalue().encode("utf-8")


def test_a_curators_import_tells_nothing_about_other_institutions_ids(world: dict[str, Any]) -> None:
    """T-21 exists in school 2, T-99 nowhere, T-01 in school 1: a curator of school 1 referring to
    the first two hears the same answer, and T-22 (another institution's id) is imported like an
    unused one."""
    curator = world["curator_a"]
    header, rows = bank_rows("mentees")
    mentee = next(row for row in rows if row[0] == "M-01")
    mentee[header.index("Желаемые наставники")] = "T-21;T-01"
    mentee[header.index("Исключённые наставники")] = "T-99"
    refused = upload(curator, "mentees", bank_csv("mentees", rows=[mentee]))
    assert refused.status_code == 422
    messages = {p["value"]: p["message"] for p in refused.json()["detail"]}
    assert set(messages) == {"T-21", "T-99"} and messages["T-21"] == messages["T-99"]
    assert "муниципального пула" in messages["T-21"]

    # Ids are each institution's own: school 2's T-22 does not stop school 1 from using T-22.
    taken = upload(curator, "mentors", bank_csv("mentors", rows=[_mentor_row("T-22", A)]))
    unused = upload(curator, "mentors", bank_csv("mentors", rows=[_mentor_row("T-98", A)]))
    assert taken.status_code == unused.status_code == 200
    assert taken.json()["created"] == ["T-22"]

    # The pool: school 2's remote mentors of the same municipality may be preferred.
    municipal = world["municipal"]
    assert upload(municipal, "mentors", _with_municipality("mentors", {"T-21"}, "Заречный")).is_success
    pooled = _with_municipality("mentees", {"M-01"}, "Заречный").replace(b",T-01,", b",T-21,")
    accepted = upload(curator, "mentees", pooled)
    assert accepted.status_code == 200, accepted.text


def _mentor_row(person_id: str, institution: str) -> list[str]:
    header, rows = bank_rows("mentors")
    row = list(rows[0])
    row[0], row[header.index("Образовательная организация")] = person_id, institution
    return row


MISSING = {"mentors": "T-00", "mentees": "M-00", "runs": 999_999, "proposals": 999_999}
BODIES: dict[str, dict[str, Any]] = {
    "decision": {"decision": "approve", "version": 1},
    "consent": {"party": "mentee", "agree": True, "version": 1},
    "swap": {"mentor_id": "T-01", "version": 1},
}


def test_the_access_matrix_answers_alike_for_foreign_and_missing(read_world: dict[str, Any]) -> None:
    """Every operation on one resource × every role tied to school 1 × a school-2 resource and
    a missing one: the two answers are the same status and say nothing of school 2's people, so
    no answer tells whether something exists in another institution."""
    document = read_world["municipal"].get("/openapi.json").json()
    foreign = {
        "mentors": "T-21",
        "mentees": "M-21",
        "runs": read_world["run_b"]["id"],
        "proposals": read_world["proposal_b"]["id"],
    }
    names_b = [
        n for i, n in {**full_names("mentors"), **full_names("mentees")}.items() if i.endswith(("21", "22"))
    ]
    cells = 0
    for path, item in document["paths"].items():
        family = path.split("/")[3] if path.startswith("/api/v1/") else ""
        if "{id}" not in path or family not in foreign:
            continue
        for method in item:
            tail = path.rsplit("/", 1)[-1]
            body = BODIES.get(tail, {"capacity": 1} if method == "patch" else None)
            for role in ("curator_a", "council_a", "reader_a"):
                answers = []
                for resource in (foreign[family], MISSING[family]):
                    url = path.replace("{id}", str(resource))
                    response = read_world[role].request(
                        method.upper(), url, json=body, params={"party": "mentee"}
                    )
                    assert not [n for n in names_b if n in response.text], (method, url, role)
                    answers.append(response.status_code)
                    cells += 1
                assert answers[0] == answers[1] and answers[0] in (403, 404), (method, path, role, answers)
    print(f"access matrix: {cells} cells")
    assert cells >= 100, cells
