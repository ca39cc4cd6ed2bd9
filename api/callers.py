"""A short-lived memory of token hash → caller, so a request does not look its token up again.

A caller found is kept ``ttl`` seconds; revoking or expiring a token in this process clears it
at once (``forget``), and a token revoked by another process (``mentor-match users revoke``)
stops working here within ``ttl``. The memory is bounded: when full, it starts afresh.
"""

from __future__ import annotations

import time
from threading import Lock

from api.access import Caller

CALLER_TTL_SECONDS = 10.0
MAX_CALLERS = 10_000


class CallerCache:
    def __init__(self, ttl: float = CALLER_TTL_SECONDS, size: int = MAX_CALLERS) -> None:
        self.ttl = ttl
        self.size = size
        self._callers: dict[str, tuple[float, Caller]] = {}
        self._lock = Lock()

    def get(self, token_hash: str) -> Caller | None:
        found = self._callers.get(token_hash)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, token_hash: str, caller: Caller) -> None:
        with self._lock:
            if len(self._callers) >= self.size:
                self._callers.clear()
            self._callers[token_hash] = (time.monotonic() + self.ttl, caller)

    def forget(self, token_hash: str | None = None) -> None:
        """Drop one token (None: every token), e.g. after a revocation."""
        with self._lock:
            if token_hash is None:
                self._callers.clear()
            else:
                self._callers.pop(token_hash, None)
