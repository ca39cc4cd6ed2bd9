"""Finding the header of a curator's sheet and telling what each column is.

A school's spreadsheet rarely starts with the header: a title, an empty row, a two-level
header whose upper cells are merged over groups of columns («Сведения о педагоге» over «ФИО»,
«Должность», …), a row numbering the columns. ``locate_columns`` finds the header among the
first ``HEADER_SCAN`` rows (the row, or pair of rows, that names the most known columns) and
sorts every column into one of three kinds:

- **known**: its header is the column's canonical name, its Russian alias or a common variant
  (``VARIANTS``), compared word by word after stemming, so case, punctuation, ё/е, word order
  and grammatical number do not matter («Желаемый наставник» is «Желаемые наставники»);
  a header that adds to a known name only a remark in brackets or after a colon («Максимум
  наставляемых (примечание)», «Формат (адрес проведения)») or a harmless qualifier («при
  наличии», «на дату заполнения», «на 01.09.2024») is that column too (``_loosely``);
- **left aside**: plainly unrelated to matching (numbering, notes, contacts, dates) and naming
  no known column, or naming one only after an unrelated leading word («Телефон ОО», «Дата
  согласия», «Примечание к формату»); the run says which it left aside;
- **not recognised**: anything else is an error naming the column and the known column it most
  resembles («Форма встреч»: возможно, «Формат»?), never dropped in silence; a header holding a
  known name with other words («Стаж педагога-наставника в ОО») is refused so, never left aside.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import snowballstemmer

from matcher.errors import CellProblem, InputError

Kind = Literal[
    "mentors", "mentees", "decisions", "institutions", "mentee_questionnaires", "mentor_questionnaires"
]

_PERSON_COLUMNS: dict[str, str] = {
    "id": "Идентификатор",
    "full_name": "ФИО",
    "institution": "Образовательная организация",
    "municipality": "Муниципалитет",
    "position": "Должность",
    "subjects": "Предметы",
    "levels": "Уровни образования",
    "experience_years": "Стаж",
    "formats": "Формат",
    "consent": "Согласие",
}

COLUMNS: Mapping[Kind, Mapping[str, str]] = {
    "mentors": {
        **_PERSON_COLUMNS,
        "qualification": "Квалификационная категория",
        "competences": "Компетенции",
        "about": "Опыт и достижения",
        "capacity": "Максимум наставляемых",
        "max_group": "Максимальный размер группы",
    },
    "mentees": {
        **_PERSON_COLUMNS,
        "category": "Категория",
        "difficulties": "Затруднения",
        "request": "Запрос",
        "preferred_mentors": "Желаемые наставники",
        "excluded_mentors": "Исключённые наставники",
        "max_mentors": "Максимум наставников",
    },
    "decisions": {
        "mentee_id": "Наставляемый",
        "mentor_id": "Наставник",
        "decision": "Решение",
        "comment": "Комментарий",
    },
    "institutions": {
        "code": "Код",
        "full_name": "Полное наименование",
        "short_name": "Краткое наименование",
        "kind": "Тип",
        "municipality": "Муниципалитет",
        "head_name": "ФИО руководителя",
        "head_position": "Должность руководителя",
        "address": "Адрес",
    },
    # The end-of-program questionnaires (matcher/templates/анкета-*.docx), one column per question.
    "mentee_questionnaires": {
        "program": "Программа",
        "full_name": "ФИО",
        "satisfaction": "Удовлетворённость участием",
        "overcome": "Затруднения преодолены",
        "partly": "Затруднения преодолены частично",
        "not_overcome": "Затруднения не преодолены",
        "motivation": "Мотивация к саморазвитию",
        "innovation": "Включённость в инновационную деятельность",
        "adaptation": "Адаптация на рабочем месте",
        "interaction": "Польза взаимодействия с наставником",
        "most_useful": "Самое полезное",
        "unmet": "Что не оправдало ожиданий",
        "suggestions": "Предложения",
        "future": "Хотел бы стать наставником",
    },
    "mentor_questionnaires": {
        "program": "Программа",
        "full_name": "ФИО",
        "satisfaction": "Удовлетворённость участием",
        "overcome": "Затруднения преодолены",
        "partly": "Затруднения преодолены частично",
        "not_overcome": "Затруднения не преодолены",
        "plan": "Выполнение плана мероприятий",
        "growth": "Профессиональный рост",
        "interaction": "Продуктивность взаимодействия",
        "troubles": "Трудности при реализации",
        "support": "Нужная поддержка",
        "suggestions": "Предложения",
        "future": "Готов продолжить наставничество",
    },
}
"""Canonical column name -> its Russian alias, per kind of file (the banks: interchange contract)."""

REQUIRED: Mapping[Kind, tuple[str, ...]] = {
    "mentors": ("id", "full_name", "institution", "competences", "consent"),
    "mentees": ("id", "full_name", "institution", "difficulties", "consent"),
    "decisions": ("mentee_id", "mentor_id", "decision"),
    "institutions": ("code", "full_name"),
    "mentee_questionnaires": ("program", "satisfaction"),
    "mentor_questionnaires": ("program", "satisfaction"),
}

_QUESTIONNAIRE_PROGRAM = ("№ программы", "Номер программы", "Программа наставничества", "Program")
_SATISFACTION = ("Удовлетворённость", "Удовлетворённость программой", "Satisfaction")

_PERSON_VARIANTS: dict[str, tuple[str, ...]] = {
    "id": (
        "ID",
        "Ид",
        "Код",
        "Код педагога",
        "Идентификатор педагога",
        "Табельный номер",
        "Таб. номер",
        "Таб. №",
        "Личный номер",
        "Уникальный номер",
    ),
    "full_name": (
        "Ф.И.О.",
        "Фамилия, имя, отчество",
        "Фамилия имя отчество (полностью)",
        "ФИО педагога",
        "ФИО работника",
        "Full name",
        "Name",
    ),
    "institution": (
        "ОО",
        "Организация",
        "Образовательное учреждение",
        "Учреждение",
        "Место работы",
        "Наименование ОО",
        "Наименование организации",
        "Наименование образовательной организации",
        "Школа",
        "Детский сад",
        "ДОУ",
        "School",
        "Organisation",
        "Organization",
    ),
    "municipality": (
        "Муниципальное образование",
        "Муниципальный район",
        "Муниципальный округ",
        "Городской округ",
        "Район",
        "МО",
    ),
    "position": ("Занимаемая должность", "Должность педагога"),
    "subjects": (
        "Предмет",
        "Преподаваемые предметы",
        "Преподаваемый предмет",
        "Учебные предметы",
        "Дисциплины",
        "Образовательная область",
        "Образовательные области",
    ),
    "levels": ("Уровень образования", "Уровни", "Уровень", "Уровень общего образования"),
    "experience_years": (
        "Педагогический стаж",
        "Стаж работы",
        "Стаж, лет",
        "Педагогический стаж, лет",
        "Стаж педагогической работы",
        "Стаж работы в должности",
        "Experience",
    ),
    "formats": (
        "Формат наставничества",
        "Формат взаимодействия",
        "Формат работы",
        "Форма взаимодействия",
        "Форма проведения встреч",
        "Format",
    ),
    "consent": (
        "Согласие на участие",
        "Согласие на обработку персональных данных",
        "Согласие на обработку ПД",
        "Согласие на обработку данных",
        "Согласие на участие и обработку персональных данных",
        "Согласие (да/нет)",
        "Согласие на участие в программе наставничества",
    ),
}
VARIANTS: Mapping[Kind, Mapping[str, tuple[str, ...]]] = {
    "mentors": {
        **_PERSON_VARIANTS,
        "full_name": (*_PERSON_VARIANTS["full_name"], "ФИО наставника"),
        "consent": (*_PERSON_VARIANTS["consent"], "Согласие наставника"),
        "id": (*_PERSON_VARIANTS["id"], "Идентификатор наставника"),
        "qualification": ("Категория", "Квалификация", "Квалификационная категория наставника"),
        "competences": (
            "Компетенции наставника", "Перечень компетенций", "Профессиональные компетенции",
            "Сильные стороны", "Чем может помочь",
        ),
        "about": ("Достижения", "Опыт", "О себе", "Профессиональные достижения", "Опыт, достижения"),
        "capacity": (
            "Макс. кол-во наставляемых", "Максимальное количество наставляемых",
            "Количество наставляемых", "Кол-во наставляемых", "Число наставляемых",
            "Макс. число наставляемых",
        ),  # not «Нагрузка»: in a school it is the teaching hours (18-36), see ``_TEACHING_LOAD``
        "max_group": (
            "Макс. размер группы", "Размер группы", "Максимальный размер группы наставляемых",
            "Max group",
        ),
    },
    "mentees": {
        **_PERSON_VARIANTS,
        "full_name": (*_PERSON_VARIANTS["full_name"], "ФИО наставляемого"),
        "consent": (*_PERSON_VARIANTS["consent"], "Согласие наставляемого"),
        "id": (*_PERSON_VARIANTS["id"], "Идентификатор наставляемого"),
        "category": ("Категория наставляемого", "Категория педагога"),
        "difficulties": (
            "Профессиональные затруднения", "Затруднения наставляемого", "Профессиональные дефициты",
            "Дефициты", "Профессиональные дефициты и затруднения", "Выявленные затруднения",
            "Области затруднений",
        ),
        "request": ("Запрос наставляемого", "Запрос на наставничество", "Пожелания"),
        "preferred_mentors": (
            "Желаемый наставник", "Предпочитаемый наставник", "Предпочитаемые наставники",
            "Предпочтительный наставник", "Preferred mentors",
        ),
        "excluded_mentors": (
            "Исключённый наставник", "Нежелательные наставники", "Нежелательный наставник",
            "Excluded mentors",
        ),
        "max_mentors": (
            "Макс. кол-во наставников", "Максимальное количество наставников", "Количество наставников",
            "Кол-во наставников", "Число наставников", "Max mentors",
        ),
    },
    "decisions": {
        "mentee_id": ("Идентификатор наставляемого", "ID наставляемого", "Mentee"),
        "mentor_id": ("Идентификатор наставника", "ID наставника", "Mentor"),
        "comment": ("Примечание",),
    },
    "institutions": {
        "code": ("Код организации", "Код ОО", "Code"),
        "full_name": ("Наименование", "Полное название", "Название", "Наименование организации"),
        "short_name": ("Сокращённое наименование", "Краткое название", "Сокращённое название"),
        "kind": ("Тип организации", "Вид организации", "Вид", "Kind"),
        "municipality": ("Муниципальное образование", "Муниципальный район", "Городской округ", "Район"),
        "head_name": ("Руководитель", "ФИО директора", "ФИО заведующего", "Директор"),
        "head_position": ("Должность директора",),
        "address": ("Юридический адрес", "Фактический адрес", "Адрес организации"),
    },
    "mentee_questionnaires": {
        "program": _QUESTIONNAIRE_PROGRAM,
        "full_name": ("ФИО наставляемого", "Ф.И.О."),
        "satisfaction": _SATISFACTION,
        "motivation": ("Мотивация", "Мотивация к самообразованию"),
        "innovation": ("Включённость", "Инновационная деятельность"),
        "adaptation": ("Адаптация",),
        "interaction": ("Взаимодействие с наставником",),
        "suggestions": ("Предложения по совершенствованию",),
        "future": ("Стать наставником", "Хочу стать наставником"),
    },
    "mentor_questionnaires": {
        "program": _QUESTIONNAIRE_PROGRAM,
        "full_name": ("ФИО наставника", "Ф.И.О."),
        "satisfaction": _SATISFACTION,
        "plan": ("Выполнение плана",),
        "interaction": ("Взаимодействие с наставляемым",),
        "troubles": ("Трудности",),
        "support": ("Поддержка",),
        "suggestions": ("Предложения по совершенствованию",),
        "future": ("Продолжить наставничество", "Готов продолжить"),
    },
}  # fmt: skip
"""Common ways curators head a column, besides its canonical name and Russian alias."""

HEADER_SCAN = 30
"""The header is looked for in this many first rows of the sheet."""
MIN_KNOWN = 2
"""A header names at least this many known columns (a data row rarely does)."""

_STEMMER = snowballstemmer.stemmer("russian")
_WORD = re.compile(r"[0-9a-zа-я]+")
_STOP_WORDS = frozenset({"в", "во", "с", "со", "и", "по", "на", "о", "об", "для", "из", "к", "of", "the"})
_SAME_STEMS = {"максимальн": "макс", "максимум": "макс", "максим": "макс", "кол": "количеств"}
_NUMBERING = frozenset({"n", "no", "nn", "п", "пп", "номер", "порядк", "строк", "порядков"})
_UNRELATED = frozenset(
    {
        "примечан", "коммент", "comment", "note", "notes", "remark", "телефон", "тел", "phone",
        "mail", "email", "почт", "адрес", "address", "снилс", "инн", "паспорт", "подпис",
        "signatur", "дат", "date", "возраст", "age", "рожден", "пол", "gender", "фот", "photo",
    }
)  # fmt: skip
"""Stems of headers that plainly hold nothing for matching: notes, contacts, dates, documents."""
_TEACHING_LOAD = "нагрузк"
"""«Нагрузка» in a school's table is the teaching hours, not how many mentees one would take."""
_REMARK = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]|:(.*)$")
"""A remark on a header: in brackets, or after a colon («Формат: очно / дистанционно»)."""
_MONTH = r"(?:январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр)\w*"
_YEAR = r"(?:\s*г(?:ода?|\.)?)?"
_QUALIFIER = re.compile(
    r"\bна\s+(?:текущ\w*\s+)?(?:дат\w*|момент\w*|день)(?:\s+(?:заполнен|составлен|подач|анкетирован)\w*)?"
    r"(?:\s+(?:анкет|таблиц|форм|заявк|сведени)\w*)?"
    rf"|\bна\s+\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}{_YEAR}"
    rf"|\bна\s+\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?{_YEAR}"
    r"|\bпри\s+наличии\b|\bесли\s+(?:есть|имеется|имеются)\b|\bпо\s+желанию\b|\bне\s*обязательн\w*"
    r"|[,;]\s*(?:уровень|уровни|степень)(?:\s+(?:владения|выраженности|сложности))?"
    r"(?:\s*(?:от\s*)?\d\s*(?:[-–—]|до)\s*\d)?\s*$"
)
"""Words that qualify a header without changing what its column holds («Стаж на дату заполнения»,
«Желаемый наставник при наличии», the scale of a list's levels: «Компетенции, уровень (1-3)»);
«дата», «примечание» alone are not among them: «Дата
согласия» is a date, «Примечание к формату» a note."""
_PEOPLE = frozenset({"id", "full_name"})
"""Columns a remark may name without the header meaning them: «Желаемые наставники (ID)»."""
_SIMILAR_ENOUGH = 0.6
_OTHER_BANK: Mapping[Kind, Kind] = {"mentors": "mentees", "mentees": "mentors"}
_BANK_NAMES: Mapping[Kind, str] = {"mentors": "наставников", "mentees": "наставляемых"}


