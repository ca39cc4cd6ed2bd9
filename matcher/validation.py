"""Validating raw tables into banks: every problem of a file is collected, then raised at once.

Each row is validated by a pydantic row model: a subclass of the domain model (``Mentor``,
``Mentee``) whose ``before`` validators turn cell text into values (lists split on ``;`` or a
line break, taxonomy items ``code[:level]`` resolved by code, label or synonym, whole numbers,
formats, consent), after which the domain model's own rules apply. A taxonomy cell is never
narrowed in silence: an item holding words that name nothing of the taxonomy, or naming several
items, is refused, saying which words. A bank is built only when no row of
the file has a problem; otherwise one ``InputError`` lists them all with the file, the
spreadsheet row, the header as written and the cell's text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from functools import lru_cache, partial
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from matcher.errors import CellProblem, InputError
from matcher.identity import check_shared_ids
from matcher.model import MeetingFormat, Mentee, MenteeBank, Mentor, MentorBank, Person
from matcher.reading import RawTable, read_table
from matcher.taxonomy import Taxonomy, TermMatch, normalise_term, word_stems

LEVELS = ("ДО", "НОО", "ООО", "СОО", "СПО", "ДОП")

_IN_PERSON = frozenset({MeetingFormat.IN_PERSON})
_REMOTE = frozenset({MeetingFormat.REMOTE})
_FORMATS: Mapping[str, frozenset[MeetingFormat]] = {
    **dict.fromkeys(("in_person", "очно", "очный", "очная", "очное"), _IN_PERSON),
    **dict.fromkeys(
        ("remote", "дистанционно", "дистанционный", "дистанционная", "дистанционное", "онлайн", "online"),
        _REMOTE,
    ),
    **dict.fromkeys(
        (
            "mixed",
            "смешанный",
            "смешанная",
            "смешанное",
            "очно-дистанционно",
            "очно-дистанционный",
            "очно-дистанционная",
            "очно-дистанционное",
            "оба",
            "both",
            "гибридный",
            "гибридная",
            "гибридное",
        ),
        _IN_PERSON | _REMOTE,
    ),
}
_FORMAT_SEPARATORS = re.compile(r",|/|\s+и\s+|\s+или\s+")
"""Inside a formats cell «очно, дистанционно», «очно/дистанционно», «очно и дистанционно» and
«очно или дистанционно» list two formats too."""
_FORMAT_WORDS = re.compile(r"\s*\bформат\w*\b\s*|(?<=дистанционно)\s*\((?:онлайн|online)\)", re.IGNORECASE)
"""«смешанный формат», «дистанционно (онлайн)»: the word «формат», and «(онлайн)» after
«дистанционно», add nothing («очно (онлайн)» contradicts itself and stays refused)."""
_CONSENT: Mapping[str, bool] = {
    **dict.fromkeys(("да", "yes", "1", "true", "y", "д", "+", "истина"), True),
    **dict.fromkeys(("нет", "no", "0", "false", "n", "н", "-", "ложь"), False),
}
_AGREE = frozenset({"согласен", "согласна", "согласны", "согласен(а)", "согласен(на)", "согласна(ен)"})
_CONSENT_WORDS = re.compile(r"[^\s,]+")
_DEGREES: Mapping[str, int] = {"1": 1, "2": 2, "3": 3}
_DEGREE_WORDS: Mapping[str, int] = {
    **dict.fromkeys(word_stems("базовый низкий небольшое незначительное слабое"), 1),
    **dict.fromkeys(word_stems("уверенный средний заметное"), 2),
    **dict.fromkeys(word_stems("высокий острое сильное"), 3),
}
"""The levels' and severities' names (``Mentor.competences``, ``Mentee.difficulties``)."""
_DEGREE_NOUNS = frozenset(word_stems("уровень степень балл балла баллов"))
_DEFAULT_DEGREE = 2
_DASHED_DEGREE = re.compile(r"(?P<term>.*?\S)\s*[-–—]\s*(?P<degree>[^-–—]+?)\s*")
_BRACKETED_DEGREE = re.compile(r"(?P<term>.*?\S)\s*\((?P<degree>[^()]*)\)\s*")
_DIGITS = re.compile(r"\s*\d+\s*")
_NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s+")
_LINE_BREAKS_OR_SEMICOLONS = re.compile(r"[;\r\n]")
_LINE_BREAK = re.compile(r"\s*(?:\r\n|\r|\n)\s*")
_WHOLE_NUMBER = re.compile(r"(\d{1,6})(?:[.,]0*)?")
_DATE = re.compile(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}")
"""A date as a spreadsheet shows it or a curator types it («01.09.2015»)."""
_SAFE_ID = re.compile(r"[\w.-]{1,64}")
"""Letters, digits, «-», «_» and «.»: an id travels in web addresses and file names as it is."""
ID_RULE = "идентификатор может содержать только буквы, цифры и знаки «-», «_», «.» (не более 64 знаков)"

_ALLOWED = "допустимы коды и названия из таксономии: "
_ALLOWED_AGAIN = "допустимы коды и названия из таксономии (список — в первой такой ошибке)"
_CELL_ERROR = "cell_text"
"""Type of the pydantic errors whose message is already the curator's Russian message."""
_REQUIRED = "обязательное поле не заполнено"
_EXPECTED: Mapping[str, str] = {
    "experience_years": "стаж должен быть целым числом от 0 до 80",
    "capacity": "максимум наставляемых должен быть целым числом от 0 до 100",
    "max_group": "максимальный размер группы должен быть целым числом от 1 до 50",
    "max_mentors": "максимум наставников должен быть целым числом от 1 до 10",
}
"""What a column holds, for errors raised by a number parser or a domain constraint."""


