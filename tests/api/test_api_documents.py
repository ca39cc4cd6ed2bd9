"""The draft order names each pair's and group's form (kind) of mentoring as the regulations do."""

from __future__ import annotations

import io
from typing import Any

import docx
from sqlalchemy import create_engine, update

from api.storage.tables import ProposalRow
from tests.api.service import Service, full_names, import_banks, proposals, run_to_end

SCHOOL = "school-1"


def _agree_to_everything(client: Any, run_id: int) -> None:
    for proposal in proposals(client, run_id):
        for path, body in (
            ("decision", {"decision": "approve"}),
            ("consent", {"party": "mentee", "agree": True}),
            ("consent", {"party": "mentor", "agree": True}),
        ):
            response = client.post(
                f"/api/v1/proposals/{proposal['id']}/{path}", json={**body, "version": proposal["version"]}
            )
            proposal = response.json()


def _as_the_solver_would_have_grouped(database_url: str, run_id: int) -> None:
    """Mark T-01's two mentees as one group and T-03's pair as remote, as a run can propose."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        where = (ProposalRow.run_id == run_id,)
        connection.execute(
            update(ProposalRow).where(*where, ProposalRow.mentor_id == "T-01").values(group_id="g1")
        )
        connection.execute(
            update(ProposalRow).where(*where, ProposalRow.mentor_id == "T-03").values(format="remote")
        )
    engine.dispose()


def test_the_order_names_groups_virtual_and_reverse_mentoring(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    run = run_to_end(curator, {"scope": "institution"})
    pairs = {(p["mentee_id"], p["mentor_id"]) for p in proposals(curator, run["id"])}
    assert {("M-01", "T-01"), ("M-05", "T-01"), ("M-03", "T-03"), ("M-04", "T-04")} <= pairs
    _agree_to_everything(curator, run["id"])
    _as_the_solver_would_have_grouped(service.database_url, run["id"])

    order = docx.Document(io.BytesIO(curator.get(f"/api/v1/runs/{run['id']}/order.docx").content))
    rows = {row.cells[1].text.split(",")[0]: row.cells for row in order.tables[0].rows[1:]}
    mentors, mentees = full_names("mentors"), full_names("mentees")
    assert len(rows) == len({mentor for _, mentor in pairs})
    group = rows[mentors["T-01"]]
    assert group[3].text == "групповая (очно)"
    assert (
        group[2].text.startswith("1) ")
        and mentees["M-01"] in group[2].text
        and mentees["M-05"] in group[2].text
    )
    assert rows[mentors["T-03"]][3].text == "виртуальная (дистанционно)"
    assert rows[mentors["T-04"]][3].text == "традиционная, реверсивная (очно)"
    assert all(cells[4].text == "9 месяцев" for cells in rows.values())
    text = "\n".join(p.text for p in order.paragraphs)
    assert "куратором реализации программ наставничества ____" in text
