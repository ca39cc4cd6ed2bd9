"""A run's workbook: every proposal and every unmatched mentee (the order and the forms are
``api.forms``). Names are read from the banks when a workbook is made, so an erased person's
name appears nowhere.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from api.mentoring_kinds import FORMAT_RU
from api.storage import repository, run_records
from api.storage.tables import MenteeRow, MentorRow, ProposalRow, RunRow, UnmatchedRow
from matcher.taxonomy import Taxonomy

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERASED = "(данные удалены)"
STATUS_RU = {
    "proposed": "предложена",
    "approved": "одобрена",
    "rejected": "отклонена",
    "pinned": "закреплена",
}
CONSENT_RU = {None: "", True: "да", False: "нет"}
REASON_RU = {
    "no_consent": "нет согласия",
    "no_compatible_mentor": "нет подходящего наставника",
    "capacity_exhausted": "подходящие наставники заняты",
}


@dataclass(frozen=True, slots=True)
class _People:
    mentees: Mapping[str, MenteeRow]
    mentors: Mapping[str, MentorRow]
    institutions: Mapping[str, str]

    @classmethod
    def of(
        cls, session: Session, proposals: Sequence[ProposalRow], extra_mentees: Sequence[str] = ()
    ) -> _People:
        return cls(
            mentees=repository.people_by_id(
                session, MenteeRow, [*(p.mentee_id for p in proposals), *extra_mentees]
            ),
            mentors=repository.people_by_id(session, MentorRow, (p.mentor_id for p in proposals)),
            institutions=repository.institution_names(session),
        )


PAIR_HEADER = (
    "№ предложения",
    "Группа",
    "Наставляемый (id)",
    "Наставляемый",
    "Организация наставляемого",
    "Наставник (id)",
    "Наставник",
    "Организация наставника",
    "Формат",
    "Оценка",
    "Закрывает затруднения",
    "Пояснение",
    "Решение совета",
    "Согласие наставляемого",
    "Согласие наставника",
    "Версия",
)
UNMATCHED_HEADER = (
    "Наставляемый (id)",
    "Наставляемый",
    "Организация",
    "Причина",
    "Пояснение",
    "Кандидаты",
    "Что поможет",
)


def _pair_cells(p: ProposalRow, people: _People, taxonomy: Taxonomy) -> list[object]:
    mentee, mentor = people.mentees.get(p.mentee_id), people.mentors.get(p.mentor_id)
    return [
        p.id,
        p.group_id,
        p.mentee_id,
        mentee.full_name if mentee else ERASED,
        mentee.institution if mentee else "",
        p.mentor_id,
        mentor.full_name if mentor else ERASED,
        mentor.institution if mentor else "",
        FORMAT_RU.get(p.format, p.format),
        p.score,
        "; ".join(taxonomy.short(c) if c in taxonomy else c for c in p.covered),
        p.explanation,
        STATUS_RU.get(p.status, p.status),
        CONSENT_RU[p.mentee_consent],
        CONSENT_RU[p.mentor_consent],
        p.version,
    ]


def _unmatched_cells(u: UnmatchedRow, people: _People) -> list[object]:
    mentee = people.mentees.get(u.mentee_id)
    return [
        u.mentee_id,
        mentee.full_name if mentee else ERASED,
        mentee.institution if mentee else "",
        REASON_RU.get(u.reason, u.reason),
        u.explanation,
        "; ".join(u.candidates),
        u.fix,
    ]


def _fill(sheet: Worksheet, header: Sequence[str], rows: Iterable[list[object]]) -> None:
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(row)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 22


def pairs_xlsx(session: Session, run: RunRow, taxonomy: Taxonomy, *, scope: str | None = None) -> bytes:
    """Every proposal and every unmatched mentee of ``run`` within ``scope``, with names from the banks."""
    proposals = run_records.proposals_of(session, run.id, scope=scope)
    unmatched = run_records.unmatched_of(session, run.id, scope=scope)
    people = _People.of(session, proposals, [u.mentee_id for u in unmatched])
    workbook = Workbook()
    pairs = workbook.active
    pairs.title = "Пары"
    _fill(pairs, PAIR_HEADER, (_pair_cells(p, people, taxonomy) for p in proposals))
    _fill(
        workbook.create_sheet("Без пары"), UNMATCHED_HEADER, (_unmatched_cells(u, people) for u in unmatched)
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
