"""Re-importing a bank that no longer names some of its people: by default they are kept and
named (`absent`), unchanged rows are reported as unchanged; with `?replace=true` the file is the
bank of its institutions — the others are erased in the import's transaction (`removed`), never
while they are in a running program, never outside the caller's scope."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.api.service import (
    Service,
    agree,
    bank_csv,
    bank_rows,
    full_names,
    import_banks,
    proposals,
    run_to_end,
)

SCHOOL, OTHER = "school-1", "school-2"
LEFT = ["M-05", "M-06", "M-07"]


def _rows(kind: str, institution: str, *, drop: tuple[str, ...] = ()) -> tuple[list[str], list[list[str]]]:
    header, rows = bank_rows(kind)
    column = header.index("Образовательная организация")
    return header, [row for row in rows if row[column] == institution and row[0] not in drop]


def _import(client: httpx.Client, kind: str, rows: list[list[str]], **params: Any) -> httpx.Response:
    files = {"file": (f"{kind}.csv", bank_csv(kind, rows=rows))}
    return client.post(f"/api/v1/{kind}/import", params=params, files=files)


def _left(ids: list[str], institution: str = SCHOOL) -> list[dict[str, str]]:
    names = full_names("mentees")
    return [{"id": i, "institution": institution, "full_name": names[i]} for i in ids]


def _audit_text(client: httpx.Client) -> str:
    return client.get("/api/v1/audit", params={"limit": 1000}).text


def test_a_smaller_bank_keeps_and_names_the_absent_and_unchanged_rows_are_unchanged(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)

    header, rows = _rows("mentees", SCHOOL, drop=tuple(LEFT))
    rows[1][header.index("Запрос")] = "Хочу научиться работать с родителями"
    response = _import(curator, "mentees", rows)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["rows"] == 4 and answer["created"] == [] and answer["updated"] == ["M-02"]
    assert answer["unchanged"] == ["M-01", "M-03", "M-04"]
    assert answer["absent"] == _left(LEFT) and answer["removed"] == [] and answer["replaced"] is False
    # kept: still in the bank (and so in the next run), as an existing client expects
    assert curator.get("/api/v1/mentees").json()["total"] == 7
    assert curator.get("/api/v1/mentees/M-05").status_code == 200

    again = _import(curator, "mentees", rows).json()
    assert again["updated"] == [] and again["unchanged"] == ["M-01", "M-02", "M-03", "M-04"]
    assert [person["id"] for person in again["absent"]] == LEFT

    entries = curator.get("/api/v1/audit", params={"limit": 1}).json()["items"]
    assert entries[0]["action"] == "import" and entries[0]["detail"]["absent"] == LEFT
    assert entries[0]["detail"]["unchanged"] == ["M-01", "M-02", "M-03", "M-04"]
    audit = _audit_text(curator)
    assert not any(name in audit for name in (full_names("mentees")[i] for i in LEFT))


def test_replace_erases_the_absent_of_the_files_institutions_only(service: Service) -> None:
    municipal = service.user("municipal")
    import_banks(municipal)
    curator = service.user("curator", SCHOOL)
    names = full_names("mentees")

    response = _import(curator, "mentees", _rows("mentees", SCHOOL, drop=tuple(LEFT))[1], replace="true")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["replaced"] is True and answer["removed"] == _left(LEFT) and answer["absent"] == []
    assert answer["unchanged"] == ["M-01", "M-02", "M-03", "M-04"] and answer["rows"] == 4
    assert curator.get("/api/v1/mentees").json()["total"] == 4
    assert all(curator.get(f"/api/v1/mentees/{i}").status_code == 404 for i in LEFT)
    assert municipal.get("/api/v1/mentees", params={"institution": OTHER}).json()["total"] == 2

    # erased as DELETE erases: an audit entry each, no name left anywhere in the log
    entries = curator.get("/api/v1/audit", params={"limit": 100}).json()["items"]
    erased = sorted(e["entity_id"] for e in entries if e["action"] == "erase")
    assert erased == LEFT
    assert all(e["detail"]["reason"] == "import" for e in entries if e["action"] == "erase")
    audit = _audit_text(municipal)
    assert not any(names[i] in audit for i in LEFT)

    # the next run no longer sees them
    run = run_to_end(curator, {"scope": "institution"})
    assert run["status"] == "done", run["error"]
    unmatched = curator.get(f"/api/v1/runs/{run['id']}/unmatched", params={"limit": 100}).json()["items"]
    seen = {p["mentee_id"] for p in proposals(curator, run["id"])} | {u["mentee_id"] for u in unmatched}
    assert seen == {"M-01", "M-02", "M-03", "M-04"}

    # the municipal role's file replaces the banks of the institutions in it, no others
    rows = _rows("mentees", OTHER, drop=("M-22",))[1]
    again = _import(municipal, "mentees", rows, replace="true").json()
    assert again["removed"] == _left(["M-22"], OTHER)
    assert municipal.get("/api/v1/mentees", params={"institution": SCHOOL}).json()["total"] == 4
    assert municipal.get("/api/v1/mentees", params={"institution": OTHER}).json()["total"] == 1

    # mentors alike; a curator's replacing file leaves the other institution's mentors alone
    mentors = _rows("mentors", SCHOOL, drop=("T-04",))[1]
    done = _import(curator, "mentors", mentors, replace="true").json()
    assert [p["id"] for p in done["removed"]] == ["T-04"]
    assert municipal.get("/api/v1/mentors").json()["total"] == 5


def test_replace_refuses_to_erase_people_in_a_running_program_and_writes_nothing(service: Service) -> None:
    import_banks(service.user("municipal"))
    curator = service.user("curator", SCHOOL)
    run = run_to_end(curator, {"scope": "institution"})
    assert run["status"] == "done", run["error"]
    pairs = [p for p in proposals(curator, run["id"]) if not p["group_id"]]
    first, second = pairs[0], pairs[1]
    agree(curator, first)
    body = {"proposal_id": first["id"], "start": "2026-09-15", "months": 9}
    assert curator.post("/api/v1/programs", json=body).status_code == 201
    in_program, proposed = first["mentee_id"], second["mentee_id"]
    audit_before = curator.get("/api/v1/audit").json()["total"]

    header, rows = _rows("mentees", SCHOOL, drop=(in_program, proposed))
    rows[0][header.index("Запрос")] = "Новый запрос"
    refused = _import(curator, "mentees", rows, replace="true")
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert in_program in detail and full_names("mentees")[in_program] in detail and proposed not in detail
    assert curator.get("/api/v1/mentees").json()["total"] == 7
    assert curator.get(f"/api/v1/mentees/{rows[0][0]}").json()["request"] != "Новый запрос"
    assert curator.get("/api/v1/audit").json()["total"] == audit_before

    # with the person in the file, the rest is replaced: the proposed mentee's pair keeps its
    # status and loses what was derived from her fields, as after DELETE
    rows = _rows("mentees", SCHOOL, drop=(proposed,))[1]
    done = _import(curator, "mentees", rows, replace="true")
    assert done.status_code == 200, done.text
    assert [p["id"] for p in done.json()["removed"]] == [proposed]
    kept = [p for p in proposals(curator, run["id"]) if p["id"] == second["id"]]
    assert kept and kept[0]["explanation"] == "" and kept[0]["status"] == second["status"]
    assert curator.get(f"/api/v1/mentees/{in_program}").status_code == 200


def test_a_total_under_the_table_is_not_imported_and_the_answer_says_so(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    header, rows = _rows("mentors", SCHOOL)
    total = ["Итого:", str(len(rows))] + [""] * (len(header) - 2)

    answer = _import(curator, "mentors", [*rows, total])

    assert answer.status_code == 200, answer.text
    assert answer.json()["rows"] == len(rows)
    assert answer.json()["notices"] == [
        f"mentors.csv: строка {len(rows) + 2} под таблицей («Итого:») — итог или подпись, не люди: не прочитаны"
    ]


def test_two_files_replacing_a_bank_at_once_leave_one_of_them_whole(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each import reads the bank's absent people, then writes: two at once (the window widened
    here by a pause after the read) must not each erase what the other writes."""
    from concurrent.futures import ThreadPoolExecutor

    from api.storage import repository

    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    header, rows = _rows("mentors", SCHOOL)
    halves = {"first": rows[: len(rows) // 2], "second": rows[len(rows) // 2 :]}
    read = repository.absent_people

    def slow_read(*args: Any, **kwargs: Any) -> Any:
        found = read(*args, **kwargs)
        time.sleep(1.0)
        return found

    monkeypatch.setattr(repository, "absent_people", slow_read)
    clients = {name: service.user("curator", SCHOOL) for name in halves}
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(lambda name: _import(clients[name], "mentors", halves[name], replace="true"), halves)
        )

    assert [answer.status_code for answer in answers] == [200, 200], [answer.text for answer in answers]
    stored = {p["id"] for p in curator.get("/api/v1/mentors", params={"limit": 500}).json()["items"]}
    assert stored in ({row[0] for row in half} for half in halves.values())