def _cell_error(message: str) -> PydanticCustomError:
    return PydanticCustomError(_CELL_ERROR, message)


def _quoted(items: Iterable[str]) -> str:
    return ", ".join(f"«{item}»" for item in items)


def _items(text: str) -> list[str]:
    """The items of a list cell: separated by «;» or a line break (Alt+Enter in a spreadsheet)."""
    parts = _LINE_BREAKS_OR_SEMICOLONS.split(text) if "\n" in text or "\r" in text else text.split(";")
    return [item for item in map(str.strip, parts) if item]


# Cells repeat a lot down a column (formats, consent, levels, limits): each text is parsed once.
@lru_cache(maxsize=4096)
def _whole_number(text: str) -> int:
    match = _WHOLE_NUMBER.fullmatch(text.strip())
    if match is None:
        raise ValueError("not a whole number")
    return int(match[1])


def is_safe_id(text: str) -> bool:
    """Whether ``text`` may be an id as it is (the service checks edited references with it)."""
    return _SAFE_ID.fullmatch(text) is not None


def unknown_mentor_message(source: str, meant: str | None = None) -> str:
    """The message for a preferred or excluded mentor that ``source`` has no mentor for; ``meant``:
    the id of that bank written otherwise (case), if there is one."""
    message = f"нет наставника с таким идентификатором в базе наставников {source}".rstrip()
    return message + (
        f"; возможно, имелся в виду «{meant}» (строчные и заглавные буквы различаются)" if meant else ""
    )


def _safe_id(text: str) -> str:
    if not _SAFE_ID.fullmatch(text.strip()):
        raise _cell_error(ID_RULE)
    return text.strip()


def _safe_ids(text: str) -> tuple[str, ...]:
    items = _items(text)
    bad = [item for item in items if not _SAFE_ID.fullmatch(item)]
    if bad:
        hint = ""
        if any("," in item for item in bad):
            hint = "; несколько идентификаторов разделяются «;», а не запятой"
        elif any(len(item.split()) > 1 for item in bad):
            hint = "; укажите идентификатор наставника из базы наставников, а не ФИО"
        raise _cell_error(f"{_quoted(bad)}: {ID_RULE}{hint}")
    return tuple(items)


@lru_cache(maxsize=4096)
def _levels(text: str) -> tuple[str, ...]:
    levels = {item: normalise_term(item).upper() for item in _items(text)}
    unknown = [item for item, level in levels.items() if level not in LEVELS]
    if unknown:
        allowed = ", ".join(LEVELS)
        raise _cell_error(f"неизвестный уровень образования {_quoted(unknown)}; допустимы: {allowed}")
    return tuple(dict.fromkeys(levels.values()))


