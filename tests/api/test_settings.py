"""Settings the service derives from its database when they are not given."""

from __future__ import annotations

import gc

from api.config import Settings
from api.jobs import settle_heap

SQLITE = "sqlite:///mentor-match.db"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def test_answering_threads_follow_the_database_unless_given() -> None:
    assert Settings(database_url=SQLITE).answering_threads == 1
    assert Settings(database_url=POSTGRES).answering_threads == 4
    assert Settings(database_url=SQLITE, answer_threads=3).answering_threads == 3


def test_a_settled_heap_is_left_out_of_full_collections() -> None:
    held = [[index] for index in range(1000)]
    before = gc.get_freeze_count()
    settle_heap()
    assert gc.get_freeze_count() >= before + len(held)
