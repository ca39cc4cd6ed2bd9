"""The yearly cycle: finished programs closed, every institution matched, then the municipal
remote pass for the mentees no institution could place; the same through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.cli import main
from tests.api.service import Service, agree, full_names, import_banks, proposals, run_to_end, upload
from tests.api.test_api_municipal import C, _school_3


def test_a_cycle_closes_finished_programs_and_places_the_rest_remotely(service: Service) -> None:
    municipal = service.user("municipal")
    import_banks(municipal)
    for kind in ("mentors", "mentees"):
        assert upload(municipal, kind, _school_3(kind)).status_code == 200
    curator = service.user("curator", "school-1")
    last_year = run_to_end(curator, {"scope": "institution"})
    pair = next(p for p in proposals(curator, last_year["id"]) if not p["group_id"])
    agree(curator, pair)
    body = {"proposal_id": pair["id"], "start": "2025-10-01", "months": 6}
    assert curator.post("/api/v1/programs", json=body).status_code == 201
    assert service.user("curator", C).post("/api/v1/cycles", json={"year": "2026/27"}).status_code == 403
    assert municipal.post("/api/v1/cycles", json={"year": "2026-27"}).status_code == 422
    assert municipal.post("/api/v1/cycles", json={"year": "2026/28"}).status_code == 422  # no such year
    assert municipal.post("/api/v1/cycles", json={"year": "9999/00"}).status_code == 422
    response = municipal.post("/api/v1/cycles", json={"year": "2026/27"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["closed_programs"] == 1 and report["running_programs"] == 0
    assert [item["institution"] for item in report["institutions"]] == ["school-1", "school-2", C]
    own = next(item for item in report["institutions"] if item["institution"] == C)
    assert own["proposals"] == 0 and own["unmatched"] == 1
    remote = report["municipal_pass"]
    assert remote["status"] == "done" and remote["cross_institution"] >= 1
    [cross] = [p for p in proposals(municipal, remote["run_id"]) if p["mentee_id"] == "M-31"]
    assert cross["mentor_institution"] != C and cross["format"] == "remote"
    assert municipal.get("/api/v1/programs", params={"status": "completed"}).json()["total"] == 1
    # the year's supply and demand over all the cycle's runs: school-3's ICT request is covered remotely
    supply = report["supply_demand"]
    assert supply["runs"] == [*(item["run_id"] for item in report["institutions"]), remote["run_id"]]
    [ict] = [a for a in supply["areas"] if a["institution"] == C]
    assert (ict["area"], ict["requests"], ict["covered"], ict["mentors"]) == ("ict", 1, 1, 0)
    assert supply["lacking"] == []
    # the school sees its teacher's remote pair in the municipal pass
    council = service.user("council", C)
    assert [p["id"] for p in proposals(council, remote["run_id"])] == [cross["id"]]


def test_the_cycle_command_writes_its_report(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["cycle", "--year", "2026/2027"]) == 2
    out = tmp_path / "cycle.json"
    assert main(["cycle", "--year", "2026/27", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Годовой цикл 2026/27" in printed and "Спрос и предложение" in printed
    assert "mentor-match monitoring --year 2025/26" in printed  # last year's programs, now closed
    assert json.loads(out.read_text(encoding="utf-8"))["institutions"] == []
    assert main(["cycle", "--year", "2027/28", "--heavy-years", "0"]) == 2
    assert main(["cycle", "--year", "2027/28", "--heavy-years", "2", "--out", str(out)]) == 0
    assert "тяжёлых учебных лет подряд — не более 2" in capsys.readouterr().out
    assert json.loads(out.read_text(encoding="utf-8"))["heavy_years"]["mentees"] == 3


def test_a_mentor_after_the_limit_of_heavy_years_takes_no_new_mentee(service: Service) -> None:
    municipal = service.user("municipal")
    import_banks(municipal)
    curator = service.user("curator", "school-1")
    last_year = run_to_end(curator, {"scope": "institution"})
    pair = next(p for p in proposals(curator, last_year["id"]) if not p["group_id"])
    agree(curator, pair)
    body = {"proposal_id": pair["id"], "start": "2025-10-01", "months": 6}
    assert curator.post("/api/v1/programs", json=body).status_code == 201
    busy = pair["mentor_id"]
    too_many = municipal.post("/api/v1/cycles", json={"year": "2026/27", "heavy_years": 0})
    assert too_many.status_code == 422
    response = municipal.post(
        "/api/v1/cycles", json={"year": "2026/27", "heavy_years": 1, "heavy_year_mentees": 1}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    rest = report["heavy_years"]
    assert (rest["years"], rest["mentees"]) == (1, 1)
    [resting] = rest["resting"]
    assert resting["mentor_id"] == busy and resting["heavy_years"] == ["2025/26"]
    assert resting["full_name"] == full_names("mentors")[busy]
    runs = [item["run_id"] for item in report["institutions"]]
    if report["municipal_pass"] is not None:
        runs.append(report["municipal_pass"]["run_id"])
    assert all(p["mentor_id"] != busy for run in runs for p in proposals(municipal, run))
    # a re-run of the cycle's run keeps the rest; without the limit the mentor is proposed again
    again = run_to_end(curator, {"scope": "institution", "based_on": runs[0]})
    assert all(p["mentor_id"] != busy for p in proposals(curator, again["id"]))
    free = run_to_end(curator, {"scope": "institution"})
    assert any(p["mentor_id"] == busy for p in proposals(curator, free["id"]))