@lru_cache(maxsize=4096)
def _formats(text: str) -> frozenset[MeetingFormat]:
    items = [part.strip() for item in _items(text) for part in _FORMAT_SEPARATORS.split(item)]
    chosen = {item: _FORMATS.get(normalise_term(_FORMAT_WORDS.sub(" ", item))) for item in items if item}
    unknown = [item for item, formats in chosen.items() if formats is None]
    if unknown:
        raise _cell_error(
            f"неизвестный формат {_quoted(unknown)}; допустимы: очно (in_person), "
            "дистанционно (remote), смешанный или очно-дистанционно (mixed)"
        )
    return frozenset().union(*(formats for formats in chosen.values() if formats)) or frozenset(MeetingFormat)


@lru_cache(maxsize=4096)
def _consent(text: str) -> bool:
    answer = _CONSENT.get(normalise_term(text))
    if answer is None:
        answer = _consent_in_words(normalise_term(text).replace(" (", "("))
    if answer is None:
        raise _cell_error(
            "согласие: ожидается «да» или «нет» (также «согласен», «не согласна», yes/no, 1/0, true/false)"
        )
    return answer


def _consent_in_words(text: str) -> bool | None:
    """«согласен», «Да, согласна», «не согласен(на)», «нет, не согласна»; None for anything else."""
    words = _CONSENT_WORDS.findall(text)
    if len(words) >= 2 and words[0] in ("да", "нет") and words[1] in (*_AGREE, "не"):
        expected = words[0] == "да"
        words = words[1:]
    else:
        expected = None
    if len(words) == 1 and words[0] in _AGREE and expected is not False:
        return True
    if len(words) == 2 and words[0] == "не" and words[1] in _AGREE and expected is not True:
        return False
    return None


@lru_cache(maxsize=4096)
def _degree(text: str) -> int | None:
    """1, 2 or 3, as a digit or by name («высокий», «острое», «базовый уровень»), also both
    («3 (высокий)») and with its noun («уровень 3», «3 балла»); else None."""
    found = _DEGREES.get(text.strip().rstrip("."))
    if found is None:
        words = [stem for stem in word_stems(text) if stem not in _DEGREE_NOUNS]
        named = {_DEGREES.get(word) or _DEGREE_WORDS.get(word) for word in words}
        found = named.pop() if len(named) == 1 else None
    return found


@lru_cache(maxsize=4096)
def _term_and_degree(item: str) -> tuple[str, str | None]:
    """The item's term and the text of its degree, if one is given: after «:», or at the end
    after a dash («ИКТ - 3», «ИКТ — высокий») or in brackets («ИКТ (3)»). A dash or brackets
    followed by anything but a degree (or a number) belong to the term («учебно-методический»,
    «Взаимодействие с родителями (законными представителями)»)."""
    item = _NUMBERED.sub("", item)  # «1. Организация урока»: a numbered list in a cell
    term, colon, degree = item.partition(":")
    if colon:
        return term, degree
    for pattern in (_DASHED_DEGREE, _BRACKETED_DEGREE):  # «ИКТ – 2 (средний)»: the dash first
        found = pattern.fullmatch(item)
        if found is None or found["term"].count("(") != found["term"].count(")"):
            continue  # «ИКТ (3 - высокий)»: the dash is inside the brackets
        if _degree(found["degree"]) is not None or _DIGITS.fullmatch(found["degree"]):
            return found["term"], found["degree"]
    return item, None


