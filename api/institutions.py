"""The institutions' registry as the service keeps it: import, and look-ups by code.

An import is read and validated by the library (``matcher.institutions``), exactly as
``mentor-match run --institutions`` reads the file, and written whole or not at all. A curator
may import only its own institution's row. Documents and pages name an institution by its
full name through ``registry``/``institution``; a code nobody registered yet stands for itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.access import Caller
from api.storage import repository
from matcher.errors import CellProblem, InputError
from matcher.institutions import Institution, InstitutionRegistry, stand_in, validate_institutions
from matcher.reading import read_table


@dataclass(frozen=True, slots=True)
class ImportedInstitutions:
    file: str
    created: list[str]
    updated: list[str]


def import_registry(session: Session, *, data: bytes, filename: str, caller: Caller) -> ImportedInstitutions:
    """Validate the whole file, then write every row in one transaction; else ``InputError``."""
    table = read_table(data, name=filename, kind="institutions")
    registry = validate_institutions(table)
    rows = {
        cells.get("code", ""): number for cells, number in zip(table.rows, table.row_numbers, strict=True)
    }
    column = table.headers.get("code", "code")
    problems = [
        CellProblem(
            table.file,
            rows[item.code],
            column,
            item.code,
            f"можно загружать только сведения своей организации ({caller.scope})",
        )
        for item in registry
        if caller.scope is not None and item.code != caller.scope
    ] + [
        CellProblem(table.file, rows[item.code], column, item.code, "недопустимый символ (NUL) в строке")
        for item in registry
        if "\x00" in "".join(item.model_dump(mode="json").values())
    ]
    if problems:
        raise InputError(problems)
    created, updated = repository.upsert_institutions(session, list(registry), caller=caller)
    return ImportedInstitutions(file=registry.source, created=created, updated=updated)


def registry(session: Session) -> InstitutionRegistry:
    """Every institution the database knows; ``.get(code)`` gives a stand-in for an unknown one."""
    return InstitutionRegistry(repository.institutions(session), source="database")


def institution(session: Session, code: str) -> Institution:
    """The institution ``code`` stands for: its registry entry, or a stand-in named by the code."""
    found = repository.institution(session, code)
    return found if found is not None else stand_in(code)
