"""Who is who across the two banks: one spelling per institution, one person per id.

Curators type their institution by hand in each row, and the banks of a municipality are put
together from many schools' files: «МБОУ СОШ №5», «мбоу сош № 5», «МБОУ «СОШ №5»» and a
spelling with a non-breaking space all name one school. Compared as written they were four
schools, so in-person pairs between them were forbidden and the diagnosis advised remote
meetings. ``one_spelling`` reads the spellings that differ only in case, ё/е, spaces, quotes
and the space after «№» as the first one met (the mentors' file first) and says so.

An id names one person in both banks (interchange contract: the same person may appear in the
mentees' bank with the same id, and nobody mentors themselves). A curator who numbers both
lists 1…N gives one id to two people: ``check_shared_ids`` refuses that, naming both. A person
entered in both banks under two ids (same full name, same institution) is still one person:
``self_mentor_index`` finds her mentor row, so she is never proposed to herself, and
``same_people`` names her for the run's notices.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TypeVar

from matcher.errors import CellProblem, InputError
from matcher.model import MenteeBank, MentorBank, Person
from matcher.reading import RawTable
from matcher.taxonomy import normalise_term

_P = TypeVar("_P", bound=Person)
_QUOTES = re.compile("[\"'«»„“”‘’]")
_NUMBER_SIGN = re.compile(r"№\s*")


def institution_key(text: str) -> str:
    """What two spellings of one institution share: case, ё/е, spaces, quotes and the space
    after «№» do not count."""
    return _NUMBER_SIGN.sub("№", normalise_term(_QUOTES.sub("", text)))


def _name_key(person: Person) -> str:
    return normalise_term(person.full_name)


Respelled = dict[str, list[str]]
"""{an institution as first written: the other spellings read as it}."""


def one_spelling(mentors: MentorBank, mentees: MenteeBank) -> tuple[MentorBank, MenteeBank, Respelled]:
    """Both banks with each institution written as it was first met (the mentors' file first),
    and the spellings read that way: {first spelling: [the others]}."""
    first: dict[str, str] = {}
    others: dict[str, list[str]] = {}
    for person in (*mentors.mentors, *mentees.mentees):
        written = person.institution
        chosen = first.setdefault(institution_key(written), written)
        if chosen != written and written not in others.setdefault(chosen, []):
            others[chosen].append(written)
    others = {chosen: spellings for chosen, spellings in others.items() if spellings}
    if not others:
        return mentors, mentees, {}

    def respelled(people: tuple[_P, ...]) -> tuple[_P, ...]:
        return tuple(
            person
            if (chosen := first[institution_key(person.institution)]) == person.institution
            else person.model_copy(update={"institution": chosen})
            for person in people
        )

    return (
        replace(mentors, mentors=respelled(mentors.mentors)),
        replace(mentees, mentees=respelled(mentees.mentees)),
        others,
    )


def check_shared_ids(mentees: MenteeBank, mentors: MentorBank, *, mentee_table: RawTable) -> None:
    """An id in both banks names one person: an ``InputError`` for each mentee whose id is a
    mentor's of another name. ``mentees`` must be the bank of ``mentee_table``, row by row."""
    mentor_by_id = {mentor.id: mentor for mentor in mentors.mentors}
    problems = []
    for mentee, row in zip(mentees.mentees, mentee_table.row_numbers, strict=True):
        mentor = mentor_by_id.get(mentee.id)
        if mentor is not None and _name_key(mentor) != _name_key(mentee):
            problems.append(
                CellProblem(
                    mentee_table.file,
                    row,
                    mentee_table.headers.get("id", "id"),
                    mentee.id,
                    f"этот идентификатор в базе наставников {mentors.source} — у другого человека "
                    f"(«{mentor.full_name}»), здесь — «{mentee.full_name}»: один идентификатор "
                    "означает одного человека в обеих базах; дайте наставляемым и наставникам разные "
                    "идентификаторы (например, «Н-1» и «М-1»), а одному человеку в двух базах — один",
                )
            )
    if problems:
        raise InputError(problems)


def same_people(mentees: MenteeBank, mentors: MentorBank) -> list[tuple[int, int]]:
    """(mentee, mentor) rows of one person entered under two ids: the same full name and the
    same institution (as ``institution_key`` reads it), the first such mentor of each mentee."""
    mentor_rows: dict[tuple[str, str], int] = {}
    for j, mentor in enumerate(mentors.mentors):
        mentor_rows.setdefault((_name_key(mentor), institution_key(mentor.institution)), j)
    found = []
    for i, mentee in enumerate(mentees.mentees):
        row = mentor_rows.get((_name_key(mentee), institution_key(mentee.institution)))
        if row is not None and mentors.mentors[row].id != mentee.id:
            found.append((i, row))
    return found


def self_mentor_index(mentees: MenteeBank, mentors: MentorBank) -> list[int]:
    """Per mentee, the row of the mentor who is the same person (the same id, else the same name
    and institution: ``same_people``), or −1."""
    by_id = {mentor.id: j for j, mentor in enumerate(mentors.mentors)}
    rows = [by_id.get(mentee.id, -1) for mentee in mentees.mentees]
    for i, j in same_people(mentees, mentors):
        if rows[i] < 0:
            rows[i] = j
    return rows


def _spelling(text: str) -> str:
    """A spelling as shown to a person, who cannot see a non-breaking or a doubled space."""
    invisible = [
        what
        for what, present in (("неразрывным пробелом", "\u00a0" in text), ("лишними пробелами", "  " in text))
        if present
    ]
    return f"«{text}»" + (f" (с {' и '.join(invisible)})" if invisible else "")


def notices_ru(mentees: MenteeBank, mentors: MentorBank, respelled: Respelled) -> list[str]:
    """What the run read otherwise than written, for the curator (Russian)."""
    notices = [
        f"Организация «{chosen}» записана и как "
        + ", ".join(_spelling(other) for other in spellings)
        + ": это прочитано как одна организация"
        for chosen, spellings in respelled.items()
    ]
    for i, j in same_people(mentees, mentors):
        mentee, mentor = mentees.mentees[i], mentors.mentors[j]
        notices.append(
            f"«{mentee.full_name}» ({mentee.institution}) есть в обеих базах под разными "
            f"идентификаторами (наставник {mentor.id}, наставляемый {mentee.id}): это прочитано как "
            "один человек, пара с самим собой не предлагается; если это разные люди, уточните ФИО"
        )
    return notices