def _taxonomy_items(text: str, info: ValidationInfo, *, unknown_is: str, degree_is: str) -> dict[str, int]:
    """``code[:degree]`` items by code, label or synonym; a code given twice keeps its highest degree.
    An item is refused, never narrowed, when it names nothing, several items, or holds words that
    name nothing of the taxonomy beside an item («урок, выгорание»)."""
    taxonomy = _context_taxonomy(info)
    codes: dict[str, int] = {}
    unknown: list[str] = []
    ambiguous: list[str] = []
    partly: list[str] = []
    partly_terms: list[str] = []
    bad_degrees: list[str] = []
    for item in _items(text):
        term, degree_text = _term_and_degree(item)
        degree = _DEFAULT_DEGREE if degree_text is None else _degree(degree_text)
        if degree is None and degree_text is not None and "," in degree_text:
            unknown.append(item.strip())  # «lesson:3, parents:1»: a list separated by commas
            continue
        found = taxonomy.match(term)
        if not found.codes or (len(found.codes) > 1 and "," in term and not found.unused):
            unknown.append(term.strip())
        elif found.unused:
            partly.append(_partly_understood(taxonomy, term, found))
            partly_terms.append(term)
        elif len(found.codes) > 1:
            named = _quoted(taxonomy[candidate].short_ru for candidate in found.codes)
            ambiguous.append(
                f"«{term.strip()}» подходит к нескольким пунктам ({named}): укажите один "
                "или перечислите их через «;»"
            )
        elif degree is None:
            bad_degrees.append(item)
        else:
            code = found.codes[0]
            codes[code] = max(degree, codes.get(code, 0))
    messages = list(ambiguous)
    if unknown:
        messages.append(f"{unknown_is} {_quoted(unknown)}")
    messages.extend(partly)
    if bad_degrees:
        messages.append(f"{degree_is} 1, 2 или 3: {_quoted(bad_degrees)}")
    if unknown or partly:
        messages[-1] += f"; {_taxonomy_hint(taxonomy, unknown + partly_terms)}"
    if messages:
        raise _cell_error("; ".join(messages))
    if not codes:
        raise _cell_error(_REQUIRED)
    return codes


def _partly_understood(taxonomy: Taxonomy, term: str, found: TermMatch) -> str:
    named = _quoted(taxonomy[code].short_ru for code in found.codes)
    return (
        f"в «{term.strip()}» не распознано {_quoted(found.unused)} (распознано: {named}); "
        "каждый пункт пишется отдельно через «;», уровень — после «:» (1, 2 или 3)"
    )


def _context_taxonomy(info: ValidationInfo) -> Taxonomy:
    if info.context is None:
        raise TypeError("row models are validated with context={'taxonomy': taxonomy}")
    taxonomy: Taxonomy = info.context["taxonomy"]
    return taxonomy


def _taxonomy_hint(taxonomy: Taxonomy, unknown: list[str]) -> str:
    listed = "; ".join(f"{item.code} «{item.short_ru}»" for item in taxonomy.items)
    hint = f"{_ALLOWED}{listed}"
    if any("," in term for term in unknown):
        hint += " (элементы списка разделяются «;», а не запятой)"
    return hint


class _PersonRow(Person):
    """Parses the cells both banks share; mixed into each bank's row model."""

    @field_validator("id", mode="before")
    @classmethod
    def _parse_id(cls, text: str) -> str:
        return _safe_id(text)

    @field_validator("subjects", mode="before")
    @classmethod
    def _parse_subjects(cls, text: str) -> tuple[str, ...]:
        return tuple(_items(text))

    @field_validator("levels", mode="before")
    @classmethod
    def _parse_levels(cls, text: str) -> tuple[str, ...]:
        return _levels(text)

    @field_validator("experience_years", mode="before")
    @classmethod
    def _parse_experience(cls, text: str) -> int:
        return _whole_number(text)

    @field_validator("formats", mode="before")
    @classmethod
    def _parse_formats(cls, text: str) -> frozenset[MeetingFormat]:
        return _formats(text)

    @field_validator("consent", mode="before")
    @classmethod
    def _parse_consent(cls, text: str) -> bool:
        return _consent(text)


class _MentorRow(Mentor, _PersonRow):
    """A row of the mentors' file; validate with ``context={"taxonomy": ...}``."""

    @field_validator("competences", mode="before")
    @classmethod
    def _parse_competences(cls, text: str, info: ValidationInfo) -> dict[str, int]:
        return _taxonomy_items(
            text, info, unknown_is="неизвестная компетенция", degree_is="уровень владения должен быть"
        )

    @field_validator("capacity", "max_group", mode="before")
    @classmethod
    def _parse_limits(cls, text: str) -> int:
        return _whole_number(text)


class _MenteeRow(Mentee, _PersonRow):
    """A row of the mentees' file; validate with ``context={"taxonomy": ...}``."""

    @field_validator("difficulties", mode="before")
    @classmethod
    def _parse_difficulties(cls, text: str, info: ValidationInfo) -> dict[str, int]:
        return _taxonomy_items(
            text, info, unknown_is="неизвестное затруднение", degree_is="степень затруднения должна быть"
        )

    @field_validator("preferred_mentors", "excluded_mentors", mode="before")
    @classmethod
    def _parse_mentor_ids(cls, text: str) -> tuple[str, ...]:
        return _safe_ids(text)

    @field_validator("max_mentors", mode="before")
    @classmethod
    def _parse_max_mentors(cls, text: str) -> int:
        return _whole_number(text)


