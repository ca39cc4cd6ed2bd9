"""The documents of a run, filled from templates: the order, and for each pair or group the
programme, the consents and the end-of-programme questionnaires.

Each ``…_context`` builds the fields a template sees (Russian names, documented in the README
under «Шаблоны документов»); ``render`` fills a template; ``write_documents`` writes the whole
set into a folder for the batch command, the service serves one document at a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from matcher.documents.content import (
    MenteeRecord,
    MentorRecord,
    Official,
    Pairing,
    Period,
    PersonRecord,
    long_date,
    months_text,
    pairings_from,
    short_date,
)
from matcher.documents.declension import initials_first, surname_initials
from matcher.documents.programme import difficulties_of, plan_of
from matcher.documents.templates import Form, TemplateSet
from matcher.institutions import Institution, InstitutionKind
from matcher.model import MatchResult, MenteeBank, MentorBank
from matcher.taxonomy import Taxonomy

InstitutionOf = Callable[[str], Institution]
DEFAULT_MONTHS = 9
DRAFT_BASIS = (
    "решения совета наставников от «___» ____________ 20___ г. по итогам подбора наставнических пар (групп)"
)
FORMAT_TEXT = {False: "очный", True: "дистанционный (онлайн)"}
ORDER_FILE = "Приказ о закреплении наставнических пар (групп).docx"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True, slots=True)
class DocumentSettings:
    """What a run's documents need beyond the pairs: dates, the curator, the templates."""

    period: Period
    templates: TemplateSet
    curator: Official | None = None
    basis: str = ""
    """What the order is based on besides the consents, in the genitive («решения совета …»)."""


def lessons_word(issuer: Institution, pairing: Pairing) -> tuple[str, str]:
    """«занятие» in a kindergarten and in additional education, «урок» at school."""
    if pairing.preschool or issuer.kind in (InstitutionKind.KINDERGARTEN, InstitutionKind.ADDITIONAL):
        return "занятие", "занятий"
    return "урок", "уроков"


def institution_fields(issuer: Institution) -> dict[str, str]:
    return {
        "код": issuer.code,
        "полное_наименование": issuer.full_name,
        "краткое_наименование": issuer.name,
        "руководитель": issuer.head_name,
        "руководитель_подпись": initials_first(issuer.head_name) if issuer.head_name else "",
        "должность_руководителя": issuer.head_title.capitalize(),
        "адрес": issuer.address,
    }


def period_fields(period: Period) -> dict[str, str]:
    return {
        "начало": short_date(period.start),
        "окончание": short_date(period.end),
        "начало_прописью": long_date(period.start),
        "окончание_прописью": long_date(period.end),
        "месяцев": months_text(period.months),
        "текст": f"с {short_date(period.start)} по {short_date(period.end)}",
    }


def person_fields(
    person: PersonRecord | Official, institution_of: InstitutionOf | None = None
) -> dict[str, str]:
    institution = ""
    if institution_of is not None and isinstance(getattr(person, "institution", None), str):
        institution = institution_of(person.institution).name  # type: ignore[union-attr]
    return {
        "фио": person.full_name,
        "фамилия_инициалы": surname_initials(person.full_name),
        "инициалы_фамилия": initials_first(person.full_name),
        "должность": person.position,
        "организация": institution,
    }


def _pairing_fields(
    number: int, pairing: Pairing, period: Period, institution_of: InstitutionOf, home: str
) -> dict[str, Any]:
    def named(person: PersonRecord) -> dict[str, str]:
        fields = person_fields(person, institution_of)
        fields["другая_организация"] = fields["организация"] if person.institution != home else ""
        return fields

    return {
        "номер": number,
        "наставник": named(pairing.mentor),
        "наставляемые": [named(mentee) for mentee in pairing.mentees],
        "групповая": pairing.grouped,
        "дистанционная": pairing.remote,
        "межорганизационная": pairing.cross_institution,
        "вид": ", ".join(pairing.kinds()),
        "режим": FORMAT_TEXT[pairing.remote],
        "срок": period_fields(period)["текст"],
    }


def order_context(
    issuer: Institution,
    pairings: Sequence[Pairing],
    settings: DocumentSettings,
    institution_of: InstitutionOf,
) -> dict[str, Any]:
    """The order «О закреплении наставнических пар (групп)» of ``issuer``."""
    entries = [
        _pairing_fields(number, pairing, settings.period, institution_of, issuer.code)
        for number, pairing in enumerate(pairings, start=1)
    ]
    people: dict[str, dict[str, str]] = {}
    for pairing in pairings:
        for person in (pairing.mentor, *pairing.mentees):
            people.setdefault(person.full_name, person_fields(person, institution_of))
    acquainted = sorted(people.values(), key=lambda p: p["фио"].casefold())
    curator = person_fields(settings.curator) if settings.curator else None
    if curator is not None:
        acquainted.append(curator)
    return {
        "организация": institution_fields(issuer),
        "срок": period_fields(settings.period),
        "пары": entries,
        "куратор": curator,
        "ознакомлены": acquainted,
        "основание": settings.basis,
    }


def _difficulty_fields(pairing: Pairing, taxonomy: Taxonomy) -> list[dict[str, Any]]:
    return [
        {
            "название": d.label,
            "степень": d.severity_ru,
            "закрывает_наставник": d.covered,
            "у_кого": ", ".join(surname_initials(name) for name in d.mentees),
        }
        for d in difficulties_of(pairing, taxonomy)
    ]


