"""The bad-file corpus through the reader and validator: a Russian error each, memory kept flat.

Every file of ``tests.workbooks.HOSTILE`` is refused with its message and row; reading it costs
a few megabytes at most whatever it claims (a workbook declaring a million rows, three million
shared strings, a zip bomb). The CLI and the API run the same corpus (``tests/cli``,
``tests/api``).
"""

from __future__ import annotations

import tracemalloc

import pytest

from matcher.errors import InputError
from matcher.reading import ReadingLimits, read_table
from matcher.taxonomy import Taxonomy
from matcher.validation import validate_mentors
from tests.workbooks import HOSTILE, MENTOR_HEADER, Hostile, csv_bytes, huge_dimension

TRACED_LIMIT_MB = 40
"""Most memory Python may allocate while refusing one hostile file (its bytes excluded)."""
DIMENSION_ROWS = 5_000
"""Rows of the bank claiming A1:XFD1048576: padded to the claimed width, as the old reader did,
they would be 80 million cells; read under tracemalloc, each thousand rows costs half a second."""


SLOW_UNDER_TRACEMALLOC = {"far_cell.xlsx": 7, "shared_strings.xlsx": 4}
"""Seconds some files take to refuse while every allocation is traced (a tenth of that untraced)."""


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(bad, marks=pytest.mark.slow(SLOW_UNDER_TRACEMALLOC[bad.name]))
        if bad.name in SLOW_UNDER_TRACEMALLOC
        else bad
        for bad in HOSTILE
    ],
    ids=lambda bad: bad.name,
)
def test_each_bad_file_is_refused_in_russian_with_little_memory(bad: Hostile, taxonomy: Taxonomy) -> None:
    data = bad.make()
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as caught:
            validate_mentors(read_table(data, name=bad.name, kind="mentors"), taxonomy)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    problem = caught.value.problems[0]
    assert (problem.file, problem.row) == (bad.name, bad.row)
    assert bad.message in problem.message_ru
    assert peak < TRACED_LIMIT_MB * 2**20, f"{peak / 2**20:.0f} MB"


def test_a_workbook_claiming_a_million_rows_is_read_as_the_rows_it_has(taxonomy: Taxonomy) -> None:
    data = huge_dimension(DIMENSION_ROWS)
    tracemalloc.start()
    try:
        bank = validate_mentors(read_table(data, name="dimension.xlsx", kind="mentors"), taxonomy)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(bank) == DIMENSION_ROWS
    assert peak < 50 * 2**20  # the bank itself (18 MB); the old reader built 600 MB of empty cells


@pytest.mark.parametrize(
    ("limits", "rows", "message"),
    [
        (ReadingLimits(max_rows=50), 60, "в файле больше 50 строк"),
        (ReadingLimits(max_columns=3), 1, "в строке больше 3 столбцов"),
        (ReadingLimits(max_bytes=1000), 60, "файл больше 0 МБ"),
        (ReadingLimits(max_seconds=0), 1, "файл читается дольше 0 с"),
    ],
)
def test_every_cap_names_itself(limits: ReadingLimits, rows: int, message: str) -> None:
    data = csv_bytes([MENTOR_HEADER, *[(f"m{n}", "Иванова", "СОШ-5", "ict", "да") for n in range(rows)]])

    with pytest.raises(InputError) as caught:
        read_table(data, name="big.csv", kind="mentors", limits=limits)

    assert message in caught.value.problems[0].message_ru