@lru_cache(maxsize=20_000)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


@lru_cache(maxsize=4_096)
def header_key(text: str) -> frozenset[str]:
    """A header as the stems of its words: case, punctuation, ё/е, order and number ignored.

    The header search reads the first rows' every cell, data included: stems and keys are
    cached, as the same words and cells recur."""
    words = _WORD.findall(text.casefold().replace("ё", "е"))
    stems = (_stem(word) for word in words if word not in _STOP_WORDS)
    return frozenset(_SAME_STEMS.get(stem, stem) for stem in stems)


def _titles(kind: Kind) -> dict[frozenset[str], tuple[str, str]]:
    """Header key -> (canonical column, title as the contract or a variant writes it)."""
    titles: dict[frozenset[str], tuple[str, str]] = {}
    for column, alias in COLUMNS[kind].items():
        for title in (column, alias, *VARIANTS[kind].get(column, ())):
            key = header_key(title)
            known = titles.setdefault(key, (column, title))
            if known[0] != column:
                raise AssertionError(f"{kind}: «{title}» means both {known[0]} and {column}")
    return titles


_TITLES: Mapping[Kind, Mapping[frozenset[str], tuple[str, str]]] = {kind: _titles(kind) for kind in COLUMNS}


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a sheet's header is and what its columns are."""

    header_rows: tuple[int, ...]  # spreadsheet rows of the header (one, or two for a two-level one)
    first_data: int  # index in the grid of the first row below the header
    positions: dict[str, int]  # canonical column -> position (0-based)
    headers: dict[str, str]  # canonical column -> header as written
    left_aside: tuple[str, ...]  # headers as written of the columns left aside
    width: int  # columns the header spans


