"""Names and positions in the grammatical case a sentence needs, by pymorphy3's dictionary.

An order says «Назначить куратором Орлову Марию Сергеевну, заместителя директора»: the name
and the position stand in the accusative there, in the nominative in the table, in the genitive
after «от». The dictionary tags each word form with its role in a name (``Surn``, ``Name``,
``Patr``) and its gender, so a surname is declined as a surname of the person's gender: Орлова
(a woman) → Орлову, Орлов → Орлова, Шевчук stays Шевчук for a woman and becomes Шевчука for a
man. A name is written «Фамилия Имя Отчество»; initials and words the dictionary does not know
as a name part are left as written, never guessed.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

import pymorphy3
from pymorphy3.analyzer import Parse


class Case(StrEnum):
    """The six cases, by their Russian names (a template says ``падеж(фио, "винительный")``)."""

    NOMINATIVE = "nomn"
    GENITIVE = "gent"
    DATIVE = "datv"
    ACCUSATIVE = "accs"
    INSTRUMENTAL = "ablt"
    PREPOSITIONAL = "loct"


CASE_NAMES_RU: dict[str, Case] = {
    "именительный": Case.NOMINATIVE,
    "родительный": Case.GENITIVE,
    "дательный": Case.DATIVE,
    "винительный": Case.ACCUSATIVE,
    "творительный": Case.INSTRUMENTAL,
    "предложный": Case.PREPOSITIONAL,
}
NAME_PARTS = ("Surn", "Name", "Patr")
"""The dictionary's tags for the three parts of «Фамилия Имя Отчество», in that order."""


@cache
def _analyzer() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


def case_named(name: str) -> Case:
    """The case for its Russian name («винительный») or its tag («accs»)."""
    key = name.strip().casefold()
    if key in CASE_NAMES_RU:
        return CASE_NAMES_RU[key]
    try:
        return Case(key)
    except ValueError:
        known = ", ".join(CASE_NAMES_RU)
        raise ValueError(f"неизвестный падеж «{name}»; известны: {known}") from None


def _nominative(word: str, part: str) -> list[Parse]:
    return [p for p in _analyzer().parse(word) if part in p.tag and "nomn" in p.tag and "sing" in p.tag]


def gender_of(full_name: str) -> str | None:
    """``femn`` or ``masc`` from the patronymic, else the first name, else the surname."""
    words = full_name.split()
    for position in (2, 1, 0):
        if position < len(words):
            genders = {p.tag.gender for p in _nominative(words[position], NAME_PARTS[position])}
            if len(genders) == 1 and (gender := str(genders.pop())) in ("femn", "masc"):
                return gender
    return None


def _match_case(template: str, word: str) -> str:
    if template.isupper():
        return word.upper()
    return (
        "-".join(
            part.capitalize() if source[:1].isupper() else part
            for source, part in zip(template.split("-"), word.split("-"), strict=False)
        )
        if template.count("-") == word.count("-")
        else word.capitalize()
    )


def _decline_word(word: str, part: str, gender: str | None, case: Case) -> str:
    if case is Case.NOMINATIVE or word.endswith(".") or not word.isalpha():
        return word
    candidates = _nominative(word, part)
    if gender is not None:
        candidates = [p for p in candidates if p.tag.grammemes & {gender, "ms-f"}]
    if not candidates:
        return word
    inflected = candidates[0].inflect({case.value})
    return word if inflected is None else _match_case(word, inflected.word)


def _decline_part(word: str, part: str, gender: str | None, case: Case) -> str:
    """A hyphenated surname (Римская-Корсакова) declines part by part: each is a surname."""
    if "-" in word:
        return "-".join(_decline_part(piece, part, gender, case) for piece in word.split("-"))
    return _decline_word(word, part, gender, case)


def decline_name(full_name: str, case: Case) -> str:
    """«Орлова Мария Сергеевна» in ``case``: «Орлову Марию Сергеевну» for the accusative."""
    words = full_name.split()
    if case is Case.NOMINATIVE or not words or len(words) > len(NAME_PARTS):
        return full_name.strip()
    gender = gender_of(full_name)
    return " ".join(_decline_part(word, NAME_PARTS[i], gender, case) for i, word in enumerate(words))


def _adjective(word: str) -> Parse | None:
    return next(
        (
            p
            for p in _analyzer().parse(word)
            if {"ADJF", "nomn"} <= p.tag.grammemes or {"PRTF", "nomn"} <= p.tag.grammemes
        ),
        None,
    )


def _noun(word: str) -> Parse | None:
    return next((p for p in _analyzer().parse(word) if {"NOUN", "nomn", "sing"} <= p.tag.grammemes), None)


def _declined(word: str, parse: Parse, case: Case) -> str:
    form = parse.inflect({case.value})
    return word if form is None else _match_case(word, form.word)


def decline_position(position: str, case: Case) -> str:
    """«заместитель директора» → «заместителя директора»: the head word and the adjectives
    before it change; the words after it (already in their own case) and abbreviations
    (МБДОУ) do not."""
    words = position.split()
    if case is Case.NOMINATIVE or not words:
        return position.strip()
    declined: list[str] = []
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        adjective = None if word.isupper() else _adjective(word)
        if adjective is not None and following and not following.isupper() and _noun(following):
            declined.append(_declined(word, adjective, case))
            continue
        head = None if word.isupper() else (_noun(word) or adjective)
        if head is None:
            return position.strip()
        return " ".join([*declined, _declined(word, head, case), *words[index + 1 :]])
    return position.strip()


def initials_first(full_name: str) -> str:
    """«Орлова Мария Сергеевна» → «М. С. Орлова», as a signature line writes a name."""
    words = full_name.split()
    if len(words) < 2:
        return full_name.strip()
    initials = " ".join(f"{word[0]}." if not word.endswith(".") else word for word in words[1:])
    return f"{initials} {words[0]}"


def surname_initials(full_name: str) -> str:
    """«Орлова Мария Сергеевна» → «Орлова М. С.»."""
    words = full_name.split()
    if len(words) < 2:
        return full_name.strip()
    initials = " ".join(f"{word[0]}." if not word.endswith(".") else word for word in words[1:])
    return f"{words[0]} {initials}"


def agree_with_number(word: str, number: int) -> str:
    """«месяц» for 9 → «месяцев»."""
    parse = _noun(word)
    if parse is None:
        return word
    agreed = parse.make_agree_with_number(number)
    return word if agreed is None else agreed.word
