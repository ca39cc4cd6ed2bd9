"""Runs as background jobs: options, bases, interruption and restart; decisions under contention."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import Caller, Role, hash_token
from api.storage import repository, run_records
from api.storage.db import computing, make_engine, make_sessions
from api.storage.tables import RunRow, utcnow
from tests.api.conftest import _postgres_schema
from tests.api.service import Service, import_banks, proposals, run_to_end, wait_for_run

SCHOOL = "school-1"


@pytest.mark.parametrize(
    "options",
    [
        {"no_such_option": 1},
        {"weights": {"charm": 1.0}},
        {"time_limit": -5},
        {"solver": "magic"},
        {"taxonomy_extension": "/etc/passwd"},
    ],
)
def test_options_are_checked_before_a_run_is_queued(
    shared_service: Service, options: dict[str, object]
) -> None:
    curator = shared_service.user("curator", SCHOOL)
    response = curator.post("/api/v1/runs", json={"scope": "institution", "options": options})
    assert response.status_code == 422, response.text
    assert curator.get("/api/v1/runs").json()["total"] == 0


def test_options_reach_the_library_and_are_reported(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    options = {"time_limit": 5, "weights": {"coverage": 0.7}}
    run = run_to_end(curator, {"scope": "institution", "options": options})
    assert run["status"] == "done" and run["options"] == options
    assert run["summary"]["options"]["time_limit"] == 5
    assert run["summary"]["options"]["weights"]["coverage"] == 0.7
    listed = curator.get("/api/v1/runs", params={"limit": 1}).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == run["id"]


def test_a_base_must_exist_and_be_finished(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    assert curator.post("/api/v1/runs", json={"scope": "institution", "based_on": 999}).status_code == 404
    empty = run_to_end(curator, {"scope": "institution"})
    assert empty["status"] == "failed" and "нет наставляемых" in empty["error"]
    response = curator.post("/api/v1/runs", json={"scope": "institution", "based_on": empty["id"]})
    assert response.status_code == 409
    assert curator.get(f"/api/v1/runs/{empty['id']}/order.docx").status_code == 409


def _left_behind(service: Service, token: str) -> tuple[int, int]:
    """What a process that died leaves: one run still queued, one claimed and running."""
    engine = make_engine(service.database_url)
    try:
        with make_sessions(engine)() as session:
            user = repository.user_for_token(session, hash_token(token))
            assert user is not None
            caller = Caller(user.id, user.name, Role(user.role), user.institution)
            queued, running = (_new_run(session, caller) for _ in range(2))
            assert run_records.claim_run(session, running) is not None
            for run in session.scalars(select(RunRow).where(RunRow.id.in_((queued, running)))):
                run.queued_at = utcnow() - timedelta(hours=1)  # the process died a while ago
            session.commit()
    finally:
        engine.dispose()
    return queued, running


def _new_run(session: Session, caller: Caller) -> int:
    run = run_records.create_run(
        session, scope="institution", institution=SCHOOL, based_on=None, options={}, caller=caller
    )
    return run.id


def test_runs_interrupted_by_a_restart_are_failed_and_can_be_started_again(service: Service) -> None:
    token = service.token("curator", SCHOOL)
    curator = service.client(token)
    import_banks(curator, SCHOOL)
    queued, running = _left_behind(service, token)
    assert curator.get(f"/api/v1/runs/{running}").json()["status"] == "running"

    service.restart()
    for run_id in (queued, running):
        run = curator.get(f"/api/v1/runs/{run_id}").json()
        assert run["status"] == "failed" and "прерван" in run["error"], run
        assert curator.get(f"/api/v1/runs/{run_id}/proposals").json()["total"] == 0

    assert service.user("council", SCHOOL).post(f"/api/v1/runs/{running}/restart").status_code == 403
    restarted = curator.post(f"/api/v1/runs/{running}/restart")
    assert restarted.status_code == 202 and restarted.json() == {"id": running, "status": "queued"}
    run = wait_for_run(curator, running)
    assert run["status"] == "done" and run["error"] is None and run["attempts"] == 2
    assert (
        curator.get(f"/api/v1/runs/{running}/proposals").json()["total"]
        == run["summary"]["counts"]["proposals"]
    )
    assert curator.post(f"/api/v1/runs/{running}/restart").status_code == 409
    actions = [a["action"] for a in curator.get("/api/v1/audit", params={"entity": "run"}).json()["items"]]
    assert actions.count("restart") == 1


def test_a_worker_starting_while_a_run_is_restarted_does_not_take_it_for_left_behind(
    service: Service,
) -> None:
    """A restarted run is committed to the queue a moment before its job is deferred; a worker
    starting up in that moment sees a queued run with no job. It is spared while recent; a
    queued run whose job has been missing for longer than a heartbeat's silence is interrupted."""
    token = service.token("curator", SCHOOL)
    queued, _ = _left_behind(service, token)
    engine = make_engine(service.database_url)
    try:
        with make_sessions(engine)() as session:
            session.get_one(RunRow, queued).queued_at = utcnow()  # restarted this very moment
            session.commit()
            worker_started = utcnow() - timedelta(seconds=2)
            running = run_records.fail_interrupted_runs(session, "прерван", queued_before=worker_started)
            assert queued not in running and len(running) == 1
            assert session.get_one(RunRow, queued).status == "queued"
            later = utcnow() + timedelta(seconds=1)
            assert run_records.fail_interrupted_runs(session, "прерван", queued_before=later) == [queued]
    finally:
        engine.dispose()