@dataclass(frozen=True, slots=True)
class _Label:
    text: str  # as shown to the curator
    column: str | None  # canonical column, when known


def headerless(position: int) -> str:
    """How a column without a header is named to the curator."""
    return f"без заголовка (столбец {_column_letter(position)})"


def _column_letter(position: int) -> str:
    """A spreadsheet's letters of the column at ``position`` (from 0): A, …, Z, AA, …"""
    letters = ""
    number = position + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def known_columns(kind: Kind) -> str:
    """The Russian names of a kind's columns, for hints."""
    return ", ".join(f"«{alias}»" for alias in COLUMNS[kind].values())


def _label(kind: Kind, parent: str, child: str) -> _Label:
    """What a column's header cell(s) name: the child alone, both levels together, or the parent."""
    titles = _TITLES[kind]
    tries = [child, f"{parent} {child}"] if parent and child else [child or parent]
    for text in tries:
        found = titles.get(header_key(text))
        if found is not None:
            return _Label(text, found[0])
    for text in tries:
        column = _loosely(kind, text)
        if column is not None:
            return _Label(text, column)
    shown = f"{parent} / {child}" if parent and child else child or parent
    return _Label(shown, None)


@lru_cache(maxsize=4_096)
def _loosely(kind: Kind, text: str) -> str | None:
    """The known column a header names once its remarks and harmless qualifiers are set aside:
    «Максимум наставляемых (примечание)», «Стаж на дату заполнения», «Желаемый наставник (при
    наличии, примечание)». Not when a remark names another column («Идентификатор (ФИО)»)."""
    normal = text.casefold().replace("ё", "е")
    remarks = [
        next(group for group in found.groups() if group is not None) for found in _REMARK.finditer(normal)
    ]
    core = _QUALIFIER.sub(" ", _REMARK.sub(" ", normal))
    if core.split() == normal.split():
        return None
    found = _TITLES[kind].get(header_key(core))
    if found is None:
        return None
    for remark in remarks:
        key = header_key(remark)
        for titles in (_TITLES[kind], _TITLES.get(_OTHER_BANK.get(kind, kind), {})):
            named = titles.get(key)
            if named is not None and named[0] != found[0] and named[0] not in _PEOPLE:
                return None
    return found[0]


