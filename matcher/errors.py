"""Every exception and warning the library raises on purpose.

Errors about a curator's files carry the file, the spreadsheet row, the column and the value,
and render in Russian: the curator reads them, not a developer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CellProblem:
    """One problem in one cell (or one row, or the whole file) of an input file.

    ``row`` is the spreadsheet row as the curator sees it (the header is row 1), or 0 when the
    problem is about the whole file; ``column`` is the header as written in the file, or "".
    """

    file: str
    row: int
    column: str
    value: str
    message_ru: str

    def render_ru(self) -> str:
        where = [f"файл {self.file}"]
        if self.row:
            where.append(f"строка {self.row}")
        if self.column:
            where.append(f"столбец «{self.column}»")
        if self.value:
            where.append(f"значение «{self.value}»")
        return f"{', '.join(where)}: {self.message_ru}"


class MentorMatchError(Exception):
    """Root of everything the library raises on purpose."""


class InputError(MentorMatchError):
    """The input files have problems; all of them are listed, not only the first."""

    def __init__(self, problems: Sequence[CellProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in input")
        self.problems = tuple(problems)

    def render_ru(self) -> str:
        head = f"Найдено ошибок во входных данных: {len(self.problems)}. Ничего не записано."
        return "\n".join([head, *(p.render_ru() for p in self.problems)])


class ConfigurationError(MentorMatchError):
    """Options, weights or a taxonomy extension are invalid."""


class OutputFolderError(ConfigurationError):
    """The output folder cannot be replaced (a file, or a folder holding other things)."""


class UnknownSolverError(ConfigurationError):
    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(f"unknown solver {name!r}; known: {', '.join(known)}")
        self.name = name
        self.known = tuple(known)


class NotFittedError(ValueError, AttributeError):
    """A vectoriser was used before ``fit``."""
