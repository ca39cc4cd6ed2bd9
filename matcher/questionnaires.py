"""The end-of-program questionnaires of the mentee and of the mentor (004 stage 6, 003 §7).

The regulations ask for «анкетирование» at the end of a personalised program [004:306-310] and
set targets for «уровень удовлетворённости» of mentees and mentors [003:521-522], without giving
the instrument (seeds-digest O15). The project's own forms, ``matcher/templates/
анкета-наставляемого.docx`` and ``анкета-наставника.docx``, ask: satisfaction on a 1–10 scale
(question 1), each difficulty overcome / partly / not (question 2), three or four more 1–10
scales, three open questions, and whether the person would mentor (в будущем / продолжить).
The intake file has one column per question (``matcher.columns``, kinds
``mentee_questionnaires`` and ``mentor_questionnaires``) and is read like the banks.

``validate_questionnaires`` turns a raw table into ``Questionnaire`` values or raises one
``InputError`` listing every problem with file, row, column and value; whether the program
exists and whose it is, the service checks (``api.monitoring``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from matcher.errors import CellProblem, InputError
from matcher.reading import RawTable
from matcher.taxonomy import Taxonomy, normalise_term

SCALE_MIN, SCALE_MAX = 1, 10
"""Every scale question of the forms: «от 1 до 10 (1 — совсем нет, 10 — полностью)»."""


class Party(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"

    @property
    def kind(self) -> str:
        """The kind of intake file (``matcher.columns.Kind``) of this party's questionnaire."""
        return f"{self.value}_questionnaires"

    @property
    def label_ru(self) -> str:
        return "наставляемого" if self is Party.MENTEE else "наставника"


class Future(StrEnum):
    """The last question: would the mentee become a mentor / would the mentor go on."""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


FUTURE_RU: Mapping[Future, str] = {Future.YES: "да", Future.NO: "нет", Future.UNSURE: "пока не знаю"}
_FUTURE_WORDS: Mapping[str, Future] = {
    **dict.fromkeys(("да", "yes", "1", "true", "д", "+"), Future.YES),
    **dict.fromkeys(("нет", "no", "0", "false", "н", "-"), Future.NO),
    **dict.fromkeys(("пока не знаю", "не знаю", "затрудняюсь ответить", "unsure", "?"), Future.UNSURE),
}

SCALES: Mapping[Party, tuple[str, ...]] = {
    Party.MENTEE: ("motivation", "innovation", "adaptation", "interaction"),
    Party.MENTOR: ("plan", "growth", "interaction"),
}
"""The 1–10 questions after satisfaction, in the forms' order (mentee 3–6, mentor 3–5)."""
OPEN_QUESTIONS: Mapping[Party, tuple[str, ...]] = {
    Party.MENTEE: ("most_useful", "unmet", "suggestions"),
    Party.MENTOR: ("troubles", "support", "suggestions"),
}
"""Free-text answers: personal, erased with the person (``api.storage.erasure``)."""
OUTCOMES = ("overcome", "partly", "not_overcome")
"""Question 2: the difficulties overcome, partly overcome and not overcome."""

_WHOLE = re.compile(r"\d{1,2}(?:[.,]0*)?")
_PROGRAM = re.compile(r"\s*(?:№\s*)?(\d{1,9})(?:[.,]0*)?\s*")


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """One filled questionnaire: the party's answers about one program."""

    program_id: int
    party: Party
    satisfaction: int
    scales: dict[str, int] = field(default_factory=dict)
    overcome: tuple[str, ...] = ()
    partly: tuple[str, ...] = ()
    not_overcome: tuple[str, ...] = ()
    future: Future | None = None
    answers: dict[str, str] = field(default_factory=dict)
    full_name: str = ""
    """As written in the file, only to check it is the program's participant; never stored."""


@dataclass(frozen=True, slots=True)
class QuestionnaireTable:
    """A validated intake file: its questionnaires and the spreadsheet row of each."""

    file: str
    party: Party
    questionnaires: tuple[Questionnaire, ...]
    rows: tuple[int, ...]
    headers: dict[str, str]
    left_aside: tuple[str, ...] = ()


def scale_value(text: str) -> int:
    """A 1–10 answer from its cell; ``ValueError`` with the curator's message otherwise."""
    if not _WHOLE.fullmatch(text.strip()) or not SCALE_MIN <= int(float(text.replace(",", "."))) <= SCALE_MAX:
        raise ValueError(f"ожидается целое число от {SCALE_MIN} до {SCALE_MAX}")
    return int(float(text.replace(",", ".")))


def future_value(text: str) -> Future:
    answer = _FUTURE_WORDS.get(normalise_term(text))
    if answer is None:
        raise ValueError("ожидается «да», «нет» или «пока не знаю»")
    return answer