def _filled_parents(parents: Sequence[str], children: Sequence[str]) -> list[str]:
    """The upper row of a two-level header with each merged label repeated over its columns.

    A merged cell holds its text in its first column only: the label carries to the right over
    empty upper cells as long as the lower row names the columns.
    """
    filled: list[str] = []
    current = ""
    for position in range(max(len(parents), len(children))):
        parent = parents[position] if position < len(parents) else ""
        child = children[position] if position < len(children) else ""
        if parent:
            current = parent
        elif not child:
            current = ""
        filled.append(current if child or parent else "")
    return filled


def _labels(kind: Kind, grid: Sequence[Sequence[str]], row: int, levels: int) -> list[_Label]:
    upper = grid[row]
    if levels == 1:
        return [_label(kind, "", text) for text in upper]
    lower = grid[row + 1]
    parents = _filled_parents(upper, lower)
    return [_label(kind, parent, lower[i] if i < len(lower) else "") for i, parent in enumerate(parents)]


def _known_count(labels: Sequence[_Label]) -> int:
    return len({label.column for label in labels if label.column is not None})


def _is_numbering(cells: Sequence[str]) -> bool:
    """A row that numbers the columns (1, 2, 3, …), as forms often have under the header."""
    filled = [cell for cell in cells if cell]
    return (
        len(filled) >= 3
        and all(cell.isdigit() for cell in filled)
        and [int(c) for c in filled] == list(range(int(filled[0]), int(filled[0]) + len(filled)))
    )


