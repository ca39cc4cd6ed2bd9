"""The batch command's helper processes (``side_process``, the robustness re-solves) end with it.

A ``ProcessPoolExecutor``'s worker waits for work on a pipe; when the command is killed with -9
(a curator ending a run that takes too long, the kernel short of memory), nothing tells the
worker, and it would wait forever, holding its memory. Each worker watches its parent once a
second and exits when it is gone.
"""

from __future__ import annotations

import os
import threading
import time

WATCH_SECONDS = 1.0


def end_with_parent(parent: int) -> None:
    """In a pool's worker (call it from the initializer): exit once ``parent`` is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()
