"""A run's documents: the draft order «О закреплении наставнических пар (групп)» and the workbook.

The order lists only pairs and groups the council approved or pinned and to which both the
mentor and the mentee agreed in writing (the regulations form pairs voluntarily and with
mutual interest), with names, positions and institutions from the banks, the form (kind) of
mentoring, the period and the curator. The workbook holds every proposal and every unmatched
mentee. Names are read from the banks when a document is made, so an erased person's name
appears nowhere.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from api.mentoring_kinds import FORMAT_RU, mentoring_kind_ru
from api.russian import plural_ru
from api.storage import repository, run_records
from api.storage.tables import MenteeRow, MentorRow, ProposalRow, RunRow, UnmatchedRow
from matcher.taxonomy import Taxonomy

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_MONTHS = 9
ORDERED_STATUSES = frozenset({"approved", "pinned"})
ERASED = "(данные удалены)"
BLANK_LINE = "________________________________"
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
BASIS = (
    "В соответствии с Положением о системе (целевой модели) наставничества педагогических "
    "работников, на основании решения совета по итогам подбора наставнических пар "
    "(подбор № {run} от {date}) и письменного согласия наставников и наставляемых на участие "
    "в наставничестве (пары и группы формируются на добровольной основе, с учётом взаимного "
    "интереса),"
)


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

    def describe(self, person: MentorRow | MenteeRow) -> str:
        institution = self.institutions.get(person.institution, person.institution)
        return ", ".join(part for part in (person.full_name, person.position, institution) if part)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One line of the order: a mentor with one mentee, or with a group."""

    mentor: MentorRow
    mentees: tuple[MenteeRow, ...]
    format: str
    grouped: bool

    def kind_ru(self) -> str:
        return mentoring_kind_ru(self.format, grouped=self.grouped, mentor=self.mentor, mentees=self.mentees)


def _agreed(proposal: ProposalRow) -> bool:
    return (
        proposal.status in ORDERED_STATUSES
        and proposal.mentee_consent is True
        and proposal.mentor_consent is True
    )


def _entries(proposals: Sequence[ProposalRow], people: _People) -> list[_Entry]:
    """Approved or pinned and agreed proposals whose people are still in the banks, groups joined."""
    grouped: dict[tuple[str, str], list[ProposalRow]] = defaultdict(list)
    for proposal in proposals:
        if (
            _agreed(proposal)
            and proposal.mentee_id in people.mentees
            and proposal.mentor_id in people.mentors
        ):
            key = (proposal.mentor_id, proposal.group_id or f"pair:{proposal.id}")
            grouped[key].append(proposal)
    entries = [
        _Entry(
            mentor=people.mentors[mentor_id],
            mentees=tuple(people.mentees[p.mentee_id] for p in members),
            format="remote" if any(p.format == "remote" for p in members) else "in_person",
            grouped=len(members) > 1,
        )
        for (mentor_id, _), members in grouped.items()
    ]
    return sorted(entries, key=lambda e: (e.mentor.full_name, e.mentees[0].full_name))


def _months_ru(months: int) -> str:
    return f"{months} {plural_ru(months, 'месяц', 'месяца', 'месяцев')}"


def _heading(document: DocxDocument, text: str, *, size: int = 12, bold: bool = True) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


COLUMN_WIDTHS = (Cm(0.9), Cm(5.0), Cm(5.0), Cm(3.6), Cm(2.5))


def _order_table(document: DocxDocument, entries: Sequence[_Entry], people: _People, months: int) -> None:
    header = (
        "№",
        "Наставник (ФИО, должность, организация)",
        "Наставляемый (наставляемые)",
        "Форма (вид) наставничества",
        "Срок",
    )
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for number, entry in enumerate(entries, start=1):
        cells = table.add_row().cells
        cells[0].text = str(number)
        cells[1].text = people.describe(entry.mentor)
        mentees = [people.describe(mentee) for mentee in entry.mentees]
        cells[2].text = (
            "\n".join(f"{i}) {m}" for i, m in enumerate(mentees, start=1)) if entry.grouped else mentees[0]
        )
        cells[3].text = entry.kind_ru()
        cells[4].text = _months_ru(months)
    for column, width in zip(table.columns, COLUMN_WIDTHS, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    document.add_paragraph()


def order_docx(
    session: Session, run: RunRow, *, months: int, curator: str | None, scope: str | None = None
) -> bytes:
    """The draft order for ``run`` as a .docx file; of ``scope`` (an institution's order: the
    pairs of its own people) when given."""
    proposals = run_records.proposals_of(session, run.id, scope=scope)
    people = _People.of(session, proposals)
    entries = _entries(proposals, people)
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    issuer = run.institution or scope
    owner = (
        people.institutions.get(issuer, issuer)
        if issuer
        else "[Наименование органа местного самоуправления, осуществляющего управление в сфере образования]"
    )
    _heading(document, owner, bold=False)
    _heading(document, "ПРИКАЗ", size=14)
    _heading(document, "(проект)", bold=False)
    document.add_paragraph("«___» ______________ 20___ г.\t\t\t\t\t№ _______")
    _heading(document, "О закреплении наставнических пар (групп)")
    done = run.finished_at.strftime("%d.%m.%Y") if run.finished_at else "__.__.____"
    document.add_paragraph(BASIS.format(run=run.id, date=done)).paragraph_format.first_line_indent = Cm(1.25)
    _heading(document, "ПРИКАЗЫВАЮ:")
    document.add_paragraph(
        "1. Закрепить наставнические пары (группы) в составе согласно таблице" + (":" if entries else ".")
    )
    if entries:
        _order_table(document, entries, people, months)
    else:
        document.add_paragraph("Пар и групп, одобренных советом и согласованных обеими сторонами, пока нет.")
    document.add_paragraph(
        f"2. Установить срок осуществления наставничества {_months_ru(months)} "
        "со дня издания настоящего приказа."
    )
    document.add_paragraph(
        "3. Наставникам совместно с наставляемыми в течение одного месяца разработать "
        "индивидуальные планы развития под руководством наставника."
    )
    named = curator.strip() if curator and curator.strip() else f"{BLANK_LINE} (ФИО, должность)"
    document.add_paragraph(f"4. Назначить куратором реализации программ наставничества {named}.")
    document.add_paragraph("5. Контроль за исполнением настоящего приказа оставляю за собой.")
    document.add_paragraph()
    document.add_paragraph("Руководитель\t\t\t\t______________ / ______________________ /")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


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
