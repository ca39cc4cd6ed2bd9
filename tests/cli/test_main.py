"""The batch command in-process: exit codes, what it prints, and what it writes (or not)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import docx
import pytest

from matcher.cli import EXIT_CONFIG, EXIT_INPUT, main
from tests.cli.samples import SAMPLES
from tests.cli.samples import run_sample as _run

OUTPUTS = {
    "pairs.csv",
    "unmatched.csv",
    "alternatives.csv",
    "supply_demand.csv",
    "summary.json",
    "results.xlsx",
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("sample", ["kindergarten", "school"])
def test_run_writes_the_contract_files(
    sample: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _run(sample, out) == 0
    assert {p.name for p in out.iterdir()} == OUTPUTS
    pairs = _rows(out / "pairs.csv")
    assert list(pairs[0])[:7] == [
        "mentee_id",
        "mentor_id",
        "group_id",
        "format",
        "score",
        "covered",
        "explanation",
    ]
    assert list(_rows(out / "unmatched.csv")[0])[:3] == ["mentee_id", "reason", "candidates"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["proposals"] == len(pairs)
    assert summary["solver"]["status"] == "optimal"
    assert set(summary["quality"]["fit"]) >= {"min", "p10", "median", "mean"}
    said = capsys.readouterr().out
    assert f"Предложено пар: {len(pairs)}" in said
    assert f"без пары: {summary['counts']['unmatched_mentees']}" in said
    assert all(name in said for name in OUTPUTS) and "документы/" not in said  # only with --documents


def test_every_mentee_is_either_paired_or_unmatched(tmp_path: Path) -> None:
    assert _run("school", tmp_path) == 0
    mentees = {row["id"] for row in _rows(SAMPLES / "school" / "mentees.csv")}
    paired = {row["mentee_id"] for row in _rows(tmp_path / "pairs.csv")}
    unmatched = {row["mentee_id"] for row in _rows(tmp_path / "unmatched.csv")}
    assert paired | unmatched == mentees
    assert not paired & unmatched


def test_bad_input_prints_every_problem_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(SAMPLES / "school", bad)
    rows = _rows(bad / "mentors.csv")
    rows[0]["consent"] = "может быть"
    with (bad / "mentors.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (bad / "mentees.csv").write_text("id,full_name\nX1,Иванова\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(
        [
            "run",
            "--mentors",
            str(bad / "mentors.csv"),
            "--mentees",
            str(bad / "mentees.csv"),
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "mentors.csv, строка 2, столбец «consent», значение «может быть»" in err
    assert "mentees.csv" in err and "«Затруднения»" in err
    assert not out.exists()
    assert not any("mentor-match" in p.name for p in tmp_path.iterdir())


def test_bad_input_leaves_an_earlier_result_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run("kindergarten", out) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    missing = tmp_path / "missing.csv"
    assert (
        main(["run", "--mentors", str(missing), "--mentees", str(missing), "--out", str(out), "--quiet"])
        == EXIT_INPUT
    )
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_unknown_solver_is_a_configuration_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("kindergarten", tmp_path / "out", "--solver", "magic") == EXIT_CONFIG
    assert "magic" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_weight_override_is_recorded_in_the_summary(tmp_path: Path) -> None:
    assert _run("kindergarten", tmp_path, "--weight", "coverage=0.9") == 0
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["options"]["weights"]["coverage"] == 0.9


def test_unknown_weight_is_rejected_by_the_parser(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        _run("kindergarten", tmp_path, "--weight", "charm=1")


def test_institutions_registry_is_read_and_its_problems_stop_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        _run(
            "kindergarten",
            tmp_path / "ok",
            "--institutions",
            str(SAMPLES / "kindergarten" / "institutions.csv"),
        )
        == 0
    )
    bad = tmp_path / "institutions.csv"
    bad.write_text("Код,Полное наименование,Тип\nДС-124,Детский сад №124,интернат\n", encoding="utf-8")
    assert _run("kindergarten", tmp_path / "out", "--institutions", str(bad)) == EXIT_INPUT
    assert "файл institutions.csv, строка 2, столбец «Тип», значение «интернат»" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_templates_folder_replaces_the_order_and_a_broken_one_stops_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = tmp_path / "шаблоны"
    templates.mkdir()
    custom = docx.Document()
    custom.add_paragraph("Приказ нашей школы: пар {{ пары|length }}")
    custom.save(str(templates / "приказ.docx"))
    out = tmp_path / "out"
    assert _run("kindergarten", out, "--templates", str(templates)) == 0  # --templates implies --documents
    order = docx.Document(str(out / "документы" / "Приказ о закреплении наставнических пар (групп).docx"))
    assert order.paragraphs[0].text.startswith("Приказ нашей школы: пар ")
    programmes = list((out / "документы").glob("*/Программа наставничества.docx"))
    assert programmes and "ПЕРСОНАЛИЗИРОВАННАЯ" in "\n".join(
        p.text for p in docx.Document(str(programmes[0])).paragraphs
    )

    custom.add_paragraph("{% for п in пары %}")
    custom.save(str(templates / "приказ.docx"))
    again = tmp_path / "again"
    assert _run("kindergarten", again, "--templates", str(templates)) == EXIT_CONFIG
    assert "шаблон «приказ.docx»" in capsys.readouterr().err
    assert not again.exists()