def difficulty_codes(items: list[str], taxonomy: Taxonomy) -> tuple[str, ...]:
    """Taxonomy codes of ``items`` (codes, labels or synonyms); ``ValueError`` naming the unknown."""
    codes: list[str] = []
    unknown: list[str] = []
    for item in items:
        code = taxonomy.resolve(item)
        if code is None:
            unknown.append(item)
        elif code not in codes:
            codes.append(code)
    if unknown:
        named = ", ".join(f"«{item}»" for item in unknown)
        listed = "; ".join(f"{item.code} «{item.short_ru}»" for item in taxonomy.items)
        raise ValueError(
            f"неизвестное затруднение {named}; допустимы коды и названия из таксономии: {listed}"
        )
    return tuple(codes)


def _program(text: str) -> int:
    match = _PROGRAM.fullmatch(text)
    if match is None or int(match[1]) < 1:
        raise ValueError("ожидается номер программы (целое число, как в списке программ)")
    return int(match[1])


def _program_or_none(text: str) -> int | None:
    try:
        return _program(text)
    except ValueError:
        return None


def validate_questionnaires(table: RawTable, party: Party, taxonomy: Taxonomy) -> QuestionnaireTable:
    """Every row of ``table`` as a ``Questionnaire`` of ``party``, or an ``InputError`` with all problems."""
    questionnaires: list[Questionnaire] = []
    problems: list[CellProblem] = []
    first_row: dict[int, int] = {}
    rows: list[int] = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        problems_before = len(problems)
        problems.extend(_row_problems(table, number, cells, party, taxonomy))
        program = _program_or_none(cells.get("program", ""))
        if program is not None and program in first_row:
            problems.append(
                CellProblem(
                    table.file,
                    number,
                    table.headers["program"],
                    cells["program"],
                    f"анкета {party.label_ru} по этой программе уже есть в строке {first_row[program]}",
                )
            )
        elif program is not None:
            first_row[program] = number
        if len(problems) == problems_before:
            questionnaires.append(_questionnaire(cells, party, taxonomy))
            rows.append(number)
    if problems:
        raise InputError(problems)
    return QuestionnaireTable(
        file=table.file,
        party=party,
        questionnaires=tuple(questionnaires),
        rows=tuple(rows),
        headers=table.headers,
        left_aside=table.left_aside,
    )


def _row_problems(
    table: RawTable, number: int, cells: Mapping[str, str], party: Party, taxonomy: Taxonomy
) -> Iterator[CellProblem]:
    checks = {
        "program": _program,
        "satisfaction": scale_value,
        **dict.fromkeys(SCALES[party], scale_value),
        **dict.fromkeys(OUTCOMES, lambda text: difficulty_codes(_items(text), taxonomy)),
        "future": future_value,
    }
    for column, check in checks.items():
        text = cells.get(column, "")
        header = table.headers.get(column, "")
        if not text:
            if column in ("program", "satisfaction"):
                yield CellProblem(table.file, number, header, "", "обязательное поле не заполнено")
            continue
        try:
            check(text)
        except ValueError as error:
            yield CellProblem(table.file, number, header, text[:100], str(error))
    codes = [
        code for column in OUTCOMES for code in difficulty_codes_or_none(cells.get(column, ""), taxonomy)
    ]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        named = ", ".join(f"«{taxonomy[code].short_ru}»" for code in repeated)
        yield CellProblem(
            table.file,
            number,
            table.headers.get("overcome", table.headers.get("partly", "")),
            cells.get("overcome", "")[:100],
            f"затруднение {named} отмечено в нескольких столбцах вопроса 2: выберите один ответ",
        )


def difficulty_codes_or_none(text: str, taxonomy: Taxonomy) -> tuple[str, ...]:
    """The codes of a cell already checked, or () for an empty or bad one."""
    try:
        return difficulty_codes(_items(text), taxonomy)
    except ValueError:
        return ()


def _items(text: str) -> list[str]:
    return [item for item in map(str.strip, text.split(";")) if item]


def _questionnaire(cells: Mapping[str, str], party: Party, taxonomy: Taxonomy) -> Questionnaire:
    future = cells.get("future", "")
    return Questionnaire(
        program_id=_program(cells["program"]),
        party=party,
        satisfaction=scale_value(cells["satisfaction"]),
        scales={name: scale_value(cells[name]) for name in SCALES[party] if cells.get(name)},
        overcome=difficulty_codes(_items(cells.get("overcome", "")), taxonomy),
        partly=difficulty_codes(_items(cells.get("partly", "")), taxonomy),
        not_overcome=difficulty_codes(_items(cells.get("not_overcome", "")), taxonomy),
        future=future_value(future) if future else None,
        answers={name: cells[name] for name in OPEN_QUESTIONS[party] if cells.get(name)},
        full_name=cells.get("full_name", ""),
    )
