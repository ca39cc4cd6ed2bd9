"""The batch command on a committed sample, as the CLI tests call it."""

from __future__ import annotations

from pathlib import Path

from matcher.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def run_sample(sample: str, out: Path, *extra: str) -> int:
    """``mentor-match run`` on ``data/samples/<sample>`` into ``out``; its exit code."""
    folder = SAMPLES / sample
    return main(
        [
            "run",
            "--mentors",
            str(folder / "mentors.csv"),
            "--mentees",
            str(folder / "mentees.csv"),
            "--out",
            str(out),
            "--quiet",
            *extra,
        ]
    )
