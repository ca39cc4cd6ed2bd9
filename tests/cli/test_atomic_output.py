"""The output folder appears at once: kill -9 at random moments never leaves it mixed, and the
next run leaves nothing behind (issue 13, item 7)."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from matcher.errors import OutputFolderError
from matcher.output_folder import aside_of, recover, replacing, staging_of
from matcher.taxonomy import Taxonomy
from tests.cli import rewriter
from tests.cli.samples import run_sample

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
KILLS = 20
"""Random moments of the rewrite to kill it at (each costs about 0.3 s of CPU)."""
BUDGET_SECONDS = 120.0
AT_LEAST = 10
"""Kills the test must manage within its budget even on a busy machine."""
CLI_KILLS = 2


def _environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


def _settle(out: Path, taxonomy: Taxonomy, version: int) -> None:
    """The next run: it must clear whatever the killed one left and put its own version in place."""
    rewriter.write(out, version, taxonomy)
    assert rewriter.version_of(out) == version
    assert _leftovers(out) == []


@pytest.mark.slow(6)
def test_kill_9_while_rewriting_never_mixes_versions(tmp_path: Path) -> None:
    taxonomy = Taxonomy.default()
    out = tmp_path / "run" / "out"
    out.parent.mkdir()
    rewriter.write(out, 0, taxonomy)
    chance = random.Random(13)
    started = time.monotonic()
    kills = left_behind = 0
    first = 1
    forking = multiprocessing.get_context("fork")  # the test's imports are the child's: it starts at once
    while kills < KILLS and time.monotonic() - started < BUDGET_SECONDS:
        ready = forking.Event()
        child = forking.Process(target=rewriter.rewrite_forever, args=(out, first, ready), daemon=True)
        child.start()
        assert ready.wait(30)  # its first version is in place: it is now rewriting
        time.sleep(chance.uniform(0.0, 0.25))
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        kills += 1
        seen = rewriter.version_of(out)  # entirely one version, whatever the moment of the kill
        assert first <= seen < first + 1000
        assert set(_leftovers(out)) <= {staging_of(out).name, aside_of(out).name}
        left_behind += bool(_leftovers(out))
        first = seen + 1000
        _settle(out, taxonomy, first)
        first += 1
    print(f"kill -9 while rewriting: {kills} kills, {left_behind} left a staging folder, cleared next run")
    assert kills >= AT_LEAST, f"only {kills} kills in {BUDGET_SECONDS} s"


def _contract_files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("pairs.csv", "unmatched.csv", "alternatives.csv")}


def _command(sample: str, out: Path) -> list[str]:
    """The real batch command on a sample, as a user runs it."""
    return [
        sys.executable,
        "-c",
        "from matcher.cli import entrypoint; entrypoint()",
        "run",
        "--mentors",
        str(SAMPLES / sample / "mentors.csv"),
        "--mentees",
        str(SAMPLES / sample / "mentees.csv"),
        "--out",
        str(out),
        "--quiet",
    ]


@pytest.mark.slow(20)
def test_kill_9_of_the_real_command(tmp_path: Path) -> None:
    out = tmp_path / "out"

    # The versions to expect and the runs after each kill are made in this process (the same
    # ``main``); the command that is timed and the commands that are killed are real processes.
    assert run_sample("kindergarten", out) == 0
    new = _contract_files(out)
    assert run_sample("school", out) == 0
    old = _contract_files(out)
    started = time.monotonic()
    subprocess.run(_command("kindergarten", out), check=True, env=_environment(), capture_output=True)
    full = time.monotonic() - started
    assert _contract_files(out) == new
    chance = random.Random(7)
    outcomes = []
    assert run_sample("school", out) == 0
    for _ in range(CLI_KILLS):
        child = subprocess.Popen(_command("kindergarten", out), env=_environment(), stdout=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.5, 1.1) * full)
        child.send_signal(signal.SIGKILL)
        child.wait()
        now = _contract_files(out)
        assert now in (old, new)
        outcomes.append("new" if now == new else "old")
        assert run_sample("school", out) == 0
        assert _contract_files(out) == old and _leftovers(out) == []
    print("outcomes after kill -9:", outcomes)


def test_a_leftover_from_the_two_rename_swap_is_put_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    taxonomy = Taxonomy.default()
    rewriter.write(out, 5, taxonomy)
    out.rename(aside_of(out))  # killed between «old aside» and «new in»
    staging_of(out).mkdir()
    (staging_of(out) / "pairs.csv").write_text("half", encoding="utf-8")
    recover(out)
    assert rewriter.version_of(out) == 5 and _leftovers(out) == []


def test_an_error_while_writing_leaves_the_old_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    rewriter.write(out, 1, Taxonomy.default())
    with pytest.raises(RuntimeError), replacing(out) as staging:
        (staging / "pairs.csv").write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    assert rewriter.version_of(out) == 1 and _leftovers(out) == []


@pytest.mark.parametrize("foreign", ["notes.docx", "subfolder"])
def test_a_folder_with_other_things_is_refused_not_deleted(tmp_path: Path, foreign: str) -> None:
    out = tmp_path / "documents"
    out.mkdir()
    (out / foreign).mkdir() if foreign == "subfolder" else (out / foreign).write_bytes(b"mine")
    with pytest.raises(OutputFolderError, match="не пуста"):
        rewriter.write(out, 1, Taxonomy.default())
    assert [p.name for p in out.iterdir()] == [foreign]


def _children(pid: int) -> set[int]:
    """Linux: the processes ``pid`` started that are still its children."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie nobody reaped has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the children in /proc")
def test_the_commands_helper_processes_end_when_it_is_killed(tmp_path: Path) -> None:
    """kill -9 of ``mentor-match run`` leaves no helper process waiting for work forever."""
    run = subprocess.Popen(
        _command("municipality", tmp_path / "out"),
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    helpers: set[int] = set()
    while not helpers and time.monotonic() < deadline and run.poll() is None:
        helpers = _children(run.pid)
        time.sleep(0.02)
    assert helpers, "the command started its side process"
    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in helpers if _running(pid)], "a helper outlived the command"