def _named_columns(kind: Kind, key: frozenset[str]) -> list[str]:
    """The known columns (of this kind's file, then of the other bank) whose names ``key`` holds,
    the longest names first."""
    kinds = (kind, _OTHER_BANK[kind]) if kind in _OTHER_BANK else (kind,)
    inside = [
        (-len(title_key), order, column)
        for order, other in enumerate(kinds)
        for title_key, (column, _) in _TITLES[other].items()
        if title_key and title_key <= key
    ]
    named: list[str] = []
    for _, order, column in sorted(inside):
        alias = COLUMNS[kinds[order]][column]
        if alias not in named:
            named.append(alias)
    return named


def _is_unrelated(kind: Kind, text: str) -> bool:
    """A header plainly holding nothing for matching. One that names a known column is so only
    when an unrelated word leads it («Телефон ОО», «Дата согласия»): a remark after the name
    («Стаж на дату …», «Максимум наставников примечание») may hide a column that matters."""
    key = header_key(text)
    if not key:  # «№», «#», «—»
        return True
    if key <= _NUMBERING:
        return True
    if not key & _UNRELATED:
        return False
    if not _named_columns(kind, key):
        return True
    words = [word for word in _WORD.findall(text.casefold().replace("ё", "е")) if word not in _STOP_WORDS]
    return bool(words) and _stem(words[0]) in _UNRELATED


