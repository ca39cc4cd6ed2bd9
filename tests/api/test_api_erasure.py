"""Withdrawn consent erases a person everywhere: tables, comments, audit log, exports, and the
bytes of the SQLite files, while the run's anonymous counts stay."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import create_engine, inspect, make_url, text

from tests.api.service import Service, full_names, import_banks, proposals, run_to_end

SCHOOL = "school-1"


def _stored_rows(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = [
            str(row)
            for table in inspect(connection).get_table_names()
            for row in connection.execute(text(f'SELECT * FROM "{table}"'))
        ]
    engine.dispose()
    return rows


def _decide(client: Any, proposal: dict[str, Any], comment: str) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/proposals/{proposal['id']}/decision",
        json={"decision": "approve", "comment": comment, "version": proposal["version"]},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_erasure_leaves_the_name_nowhere_and_the_counts_intact(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    name = full_names("mentees")["M-01"]
    surname = name.split()[0]
    run = run_to_end(curator, {"scope": "institution"})
    pairs = proposals(curator, run["id"])
    own = next(p for p in pairs if p["mentee_id"] == "M-01")
    other = next(p for p in pairs if p["mentee_id"] != "M-01")
    _decide(curator, own, f"{name} просила вечерние встречи")
    _decide(curator, other, f"не ставить в одну смену с {surname.upper()}; проверено")
    assert surname in str(curator.get("/api/v1/audit", params={"limit": 1000}).json())

    assert curator.delete("/api/v1/mentees/M-01").status_code == 204

    audit = curator.get("/api/v1/audit", params={"limit": 1000}).json()["items"]
    assert surname.lower() not in str(audit).lower()
    assert any("[удалено]; проверено" in str(entry["detail"]) for entry in audit), "the rest stays"
    kept = curator.get(f"/api/v1/proposals/{own['id']}").json()
    assert kept["mentee_id"] == "M-01" and kept["status"] == "approved"
    assert kept["explanation"] == "" and kept["covered"] == []
    after = curator.get(f"/api/v1/runs/{run['id']}").json()
    assert after["summary"]["counts"] == run["summary"]["counts"], "the indicators still count the pair"
    workbook = openpyxl.load_workbook(io.BytesIO(curator.get(f"/api/v1/runs/{run['id']}/pairs.xlsx").content))
    cells = " ".join(str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row)
    assert surname not in cells
    assert not [row for row in _stored_rows(service.database_url) if surname.lower() in row.lower()]

    if make_url(service.database_url).get_backend_name() == "sqlite":
        database = Path(str(make_url(service.database_url).database))
        files = [p for p in (database, Path(f"{database}-wal")) if p.exists()]
        assert database in files
        for path in files:
            assert surname.encode("utf-8") not in path.read_bytes(), path.name
        other_name = full_names("mentees")["M-02"].split()[0]
        assert other_name.encode("utf-8") in database.read_bytes(), "the search would have found a name"
