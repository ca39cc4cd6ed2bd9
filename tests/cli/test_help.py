"""The command speaks Russian (help, usage, option errors) and answers --help without the heavy stack."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from matcher.argparse_ru import translate
from matcher.cli import WEIGHT_NAMES, main
from matcher.options import COMPONENTS

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "pandas", "sklearn", "scipy", "ortools", "fastapi", "sqlalchemy", "pydantic", "openpyxl")


def _command(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-c", "from matcher.cli import entrypoint; entrypoint()", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_help_is_russian_and_lists_the_commands() -> None:
    done = _command("--help")
    assert done.returncode == 0
    assert done.stdout.startswith("Использование: mentor-match")
    assert "показать эту справку и выйти" in done.stdout
    for command in ("run", "serve", "users"):
        assert f"    {command} " in done.stdout
    assert "usage" not in done.stdout and "show this help" not in done.stdout


def test_run_help_puts_the_required_options_first() -> None:
    done = _command("run", "--help")
    assert done.returncode == 0
    sections = [line for line in done.stdout.splitlines() if line.endswith(":") and not line.startswith(" ")]
    assert sections[:2] == ["обязательные аргументы:", "параметры:"]
    assert "--mentors ФАЙЛ" in done.stdout and "results.xlsx" in done.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((), "mentor-match: ошибка: не указаны обязательные аргументы: КОМАНДА"),
        (
            ("fly",),
            "mentor-match: ошибка: аргумент КОМАНДА: недопустимое значение 'fly' "
            "(допустимы: 'run', 'serve', 'worker', 'users', 'cycle', 'monitoring')",
        ),
        (
            ("run",),
            "mentor-match run: ошибка: не указаны обязательные аргументы: --mentors, --mentees, --out",
        ),
        (
            ("run", "--mentors", "a", "--mentees", "b", "--out", "c", "--time-limit", "скоро"),
            "ошибка: аргумент --time-limit: недопустимое значение 'скоро': нужно число",
        ),
        (("run", "--mentors"), "ошибка: аргумент --mentors: не указано значение"),
        (
            ("run", "--mentors", "a", "--mentees", "b", "--out", "c", "--weight", "charm=1"),
            "ошибка: аргумент --weight: неизвестный вес «charm»",
        ),
        (
            ("run", "--mentors", "a", "--mentees", "b", "--out", "c", "--colour"),
            "ошибка: неизвестные аргументы: --colour",
        ),
        (
            ("serve", "--port", "x"),
            "mentor-match serve: ошибка: аргумент --port: недопустимое значение 'x': нужно целое число",
        ),
        (
            ("users", "add", "--name", "Иванова"),
            "mentor-match users add: ошибка: не указаны обязательные аргументы: --role",
        ),
    ],
)
def test_option_errors_are_russian(args: tuple[str, ...], said: str) -> None:
    done = _command(*args)
    assert done.returncode == 2
    assert done.stderr.startswith("Использование: ")
    assert said in done.stderr


def test_help_loads_neither_the_scientific_stack_nor_the_web_framework() -> None:
    probe = (
        "import sys\n"
        "from matcher.cli import main\n"
        "for argv in (['--help'], ['run', '--help'], ['users', 'add', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_the_weight_names_are_the_scoring_components() -> None:
    assert WEIGHT_NAMES == COMPONENTS


def test_a_decimal_comma_is_accepted_in_a_weight(tmp_path: Path) -> None:
    samples = ROOT / "data" / "samples" / "kindergarten"
    args = ["run", "--mentors", str(samples / "mentors.csv"), "--mentees", str(samples / "mentees.csv")]
    assert main([*args, "--out", str(tmp_path / "out"), "--quiet", "--weight", "coverage=0,6"]) == 0


def test_an_untranslated_message_is_shown_as_it_is() -> None:
    assert translate("something new") == "something new"
    assert translate("argument --x: expected one argument") == "аргумент --x: не указано значение"
