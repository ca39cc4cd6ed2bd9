"""The bad-file corpus on the batch command: exit 2, the Russian message, the output folder untouched."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from matcher.cli import EXIT_INPUT, main
from tests.workbooks import HOSTILE, Hostile, csv_bytes

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def _run(mentors: Path, out: Path) -> int:
    mentees = SAMPLES / "kindergarten" / "mentees.csv"
    return main(["run", "--mentors", str(mentors), "--mentees", str(mentees), "--out", str(out), "--quiet"])


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def earlier_result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("earlier")
    assert _run(SAMPLES / "kindergarten" / "mentors.csv", base / "out") == 0
    return base / "out"


@pytest.mark.parametrize("bad", HOSTILE, ids=lambda bad: bad.name)
def test_bad_mentors_file_exits_2_and_leaves_the_output_untouched(
    bad: Hostile, earlier_result: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(earlier_result)
    mentors = tmp_path / bad.name
    mentors.write_bytes(bad.make())

    assert _run(mentors, earlier_result) == EXIT_INPUT

    err = capsys.readouterr().err
    where = f"файл {bad.name}, строка {bad.row}" if bad.row else f"файл {bad.name}"
    assert where in err and bad.message in err
    assert "Traceback" not in err
    assert _snapshot(earlier_result) == before
    assert sorted(p.name for p in earlier_result.parent.iterdir()) == ["out"]


def test_columns_left_aside_are_named_in_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = list(
        csv.reader(io.StringIO((SAMPLES / "kindergarten" / "mentors.csv").read_text(encoding="utf-8")))
    )
    rows = [["№ п/п", *sample[0], "Примечание"], *[[str(n), *row, ""] for n, row in enumerate(sample[1:], 1)]]
    mentors = tmp_path / "наставники.csv"
    mentors.write_bytes(csv_bytes(rows))

    assert _run(mentors, tmp_path / "out") == 0

    assert "Не использованы при подборе столбцы файла наставники.csv: «№ п/п», «Примечание»" in (
        capsys.readouterr().out
    )
