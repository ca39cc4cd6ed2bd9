"""What a reviewer reads through the API: people's summaries, filters, alternatives, a swap, the
unmatched with their candidates."""

from __future__ import annotations

from typing import Any

from tests.api.service import Service, full_names, import_banks, proposals, run_to_end

SCHOOL = "school-1"


def test_proposals_name_people_and_filter(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    run = run_to_end(curator, {"scope": "institution"})
    items = proposals(curator, run["id"])
    mentees, mentors = full_names("mentees"), full_names("mentors")
    for item in items:
        assert item["mentee"]["full_name"] == mentees[item["mentee_id"]]
        assert item["mentor"]["full_name"] == mentors[item["mentor_id"]]
        assert set(item["mentor"]) == {"id", "full_name", "position", "institution", "institution_name"}
    url = f"/api/v1/runs/{run['id']}/proposals"
    someone = items[0]["mentee"]["full_name"].split()[0]
    found = curator.get(url, params={"name": someone.lower()}).json()["items"]
    assert found and all(someone in (p["mentee"]["full_name"] + p["mentor"]["full_name"]) for p in found)
    sensitive = curator.get(url, params={"weight_sensitive": True, "limit": 1000}).json()["items"]
    solid = curator.get(url, params={"weight_sensitive": False, "limit": 1000}).json()["items"]
    assert len(sensitive) + len(solid) == len(items)
    assert all(p["robustness"].startswith("weight-sensitive") for p in sensitive)
    assert curator.get(url, params={"institution": "nowhere"}).json()["total"] == 0


def _alternatives(client: Any, proposal: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/proposals/{proposal['id']}/alternatives")
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


def test_swap_in_an_alternative_rejects_the_pair_and_pins_the_other(service: Service) -> None:
    curator = service.user("municipal")
    import_banks(curator)
    run = run_to_end(curator, {"scope": "municipality"})
    items = proposals(curator, run["id"])
    chosen, alternatives = next(
        (p, alts)
        for p in items
        if (alts := curator.get(f"/api/v1/proposals/{p['id']}/alternatives").json())
        and any(a["free_places"] > 0 for a in alts)
    )
    assert [a["rank"] for a in alternatives] == sorted(a["rank"] for a in alternatives)
    other = next(a for a in alternatives if a["free_places"] > 0)
    full = next((a for p in items for a in _alternatives(curator, p) if a["free_places"] == 0), None)
    if full is not None:
        holder = next(p for p in items if full in _alternatives(curator, p))
        no_place = curator.post(
            f"/api/v1/proposals/{holder['id']}/swap", json={"mentor_id": full["mentor_id"], "version": 1}
        )
        assert no_place.status_code == 422
        assert "нет свободных мест" in no_place.json()["detail"][0]["message"]
    assert other["mentor"]["full_name"]
    refused = curator.post(
        f"/api/v1/proposals/{chosen['id']}/swap", json={"mentor_id": "nobody", "version": chosen["version"]}
    )
    assert refused.status_code == 422
    swapped = curator.post(
        f"/api/v1/proposals/{chosen['id']}/swap",
        json={"mentor_id": other["mentor_id"], "comment": "ближе по предмету", "version": chosen["version"]},
    )
    assert swapped.status_code == 200, swapped.text
    body = swapped.json()
    assert body["rejected"]["status"] == "rejected" and body["rejected"]["version"] == chosen["version"] + 1
    assert body["pinned"]["status"] == "pinned" and body["pinned"]["mentor_id"] == other["mentor_id"]
    stale = curator.post(
        f"/api/v1/proposals/{chosen['id']}/swap",
        json={"mentor_id": other["mentor_id"], "version": chosen["version"]},
    )
    assert stale.status_code == 409
    audit = curator.get("/api/v1/audit", params={"limit": 5}).json()["items"]
    assert {(a["detail"].get("decision"), a["detail"].get("comment")) for a in audit[:2]} == {
        ("reject", "ближе по предмету"),
        ("pin", "ближе по предмету"),
    }
    second = run_to_end(curator, {"scope": "municipality", "based_on": run["id"]})
    assert second["status"] == "done", second["error"]
    pairs = {(p["mentee_id"], p["mentor_id"]): p for p in proposals(curator, second["id"])}
    assert pairs[(chosen["mentee_id"], other["mentor_id"])]["status"] == "pinned"
    assert (chosen["mentee_id"], chosen["mentor_id"]) not in pairs


def test_unmatched_name_the_mentee_and_the_candidates(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    run = run_to_end(curator, {"scope": "institution"})
    page = curator.get(f"/api/v1/runs/{run['id']}/unmatched", params={"limit": 1000}).json()
    assert page["total"] == run["summary"]["counts"]["unmatched_mentees"]
    for item in page["items"]:
        assert item["mentee"]["id"] == item["mentee_id"]
        assert isinstance(item["fix_verified"], bool)
        assert [m["id"] for m in item["candidate_mentors"]] == item["candidates"]
