"""The order and the forms the service serves, filled from templates by ``matcher.documents``.

The order lists only pairs and groups the council approved or pinned and to which both the
mentor and the mentee agreed in writing (the regulations form pairs voluntarily and with mutual
interest). A pair's forms (programme, consents, questionnaires) exist from the proposal on,
since the consent is what a participant signs to agree. A group's forms name every member the
council has not rejected. Each document is filled from its institution's own template when the
curator uploaded one (``/api/v1/templates``), else from the packaged one; names come from the
banks when the document is made, so an erased person appears nowhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from api.errors import NotFound, Unacceptable
from api.person_keys import qualified
from api.storage import repository, run_records
from api.storage.tables import MenteeRow, MentorRow, ProposalRow, RunRow
from matcher.documents.content import MenteeRecord, MentorRecord, Official, Pairing, Period, pairings_from
from matcher.documents.rendering import (
    DocumentSettings,
    order_context,
    participant_context,
    programme_context,
)
from matcher.documents.templates import Form, TemplateError, TemplateSet, TemplateSource
from matcher.institutions import Institution, InstitutionRegistry
from matcher.taxonomy import Taxonomy

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEFAULT_MONTHS = 9
ORDERED_STATUSES = frozenset({"approved", "pinned"})
FORM_KEYS: dict[str, Form] = {
    "order": Form.ORDER,
    "programme": Form.PROGRAMME,
    "consent": Form.CONSENT,
    "mentee-questionnaire": Form.MENTEE_QUESTIONNAIRE,
    "mentor-questionnaire": Form.MENTOR_QUESTIONNAIRE,
}
MUNICIPAL_ISSUER = Institution(
    code="municipality",
    full_name="[Наименование органа местного самоуправления, осуществляющего управление в сфере образования]",
)


@dataclass(frozen=True, slots=True)
class Terms:
    """What a request says about the documents: the period and the curator."""

    start: date
    months: int
    curator: str | None = None

    def settings(self, templates: TemplateSet, basis: str = "") -> DocumentSettings:
        return DocumentSettings(
            Period(self.start, self.months), templates, Official.parse(self.curator), basis
        )


def templates_of(session: Session, institution: str | None) -> TemplateSet:
    """The institution's uploaded templates over the packaged ones."""
    if institution is None:
        return TemplateSet.standard()
    return TemplateSet(
        {
            Form(row.form): TemplateSource(
                Form(row.form), row.content, f"загружен {row.uploaded_at:%d.%m.%Y %H:%M}"
            )
            for row in repository.document_templates(session, institution)
        }
    )


def _render(source: TemplateSource, context: dict[str, object]) -> bytes:
    try:
        return source.render(context)
    except TemplateError as exc:
        raise Unacceptable(f"Документ не собран: {exc}") from None


@dataclass(frozen=True, slots=True)
class _Qualified:
    """A proposal whose people are named by qualified ids (two institutions may share an id)."""

    mentee_id: str
    mentor_id: str
    group_id: str
    format: str


def _pairings(
    session: Session, proposals: Sequence[ProposalRow]
) -> tuple[list[Pairing], InstitutionRegistry]:
    mentors = repository.people_by_key(
        session, MentorRow, ((p.mentor_institution, p.mentor_id) for p in proposals)
    )
    mentees = repository.people_by_key(
        session, MenteeRow, ((p.mentee_institution, p.mentee_id) for p in proposals)
    )
    codes = {mentor.institution for mentor in mentors.values()} | {
        mentee.institution for mentee in mentees.values()
    }
    named = [
        _Qualified(
            qualified(p.mentee_institution or "", p.mentee_id),
            qualified(p.mentor_institution or "", p.mentor_id),
            p.group_id,
            p.format,
        )
        for p in proposals
    ]
    pairings = pairings_from(
        named,
        {qualified(*key): row for key, row in mentors.items()},
        {qualified(*key): row for key, row in mentees.items()},
    )
    return pairings, repository.institution_registry(session, codes)


def _agreed(proposal: ProposalRow) -> bool:
    return (
        proposal.status in ORDERED_STATUSES
        and proposal.mentee_consent is True
        and proposal.mentor_consent is True
    )


def order_docx(session: Session, run: RunRow, terms: Terms, *, scope: str | None) -> bytes:
    """The draft order of ``run``; of ``scope`` (an institution's order: its own people's pairs)
    when given."""
    proposals = [p for p in run_records.proposals_of(session, run.id, scope=scope) if _agreed(p)]
    pairings, registry = _pairings(session, proposals)
    code = run.institution or scope
    issuer = MUNICIPAL_ISSUER if code is None else registry.get(code)
    done = run.finished_at.strftime("%d.%m.%Y") if run.finished_at else "__.__.____"
    basis = f"решения совета наставников по итогам подбора наставнических пар (групп) № {run.id} от {done}"
    settings = terms.settings(templates_of(session, code), basis)
    return _render(settings.templates[Form.ORDER], order_context(issuer, pairings, settings, registry.get))


def _pairing_of(session: Session, proposal: ProposalRow) -> tuple[Pairing, InstitutionRegistry]:
    """The pair of ``proposal``, or its group: the members the council has not rejected."""
    members = [
        p
        for p in run_records.proposals_of(session, proposal.run_id)
        if p.id == proposal.id
        or (
            proposal.group_id
            and p.group_id == proposal.group_id
            and p.mentor_id == proposal.mentor_id
            and p.status != "rejected"
        )
    ]
    pairings, registry = _pairings(session, members)
    if not pairings:
        raise NotFound("Участник пары удалён из банка: документов по ней нет")
    return pairings[0], registry


def programme_docx(session: Session, proposal: ProposalRow, terms: Terms, taxonomy: Taxonomy) -> bytes:
    """The personalised programme of the proposal's pair or group, issued by the mentee's institution."""
    pairing, registry = _pairing_of(session, proposal)
    issuer = registry.get(pairing.mentees[0].institution)
    settings = terms.settings(templates_of(session, issuer.code))
    context = programme_context(issuer, pairing, settings, taxonomy, registry.get)
    return _render(settings.templates[Form.PROGRAMME], context)


def participant_docx(
    session: Session, proposal: ProposalRow, party: str, form: Form, terms: Terms, taxonomy: Taxonomy
) -> bytes:
    """The consent or a questionnaire of the proposal's mentee or mentor, issued by their institution."""
    pairing, registry = _pairing_of(session, proposal)
    # the same object as in the pairing
    mentee = session.get(MenteeRow, {"institution": proposal.mentee_institution, "id": proposal.mentee_id})
    person: MentorRecord | MenteeRecord | None = (
        pairing.mentor if party == "mentor" else next((m for m in pairing.mentees if m is mentee), None)
    )
    if person is None:
        raise NotFound("Наставляемый удалён из банка: документов для него нет")
    issuer = registry.get(person.institution)
    settings = terms.settings(templates_of(session, issuer.code))
    context = participant_context(issuer, pairing, person, settings, taxonomy, registry.get)
    return _render(settings.templates[form], context)
