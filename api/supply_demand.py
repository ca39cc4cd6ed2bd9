"""Supply and demand in the service: ``GET /api/v1/supply-demand`` and the yearly cycle's report.

Computed from the database with the library (``matcher.supply_demand``): the mentees of the
given runs (or, with no run, the bank's mentees who can still take a mentor: the plan before
matching), the mentors with their capacity less the programs running (programs opened from the
given runs' own proposals are those proposals, not counted twice) and less the places the runs
held back for mentors resting from heavy years, the runs' proposals and their
diagnosis of the unmatched (a mentee placed by a later run of the same cycle is not unmatched).

What a caller sees follows the pool's rules: the municipal role sees every institution and the
municipality, and the remote mentors who could close a gap by ФИО; an institution's roles see
their own institution's rows and mentees, and of other institutions' mentors only how many
could help (aggregated counts, never who).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from api.banks import banks_for_run
from api.person_keys import qualified, split
from api.storage import program_records, repository, run_records
from api.storage.tables import MenteeRow, MentorRow, ProposalRow, RunRow, UnmatchedRow
from matcher.model import UnmatchedReason
from matcher.programs import with_programs
from matcher.supply_demand import MUNICIPALITY, Placed, SupplyDemand, balance, mentor_load
from matcher.supply_sheet import MUNICIPALITY_RU, area_label, conclusion_ru, ordered
from matcher.taxonomy import Taxonomy
from matcher.workbook import REASON_RU


def _mentee(p: ProposalRow | UnmatchedRow) -> str:
    if isinstance(p, UnmatchedRow):
        return qualified(p.institution or "", p.mentee_id)
    return qualified(p.mentee_institution or "", p.mentee_id)


def _mentor(p: ProposalRow) -> str:
    return qualified(p.mentor_institution or "", p.mentor_id)


def _held_back(runs: Sequence[RunRow], proposals: Sequence[ProposalRow]) -> Counter[str]:
    """Places the runs held back beyond what the other given runs proposed: a cycle's municipal
    pass holds the institutions' proposed places (already counted as proposals) and, like the
    institution runs, every place of a mentor resting from heavy years (not supply)."""
    held: Counter[str] = Counter()
    for run in runs:
        others = mentor_load(
            Placed(_mentee(p), _mentor(p), (), p.group_id) for p in proposals if p.run_id != run.id
        )
        for mentor, places in (run.reserved or {}).items():
            held[mentor] = max(held[mentor], int(places) - others[mentor])
    return +held


def compute(session: Session, runs: Sequence[RunRow]) -> SupplyDemand:
    """Supply and demand after ``runs`` (all of them, unscoped), or before any run when empty."""
    proposals = [p for run in runs for p in run_records.proposals_of(session, run.id)]
    placed_ids = {_mentee(p) for p in proposals}
    unmatched = {
        _mentee(u): UnmatchedReason(u.reason)
        for run in runs
        for u in run_records.unmatched_of(session, run.id)
        if _mentee(u) not in placed_ids
    }
    mentees, mentors = with_programs(
        *banks_for_run(session, institution=None),
        program_records.running(session, besides={p.id for p in proposals}),
        _held_back(runs, proposals),
    )
    demand = mentees.mentees
    if runs:
        wanted = placed_ids | unmatched.keys()
        demand = tuple(m for m in demand if m.id in wanted)
    placed = [Placed(_mentee(p), _mentor(p), tuple(p.covered), p.group_id) for p in proposals]
    return balance(demand, mentors.mentors, placed, unmatched)


def public(
    session: Session,
    report: SupplyDemand,
    *,
    institution: str | None,
    named: bool,
    taxonomy: Taxonomy,
    run_ids: Sequence[int],
) -> dict[str, Any]:
    """The report for one ``institution`` (None: every institution and the municipality), in
    Russian where people read; ``named``: the remote mentors who could help by ФИО (the
    municipal role), else only how many."""
    names = repository.institution_names(session)
    shown = report if institution is None else report.of(institution)

    def institution_name(code: str) -> str:
        return MUNICIPALITY_RU if code == MUNICIPALITY else names.get(code, code)

    areas = [
        {
            "institution": a.institution or None,
            "institution_name": institution_name(a.institution),
            "area": a.area,
            "area_ru": area_label(a.area, taxonomy),
            "requests": a.requests,
            "covered": a.covered,
            "uncovered": a.uncovered,
            "waiting": a.waiting,
            "mentors": a.mentors,
            "places": a.places,
            "free_places": a.free_places,
            "shortage": a.shortage,
            "remote_mentors": a.remote_mentors,
            "remote_places": a.remote_places,
            "remote_closable": a.remote_closable,
            "to_recruit": a.to_recruit,
            "conclusion_ru": conclusion_ru(a),
        }
        for a in ordered(shown, names)
    ]
    lacking = []
    for m in shown.lacking:
        mentee_at, mentee_id = split(m.mentee_id)
        mentee = session.get(MenteeRow, {"institution": mentee_at, "id": mentee_id})
        helpers = None
        if named:
            helpers = []
            for mentor_id in m.remote_mentors:  # the best HELPERS_LISTED, as kept
                mentor_at, own_id = split(mentor_id)
                mentor = session.get(MentorRow, {"institution": mentor_at, "id": own_id})
                if mentor is not None:
                    helpers.append(
                        {
                            "mentor_id": own_id,
                            "full_name": mentor.full_name,
                            "position": mentor.position,
                            "institution": mentor.institution,
                            "institution_name": names.get(mentor.institution, mentor.institution),
                        }
                    )
        lacking.append(
            {
                "mentee_id": mentee_id,
                "full_name": mentee.full_name if mentee is not None else "",
                "position": mentee.position if mentee is not None else "",
                "institution": m.institution,
                "institution_name": names.get(m.institution, m.institution),
                "reason": m.reason.value,
                "reason_ru": REASON_RU.get(m.reason.value, m.reason.value),
                "areas": list(m.areas),
                "areas_ru": [area_label(a, taxonomy) for a in m.areas],
                "accepts_remote": m.accepts_remote,
                "remote_mentors_count": m.remote_mentor_count,
                "remote_mentors": helpers,
            }
        )
    return {"runs": list(run_ids), "institution": institution, "areas": areas, "lacking": lacking}


def summary_ru(report: dict[str, Any], *, top: int = 5) -> list[str]:
    """The largest gaps in a few Russian lines (the yearly cycle's report)."""
    gaps = sorted(
        (a for a in report["areas"] if a["institution"] is not None and a["waiting"]),
        key=lambda a: (-a["to_recruit"], -a["waiting"], a["institution_name"], a["area_ru"]),
    )
    if not gaps:
        return ["Спрос и предложение: все запросы наставляемых закрыты или ждут только своих наставников."]
    lines = ["Спрос и предложение (где запросов больше, чем могут взять наставники):"]
    lines += [f"  {a['institution_name']} — {a['area_ru']}: {a['conclusion_ru']}." for a in gaps[:top]]
    if len(gaps) > top:
        lines.append(f"  и ещё направлений с нехваткой — {len(gaps) - top}.")
    if report["lacking"]:
        lines.append(f"Без пары из-за нехватки компетенций: {len(report['lacking'])} наставляемых.")
    return lines