_Row = TypeVar("_Row", _MentorRow, _MenteeRow)
_T = TypeVar("_T")
_Domain = TypeVar("_Domain", Mentor, Mentee)


def validate_mentors(table: RawTable, taxonomy: Taxonomy) -> MentorBank:
    """The mentors of ``table`` in row order, or an ``InputError`` with every problem of the file."""
    rows = _validate_rows(table, _MentorRow, taxonomy)
    mentors = (_plain(Mentor, row) for row in rows)
    return MentorBank(tuple(mentors), source=table.file, left_aside=table.left_aside, notices=_notices(table))


def validate_mentees(table: RawTable, taxonomy: Taxonomy) -> MenteeBank:
    """The mentees of ``table`` in row order, or an ``InputError`` with every problem of the file."""
    rows = _validate_rows(table, _MenteeRow, taxonomy)
    mentees = (_plain(Mentee, row) for row in rows)
    return MenteeBank(tuple(mentees), source=table.file, left_aside=table.left_aside, notices=_notices(table))


def _notices(table: RawTable) -> tuple[str, ...]:
    """What reading ``table`` found worth telling the curator: the sheet read, when it was not
    the first (whose problems name it already), and the rows under the table not read as people."""
    notices = []
    if table.passed_over:
        notices.append(
            f"{table.file} — прочитан этот лист: на первом листе «{table.passed_over}» нет строки заголовков"
        )
    if table.footer:
        rows = ", ".join(str(number) for number, _ in table.footer)
        shown = ", ".join(f"«{_shortened(text)}»" for _, text in table.footer)
        label = "строка" if len(table.footer) == 1 else "строки"
        notices.append(
            f"{table.file}: {label} {rows} под таблицей ({shown}) — итог или подпись, не люди: не прочитаны"
        )
    return tuple(notices)


