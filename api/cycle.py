"""The yearly cycle (``mentor-match cycle --year 2026/27``, ``POST /api/v1/cycles``).

Curators update the banks at least once a year [000:132; 003:467]; the cycle then takes them as
they are in the database (people carry over from year to year without refilling their data):

1. programs whose planned end falls before the year's first day (1 September) are completed;
   the others stay running and keep occupying their mentors, across years;
2. every institution with mentees is matched inside itself (in person and remote);
3. one municipal pass matches, remotely across institutions, the mentees no institution run
   placed, with the mentors' places the institution runs proposed held back (``reserved``).

The report counts, per institution and for the municipality, what each step did.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api.access import Caller
from api.jobs import Jobs
from api.storage import program_records, repository, run_records
from api.storage.tables import MenteeRow, ProposalRow
from matcher.programs import year_bounds


def _held(proposals: list[ProposalRow]) -> Counter[str]:
    """Places the proposals take: a pair one, a group once."""
    return Counter(mentor for mentor, _ in {(p.mentor_id, p.group_id or f"pair:{p.id}") for p in proposals})


def _outcome(session: Session, run_id: int) -> dict[str, Any]:
    run = run_records.get_run(session, run_id, scope=None)
    assert run is not None
    proposals = run_records.proposals_of(session, run_id)
    return {
        "run_id": run_id,
        "status": run.status,
        "error": run.error,
        "proposals": len(proposals),
        "cross_institution": sum(p.mentee_institution != p.mentor_institution for p in proposals),
        "unmatched": len(run_records.unmatched_of(session, run_id)),
    }


def run_cycle(sessions: sessionmaker[Session], jobs: Jobs, *, year: str, caller: Caller) -> dict[str, Any]:
    """Close finished programs, run every institution, then the municipal remote pass."""
    first_day, _ = year_bounds(year)
    with sessions() as session:
        closed = program_records.close_finished(session, on=first_day, caller=caller)
        institutions = repository.institutions_with(session, MenteeRow)
        names = repository.institution_names(session)
        run_ids = {
            code: run_records.create_run(
                session, scope="institution", institution=code, based_on=None, options={}, caller=caller
            ).id
            for code in institutions
        }
    for run_id in run_ids.values():
        jobs.execute(run_id)
    with sessions() as session:
        proposed = [p for run_id in run_ids.values() for p in run_records.proposals_of(session, run_id)]
        placed = {p.mentee_id for p in proposed}
        waiting = sorted(set(repository.ids_of(session, MenteeRow)) - placed)
        per_institution = [
            {"institution": code, "name": names.get(code, code), **_outcome(session, run_id)}
            for code, run_id in run_ids.items()
        ]
        remote_pass = None
        if waiting:
            remote_pass = run_records.create_run(
                session,
                scope="municipality",
                institution=None,
                based_on=None,
                options={},
                caller=caller,
                mentees=waiting,
                reserved=dict(_held(proposed)),
            ).id
    if remote_pass is not None:
        jobs.execute(remote_pass)
    with sessions() as session:
        report = {
            "year": year,
            "closed_programs": len(closed),
            "running_programs": len(program_records.running(session)),
            "institutions": per_institution,
            "municipal_pass": None if remote_pass is None else _outcome(session, remote_pass),
        }
        repository.audit(
            session,
            caller,
            action="cycle",
            entity="cycle",
            entity_id=year,
            institution=None,
            detail={
                "closed_programs": len(closed),
                "runs": [*run_ids.values(), *([remote_pass] if remote_pass else [])],
            },
        )
        session.commit()
    return report


def report_ru(report: dict[str, Any]) -> str:
    """The cycle's report in one Russian paragraph per step (for the command line)."""
    lines = [
        f"Годовой цикл {report['year']}: завершено программ — {report['closed_programs']}, "
        f"продолжаются — {report['running_programs']}."
    ]
    for item in report["institutions"]:
        state = "" if item["status"] == "done" else f" ({item['error']})"
        lines.append(
            f"{item['name']}: предложено пар — {item['proposals']}, без пары — {item['unmatched']}{state}."
        )
    remote = report["municipal_pass"]
    if remote is None:
        lines.append("Муниципальный дистанционный этап не понадобился: все наставляемые получили пару.")
    else:
        lines.append(
            f"Муниципальный этап: предложено пар — {remote['proposals']} "
            f"(из них с наставником другой организации — {remote['cross_institution']}), "
            f"без пары — {remote['unmatched']}."
        )
    return "\n".join(lines)
