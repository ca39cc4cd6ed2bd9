"""The totals of the people lists come from ``bank_sizes``, which the database keeps by triggers
(migration 0013): after imports, replacing imports, edits, erasures and writes by hand they equal
a count of the banks, for the municipal role, a curator and one institution (both databases);
the migration counts the people already stored."""

from __future__ import annotations

from typing import Any

import httpx
from alembic import command
from sqlalchemy import text

from api.storage.db import alembic_config, make_engine
from tests.api.service import Service, bank_csv, bank_rows, import_banks, upload

KINDS = ("mentors", "mentees")


def _counted(database_url: str) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """The kept sizes (without institutions left empty) and a count of the banks."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            kept = {
                (bank, place): people
                for bank, place, people in connection.execute(
                    text("SELECT bank, institution, people FROM bank_sizes")
                )
                if people
            }
            counted = {
                (bank, place): people
                for bank in KINDS
                for place, people in connection.execute(
                    text(f"SELECT institution, count(*) FROM {bank} GROUP BY institution")
                )
            }
    finally:
        engine.dispose()
    return kept, counted


def _total(client: httpx.Client, kind: str, **params: Any) -> int:
    # a full page of one: the total cannot be read off the page, so it is the kept size
    response = client.get(f"/api/v1/{kind}", params={"limit": 1, **params})
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


def _assert_totals(service: Service, municipal: httpx.Client) -> None:
    kept, counted = _counted(service.database_url)
    assert kept == counted
    for kind in KINDS:
        places = {place: people for (bank, place), people in counted.items() if bank == kind}
        assert _total(municipal, kind) == sum(places.values())
        for place, people in places.items():
            assert _total(municipal, kind, institution=place) == people
            curator = service.user("curator", place)
            assert _total(curator, kind) == people
            assert _total(curator, kind, institution="no-such-school") == 0


def test_totals_follow_imports_edits_erasures_and_writes_by_hand(service: Service) -> None:
    municipal = service.user("municipal")
    import_banks(municipal)
    _assert_totals(service, municipal)

    header, rows = bank_rows("mentees")
    column = header.index("Образовательная организация")
    school = rows[0][column]
    own = [row for row in rows if row[column] == school]
    replaced = municipal.post(
        "/api/v1/mentees/import",
        params={"replace": "true"},
        files={"file": ("mentees.csv", bank_csv("mentees", rows=own[:2]))},
    )
    assert replaced.status_code == 200, replaced.text
    assert len(replaced.json()["removed"]) == len(own) - 2
    assert upload(municipal, "mentors", bank_csv("mentors")).status_code == 200  # all unchanged
    mentor = municipal.get("/api/v1/mentors", params={"limit": 1}).json()["items"][0]
    edited = municipal.patch(
        f"/api/v1/mentors/{mentor['id']}",
        params={"institution": mentor["institution"]},
        json={"capacity": 3},
    )
    assert edited.status_code == 200, edited.text
    at = {"institution": mentor["institution"]}
    erased = municipal.delete(f"/api/v1/mentors/{mentor['id']}", params=at)
    assert erased.status_code == 204, erased.text
    _assert_totals(service, municipal)

    engine = make_engine(service.database_url)
    try:
        with engine.begin() as connection:
            # a mentee of another institution moves to ``school``: one fewer there, one more here
            person, place = connection.execute(
                text("SELECT id, institution FROM mentees WHERE institution <> :to LIMIT 1"), {"to": school}
            ).one()
            moved = connection.execute(
                text("UPDATE mentees SET institution = :to WHERE id = :id AND institution = :at"),
                {"to": school, "id": person, "at": place},
            )
            assert moved.rowcount == 1
            connection.execute(
                text("DELETE FROM mentors WHERE institution = :at"), {"at": mentor["institution"]}
            )
    finally:
        engine.dispose()
    _assert_totals(service, municipal)


def test_the_migration_counts_the_people_already_stored(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0012")
        with engine.begin() as connection:
            for code in ("school-1", "school-2"):
                connection.execute(text("INSERT INTO institutions (code, name) VALUES (:c, :c)"), {"c": code})
            for number, code in enumerate(("school-1", "school-1", "school-2")):
                connection.execute(
                    text(
                        "INSERT INTO mentees (institution, id, full_name, municipality, position, subjects,"
                        " levels, formats, consent, category, difficulties, request, preferred_mentors,"
                        " excluded_mentors, max_mentors, created_at, updated_at) VALUES (:code, :id, 'Н',"
                        " '', '', '[]', '[]', '[]', true, '', '{}', '', '[]', '[]', 1, :now, :now)"
                    ),
                    {"code": code, "id": f"N-{number}", "now": "2026-12-01 00:00:00+00:00"},
                )
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()
    kept, counted = _counted(database_url)
    assert kept == counted == {("mentees", "school-1"): 2, ("mentees", "school-2"): 1}
