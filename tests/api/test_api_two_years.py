"""Issue 10, item 7: a municipality of three institutions through two simulated school years.

sch-A (school): TA1 (ICT, lessons; 2 places), TA2 (parents; in person only), mentees MA1 (ICT),
MA2 (lessons, in person), MA3 (parents, in person), MA4 (no consent).
sch-B (school): TB1 (legal, ICT; 2 places, remote too), TB2 (ICT, no consent), mentee MB1 (legal).
ДС-5 (kindergarten): TC1 (psychology, in person only), mentees MC1 (legal, remote too: nobody of
the kindergarten covers it), MC2 (ICT, in person only: only other institutions cover it), MC3
(psychology).

Year 2026/27: each institution matches its own; the municipal pass pairs MC1 remotely with TB1;
MC2 stays unmatched (in person only). Every pair is approved by each side, both participants
agree, and programs open on 1 October for 9 or 12 months. Year 2027/28, with at most one heavy
year (two mentees) in a row: the 9-month programs are completed, the 12-month ones (MA2–TA1,
MC1–TB1) keep their mentors; TA1 and TB1 carried two mentees in 2026/27 and rest; new mentees
MA5 (ICT) and MB2 (legal) arrive. Checked by hand, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from tests.api.service import Service, bank_csv, bank_rows, proposals, upload

A, B, K = "sch-A", "sch-B", "ДС-5"
REGISTRY = (
    "Код,Полное наименование,Краткое наименование,Тип\r\n"
    "sch-A,Муниципальное бюджетное общеобразовательное учреждение «Школа А»,МБОУ «Школа А»,школа\r\n"
    "sch-B,Муниципальное бюджетное общеобразовательное учреждение «Школа Б»,МБОУ «Школа Б»,школа\r\n"
    "ДС-5,Муниципальное бюджетное дошкольное образовательное учреждение «Детский сад №5»,"
    "МБДОУ «Детский сад №5»,детский сад\r\n"
)
MENTORS = {  # id: (ФИО, institution, competences, places, format, consent)
    "TA1": ("Андреева Анна Павловна", A, "ict:3;lesson:2", "2", "смешанный", "да"),
    "TA2": ("Борисов Борис Ильич", A, "parents:3", "1", "очно", "да"),
    "TB1": ("Васильева Вера Олеговна", B, "legal:3;ict:2", "2", "смешанный", "да"),
    "TB2": ("Григорьев Глеб Ефимович", B, "ict:3", "2", "смешанный", "нет"),
    "TC1": ("Дмитриева Дина Сергеевна", K, "psychology:3", "1", "очно", "да"),
}
MENTEES = {  # id: (ФИО, institution, difficulties, format, consent)
    "MA1": ("Егорова Елена Андреевна", A, "ict:3", "смешанный", "да"),
    "MA2": ("Жуков Захар Петрович", A, "lesson:3", "очно", "да"),
    "MA3": ("Зайцева Зоя Игоревна", A, "parents:2", "очно", "да"),
    "MA4": ("Ильин Иван Ильич", A, "ict:2", "смешанный", "нет"),
    "MB1": ("Климова Ксения Юрьевна", B, "legal:2", "смешанный", "да"),
    "MC1": ("Лебедева Лидия Марковна", K, "legal:3", "смешанный", "да"),
    "MC2": ("Морозова Мария Олеговна", K, "ict:2", "очно", "да"),
    "MC3": ("Никитина Нина Павловна", K, "psychology:2", "очно", "да"),
}
NEW_MENTEES = {
    "MA5": ("Орлова Ольга Романовна", A, "ict:2", "смешанный", "да"),
    "MB2": ("Павлов Пётр Сергеевич", B, "legal:2", "смешанный", "да"),
}
TWELVE_MONTHS = {("MA2", "TA1"), ("MC1", "TB1")}
YOUNG = {"MA1", "MA2", "MC1", "MC2", "MA5"}
"""Mentees of the category «молодой специалист» (the monitoring's young specialists)."""
QUESTIONNAIRES = {  # (mentee, mentor): (the mentee's satisfaction, the mentor's), 1–10
    ("MA1", "TA1"): (9, 8),
    ("MB1", "TB1"): (6, 10),
    ("MC3", "TC1"): (7, 5),
    ("MA3", "TA2"): (3, None),  # ended early; the mentor filled none
    ("MC1", "TB1"): (8, 7),  # the cross pair: each institution records its own participant's
}


def _bank(kind: str, people: dict[str, tuple[str, ...]]) -> bytes:
    header, _ = bank_rows(kind)
    rows = []
    for person_id, values in people.items():
        cells = dict.fromkeys(header, "")
        if kind == "mentors":
            name, institution, competences, places, meeting, consent = values
            cells |= {
                "Компетенции": competences,
                "Максимум наставляемых": places,
                "Максимальный размер группы": "1",
            }
        else:
            name, institution, difficulties, meeting, consent = values
            cells |= {"Затруднения": difficulties, "Максимум наставников": "1"}
            cells["Категория"] = "молодой специалист" if person_id in YOUNG else "новый сотрудник"
        cells |= {
            "Идентификатор": person_id,
            "ФИО": name,
            "Образовательная организация": institution,
            "Формат": meeting,
            "Согласие": consent,
        }
        rows.append([cells[column] for column in header])
    return bank_csv(kind, rows=rows)


def _accepts_remote(person: tuple[str, ...]) -> bool:
    return person[-2] == "смешанный"


def _cycle(municipal: httpx.Client, year: str) -> dict[str, Any]:
    body = {"year": year, "heavy_years": 1, "heavy_year_mentees": 2}
    response = municipal.post("/api/v1/cycles", json=body, timeout=600)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    assert all(item["status"] == "done" for item in report["institutions"])
    return report


def _runs(report: dict[str, Any]) -> list[int]:
    runs = [item["run_id"] for item in report["institutions"]]
    if report["municipal_pass"] is not None:
        runs.append(report["municipal_pass"]["run_id"])
    return runs


def _pairs(municipal: httpx.Client, report: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for run in _runs(report) for p in proposals(municipal, run)]


def _agree(users: dict[tuple[str, str], httpx.Client], pair: dict[str, Any]) -> int:
    """Each side's council approves; each side records its own participant's consent."""
    version = pair["version"]
    steps = [(pair["mentee_institution"], "decision", {"decision": "approve"})]
    if pair["mentor_institution"] != pair["mentee_institution"]:
        steps.append((pair["mentor_institution"], "decision", {"decision": "approve"}))
    steps += [
        (pair["mentee_institution"], "consent", {"party": "mentee", "agree": True}),
        (pair["mentor_institution"], "consent", {"party": "mentor", "agree": True}),
    ]
    for school, action, body in steps:
        response = users["council", school].post(
            f"/api/v1/proposals/{pair['id']}/{action}", json={**body, "version": version}
        )
        assert response.status_code == 200, response.text
        version = response.json()["version"]
    assert response.json()["status"] == "approved"
    months = 12 if (pair["mentee_id"], pair["mentor_id"]) in TWELVE_MONTHS else 9
    opened = users["curator", pair["mentee_institution"]].post(
        "/api/v1/programs", json={"proposal_id": pair["id"], "start": "2026-10-01", "months": months}
    )
    assert opened.status_code == 201, opened.text
    return int(opened.json()["id"])


def _check_hard_rules(pairs: list[dict[str, Any]], mentees: dict[str, tuple[str, ...]]) -> None:
    for pair in pairs:
        mentee, mentor = mentees[pair["mentee_id"]], MENTORS[pair["mentor_id"]]
        assert mentee[-1] == mentor[-1] == "да", pair  # consent
        if pair["mentee_institution"] != pair["mentor_institution"] or pair["format"] == "remote":
            assert pair["format"] == "remote" and _accepts_remote(mentee) and _accepts_remote(mentor), pair


def test_two_years_of_a_municipality(service: Service) -> None:
    municipal = service.user("municipal")
    registry = municipal.post(
        "/api/v1/institutions/import", files={"file": ("реестр.csv", REGISTRY.encode())}
    )
    assert registry.status_code == 200, registry.text
    assert upload(municipal, "mentors", _bank("mentors", MENTORS)).status_code == 200
    assert upload(municipal, "mentees", _bank("mentees", MENTEES)).status_code == 200
    users = {
        (role, school): service.user(role, school)
        for role in ("curator", "council", "reader")
        for school in (A, B, K)
    }

    # Year 1
    first = _cycle(municipal, "2026/27")
    assert (first["closed_programs"], first["running_programs"]) == (0, 0)
    assert first["heavy_years"]["resting"] == []
    pairs = _pairs(municipal, first)
    assert {(p["mentee_id"], p["mentor_id"]) for p in pairs} == {
        ("MA1", "TA1"), ("MA2", "TA1"), ("MA3", "TA2"), ("MB1", "TB1"), ("MC1", "TB1"), ("MC3", "TC1"),
    }  # fmt: skip
    _check_hard_rules(pairs, MENTEES)
    [cross] = [p for p in pairs if p["mentee_institution"] != p["mentor_institution"]]
    assert (cross["mentee_id"], cross["mentor_id"], cross["format"]) == ("MC1", "TB1", "remote")
    unmatched = {
        u["mentee_id"]: u["reason"]
        for u in municipal.get(f"/api/v1/runs/{first['municipal_pass']['run_id']}/unmatched").json()["items"]
    }
    assert unmatched == {"MA4": "no_consent", "MC2": "format_mismatch"}  # MC2 meets in person only
    supply = first["supply_demand"]
    kindergarten_ict = next(a for a in supply["areas"] if (a["institution"], a["area"]) == (K, "ict"))
    assert (kindergarten_ict["requests"], kindergarten_ict["waiting"], kindergarten_ict["mentors"]) == (
        1,
        1,
        0,
    )
    assert kindergarten_ict["remote_closable"] == 0 and kindergarten_ict["to_recruit"] == 1  # in person only
    [lacking] = supply["lacking"]
    assert (lacking["full_name"], lacking["accepts_remote"]) == (MENTEES["MC2"][0], False)

    # every role's view of the cross-institution pair and of its program
    programs = {(p["mentee_id"], p["mentor_id"]): _agree(users, p) for p in pairs}
    for (role, school), client in users.items():
        expected = 404 if school == A else 200
        assert client.get(f"/api/v1/proposals/{cross['id']}").status_code == expected, (role, school)
        assert client.get(f"/api/v1/programs/{programs['MC1', 'TB1']}").status_code == expected, (
            role,
            school,
        )
    assert municipal.get(f"/api/v1/proposals/{cross['id']}").status_code == 200
    assert users["council", K].get("/api/v1/mentors/TB1").status_code == 404  # nothing else of that bank
    assert users["council", B].get("/api/v1/mentees/MC1").status_code == 404
    seen_by_k = users["council", K].get(f"/api/v1/proposals/{cross['id']}").json()
    assert seen_by_k["status"] == "approved" and set(seen_by_k["sides"]) == {K, B}

    # MA3 and TA2 end their program early by mutual decision: never proposed again
    early = users["curator", A].post(
        f"/api/v1/programs/{programs['MA3', 'TA2']}/end",
        json={"reason": "mutual", "on": "2027-03-01", "version": 1},
    )
    assert early.status_code == 200 and early.json()["status"] == "ended_early", early.text
    # the end-of-program questionnaires, each recorded by its participant's own institution
    for (mentee, mentor), scores in QUESTIONNAIRES.items():
        for party, score, person in zip(
            ("mentee", "mentor"), scores, (MENTEES[mentee], MENTORS[mentor]), strict=True
        ):
            if score is None:
                continue
            path = f"/api/v1/programs/{programs[mentee, mentor]}/questionnaires"
            recorded = users["council", person[1]].post(path, json={"party": party, "satisfaction": score})
            assert recorded.status_code == 201, recorded.text
    foreign = users["council", K].post(
        f"/api/v1/programs/{programs['MC1', 'TB1']}/questionnaires",
        json={"party": "mentor", "satisfaction": 1},
    )
    assert foreign.status_code == 403  # the mentor's is school B's to record

    # Year 2: the banks updated with two new mentees; people carry over
    assert upload(municipal, "mentees", _bank("mentees", NEW_MENTEES)).status_code == 200
    second = _cycle(municipal, "2027/28")
    assert (second["closed_programs"], second["running_programs"]) == (3, 2)
    resting = {
        (p["mentor_id"], p["full_name"], tuple(p["heavy_years"])) for p in second["heavy_years"]["resting"]
    }
    assert resting == {("TA1", MENTORS["TA1"][0], ("2026/27",)), ("TB1", MENTORS["TB1"][0], ("2026/27",))}
    later = _pairs(municipal, second)
    everyone = MENTEES | NEW_MENTEES
    _check_hard_rules(later, everyone)
    assert not {p["mentor_id"] for p in later} & {"TA1", "TB1"}  # resting
    assert not {p["mentee_id"] for p in later} & {"MA2", "MC1"}  # their programs go on
    running = municipal.get("/api/v1/programs", params={"status": "active"}).json()["items"]
    assert {(p["mentee_id"], p["mentor_id"]) for p in running} == TWELVE_MONTHS
    completed = municipal.get("/api/v1/programs", params={"status": "completed", "year": "2026/27"}).json()
    assert completed["total"] == 3
    # capacity across years: running programs plus the new proposals never exceed a mentor's places
    load = Counter(p["mentor_id"] for p in running) + Counter(p["mentor_id"] for p in later)
    assert all(load[mentor] <= int(values[3]) for mentor, values in MENTORS.items())
    assert {(p["mentee_id"], p["mentor_id"]) for p in later} == {("MC3", "TC1")}  # not MA3–TA2 again
    # the new ICT and legal requests wait: their mentors rest, the rest of the bank has no place
    supply = second["supply_demand"]
    row = {(a["institution"], a["area"]): a for a in supply["areas"]}
    assert (row[A, "ict"]["requests"], row[A, "ict"]["waiting"], row[A, "ict"]["mentors"]) == (2, 2, 0)
    assert row[A, "ict"]["to_recruit"] == 2 and row[A, "ict"]["remote_places"] == 0
    assert (row[B, "legal"]["requests"], row[B, "legal"]["to_recruit"]) == (2, 2)
    reasons = {
        u["mentee_id"]: u["reason"]
        for run in _runs(second)
        for u in municipal.get(f"/api/v1/runs/{run}/unmatched").json()["items"]
    }
    # the resting mentors hold the competences, without places: no competence is lacking
    # MA3's only mentor for parents is TA2, with whom her program ended early
    assert reasons == {"MA4": "no_consent", "MA3": "excluded"} | dict.fromkeys(
        ["MA1", "MA5", "MB1", "MB2", "MC2"], "capacity_exhausted"
    )
    assert supply["lacking"] == []
    # a school sees its own gap, and of other institutions' mentors only how many
    runs_of_a = [item["run_id"] for item in second["institutions"] if item["institution"] == A]
    runs_of_a.append(second["municipal_pass"]["run_id"])  # A's teachers wait in it
    curator = users["curator", A]
    assert curator.get("/api/v1/supply-demand", params={"run": _runs(second)}).status_code == 404  # B's run
    own = curator.get("/api/v1/supply-demand", params={"run": runs_of_a}).json()
    assert {a["institution"] for a in own["areas"]} == {A}
    assert own["areas"] == [a for a in supply["areas"] if a["institution"] == A]
    check_indicators(municipal, users)


def _share(figures: dict[str, Any], indicator: str) -> tuple[int, int, float | None]:
    share = figures[indicator]["satisfied"] if indicator.endswith("satisfaction") else figures[indicator]
    return share["part"], share["whole"], share["percent"]


def _indicators(client: httpx.Client, year: str) -> dict[str | None, dict[str, Any]]:
    response = client.get("/api/v1/monitoring", params={"year": year})
    assert response.status_code == 200, response.text
    report = response.json()
    figures = {item["institution"]: item for item in report["institutions"]}
    if report["municipality"] is not None:
        figures[None] = report["municipality"]
    return figures


def check_indicators(municipal: httpx.Client, users: dict[tuple[str, str], httpx.Client]) -> None:
    """003 §7.7's teachers' indicators of both years, counted by hand from the scenario."""
    first = _indicators(municipal, "2026/27")
    everyone = first[None]
    # young specialists of the bank: MA1, MA2, MC1, MC2, MA5; in programs in 2026/27: MA1, MA2, MC1
    assert _share(everyone, "young_specialists") == (3, 5, 60.0)
    assert everyone["young_specialists"]["target"] == 70 and everyone["young_specialists"]["met"] is False
    # ended in 2026/27: MA1–TA1, MB1–TB1, MC3–TC1 completed (1 July), MA3–TA2 ended early (1 March)
    assert _share(everyone, "completed") == (3, 4, 75.0) and everyone["ended_early"] == 1
    assert _share(everyone, "mentee_satisfaction") == (2, 4, 50.0)  # 9, 6, 7, 3: at least 7 twice
    assert everyone["mentee_satisfaction"]["mean"] == 6.25
    assert _share(everyone, "mentor_satisfaction") == (2, 3, 66.7)  # 8, 10, 5
    assert everyone["running"] == 2  # MA2–TA1 and MC1–TB1 run on
    assert _share(first[A], "young_specialists") == (2, 3, 66.7)  # MA1, MA2 of MA1, MA2, MA5
    assert _share(first[A], "completed") == (1, 2, 50.0)
    assert _share(first[A], "mentee_satisfaction") == (1, 2, 50.0)  # 9, 3
    assert _share(first[A], "mentor_satisfaction") == (1, 1, 100.0)  # TA1: 8
    assert _share(first[B], "young_specialists") == (0, 0, None)
    assert _share(first[B], "mentee_satisfaction") == (0, 1, 0.0)  # MB1: 6
    assert _share(first[B], "mentor_satisfaction") == (1, 1, 100.0)  # TB1: 10
    assert _share(first[K], "young_specialists") == (1, 2, 50.0)  # MC1 of MC1, MC2
    assert _share(first[K], "mentor_satisfaction") == (0, 1, 0.0)  # TC1: 5
    second = _indicators(municipal, "2027/28")
    everyone = second[None]
    assert _share(everyone, "young_specialists") == (2, 5, 40.0)  # MA2, MC1: programs until 1 October
    assert _share(everyone, "completed") == (0, 0, None) and everyone["running"] == 2
    # the cross pair's questionnaires count where each participant works
    assert _share(second[K], "mentee_satisfaction") == (1, 1, 100.0)  # MC1: 8
    assert _share(second[B], "mentor_satisfaction") == (1, 1, 100.0)  # TB1: 7
    assert _share(second[K], "mentor_satisfaction") == (0, 0, None)
    # a school's curator sees its own figures only
    own = _indicators(users["curator", K], "2026/27")
    assert set(own) == {K} and own[K] == first[K]
