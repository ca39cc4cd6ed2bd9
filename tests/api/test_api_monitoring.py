"""Monitoring through the service: questionnaires in (one by one and a whole file), the
indicators of 003 §7.7 out, for every role within its scope, on both databases.

Three schools (the test banks plus school-3, whose one young mentee is paired remotely with a
mentor of school-2 by the municipal run). Five programs are opened in 2026/27; every expected
figure below was counted by hand from the banks (tests/api/data) and the steps of the fixture.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.api.service import Service, bank_csv, bank_rows, import_banks, proposals, run_to_end, upload

C = "school-3"
YEAR = {"year": "2026/27"}


def _school_3(kind: str) -> bytes:
    header, _ = bank_rows(kind)
    value = dict.fromkeys(header, "")
    if kind == "mentees":
        value |= {
            "Идентификатор": "M-31",
            "ФИО": "Соколова Вера Андреевна",
            "Стаж": "1",
            "Затруднения": "ict:3",
            "Формат": "дистанционно",
        }
    else:
        value |= {"Идентификатор": "T-31", "ФИО": "Зайцев Олег Петрович", "Компетенции": "legal:3"}
    value |= {"Образовательная организация": C, "Согласие": "да"}
    return bank_csv(kind, rows=[[value[column] for column in header]])


def _open(client: httpx.Client, proposal: dict[str, Any], start: str, months: int) -> dict[str, Any]:
    version = proposal["version"]
    for path, body in (
        ("decision", {"decision": "approve"}),
        ("consent", {"party": "mentee", "agree": True}),
        ("consent", {"party": "mentor", "agree": True}),
    ):
        answer = client.post(f"/api/v1/proposals/{proposal['id']}/{path}", json={**body, "version": version})
        assert answer.status_code == 200, answer.text
        version = answer.json()["version"]
    created = client.post(
        "/api/v1/programs", json={"proposal_id": proposal["id"], "start": start, "months": months}
    )
    assert created.status_code == 201, created.text
    program: dict[str, Any] = created.json()
    return program


def _csv(rows: list[list[object]]) -> bytes:
    return "\n".join(",".join(str(cell) for cell in row) for row in rows).encode("utf-8")


@pytest.fixture
def municipality(service: Service) -> dict[str, Any]:
    """P1 M-01–T-01 completed, P2 M-03–T-03 ended early, P3 M-04–T-04 running (school-1);
    P4 M-21–T-21 completed (school-2); P5 M-31 (school-3) – a mentor of school-2, running."""
    municipal = service.user("municipal")
    import_banks(municipal)
    for kind in ("mentors", "mentees"):
        assert upload(municipal, kind, _school_3(kind)).status_code == 200
    run = run_to_end(municipal, {"scope": "municipality"})
    assert run["status"] == "done", run["error"]
    pairs = {p["mentee_id"]: p for p in proposals(municipal, run["id"])}
    assert pairs["M-31"]["mentor_institution"] == "school-2" and pairs["M-31"]["format"] == "remote"
    programs = {
        "P1": _open(municipal, pairs["M-01"], "2026-09-01", 9),
        "P2": _open(municipal, pairs["M-03"], "2026-09-01", 6),
        "P3": _open(municipal, pairs["M-04"], "2026-09-01", 9),
        "P4": _open(municipal, pairs["M-21"], "2026-10-01", 9),
        "P5": _open(municipal, pairs["M-31"], "2026-09-01", 6),
    }
    for name, path, body in (
        ("P1", "complete", {"on": "2027-05-31"}),
        ("P2", "end", {"reason": "mutual", "on": "2026-12-01"}),
        ("P4", "complete", {"on": "2027-06-30"}),
    ):
        answer = municipal.post(
            f"/api/v1/programs/{programs[name]['id']}/{path}", json={**body, "version": 1}
        )
        assert answer.status_code == 200, answer.text
    ids = {name: program["id"] for name, program in programs.items()}
    users = {
        "municipal": municipal,
        "curator-1": service.user("curator", "school-1"),
        "council-1": service.user("council", "school-1"),
        "curator-2": service.user("curator", "school-2"),
        "curator-3": service.user("curator", C),
        "reader-2": service.user("reader", "school-2"),
        "reader": service.user("reader"),
    }
    return {"ids": ids, "users": users, "service": service}


def _fill(municipality: dict[str, Any]) -> None:
    """The questionnaires of the five programs, by the institution of each participant."""
    ids, users = municipality["ids"], municipality["users"]
    curator1, curator2 = users["curator-1"], users["curator-2"]
    posted = curator1.post(
        f"/api/v1/programs/{ids['P1']}/questionnaires",
        json={
            "party": "mentee",
            "satisfaction": 9,
            "scales": {"motivation": 9, "adaptation": 8},
            "overcome": ["ict"],
            "partly": ["Оценивание"],
            "future": "unsure",
            "answers": {"most_useful": "Открытые уроки Смирновой Анны Петровны"},
        },
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["partly"] == ["assessment"] and posted.json()["institution"] == "school-1"
    mentee_file = _csv(
        [
            [
                "Программа",
                "ФИО",
                "Удовлетворённость участием",
                "Затруднения не преодолены",
                "Хотел бы стать наставником",
            ],
            [ids["P2"], "Сидорова Наталья Викторовна", 5, "адаптация", "нет"],
        ]
    )
    imported = curator1.post(
        "/api/v1/monitoring/questionnaires/import",
        params={"party": "mentee"},
        files={"file": ("анкеты-наставляемых.csv", mentee_file)},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == [ids["P2"]]
    mentor_file = _csv(
        [
            ["Программа", "Удовлетворённость участием", "Трудности при реализации"],
            [ids["P1"], 8, ""],
            [ids["P2"], 6, "Иванова Ольга просила заменить часы"],
        ]
    )
    imported = curator1.post(
        "/api/v1/monitoring/questionnaires/import",
        params={"party": "mentor"},
        files={"file": ("анкеты-наставников.csv", mentor_file)},
    )
    assert imported.status_code == 200, imported.text
    for party, score in (("mentee", 7), ("mentor", 10)):
        answer = curator2.post(
            f"/api/v1/programs/{ids['P4']}/questionnaires", json={"party": party, "satisfaction": score}
        )
        assert answer.status_code == 201, answer.text
    # the cross-institution program: each side records its own participant
    refused = users["curator-3"].post(
        f"/api/v1/programs/{ids['P5']}/questionnaires", json={"party": "mentor", "satisfaction": 9}
    )
    assert refused.status_code == 403 and "вносит его организация" in refused.json()["detail"]
    for client, party, score in ((users["curator-3"], "mentee", 8), (curator2, "mentor", 9)):
        answer = client.post(
            f"/api/v1/programs/{ids['P5']}/questionnaires", json={"party": party, "satisfaction": score}
        )
        assert answer.status_code == 201, answer.text


def _by_code(monitoring: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["institution"]: item for item in monitoring["institutions"]}


def _figures(item: dict[str, Any]) -> tuple[Any, ...]:
    return (
        item["young_specialists"]["part"],
        item["young_specialists"]["whole"],
        item["young_specialists"]["percent"],
        item["mentee_satisfaction"]["questionnaires"],
        item["mentee_satisfaction"]["mean"],
        item["mentee_satisfaction"]["satisfied"]["percent"],
        item["mentor_satisfaction"]["questionnaires"],
        item["mentor_satisfaction"]["mean"],
        item["mentor_satisfaction"]["satisfied"]["percent"],
        item["completed"]["part"],
        item["completed"]["whole"],
        item["completed"]["percent"],
        item["ended_early"],
        item["running"],
    )


# Counted by hand. Young specialists (under 3 years or «молодой специалист»): school-1 M-01, M-02,
# M-03, M-05, M-07 (M-04 has 25 years, M-06 4), in programs M-01 and M-03; school-2 M-21, M-22,
# in a program M-21; school-3 M-31. Mentees' satisfaction: school-1 9 and 5, school-2 7,
# school-3 8; mentors': school-1 8 and 6, school-2 10 and 9 (P5's mentor is of school-2).
EXPECTED = {
    "school-1": (2, 5, 40.0, 2, 7.0, 50.0, 2, 7.0, 50.0, 1, 2, 50.0, 1, 1),
    "school-2": (1, 2, 50.0, 1, 7.0, 100.0, 2, 9.5, 100.0, 1, 1, 100.0, 0, 0),
    C: (1, 1, 100.0, 1, 8.0, 100.0, 0, None, None, 0, 0, None, 0, 1),
}
MUNICIPALITY = (4, 8, 50.0, 4, 7.25, 75.0, 4, 8.25, 75.0, 2, 3, 66.7, 1, 2)


def test_indicators_by_hand_for_every_institution_and_the_municipality(municipality: dict[str, Any]) -> None:
    _fill(municipality)
    answer = municipality["users"]["municipal"].get("/api/v1/monitoring", params=YEAR)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["targets"] == {
        "young_specialists": 70.0,
        "mentee_satisfaction": 85.0,
        "mentor_satisfaction": 85.0,
        "completed": None,
    }
    found = _by_code(result)
    assert list(found) == ["school-1", "school-2", C]
    assert {code: _figures(item) for code, item in found.items()} == EXPECTED
    assert _figures(result["municipality"]) == MUNICIPALITY
    school_1 = found["school-1"]
    assert school_1["young_specialists"]["met"] is False and school_1["completed"]["met"] is None
    # question 2 of school-1's mentees: ict overcome, assessment partly (P1), adaptation not (P2)
    assert school_1["difficulties_overcome"] == {
        "part": 1, "whole": 3, "percent": 33.3, "target": None, "met": None,
    }  # fmt: skip
    assert school_1["mentee_satisfaction"]["histogram"] == [0, 0, 0, 0, 1, 0, 0, 0, 1, 0]
    # the year before holds none of it
    earlier = municipality["users"]["municipal"].get("/api/v1/monitoring", params={"year": "2025/26"}).json()
    assert _figures(earlier["municipality"])[3:] == (0, None, None, 0, None, None, 0, 0, None, 0, 0)


def test_every_role_sees_its_own_institution_only(municipality: dict[str, Any]) -> None:
    _fill(municipality)
    users = municipality["users"]
    for name, code in (("curator-1", "school-1"), ("council-1", "school-1"), ("reader-2", "school-2")):
        result = users[name].get("/api/v1/monitoring", params=YEAR).json()
        assert [item["institution"] for item in result["institutions"]] == [code], name
        assert result["municipality"] is None
        assert _figures(result["institutions"][0]) == EXPECTED[code]
    everything = users["reader"].get("/api/v1/monitoring", params=YEAR).json()
    assert _figures(everything["municipality"]) == MUNICIPALITY
    one = users["municipal"].get("/api/v1/monitoring", params={**YEAR, "institution": "school-2"}).json()
    assert [item["institution"] for item in one["institutions"]] == ["school-2"] and one[
        "municipality"
    ] is None
    for client, params in (
        (users["curator-1"], {**YEAR, "institution": "school-2"}),
        (users["municipal"], {**YEAR, "institution": "school-9"}),
    ):
        assert client.get("/api/v1/monitoring", params=params).status_code == 404
    bad = users["municipal"].get("/api/v1/monitoring", params={"year": "2026/28"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["column"] == "year"
    # a questionnaire is read by its own institution: school-1 sees nothing of P5's
    p5 = municipality["ids"]["P5"]
    assert users["curator-1"].get(f"/api/v1/programs/{p5}/questionnaires").status_code == 404
    assert [q["party"] for q in users["curator-3"].get(f"/api/v1/programs/{p5}/questionnaires").json()] == [
        "mentee"
    ]
    assert [q["party"] for q in users["reader-2"].get(f"/api/v1/programs/{p5}/questionnaires").json()] == [
        "mentor"
    ]
    # targets: the municipality sets them, everybody is measured against them
    body = {"young_specialists": 40, "mentee_satisfaction": 50, "mentor_satisfaction": 50, "completed": 60}
    assert users["curator-1"].put("/api/v1/monitoring/targets", params=YEAR, json=body).status_code == 403
    assert (
        users["council-1"]
        .post(
            f"/api/v1/programs/{municipality['ids']['P1']}/questionnaires",
            json={"party": "mentee", "satisfaction": 3},
        )
        .status_code
        == 201
    )  # the council records its own teachers' questionnaires too
    saved = users["municipal"].put("/api/v1/monitoring/targets", params=YEAR, json=body)
    assert saved.status_code == 200 and saved.json()["targets"]["completed"] == 60
    school_1 = users["curator-1"].get("/api/v1/monitoring", params=YEAR).json()["institutions"][0]
    assert school_1["young_specialists"]["met"] is True  # 40 >= 40
    assert school_1["completed"]["met"] is False  # 50 < 60
    assert school_1["mentee_satisfaction"]["mean"] == 4.0  # 3 (replaced 9) and 5
    assert users["reader"].get("/api/v1/monitoring/targets", params={"year": "2023/24"}).json()["targets"] == {
        "young_specialists": 50.0, "mentee_satisfaction": 75.0, "mentor_satisfaction": 75.0, "completed": None,
    }  # fmt: skip


def test_a_bad_intake_file_is_refused_whole_with_every_problem_in_russian(
    municipality: dict[str, Any],
) -> None:
    ids, curator = municipality["ids"], municipality["users"]["curator-1"]

    def send(rows: list[list[object]], party: str = "mentee") -> httpx.Response:
        return curator.post(
            "/api/v1/monitoring/questionnaires/import",
            params={"party": party},
            files={"file": ("анкеты.csv", _csv(rows))},
        )

    header = ["Программа", "ФИО", "Удовлетворённость участием", "Хотел бы стать наставником"]
    refused = send([header, [ids["P1"], "", 11, "может быть"], ["", "", 7, ""]])
    assert refused.status_code == 422
    assert [
        (p["file"], p["row"], p["column"], p["value"], p["message"]) for p in refused.json()["detail"]
    ] == [
        ("анкеты.csv", 2, "Удовлетворённость участием", "11", "ожидается целое число от 1 до 10"),
        (
            "анкеты.csv",
            2,
            "Хотел бы стать наставником",
            "может быть",
            "ожидается «да», «нет» или «пока не знаю»",
        ),
        ("анкеты.csv", 3, "Программа", "", "обязательное поле не заполнено"),
    ]
    refused = send(
        [
            header,
            [ids["P1"], "Иванова Ольга Дмитриевна", 8, "да"],
            [ids["P4"], "", 8, ""],  # school-2's program
            [ids["P3"], "Петров Алексей Николаевич", 8, ""],  # P3's mentee is Козлова
            [999, "", 8, ""],
        ]
    )
    assert refused.status_code == 422
    problems = [(p["row"], p["column"], p["value"], p["message"]) for p in refused.json()["detail"]]
    assert problems == [
        (3, "Программа", str(ids["P4"]), "программа с таким номером не найдена"),
        (
            4,
            "ФИО",
            "Петров Алексей Николаевич",
            f"в программе {ids['P3']} наставляемый — Козлова Дарья Игоревна: проверьте номер программы",
        ),
        (5, "Программа", "999", "программа с таким номером не найдена"),
    ]
    near_miss = send([["Программа", "Удовлетворённость участием", "Оценка наставника"], [ids["P1"], 8, 9]])
    assert near_miss.status_code == 422 and "столбец не распознан" in near_miss.json()["detail"][0]["message"]
    # nothing of the refused files was written (P1's row 2 was valid)
    assert curator.get(f"/api/v1/programs/{ids['P1']}/questionnaires").json() == []
    # the other side of a cross-institution program: its own institution records it
    refused = municipality["users"]["curator-3"].post(
        "/api/v1/monitoring/questionnaires/import",
        params={"party": "mentor"},
        files={"file": ("анкеты.csv", _csv([["Программа", "Удовлетворённость участием"], [ids["P5"], 9]]))},
    )
    assert refused.status_code == 422
    assert (
        refused.json()["detail"][0]["message"]
        == "анкету наставника из другой организации вносит его организация"
    )


def test_the_intake_workbook_goes_back_as_it_is(municipality: dict[str, Any]) -> None:
    ids, curator = municipality["ids"], municipality["users"]["curator-1"]
    template = curator.get(
        "/api/v1/monitoring/questionnaires/template.xlsx", params={"party": "mentee", **YEAR}
    )
    assert template.status_code == 200
    sheet = load_workbook(BytesIO(template.content)).active
    assert sheet is not None
    header = [cell.value for cell in sheet[4]]
    assert header[:4] == ["Программа", "ФИО", "Удовлетворённость участием", "Затруднения преодолены"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]}
    assert rows == {
        ids["P1"]: "Иванова Ольга Дмитриевна",
        ids["P2"]: "Сидорова Наталья Викторовна",
        ids["P3"]: "Козлова Дарья Игоревна",
    }
    satisfaction = header.index("Удовлетворённость участием") + 1
    for number in range(5, 8):
        sheet.cell(number, satisfaction, 8)
    out = BytesIO()
    sheet.parent.save(out)
    imported = curator.post(
        "/api/v1/monitoring/questionnaires/import",
        params={"party": "mentee"},
        files={"file": ("анкеты.xlsx", out.getvalue())},
    )
    assert imported.status_code == 200, imported.text
    assert sorted(imported.json()["created"]) == sorted([ids["P1"], ids["P2"], ids["P3"]])


def test_erasure_keeps_the_scores_and_removes_the_answers(municipality: dict[str, Any]) -> None:
    _fill(municipality)
    ids, users = municipality["ids"], municipality["users"]
    assert users["municipal"].delete("/api/v1/mentees/M-01").status_code == 204
    [mentee] = [
        q
        for q in users["curator-1"].get(f"/api/v1/programs/{ids['P1']}/questionnaires").json()
        if q["party"] == "mentee"
    ]
    assert mentee["satisfaction"] == 9 and mentee["answers"] == {} and mentee["overcome"] == ["ict"]
    [mentor] = [
        q
        for q in users["curator-1"].get(f"/api/v1/programs/{ids['P2']}/questionnaires").json()
        if q["party"] == "mentor"
    ]
    assert mentor["answers"] == {"troubles": "[удалено] [удалено] просила заменить часы"}
    school_1 = users["curator-1"].get("/api/v1/monitoring", params=YEAR).json()["institutions"][0]
    assert school_1["mentee_satisfaction"]["mean"] == 7.0  # still 9 and 5
    assert (school_1["young_specialists"]["part"], school_1["young_specialists"]["whole"]) == (1, 4)


def test_the_reports_name_institutions_in_full_and_draw_their_charts(municipality: dict[str, Any]) -> None:
    _fill(municipality)
    users = municipality["users"]
    registry = "Код,Полное наименование,Краткое наименование\nschool-1,Средняя школа № 1 имени А. С. Пушкина,СШ № 1\n"
    assert (
        users["municipal"]
        .post("/api/v1/institutions/import", files={"file": ("организации.csv", registry.encode())})
        .status_code
        == 200
    )
    workbook = users["municipal"].get("/api/v1/monitoring/report.xlsx", params=YEAR)
    assert (
        workbook.status_code == 200 and "monitoring-2026-27.xlsx" in workbook.headers["content-disposition"]
    )
    sheet = load_workbook(BytesIO(workbook.content))["Показатели"]
    names = [sheet.cell(row, 1).value for row in range(6, 10)]
    assert names == [
        "school-2",
        C,
        "Средняя школа № 1 имени А. С. Пушкина",
        "Муниципалитет (все организации)",
    ]
    assert sheet.cell(9, 4).value == 0.5 and sheet.cell(9, 4).number_format == "0.0%"
    page = users["curator-1"].get("/api/v1/monitoring/report.html", params=YEAR)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers.get_list("content-security-policy")
    assert policy == [
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ]  # no script at all
    text = page.text
    assert "Мониторинг программ наставничества" in text and text.count("<svg") == 2
    assert "Средняя школа № 1 имени А. С. Пушкина" in text and "school-2" not in text
