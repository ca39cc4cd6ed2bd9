"""A run's ``results.xlsx`` from its stored proposals: the very workbook the batch command writes.

The stored rows become the library's ``Proposal``, ``Unmatched`` and ``Alternative`` again,
people are read from the banks when the workbook is made (an erased person shows as
«(данные удалены)»), and the council's columns are prefilled with what was recorded: the
decision (approved → утвердить, rejected → отклонить, pinned → закрепить), its comment and
both consents. ``matcher.workbook`` writes it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from sqlalchemy.orm import Session

from api.storage import repository, run_records
from api.storage.tables import MenteeRow, MentorRow, RunRow
from matcher.model import Alternative, MeetingFormat, Proposal, Unmatched, UnmatchedReason
from matcher.taxonomy import Taxonomy
from matcher.workbook import STATUS_DECISION, CouncilMarks, People, PersonCard, ResultsBook, write_workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _card(row: MenteeRow | MentorRow, names: Mapping[str, str]) -> PersonCard:
    return PersonCard(row.full_name, row.position, names.get(row.institution, row.institution))


def results_xlsx(session: Session, run: RunRow, taxonomy: Taxonomy, *, scope: str | None) -> bytes:
    """The workbook of ``run`` within ``scope`` (None: the whole run)."""
    stored = run_records.proposals_of(session, run.id, scope=scope)
    left = run_records.unmatched_of(session, run.id, scope=scope)
    others = run_records.alternatives_of_run(session, run.id, scope=scope)
    comments = run_records.decision_comments(session, run.id)
    names = repository.institution_names(session)
    mentees = repository.people_by_id(
        session, MenteeRow, [*(p.mentee_id for p in stored), *(u.mentee_id for u in left)]
    )
    mentors = repository.people_by_id(
        session,
        MentorRow,
        [
            *(p.mentor_id for p in stored),
            *(a.alternative_mentor_id for a in others),
            *(c for u in left for c in u.candidates),
        ],
    )
    people = People(
        mentees={person_id: _card(row, names) for person_id, row in mentees.items()},
        mentors={person_id: _card(row, names) for person_id, row in mentors.items()},
    )
    book = ResultsBook(
        proposals=[
            Proposal(
                mentee_id=p.mentee_id,
                mentor_id=p.mentor_id,
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
                mentee_id=u.mentee_id,
                reason=UnmatchedReason(u.reason),
                candidates=tuple(u.candidates),
                explanation=u.explanation,
                fix=u.fix,
                fix_verified=u.fix_verified,
            )
            for u in left
        ],
        alternatives=[
            Alternative(a.mentee_id, a.mentor_id, a.rank, a.alternative_mentor_id, a.score, a.free_places)
            for a in others
        ],
        summary=run.summary or {},
        people=people,
        taxonomy=taxonomy,
        marks={
            (p.mentee_id, p.mentor_id): CouncilMarks(
                decision=STATUS_DECISION.get(p.status, ""),
                comment=comments.get(p.id, ""),
                mentee_consent=p.mentee_consent,
                mentor_consent=p.mentor_consent,
            )
            for p in stored
        },
        title=f"Подбор наставнических пар № {run.id}"
        + (f" от {run.finished_at:%d.%m.%Y}" if run.finished_at else ""),
    )
    buffer = io.BytesIO()
    write_workbook(book, buffer)
    return buffer.getvalue()
