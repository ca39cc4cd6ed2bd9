"""The suite's schedule: the longest tests start first.

pytest-xdist hands tests to its workers one at a time (``--maxschedchunk 1`` in pyproject.toml)
in collection order, so a test marked ``@pytest.mark.slow(seconds)`` (its duration on a quiet
two-core machine, roughly) is moved to the front, the longest first, and the short tests fill the
workers' time around it instead of waiting at the end for one long test. Mark a test slow when it
takes more than about 5 s alone (``python3 -m pytest -n 0 --durations=20 tests/x``).

There are two workers per core: about half of a test's time is spent waiting for the processes,
servers and databases it starts, and a second worker per core fills that time (on two cores the
suite took 250 s with two workers and 218 s with four).

The suite writes bytecode even where ``PYTHONDONTWRITEBYTECODE`` is set (Docker images often set
it): each of its four workers and its forty-odd processes of the service and the command would
otherwise compile every module of the project again, and each worker rewrite the assertions of
360 modules (the tests and the pytest plugins' packages) from source, 10 CPU s a worker instead
of 6. The variable is dropped here, before the workers start, so they and every process the
tests start inherit its absence; ``__pycache__`` is ignored by git and Docker.
"""

from __future__ import annotations

import os
import sys

import pytest

WORKERS_PER_CORE = 2

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    return WORKERS_PER_CORE * (os.cpu_count() or 1)


def _expected_seconds(item: pytest.Item) -> float:
    marker = item.get_closest_marker("slow")
    if marker is None:
        return 0.0
    return float(marker.args[0]) if marker.args else 1.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_expected_seconds, reverse=True)  # stable: the rest keeps its order