def programme_context(
    issuer: Institution,
    pairing: Pairing,
    settings: DocumentSettings,
    taxonomy: Taxonomy,
    institution_of: InstitutionOf,
) -> dict[str, Any]:
    """004's personalised programme for one pair or group."""
    difficulties = difficulties_of(pairing, taxonomy)
    plan = plan_of(pairing, difficulties, settings.period, lessons_word=lessons_word(issuer, pairing))
    covered = [d.label for d in difficulties if d.covered]
    return {
        "организация": institution_fields(issuer),
        "срок": period_fields(settings.period),
        "пара": _pairing_fields(1, pairing, settings.period, institution_of, issuer.code),
        "куратор": person_fields(settings.curator) if settings.curator else None,
        "затруднения": _difficulty_fields(pairing, taxonomy),
        "темы_наставника": covered,
        "план": [
            {
                "номер": n,
                "направление": a.direction,
                "мероприятия": a.content,
                "срок": a.term,
                "результат": a.result,
            }
            for n, a in enumerate(plan, start=1)
        ],
        "урок": lessons_word(issuer, pairing)[0],
        "уроков": lessons_word(issuer, pairing)[1],
    }


def participant_context(
    issuer: Institution,
    pairing: Pairing,
    person: MentorRecord | MenteeRecord,
    settings: DocumentSettings,
    taxonomy: Taxonomy,
    institution_of: InstitutionOf,
) -> dict[str, Any]:
    """A consent or a questionnaire: one participant, with the other side of the pair named."""
    is_mentor = person is pairing.mentor
    partners = list(pairing.mentees) if is_mentor else [pairing.mentor]
    own = [
        d
        for d in _difficulty_fields(pairing, taxonomy)
        if is_mentor or surname_initials(person.full_name) in d["у_кого"].split(", ")
    ]
    return {
        "организация": institution_fields(issuer),
        "срок": period_fields(settings.period),
        "пара": _pairing_fields(1, pairing, settings.period, institution_of, issuer.code),
        "участник": person_fields(person, institution_of),
        "роль": "наставник" if is_mentor else "наставляемый",
        "наставник_ли": is_mentor,
        "партнёры": [person_fields(p, institution_of) for p in partners],
        "затруднения": own,
        "урок": lessons_word(issuer, pairing)[0],
        "уроков": lessons_word(issuer, pairing)[1],
    }


def file_name(text: str) -> str:
    """A name Windows accepts for a file or folder."""
    return _UNSAFE.sub(" ", text).strip(" .")


def write_documents(
    folder: Path,
    pairings: Sequence[Pairing],
    settings: DocumentSettings,
    taxonomy: Taxonomy,
    institution_of: InstitutionOf,
) -> list[Path]:
    """The order of each institution whose mentees are in ``pairings`` and a folder per pair or
    group with its programme, consents and questionnaires. ``folder`` must not exist yet."""
    folder.mkdir(parents=True)
    written: list[Path] = []

    def save(path: Path, content: bytes) -> None:
        path.write_bytes(content)
        written.append(path)

    homes = sorted({pairing.mentees[0].institution for pairing in pairings})
    for home in homes:
        issuer = institution_of(home)
        own = [p for p in pairings if p.mentees[0].institution == home]
        name = ORDER_FILE if len(homes) == 1 else f"{ORDER_FILE[:-5]} — {issuer.name}.docx"
        context = order_context(issuer, own, settings, institution_of)
        save(folder / file_name(name), settings.templates[Form.ORDER].render(context))
    for number, pairing in enumerate(pairings, start=1):
        issuer = institution_of(pairing.mentees[0].institution)
        label = surname_initials(pairing.mentor.full_name) + (" (группа)" if pairing.grouped else " (пара)")
        place = folder / file_name(f"{number:02d} {label}")
        place.mkdir()
        save(
            place / "Программа наставничества.docx",
            settings.templates[Form.PROGRAMME].render(
                programme_context(issuer, pairing, settings, taxonomy, institution_of)
            ),
        )
        participants: list[MentorRecord | MenteeRecord] = [pairing.mentor, *pairing.mentees]
        for person in participants:
            context = participant_context(issuer, pairing, person, settings, taxonomy, institution_of)
            who = surname_initials(person.full_name)
            consent = settings.templates[Form.CONSENT].render(context)
            save(place / file_name(f"Согласие ({who}).docx"), consent)
            form = Form.MENTOR_QUESTIONNAIRE if person is pairing.mentor else Form.MENTEE_QUESTIONNAIRE
            role = "наставника" if person is pairing.mentor else "наставляемого"
            save(place / file_name(f"Анкета {role} ({who}).docx"), settings.templates[form].render(context))
    return written


def batch_documents(
    result: MatchResult,
    mentors: MentorBank,
    mentees: MenteeBank,
    taxonomy: Taxonomy,
    *,
    templates: TemplateSet,
    today: date,
) -> Callable[[Path], list[Path]]:
    """What the batch command writes into ``документы/``: drafts for every proposed pair, the
    period from the first day of next month, the council's decision left to fill in."""
    pairings = pairings_from(
        result.proposals,
        {mentor.id: mentor for mentor in mentors.mentors},
        {mentee.id: mentee for mentee in mentees.mentees},
    )
    settings = DocumentSettings(Period.from_next_month(today, DEFAULT_MONTHS), templates, basis=DRAFT_BASIS)

    def write(folder: Path) -> list[Path]:
        return write_documents(folder, pairings, settings, taxonomy, result.institutions.get)

    return write
