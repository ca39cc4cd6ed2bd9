"""The yearly cycle (``mentor-match cycle --year 2026/27``, ``POST /api/v1/cycles``).

Curators update the banks at least once a year [000:132; 003:467]; the cycle then takes them as
they are in the database (people carry over from year to year without refilling their data):

1. programs whose planned end falls before the year's first day (1 September) are completed;
   the others stay running and keep occupying their mentors, across years;
2. every institution with mentees is matched inside itself (in person and remote);
3. one municipal pass matches, remotely across institutions, the mentees no institution run
   placed, with the mentors' places the institution runs proposed held back (``reserved``).

With a limit on consecutive heavy years (``matcher.heavy_years``), the mentors who rest this
year have all their places held back in every run of the cycle (and in re-runs based on them).

The report counts, per institution and for the municipality, what each step did, and ends with
the year's supply and demand over all the cycle's runs (``api.supply_demand``).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api import supply_demand
from api.access import Caller
from api.jobs import Jobs
from api.person_keys import qualified, split
from api.storage import program_records, repository, run_records
from api.storage.tables import MenteeRow, MentorRow, ProposalRow
from matcher.heavy_years import HeavyYears, rest_places, resting
from matcher.programs import school_year, year_bounds
from matcher.taxonomy import Taxonomy

NAMED_IN_REPORT = 10
"""Resting mentors named in the printed report (the JSON report names them all)."""


def _held(proposals: list[ProposalRow]) -> Counter[str]:
    """Places the proposals take (by qualified mentor id): a pair one, a group once."""
    taken = {
        (qualified(p.mentor_institution or "", p.mentor_id), p.group_id or f"pair:{p.id}") for p in proposals
    }
    return Counter(mentor for mentor, _ in taken)


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


def _resting(session: Session, year: str, rule: HeavyYears | None) -> dict[str, Any] | None:
    """The rule and the mentors who rest this year, by ФИО and institution (for the report)."""
    if rule is None:
        return None
    names = repository.institution_names(session)
    people = []
    for mentor_id, years in sorted(resting(program_records.spans(session), year, rule).items()):
        institution, own_id = split(mentor_id)
        mentor = session.get(MentorRow, {"institution": institution, "id": own_id})
        if mentor is not None:
            people.append(
                {
                    "mentor_id": own_id,
                    "full_name": mentor.full_name,
                    "institution": mentor.institution,
                    "institution_name": names.get(mentor.institution, mentor.institution),
                    "heavy_years": years,
                }
            )
    return {"years": rule.years, "mentees": rule.mentees, "rule_ru": rule.text_ru(), "resting": people}


def _rest_places(session: Session, resting_ids: list[str]) -> dict[str, int]:
    return rest_places(resting_ids, repository.mentor_capacities(session, resting_ids))


def held_for_rest(session: Session, year: str, rule: HeavyYears | None) -> dict[str, int] | None:
    """The places a run of ``year`` holds back for the mentors resting under ``rule`` (None: none)."""
    if rule is None:
        return None
    return _rest_places(session, sorted(resting(program_records.spans(session), year, rule))) or None


def run_cycle(
    sessions: sessionmaker[Session],
    jobs: Jobs,
    *,
    year: str,
    caller: Caller,
    taxonomy: Taxonomy,
    heavy_years: HeavyYears | None = None,
) -> dict[str, Any]:
    """Close finished programs, run every institution, then the municipal remote pass; with
    ``heavy_years``, the mentors who carried too many heavy years in a row rest this year."""
    first_day, _ = year_bounds(year)
    with sessions() as session:
        closed = program_records.close_finished(session, on=first_day, caller=caller)
        rest = _resting(session, year, heavy_years)
        resting_ids = [qualified(p["institution"], p["mentor_id"]) for p in rest["resting"]] if rest else []
        held_for_rest = _rest_places(session, resting_ids)
        institutions = repository.institutions_with(session, MenteeRow)
        names = repository.institution_names(session)
        run_ids = {
            code: run_records.create_run(
                session,
                scope="institution",
                institution=code,
                based_on=None,
                options={},
                caller=caller,
                reserved=held_for_rest or None,
            ).id
            for code in institutions
        }
    for run_id in run_ids.values():
        jobs.execute(run_id)
    with sessions() as session:
        proposed = [p for run_id in run_ids.values() for p in run_records.proposals_of(session, run_id)]
        placed = {qualified(p.mentee_institution or "", p.mentee_id) for p in proposed}
        waiting = sorted(set(repository.qualified_ids_of(session, MenteeRow)) - placed)
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
                reserved=dict(_held(proposed) + Counter(held_for_rest)),
            ).id
    if remote_pass is not None:
        jobs.execute(remote_pass)
    with sessions() as session:
        cycle_runs = [*run_ids.values(), *([remote_pass] if remote_pass else [])]
        rows = [
            run
            for run in (run_records.get_run(session, r, scope=None) for r in cycle_runs)
            if run is not None
        ]
        supply = supply_demand.public(
            session,
            supply_demand.compute(session, rows),
            institution=None,
            named=True,
            taxonomy=taxonomy,
            run_ids=cycle_runs,
        )
        report = {
            "year": year,
            "closed_programs": len(closed),
            "running_programs": len(program_records.running(session)),
            "institutions": per_institution,
            "municipal_pass": None if remote_pass is None else _outcome(session, remote_pass),
            "heavy_years": rest,
            "supply_demand": supply,
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
                "runs": cycle_runs,
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
    rest = report.get("heavy_years")
    if rest is not None:
        named = [f"{p['full_name']} ({p['institution_name']})" for p in rest["resting"]]
        more = len(named) - NAMED_IN_REPORT
        who = (
            "; ".join(named[:NAMED_IN_REPORT]) + (f" и ещё {more}" if more > 0 else "") if named else "никто"
        )
        lines.append(f"Ограничение нагрузки: {rest['rule_ru']}. В этом году без новых наставляемых: {who}.")
    remote = report["municipal_pass"]
    if remote is None:
        lines.append("Муниципальный дистанционный этап не понадобился: все наставляемые получили пару.")
    else:
        lines.append(
            f"Муниципальный этап: предложено пар — {remote['proposals']} "
            f"(из них с наставником другой организации — {remote['cross_institution']}), "
            f"без пары — {remote['unmatched']}."
        )
    if report.get("supply_demand") is not None:
        lines += supply_demand.summary_ru(report["supply_demand"])
    previous = school_year(year_bounds(report["year"])[0] - timedelta(days=1))
    lines.append(
        f"Итоги программ {previous} учебного года (анкеты и показатели): "
        f"mentor-match monitoring --year {previous} --out ПАПКА "
        f"или в сервисе /api/v1/monitoring/report.html?year={previous}."
    )
    return "\n".join(lines)
