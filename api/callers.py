"""A short-lived memory of token hash → caller, so a request does not look its token up again.

A caller found is kept ``ttl`` seconds; revoking or expiring a token in this process clears it
at once (``forget``), and a token revoked by another process (``mentor-match users revoke``)
stops working here within ``ttl``. The memory is bounded: when full, it starts afresh.

A token missing from the memory is looked up once however many requests bring it at the same
moment (``found``): the others wait for that one look-up. When a caller's ten seconds ran out,
all 50 requests then in flight with its token used to look it up at once, 50 sessions queueing
for the threads, the connection pool and the interpreter lock, and held each other up for tens
of milliseconds, every ten seconds in every process (the open loop's slowest requests came in
bursts across the processes, and more so while a region's run competed for the cores).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
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
        self._looking_up: dict[str, asyncio.Future[Caller | None]] = {}

    def get(self, token_hash: str) -> Caller | None:
        found = self._callers.get(token_hash)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    async def found(self, token_hash: str, look_up: Callable[[], Awaitable[Caller | None]]) -> Caller | None:
        """The caller remembered, else the one ``look_up`` finds (kept), one look-up at a time per
        token in this event loop; a request that gives up waiting does not cancel it for the
        others."""
        caller = self.get(token_hash)
        if caller is not None:
            return caller
        pending = self._looking_up.get(token_hash)
        if pending is None:
            pending = self._looking_up[token_hash] = asyncio.ensure_future(self._kept(token_hash, look_up))
            pending.add_done_callback(lambda _: self._looking_up.pop(token_hash, None))
        return await asyncio.shield(pending)

    async def _kept(self, token_hash: str, look_up: Callable[[], Awaitable[Caller | None]]) -> Caller | None:
        caller = await look_up()
        if caller is not None:
            self.put(token_hash, caller)
        return caller

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