def _shortened(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _plain(model: type[_Domain], row: BaseModel) -> _Domain:
    """The domain object of a valid row. Banks hold plain domain objects, not row models (which
    would not compare equal to them). The row model is a subclass that adds only validators: it
    has checked every rule of the domain model already and holds the same fields, so the row
    becomes the domain object in place (its class is the domain model's), neither validated
    again nor copied field by field: at a region, 120,000 rows, a second validation took a fifth
    of reading, and even ``model_construct`` a tenth."""
    object.__setattr__(row, "__class__", model)  # a frozen model: past its own __setattr__
    return row  # type: ignore[return-value]


def _validate_rows(table: RawTable, row_model: type[_Row], taxonomy: Taxonomy) -> list[_Row]:
    context = {"taxonomy": taxonomy}
    valid: list[_Row] = []
    problems: list[CellProblem] = list(table.problems)  # found while reading, reported with these
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        # Empty cells are left out, so the domain model's defaults and «required» apply to them.
        filled = {column: text for column, text in cells.items() if text}
        try:
            valid.append(row_model.model_validate(filled, context=context))
        except ValidationError as error:
            problems.extend(_cell_problems(error, table, number, cells))
    problems.extend(_duplicate_ids(table))
    if problems:
        raise InputError(_list_taxonomy_once(sorted(problems, key=_reading_order(table))))
    return valid


def _list_taxonomy_once(problems: list[CellProblem]) -> list[CellProblem]:
    """The taxonomy's items are listed in the first problem that needs them, not in every one."""
    listed = False
    shortened = []
    for problem in problems:
        head, mark, tail = problem.message_ru.partition(_ALLOWED)
        if mark and listed:
            rest = tail.partition(" (элементы")[1:]
            message = f"{head}{_ALLOWED_AGAIN}{''.join(rest)}"
            problem = replace(problem, message_ru=message)
        listed = listed or bool(mark)
        shortened.append(problem)
    return shortened


def _reading_order(table: RawTable) -> Callable[[CellProblem], tuple[int, int]]:
    """Problems as the curator reads the file: by row, then by column from left to right."""
    position = {header: i for i, header in enumerate(table.headers.values())}
    return lambda problem: (problem.row, position.get(problem.column, len(position)))


def _cell_problems(
    error: ValidationError, table: RawTable, row: int, cells: Mapping[str, str]
) -> Iterator[CellProblem]:
    for detail in error.errors(include_url=False):
        column = str(detail["loc"][0])
        yield CellProblem(
            table.file,
            row,
            _header(table, column),
            _shown(cells.get(column, "")),
            _message(column, detail, cells.get(column, "")),
        )


def _shown(text: str) -> str:
    """A cell's text on one line: the line breaks of a list cell shown as «⏎»."""
    return _LINE_BREAK.sub(" ⏎ ", text)


def _message(column: str, detail: ErrorDetails, text: str) -> str:
    if detail["type"] == _CELL_ERROR:
        return detail["msg"]
    if detail["type"] == "missing":
        return _REQUIRED
    expected = _EXPECTED.get(column, "недопустимое значение")
    if column == "experience_years" and _DATE.fullmatch(text):
        return f"{expected}, а в ячейке дата: укажите число полных лет стажа"
    return expected


def _header(table: RawTable, column: str) -> str:
    return table.headers.get(column, column)


def _duplicate_ids(table: RawTable) -> Iterator[CellProblem]:
    first_row: dict[str, int] = {}
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        person_id = cells.get("id", "")
        if person_id in first_row:
            message = f"повторяющийся идентификатор (уже в строке {first_row[person_id]})"
            yield CellProblem(table.file, number, _header(table, "id"), person_id, message)
        elif person_id:
            first_row[person_id] = number


def check_references(mentees: MenteeBank, mentors: MentorBank, *, mentee_table: RawTable) -> None:
    """Every preferred or excluded mentor id names a mentor of ``mentors``; else an ``InputError``.

    ``mentees`` must be ``validate_mentees(mentee_table, ...)``: the i-th mentee is the i-th row.
    """
    known = {mentor.id for mentor in mentors.mentors}
    by_case = {mentor.id.casefold(): mentor.id for mentor in mentors.mentors}
    problems = [
        CellProblem(
            mentee_table.file,
            number,
            _header(mentee_table, column),
            mentor_id,
            unknown_mentor_message(mentors.source, by_case.get(mentor_id.casefold())),
        )
        for mentee, number in zip(mentees.mentees, mentee_table.row_numbers, strict=True)
        for column, mentor_ids in (
            ("preferred_mentors", mentee.preferred_mentors),
            ("excluded_mentors", mentee.excluded_mentors),
        )
        for mentor_id in mentor_ids
        if mentor_id not in known
    ]
    if problems:
        raise InputError(problems)


def load_banks(
    mentors_path: Path,
    mentees_path: Path,
    taxonomy: Taxonomy,
    mentor_texts_read: Callable[[list[str]], None] | None = None,
) -> tuple[MentorBank, MenteeBank]:
    """Both files read and validated; one ``InputError`` with the problems of both, then references.
    ``mentor_texts_read`` is given the mentors' «Опыт и достижения» as written (``Mentor.about``
    of each row, in row order) as soon as their file is read, before it is validated and the
    mentees' is read."""
    problems: list[CellProblem] = []

    def mentor_bank() -> MentorBank:
        table = read_table(mentors_path, kind="mentors", keep_cell_problems=True)
        if mentor_texts_read is not None:
            mentor_texts_read([cells.get("about", "") for cells in table.rows])
        return validate_mentors(table, taxonomy)

    mentors = _attempt(mentor_bank, problems)
    mentee_table = _attempt(
        lambda: read_table(mentees_path, kind="mentees", keep_cell_problems=True), problems
    )
    mentees = (
        None
        if mentee_table is None
        else _attempt(partial(validate_mentees, mentee_table, taxonomy), problems)
    )
    if mentors is None or mentee_table is None or mentees is None:
        raise InputError(problems)
    check_references(mentees, mentors, mentee_table=mentee_table)
    check_shared_ids(mentees, mentors, mentee_table=mentee_table)
    return mentors, mentees


def _attempt(step: Callable[[], _T], problems: list[CellProblem]) -> _T | None:
    """``step()``, or None with its input problems added to ``problems``."""
    try:
        return step()
    except InputError as error:
        problems.extend(error.problems)
        return None
