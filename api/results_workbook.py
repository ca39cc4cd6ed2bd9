"""A run's ``results.xlsx`` from its stored proposals: the very workbook the batch command writes.

The stored rows become the library's ``Proposal``, ``Unmatched`` and ``Alternative`` again,
people are read from the banks when the workbook is made (an erased person shows as
«(данные удалены)»), and the council's columns are prefilled with what was recorded: the
decision (approved → утвердить, rejected → отклонить, pinned → закрепить), its comment and
both consents. ``matcher.workbook`` writes it.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from api import supply_demand
from api.person_keys import qualified, split
from api.storage import repository, run_records
from api.storage.tables import MenteeRow, MentorRow, RunRow
from matcher.model import Alternative, MeetingFormat, Proposal, Unmatched, UnmatchedReason
from matcher.supply_demand import SupplyDemand
from matcher.supply_sheet import supply_sheets
from matcher.taxonomy import Taxonomy
from matcher.workbook import (
    STATUS_DECISION,
    CouncilMarks,
    ExtraSheet,
    People,
    PersonCard,
    ResultsBook,
    write_workbook,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _card(row: MenteeRow | MentorRow, names: Mapping[str, str]) -> PersonCard:
    return PersonCard(row.full_name, row.position, names.get(row.institution, row.institution))


def _shared_ids(people: Iterable[tuple[str, str]]) -> set[str]:
    """Ids that two different people of the workbook have (two institutions use them)."""
    institutions: dict[str, set[str]] = defaultdict(set)
    for institution, person_id in people:
        institutions[person_id].add(institution)
    return {person_id for person_id, codes in institutions.items() if len(codes) > 1}


def _supply_sheets(
    session: Session, run: RunRow, taxonomy: Taxonomy, names: Mapping[str, str], *, scope: str | None
) -> tuple[ExtraSheet, ...]:
    """The sheets «Спрос и предложение» and «Нет наставника по профилю» after ``run``, as the
    batch command writes them; an institution sees its own rows, and of other institutions'
    mentors who could help only how many."""
    report: SupplyDemand = supply_demand.compute(session, [run])
    if scope is not None:
        report = report.of(scope)
    mentees = repository.people_by_key(session, MenteeRow, (split(m.mentee_id) for m in report.lacking))
    mentors = (
        repository.people_by_key(
            session, MentorRow, (split(helper) for m in report.lacking for helper in m.remote_mentors)
        )
        if scope is None
        else {}
    )
    people = People(
        mentees={qualified(*person): _card(row, names) for person, row in mentees.items()},
        mentors={qualified(*person): _card(row, names) for person, row in mentors.items()},
    )
    return supply_sheets(report, taxonomy, people, names, named=scope is None)


def results_xlsx(session: Session, run: RunRow, taxonomy: Taxonomy, *, scope: str | None) -> bytes:
    """The workbook of ``run`` within ``scope`` (None: the whole run)."""
    stored = run_records.proposals_of(session, run.id, scope=scope)
    left = run_records.unmatched_of(session, run.id, scope=scope)
    others = run_records.alternatives_of_run(session, run.id, scope=scope)
    comments = run_records.decision_comments(session, run.id)
    names = repository.institution_names(session)
    mentees = repository.people_by_key(
        session,
        MenteeRow,
        [
            *((p.mentee_institution, p.mentee_id) for p in stored),
            *((u.institution, u.mentee_id) for u in left),
        ],
    )
    mentors = repository.people_by_key(
        session,
        MentorRow,
        [
            *((p.mentor_institution, p.mentor_id) for p in stored),
            *((a.alternative_mentor_institution, a.alternative_mentor_id) for a in others),
            *(split(c) for u in left for c in u.candidates),
        ],
    )
    shared = _shared_ids([*mentees, *mentors])

    def key(institution: str | None, person_id: str) -> str:
        """A person's own id, qualified only where two people of this workbook share it."""
        return qualified(institution, person_id) if institution and person_id in shared else person_id

    people = People(
        mentees={key(*person): _card(row, names) for person, row in mentees.items()},
        mentors={key(*person): _card(row, names) for person, row in mentors.items()},
    )
    book = ResultsBook(
        proposals=[
            Proposal(
                mentee_id=key(p.mentee_institution, p.mentee_id),
                mentor_id=key(p.mentor_institution, p.mentor_id),
                format=MeetingFormat(p.format),
                score=p.score,
                covered=tuple(p.covered),
                explanation=p.explanation,
                breakdown=dict(p.breakdown),
                group_id=p.group_id,
                robustness=p.robustness,
            )
            for p in stored
        ],
        unmatched=[
            Unmatched(
                mentee_id=key(u.institution, u.mentee_id),
                reason=UnmatchedReason(u.reason),
                candidates=tuple(key(*split(c)) for c in u.candidates),
                explanation=u.explanation,
                fix=u.fix,
                fix_verified=u.fix_verified,
            )
            for u in left
        ],
        alternatives=[
            Alternative(
                key(a.mentee_institution, a.mentee_id),
                key(a.mentor_institution, a.mentor_id),
                a.rank,
                key(a.alternative_mentor_institution, a.alternative_mentor_id),
                a.score,
                a.free_places,
            )
            for a in others
        ],
        summary=run.summary or {},
        people=people,
        taxonomy=taxonomy,
        marks={
            (key(p.mentee_institution, p.mentee_id), key(p.mentor_institution, p.mentor_id)): CouncilMarks(
                decision=STATUS_DECISION.get(p.status, ""),
                comment=comments.get(p.id, ""),
                mentee_consent=p.mentee_consent,
                mentor_consent=p.mentor_consent,
            )
            for p in stored
        },
        title=f"Подбор наставнических пар № {run.id}"
        + (f" от {run.finished_at:%d.%m.%Y}" if run.finished_at else ""),
        extra_sheets=_supply_sheets(session, run, taxonomy, names, scope=scope),
    )
    buffer = io.BytesIO()
    write_workbook(book, buffer)
    return buffer.getvalue()