def _closest(kind: Kind, text: str) -> str | None:
    """The Russian alias of the known column whose titles ``text`` most resembles, if any is close."""
    key = header_key(text)
    compact = "".join(sorted(key))
    best, best_score = None, 0.0
    for title_key, (column, _) in _TITLES[kind].items():
        inside = 0.9 if title_key and title_key <= key else 0.0
        overlap = len(key & title_key) / len(key | title_key) if key | title_key else 0.0
        spelling = difflib.SequenceMatcher(None, compact, "".join(sorted(title_key))).ratio()
        score = max(inside, overlap, spelling)
        if score > best_score:
            best, best_score = column, score
    return COLUMNS[kind][best] if best is not None and best_score >= _SIMILAR_ENOUGH else None


def locate_columns(grid: Sequence[Sequence[str]], numbers: Sequence[int], name: str, kind: Kind) -> Layout:
    """The header of ``grid`` (the sheet's non-empty rows, spreadsheet row ``numbers[i]`` each)
    and its columns; ``InputError`` naming every column that cannot be used."""
    candidates: list[tuple[int, int, int, int]] = []  # known columns, preference, -row, levels
    for row in range(len(grid)):
        if numbers[row] > HEADER_SCAN:
            break
        candidates.append((_known_count(_labels(kind, grid, row, 1)), 0, -row, 1))
        if row + 1 < len(grid) and numbers[row + 1] == numbers[row] + 1:
            # Two rows are a header when the upper one labels groups of columns, not when it is a title.
            preference = 1 if sum(map(bool, grid[row])) >= 2 else -1
            candidates.append((_known_count(_labels(kind, grid, row, 2)), preference, -row, 2))
    count, _, negative_row, levels = max(candidates, default=(0, 0, 0, 1))
    row = -negative_row
    if count < MIN_KNOWN:
        raise InputError(
            [
                CellProblem(
                    name,
                    0,
                    "",
                    "",
                    f"не найдена строка заголовков столбцов (искали в первых {HEADER_SCAN} строках); "
                    f"ожидаются столбцы {known_columns(kind)}",
                )
            ]
        )
    labels = _labels(kind, grid, row, levels)
    header_rows = tuple(numbers[row : row + levels])
    first_data = row + levels
    if first_data < len(grid) and _is_numbering(grid[first_data]):
        first_data += 1
    return _sort_columns(kind, name, labels, grid[first_data:], header_rows, first_data)


