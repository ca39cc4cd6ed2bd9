"""A worker's PostgreSQL server processes yield the cores as the worker does (same machine)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

NICED = """
import os, sys
os.nice(7)
from api.storage.db import make_engine, yield_local_backends
from sqlalchemy import text
engine = make_engine(sys.argv[1])
yield_local_backends(engine)
with engine.connect() as connection:
    pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    print(os.getpriority(os.PRIO_PROCESS, pid))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may lower another user's process (PostgreSQL's)")
def test_a_niced_process_lowers_its_local_postgresql_backend(postgres_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", NICED, postgres_url], capture_output=True, text=True, check=True, timeout=120
    )
    assert int(done.stdout.strip()) == 7, done.stderr
