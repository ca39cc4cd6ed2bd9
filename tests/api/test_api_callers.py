"""A token missing from the callers' memory is looked up once however many requests bring it at
the same moment (``CallerCache.found``), a request that gives up does not cancel the look-up for
the others, and a token not found is not remembered."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from api.access import Caller, Role
from api.callers import CallerCache

CALLER = Caller(user_id=1, name="Совет", role=Role.MUNICIPAL, institution=None)
T = TypeVar("T")


def _run(main: Coroutine[Any, Any, T]) -> T:
    """``main`` in an event loop of its own thread (the tests' thread may hold one: the browser
    tests')."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, main).result(timeout=60)


def test_requests_arriving_together_share_one_look_up() -> None:
    looked_up: list[str] = []

    async def look_up() -> Caller | None:
        looked_up.append("token")
        await asyncio.sleep(0.05)
        return CALLER

    async def main() -> list[Caller | None]:
        cache = CallerCache()
        found = await asyncio.gather(*(cache.found("hash", look_up) for _ in range(50)))
        found.append(await cache.found("hash", look_up))  # remembered now
        return found

    assert _run(main()) == [CALLER] * 51
    assert looked_up == ["token"]


def test_a_request_that_gives_up_leaves_the_look_up_to_the_others() -> None:
    async def look_up() -> Caller | None:
        await asyncio.sleep(0.05)
        return CALLER

    async def main() -> Caller | None:
        cache = CallerCache()
        impatient = asyncio.ensure_future(cache.found("hash", look_up))
        patient = asyncio.ensure_future(cache.found("hash", look_up))
        await asyncio.sleep(0.01)
        impatient.cancel()
        return await patient

    assert _run(main()) == CALLER


def test_a_token_not_found_is_looked_up_again() -> None:
    looked_up: list[str] = []

    async def look_up() -> Caller | None:
        looked_up.append("token")
        return None

    async def main() -> list[Caller | None]:
        cache = CallerCache()
        return [await cache.found("hash", look_up), await cache.found("hash", look_up)]

    assert _run(main()) == [None, None]
    assert looked_up == ["token", "token"]