def _sort_columns(
    kind: Kind,
    name: str,
    labels: Sequence[_Label],
    data: Sequence[Sequence[str]],
    header_rows: tuple[int, ...],
    first_data: int,
) -> Layout:
    header_row = header_rows[-1]
    positions: dict[str, int] = {}
    left_aside: list[str] = []
    problems: list[CellProblem] = []
    listed = False  # the known columns are listed once, in the first column without a close match
    for position, label in enumerate(labels):
        if label.column is not None:
            if label.column in positions:
                earlier = labels[positions[label.column]].text
                problems.append(
                    CellProblem(
                        name, header_row, label.text, "", f"столбец повторяется: то же, что «{earlier}»"
                    )
                )
            else:
                positions[label.column] = position
        elif not label.text:
            if any(position < len(cells) and cells[position] for cells in data):
                left_aside.append(headerless(position))
        elif _is_unrelated(kind, label.text):
            left_aside.append(label.text)
        elif (other := _OTHER_BANK.get(kind)) is not None and (
            header_key(label.text) in _TITLES[other] or _loosely(other, label.text) is not None
        ):
            problems.append(
                CellProblem(
                    name,
                    header_row,
                    label.text,
                    "",
                    f"это столбец базы {_BANK_NAMES[other]}, а файл выбран как база {_BANK_NAMES[kind]}: "
                    "проверьте, тот ли файл указан",
                )
            )
        else:
            key = header_key(label.text)
            named = [alias for alias in _named_columns(kind, key) if alias in COLUMNS[kind].values()]
            closest = named[0] if named else _closest(kind, label.text)
            advice = "переименуйте столбец или удалите его"
            if _TEACHING_LOAD in key:
                guess = "в школе «нагрузка» — обычно учебные часы, а не число наставляемых"
                if kind == "mentors":
                    advice = (
                        "если в столбце наибольшее число наставляемых, назовите его «Максимум наставляемых», "
                        "иначе удалите столбец"
                    )
                else:
                    advice = "для подбора она не нужна, удалите столбец"
            elif named:
                others = ", ".join(f"«{alias}»" for alias in named[1:])
                guess = (
                    f"возможно, имелся в виду «{closest}»: заголовок содержит это название и другие слова"
                    + (f" (в том числе название столбца {others})" if others else "")
                )
                advice = (
                    f"если это он, назовите столбец «{closest}» (пояснение можно дать в скобках), "
                    "иначе удалите столбец"
                )
            elif closest is not None:
                guess = f"возможно, имелся в виду «{closest}»"
            elif listed:
                guess = "похожего известного столбца нет (известные перечислены выше)"
            else:
                guess, listed = (
                    f"похожего известного столбца нет; известные столбцы: {known_columns(kind)}",
                    True,
                )
            problems.append(
                CellProblem(name, header_row, label.text, "", f"столбец не распознан — {guess}; {advice}")
            )
    problems.extend(
        CellProblem(
            name,
            0,
            "",  # the file's problem, not a column's: the message names the column in Russian
            "",
            f"нет обязательного столбца «{COLUMNS[kind][column]}»; столбцы файла: "
            + ", ".join(f"«{label.text}»" for label in labels if label.text),
        )
        for column in REQUIRED[kind]
        if column not in positions
    )
    if problems:
        raise InputError(problems)
    headers = {column: labels[position].text for column, position in positions.items()}
    return Layout(header_rows, first_data, positions, headers, tuple(left_aside), len(labels))
