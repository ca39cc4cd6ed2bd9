"""Regenerate the committed sample banks: ``python data/samples/generate.py``.

Each sample is a directory holding ``mentors.csv``, ``mentees.csv`` and the institutions'
registry ``institutions.csv`` (UTF-8, comma); see
README.md next to this script for what each one is.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from matcher.synthetic import Kind, generate_banks, institution_registry, write_banks

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Sample:
    name: str
    n_mentees: int
    n_mentors: int
    n_institutions: int
    kinds: Collection[Kind] | None
    headers: Literal["en", "ru"]
    seed: int


# Seeds chosen so that each small sample shows every feature at least once (a preference, an
# exclusion, a missing consent, a group leader, a mentor on leave) and the municipality has
# institutions of all six kinds.
SAMPLES = (
    Sample(
        "kindergarten",
        n_mentees=12,
        n_mentors=15,
        n_institutions=1,
        kinds={"kindergarten"},
        headers="ru",
        seed=16,
    ),
    Sample("school", n_mentees=30, n_mentors=40, n_institutions=1, kinds={"school"}, headers="en", seed=1),
    Sample(
        "municipality", n_mentees=400, n_mentors=1200, n_institutions=40, kinds=None, headers="en", seed=2026
    ),
)


def write_sample(sample: Sample, folder: Path) -> tuple[Path, Path, Path]:
    """Generate one sample's banks and its institutions' registry and write them into ``folder``."""
    mentors, mentees = generate_banks(
        n_mentees=sample.n_mentees,
        n_mentors=sample.n_mentors,
        n_institutions=sample.n_institutions,
        kinds=sample.kinds,
        seed=sample.seed,
    )
    mentors_path, mentees_path = write_banks(mentors, mentees, folder, headers=sample.headers)
    codes = pd.concat([mentors["institution"], mentees["institution"]])
    registry_path = folder / "institutions.csv"
    institution_registry(codes).to_csv(registry_path, index=False, encoding="utf-8", lineterminator="\n")
    return mentors_path, mentees_path, registry_path


def main() -> None:
    for sample in SAMPLES:
        for path in write_sample(sample, HERE / sample.name):
            print(path.relative_to(HERE))


if __name__ == "__main__":
    main()
