"""The institutions' registry: who an institution code stands for, and who heads it.

People's files name their institution by a short code (``СОШ-46``); the order, the forms and
the results workbook need its full name, its head and its kind (a school says «урок», a
kindergarten «занятие»). The registry is a CSV or XLSX file with Russian headers — «Код»,
«Полное наименование», «Краткое наименование», «Тип», «Муниципалитет», «ФИО руководителя»,
«Должность руководителя», «Адрес» — read by the same machinery as the banks
(``matcher.reading``), so it gets the same encodings, header detection and Russian errors.

A code absent from the registry is not an error: ``InstitutionRegistry.get`` gives a stand-in
named by the code itself, its kind guessed from the code (``ДС-12`` is a kindergarten), so a
run without a registry still produces every document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from matcher.errors import CellProblem, InputError
from matcher.reading import RawTable, read_table
from matcher.taxonomy import normalise_term

TEXT_LIMIT = 500
"""Longest name, position or address the registry accepts."""


class InstitutionKind(StrEnum):
    """The kind of an educational organisation; decides the wording of documents."""

    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    COLLEGE = "college"
    ADDITIONAL = "additional"

    @property
    def label_ru(self) -> str:
        return _LABELS[self]


_LABELS: Mapping[InstitutionKind, str] = {
    InstitutionKind.SCHOOL: "школа",
    InstitutionKind.KINDERGARTEN: "детский сад",
    InstitutionKind.COLLEGE: "колледж",
    InstitutionKind.ADDITIONAL: "организация дополнительного образования",
}
_KIND_WORDS: Mapping[str, InstitutionKind] = {
    **{normalise_term(kind.value): kind for kind in InstitutionKind},
    **{normalise_term(label): kind for kind, label in _LABELS.items()},
    **dict.fromkeys(
        ("общеобразовательная организация", "оо", "сош", "оош", "гимназия", "лицей"), InstitutionKind.SCHOOL
    ),
    **dict.fromkeys(
        ("детсад", "доу", "дошкольная образовательная организация", "дошкольная организация"),
        InstitutionKind.KINDERGARTEN,
    ),
    **dict.fromkeys(
        ("техникум", "спо", "профессиональная образовательная организация"), InstitutionKind.COLLEGE
    ),
    **dict.fromkeys(("дополнительное образование", "удо", "додо"), InstitutionKind.ADDITIONAL),
}
_HEAD_POSITION: Mapping[InstitutionKind, str] = {
    InstitutionKind.SCHOOL: "директор",
    InstitutionKind.KINDERGARTEN: "заведующий",
    InstitutionKind.COLLEGE: "директор",
    InstitutionKind.ADDITIONAL: "директор",
}
# A stand-in's kind from its code: the abbreviations schools and kindergartens are known by.
_CODE_KINDS: tuple[tuple[re.Pattern[str], InstitutionKind], ...] = (
    (re.compile(r"^(мб|ма|мк|г)?доу|^дск?\b|детск\w* сад|^д/с", re.IGNORECASE), InstitutionKind.KINDERGARTEN),
    (re.compile(r"колледж|техникум|^гапоу|^гбпоу|^поу", re.IGNORECASE), InstitutionKind.COLLEGE),
    (re.compile(r"^до\b|^уд?о\b|^дд[тю]|^цдо|^дш?и\b|^дюсш", re.IGNORECASE), InstitutionKind.ADDITIONAL),
)


class Institution(BaseModel):
    """One educational organisation as its registry describes it."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=TEXT_LIMIT)
    full_name: str = Field(min_length=1, max_length=TEXT_LIMIT)
    short_name: str = Field(default="", max_length=TEXT_LIMIT)
    kind: InstitutionKind = InstitutionKind.SCHOOL
    municipality: str = Field(default="", max_length=TEXT_LIMIT)
    head_name: str = Field(default="", max_length=TEXT_LIMIT)
    head_position: str = Field(default="", max_length=TEXT_LIMIT)
    address: str = Field(default="", max_length=TEXT_LIMIT)

    @field_validator("kind", mode="before")
    @classmethod
    def _parse_kind(cls, value: object) -> object:
        if isinstance(value, InstitutionKind) or not isinstance(value, str):
            return value
        kind = _KIND_WORDS.get(normalise_term(value))
        if kind is None:
            allowed = ", ".join(f"«{label}»" for label in _LABELS.values())
            raise PydanticCustomError(
                "institution_kind", f"неизвестный тип организации; допустимы: {allowed}"
            )
        return kind

    @property
    def name(self) -> str:
        """The name a document uses in running text: the short name, else the full one."""
        return self.short_name or self.full_name

    @property
    def head_title(self) -> str:
        """The head's position, or the usual one for the kind («директор», «заведующий»)."""
        return self.head_position or _HEAD_POSITION[self.kind]


def guess_kind(code: str) -> InstitutionKind:
    """The kind an unregistered code most likely stands for; a school when nothing says otherwise."""
    text = code.strip()
    for pattern, kind in _CODE_KINDS:
        if pattern.search(text):
            return kind
    return InstitutionKind.SCHOOL


def stand_in(code: str) -> Institution:
    """An institution known only by its code: named by the code, kind guessed, no head."""
    return Institution(code=code, full_name=code, short_name=code, kind=guess_kind(code))


class InstitutionRegistry:
    """Institutions by code; ``get`` never fails (a stand-in for an unknown code)."""

    def __init__(self, institutions: Iterable[Institution] = (), *, source: str = "") -> None:
        self._by_code: dict[str, Institution] = {item.code: item for item in institutions}
        self.source = source

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Institution]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Institution:
        """The registered institution, or ``stand_in(code)``."""
        found = self._by_code.get(code)
        return found if found is not None else stand_in(code)

    def full_names(self) -> dict[str, str]:
        return {code: item.full_name for code, item in self._by_code.items()}


def read_institutions(source: Path | bytes, *, name: str | None = None) -> InstitutionRegistry:
    """The registry in ``source`` (CSV or XLSX), or an ``InputError`` listing every problem."""
    table = read_table(source, name=name, kind="institutions")
    return validate_institutions(table)


def validate_institutions(table: RawTable) -> InstitutionRegistry:
    institutions: list[Institution] = []
    problems: list[CellProblem] = []
    first_row: dict[str, int] = {}
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        filled = {column: text for column, text in cells.items() if text}
        code = cells.get("code", "")
        if code in first_row:
            problems.append(
                CellProblem(
                    table.file,
                    number,
                    table.headers.get("code", "code"),
                    code,
                    f"код организации повторяется (уже в строке {first_row[code]})",
                )
            )
            continue
        if code:
            first_row[code] = number
        try:
            institutions.append(Institution.model_validate(filled))
        except ValidationError as error:
            problems.extend(_problems(error, table, number, cells))
    if problems:
        raise InputError(problems)
    return InstitutionRegistry(institutions, source=table.file)


def _problems(
    error: ValidationError, table: RawTable, row: int, cells: Mapping[str, str]
) -> Iterator[CellProblem]:
    for detail in error.errors(include_url=False):
        column = str(detail["loc"][0])
        if detail["type"] == "institution_kind":
            message = detail["msg"]
        elif detail["type"] == "missing":
            message = "обязательное поле не заполнено"
        elif detail["type"] == "string_too_long":
            message = f"слишком длинный текст (не более {TEXT_LIMIT} знаков)"
        else:
            message = "недопустимое значение"
        value = cells.get(column, "")
        yield CellProblem(table.file, row, table.headers.get(column, column), value[:100], message)
