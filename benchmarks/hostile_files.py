"""Memory and CPU of reading each hostile file (``tests.workbooks``), one fresh process per file.

    python benchmarks/hostile_files.py

Prints a Markdown table: the file, its size, the reader's peak resident memory above the
process's own before reading, its CPU seconds, and what the curator is told. The files are made
in a parent process and passed through a temporary folder, so making them is not measured.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.workbooks import HOSTILE, MENTOR_HEADER, csv_bytes, huge_dimension  # noqa: E402

PROBE = """
import sys, time
from pathlib import Path
from matcher.errors import InputError
from matcher.reading import read_table
def high_water():  # VmHWM, unlike ru_maxrss, does not inherit the parent's peak
    line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
    return int(line.split()[1])
path = Path(sys.argv[1])
before = high_water()
started = time.process_time()
try:
    outcome = f"read, {len(read_table(path, kind='mentors').rows):,} rows"
except InputError as error:
    outcome = error.problems[0].message_ru
seconds = time.process_time() - started
grown = (high_water() - before) / 1024
print(f"| {path.name} | {path.stat().st_size / 1024:,.0f} KB | {grown:,.0f} MB | {seconds:.1f} | {outcome} |")
"""


def _big_csv(path: Path, rows: int) -> None:
    about = "Педагогический стаж 25 лет, высшая квалификационная категория. " * 2
    with path.open("wb") as handle:
        handle.write(csv_bytes([(*MENTOR_HEADER, "Опыт и достижения")]))
        for start in range(0, rows, 10_000):
            block = [
                (f"m{n}", "Иванова Анна Петровна", "СОШ-5", "ict:3", "да", about)
                for n in range(start, start + 10_000)
            ]
            handle.write(csv_bytes(block))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for bad in HOSTILE:
            files.append(Path(folder) / bad.name)
            files[-1].write_bytes(bad.make())
        files.append(Path(folder) / "dimension_XFD1048576_20000_rows.xlsx")
        files[-1].write_bytes(huge_dimension(20_000))
        for name, rows in (("big_150000_rows.csv", 150_000), ("big_800000_rows.csv", 800_000)):
            files.append(Path(folder) / name)
            _big_csv(files[-1], rows)
        print("| file | size | peak memory | CPU, s | result |\n|---|---|---|---|---|")
        for path in files:
            probe = subprocess.run(
                [sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, check=True, cwd=ROOT
            )
            print(probe.stdout.strip())


if __name__ == "__main__":
    main()
