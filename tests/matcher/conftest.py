"""Fixture files that are binary, written into tmp_path from readable sources.

``tests/files/good`` and ``tests/files/bad`` hold one tiny text file per style and failure
mode; the Windows-1251 CSV and the workbooks are generated here so that nothing binary is
committed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from matcher.taxonomy import Taxonomy, load_taxonomy

FILES = Path(__file__).parents[1] / "files"


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture
def cp1251_mentors(tmp_path: Path) -> Path:
    """``good/mentors_semicolon.csv`` as Excel with Russian regional settings saves it."""
    path = tmp_path / "mentors_cp1251.csv"
    text = (FILES / "good" / "mentors_semicolon.csv").read_text(encoding="utf-8")
    path.write_bytes(text.encode("cp1251"))
    return path


@pytest.fixture
def xlsx_mentors(tmp_path: Path) -> Path:
    """Typed cells as Excel stores them (floats, booleans, dates), an empty row, a decoy second sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [
        [
            "Идентификатор",
            "ФИО",
            "Образовательная организация",
            "Должность",
            "Стаж",
            "Компетенции",
            "Максимум наставляемых",
            "Согласие",
        ],
        [101.0, "Иванова Анна", "Школа №1", datetime(2024, 9, 1), 5.0, "ict:3", 3, True],
        [None, None, None, None, None, None, None, None],
        ["m2", " Петров Пётр ", 17, 2.5, None, "методика", None, False],
    ]:
        sheet.append(row)
    workbook.create_sheet("Черновик").append(["id", "full_name"])
    path = tmp_path / "mentors.xlsx"
    workbook.save(path)
    return path