def test_a_run_held_by_a_live_process_is_not_taken_for_left_behind(
    service: Service, request: pytest.FixtureRequest
) -> None:
    """Heartbeats can be late on a loaded machine, and a run can be claimed between a worker's look
    at the queue and its update; what decides is whether a live process holds the run. The same
    run number computed by a service in another schema of the database holds nothing here."""
    if not service.database_url.startswith("postgresql"):
        pytest.skip("with SQLite runs are computed in the one process that serves the database")
    _, running = _left_behind(service, service.token("curator", SCHOOL))
    schemas = _postgres_schema(request.getfixturevalue("postgres_url"))
    elsewhere = next(schemas)
    engines = [make_engine(url) for url in (service.database_url, service.database_url, elsewhere)]
    worker, looking, other_service = engines
    try:
        later = utcnow() + timedelta(seconds=1)
        with computing(worker, running), make_sessions(looking)() as session:
            assert running not in run_records.fail_interrupted_runs(session, "прерван", queued_before=later)
            assert session.get_one(RunRow, running).status == "running"
        with computing(other_service, running), make_sessions(looking)() as session:
            assert running in run_records.fail_interrupted_runs(session, "прерван", queued_before=later)
    finally:
        for engine in engines:
            engine.dispose()
        schemas.close()


def test_concurrent_decisions_on_one_version_let_exactly_one_through(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    run = run_to_end(curator, {"scope": "institution"})
    target = proposals(curator, run["id"])[0]
    members = [service.user("council", SCHOOL, name=f"Член совета {i}") for i in range(4)]

    def decide(index: int) -> int:
        decision = ("approve", "reject")[index % 2]
        body = {"decision": decision, "version": target["version"], "comment": f"голос {index}"}
        return members[index].post(f"/api/v1/proposals/{target['id']}/decision", json=body).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(pool.map(decide, range(4)))
    assert statuses == [200, 409, 409, 409]
    final = curator.get(f"/api/v1/proposals/{target['id']}").json()
    assert final["version"] == 2
    recorded = curator.get("/api/v1/audit", params={"entity": "proposal", "entity_id": str(target["id"])})
    assert len(recorded.json()["items"]) == 1


def test_bad_decisions_are_refused(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    import_banks(curator, SCHOOL)
    run = run_to_end(curator, {"scope": "institution"})
    target = proposals(curator, run["id"])[0]
    path = f"/api/v1/proposals/{target['id']}"
    assert curator.post(f"{path}/decision", json={"decision": "maybe", "version": 1}).status_code == 422
    assert curator.post(f"{path}/decision", json={"decision": "approve"}).status_code == 422
    assert (
        curator.post(f"{path}/consent", json={"party": "parent", "agree": True, "version": 1}).status_code
        == 422
    )
    assert (
        curator.post(f"{path}/consent", json={"party": "mentor", "agree": True, "version": 7}).status_code
        == 409
    )
    assert (
        curator.post("/api/v1/proposals/999999/decision", json={"decision": "pin", "version": 1}).status_code
        == 404
    )
