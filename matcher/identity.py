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
from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from matcher.errors import CellProblem, InputError
from matcher.model import MenteeBank, MentorBank, Person
from matcher.reading import RawTable
from matcher.taxonomy import normalise_term

_P = TypeVar("_P", bound=Person)
_SEPARATOR = "\x00"  # a control character: never in a name (``matcher.reading`` refuses them)
_BLANKS = re.compile(r"\s+")
_QUOTES = re.compile("[\"'«»„“”‘’]")
_NUMBER_SIGN = re.compile(r"№\s*")


def institution_key(text: str) -> str:
    """What two spellings of one institution share: case, ё/е, spaces, quotes and the space
    after «№» do not count."""
    return _NUMBER_SIGN.sub("№", normalise_term(_QUOTES.sub("", text)))


Respelled = dict[str, list[str]]
"""{an institution as first written: the other spellings read as it}."""


def one_spelling(mentors: MentorBank, mentees: MenteeBank) -> tuple[MentorBank, MenteeBank, Respelled]:
    """Both banks with each institution written as it was first met (the mentors' file first),
    and the spellings read that way: {first spelling: [the others]}."""
    as_first: dict[str, str] = {}  # each spelling as written -> the first spelling of its key
    first: dict[str, str] = {}
    others: dict[str, list[str]] = {}
    for person in (*mentors.mentors, *mentees.mentees):
        written = person.institution
        if written not in as_first:
            chosen = as_first[written] = first.setdefault(institution_key(written), written)
            if chosen != written:
                others.setdefault(chosen, []).append(written)
    if not others:
        return mentors, mentees, {}

    def respelled(people: tuple[_P, ...]) -> tuple[_P, ...]:
        return tuple(
            person
            if (chosen := as_first[person.institution]) == person.institution
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
        if mentor is not None and len(set(_name_keys((mentor, mentee)))) > 1:
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


def _name_keys(people: Sequence[Person]) -> list[str]:
    """Each person's full name as a person reads it (case, ё/е and spaces do not count),
    computed on all names at once (a region's 120,000 names one by one took half a second)."""
    joined = _SEPARATOR.join(person.full_name for person in people).casefold().replace("ё", "е")
    return [name.strip() for name in _BLANKS.sub(" ", joined).split(_SEPARATOR)]


def same_people(mentees: MenteeBank, mentors: MentorBank) -> list[tuple[int, int]]:
    """(mentee, mentor) rows of one person entered under two ids: the same full name and the
    same institution (as ``institution_key`` reads it), the first such mentor of each mentee."""
    institutions = {
        written: institution_key(written)
        for written in {person.institution for person in (*mentees.mentees, *mentors.mentors)}
    }

    def keys(people: Sequence[Person]) -> list[tuple[str, str]]:
        return list(zip(_name_keys(people), [institutions[p.institution] for p in people], strict=True))

    mentee_keys = keys(mentees.mentees)
    wanted = set(mentee_keys)
    mentor_rows: dict[tuple[str, str], int] = {}
    for j, key in enumerate(keys(mentors.mentors)):
        if key in wanted:
            mentor_rows.setdefault(key, j)
    found = []
    for i, key in enumerate(mentee_keys):
        row = mentor_rows.get(key)
        if row is not None and mentors.mentors[row].id != mentees.mentees[i].id:
            found.append((i, row))
    return found


def self_mentor_index(
    mentees: MenteeBank, mentors: MentorBank, under_two_ids: list[tuple[int, int]]
) -> list[int]:
    """Per mentee, the row of the mentor who is the same person (the same id, else the same name
    and institution: ``under_two_ids``, from ``same_people``), or −1."""
    by_id = {mentor.id: j for j, mentor in enumerate(mentors.mentors)}
    rows = [by_id.get(mentee.id, -1) for mentee in mentees.mentees]
    for i, j in under_two_ids:
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


def respelled_ru(respelled: Respelled) -> list[str]:
    """The spellings read as one institution, for the curator (Russian)."""
    return [
        f"Организация «{chosen}» записана и как "
        + ", ".join(_spelling(other) for other in spellings)
        + ": это прочитано как одна организация"
        for chosen, spellings in respelled.items()
    ]


def under_two_ids_ru(
    mentees: MenteeBank, mentors: MentorBank, under_two_ids: Sequence[tuple[int, int]]
) -> list[str]:
    """The people entered under two ids (``same_people``), for the curator (Russian)."""
    notices = []
    for i, j in under_two_ids:
        mentee, mentor = mentees.mentees[i], mentors.mentors[j]
        notices.append(
            f"«{mentee.full_name}» ({mentee.institution}) есть в обеих базах под разными "
            f"идентификаторами (наставник {mentor.id}, наставляемый {mentee.id}): это прочитано как "
            "один человек, пара с самим собой не предлагается; если это разные люди, уточните ФИО"
        )
    return notices
