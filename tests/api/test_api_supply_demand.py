"""Supply and demand through the API (``GET /api/v1/supply-demand``): school-3's teacher needs
ICT, which no mentor of school-3 covers; mentors of school-1 and school-2 could take her
remotely. Each role sees what the pool's rules allow: the municipal role who could help, an
institution only its own rows and how many could help."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from tests.api.service import Service, full_names, import_banks, run_to_end, upload
from tests.api.test_api_municipal import C, _school_3

PATH = "/api/v1/supply-demand"


@pytest.fixture
def school_3_alone(service: Service) -> dict[str, Any]:
    municipal = service.user("municipal")
    import_banks(municipal)
    for kind in ("mentors", "mentees"):
        assert upload(municipal, kind, _school_3(kind)).status_code == 200
    curator = service.user("curator", C)
    run = run_to_end(curator, {"scope": "institution"})
    assert run["status"] == "done"
    return {"service": service, "municipal": municipal, "curator": curator, "run": run}


def test_an_institution_sees_its_gap_and_how_many_remote_mentors_could_close_it(
    school_3_alone: dict[str, Any],
) -> None:
    curator, run = school_3_alone["curator"], school_3_alone["run"]
    response = curator.get(PATH, params={"run": run["id"]})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["runs"] == [run["id"]] and report["institution"] == C
    [ict] = report["areas"]  # M-31 asks for ICT only
    assert ict["institution"] == C and ict["area"] == "ict" and ict["area_ru"].startswith("ИКТ-компетенции")
    assert (ict["requests"], ict["covered"], ict["waiting"], ict["mentors"], ict["places"]) == (1, 0, 1, 0, 0)
    # T-01, T-04 (school-1) and T-22 (school-2) cover ICT and meet remotely
    assert (ict["remote_mentors"], ict["remote_places"], ict["remote_closable"], ict["to_recruit"]) == (
        3,
        5,
        1,
        0,
    )
    assert "дистанционные наставники других организаций" in ict["conclusion_ru"]
    [lacking] = report["lacking"]
    assert lacking["full_name"] == "Соколова Вера Андреевна" and lacking["reason"] == "no_compatible_mentor"
    assert lacking["reason_ru"] == "нет наставника с нужными компетенциями"
    assert lacking["areas"] == ["ict"] and lacking["accepts_remote"] is True
    assert lacking["remote_mentors_count"] == 3 and lacking["remote_mentors"] is None  # never who
    reader = school_3_alone["service"].user("reader", C)
    assert reader.get(PATH, params={"run": run["id"]}).json() == report


def test_the_municipal_role_sees_every_institution_and_who_could_help(school_3_alone: dict[str, Any]) -> None:
    municipal, run = school_3_alone["municipal"], school_3_alone["run"]
    report = municipal.get(PATH, params={"run": run["id"]}).json()
    assert {a["institution"] for a in report["areas"]} == {None, C}  # the run matched school-3 only
    assert report["areas"][0]["institution_name"] == "Муниципалитет (все организации)"
    [lacking] = report["lacking"]
    names = full_names("mentors")
    helpers = lacking["remote_mentors"]
    assert {h["full_name"] for h in helpers} == {names["T-01"], names["T-04"], names["T-22"]}
    assert all(h["institution"] != C for h in helpers)
    one = municipal.get(PATH, params={"run": run["id"], "institution": C}).json()
    assert [a["institution"] for a in one["areas"]] == [C] and one["lacking"][0]["remote_mentors"] == helpers
    # before any run: the plan, every request waiting
    plan = municipal.get(PATH).json()
    assert plan["runs"] == [] and {a["institution"] for a in plan["areas"]} >= {
        None,
        "school-1",
        "school-2",
        C,
    }
    assert all(a["covered"] == 0 and a["waiting"] == a["requests"] for a in plan["areas"])


def test_nothing_outside_the_caller_s_scope(school_3_alone: dict[str, Any]) -> None:
    service, run = school_3_alone["service"], school_3_alone["run"]
    other = service.user("curator", "school-1")
    assert other.get(PATH, params={"run": run["id"]}).status_code == 404
    curator = school_3_alone["curator"]
    assert curator.get(PATH, params={"institution": "school-1"}).status_code == 404
    assert curator.get(PATH, params={"run": 9999}).status_code == 404
    assert curator.get(PATH, params={"run": 0}).status_code == 422
    assert service.client().get(PATH).status_code == 401
    own = other.get(PATH).json()
    assert {a["institution"] for a in own["areas"]} == {"school-1"} and own["lacking"] == []


def _sheet(client: Any, run_id: int, title: str) -> list[dict[str, Any]]:
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/v1/runs/{run_id}/pairs.xlsx").content))
    rows = list(workbook[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_exported_workbook_shows_each_role_what_the_report_does(school_3_alone: dict[str, Any]) -> None:
    run_id = school_3_alone["run"]["id"]
    helpers_column = "Дистанционные наставники других организаций со свободными местами"
    mentors = full_names("mentors")
    municipal = school_3_alone["municipal"]
    [whole] = _sheet(municipal, run_id, "Нет наставника по профилю")
    assert whole["Наставляемый (ФИО)"] == "Соколова Вера Андреевна"
    assert {line.split(" (")[0] for line in whole[helpers_column].splitlines()} == {
        mentors["T-01"],
        mentors["T-04"],
        mentors["T-22"],
    }
    curator = school_3_alone["curator"]
    [own] = _sheet(curator, run_id, "Нет наставника по профилю")
    assert own["Наставляемый (ФИО)"] == "Соколова Вера Андреевна"
    assert own[helpers_column] == "3 (ФИО — у муниципального координатора)"  # never who
    [ict] = _sheet(curator, run_id, "Спрос и предложение")
    assert ict["Направление (затруднение)"].startswith("ИКТ-компетенции") and ict["Закроют дистанционно"] == 1
