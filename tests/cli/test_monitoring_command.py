"""``mentor-match monitoring``: the report of the service's database as files, in-process."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from matcher.cli import main


def test_the_report_is_written_for_a_year_and_a_bad_year_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'mentor-match.db'}")
    assert main(["monitoring", "--year", "2026/27", "--out", str(tmp_path / "отчёт")]) == 0
    said = capsys.readouterr().out
    assert "Мониторинг за 2026/27 учебный год: организаций — 0." in said
    page = (tmp_path / "отчёт" / "monitoring-2026-27.html").read_text(encoding="utf-8")
    assert "Мониторинг программ наставничества педагогических работников" in page
    sheet = load_workbook(tmp_path / "отчёт" / "monitoring-2026-27.xlsx")["Цели"]
    assert [sheet.cell(row, 2).value for row in range(2, 6)] == [0.7, 0.85, 0.85, "—"]
    assert main(["monitoring", "--year", "2026/28", "--out", str(tmp_path / "x")]) == 2
    assert "Учебный год записывается как «2026/27», указано «2026/28»" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    assert (
        main(["monitoring", "--year", "2026/27", "--out", str(tmp_path / "y"), "--institution", "СОШ-1"]) == 2
    )
    assert "Организация «СОШ-1» не найдена" in capsys.readouterr().err
