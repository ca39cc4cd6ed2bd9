"""The council's page in a real browser: Debian's headless Chromium driven by Playwright, against
the real service (``tests.api.service``) on SQLite and on PostgreSQL.

Chromium comes from the system (``/usr/bin/chromium``, or ``CHROMIUM``), never downloaded by
Playwright. When it is missing the tests fail on CI (``CI`` set) and are skipped elsewhere.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, expect, sync_playwright

from tests.api.conftest import backend, database_url, migrated_sqlite, postgres_url, service

__all__ = ["backend", "browser", "database_url", "migrated_sqlite", "postgres_url", "screenshots", "service"]

EXPECT_TIMEOUT_MS = 15_000
"""How long an assertion waits for the page: the service shares two cores with the tests."""
expect.set_options(timeout=EXPECT_TIMEOUT_MS)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    executable = _chromium()
    if executable is None:
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    launched = playwright_driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where a test saves what the page looked like (the pytest tmp dir, kept for the last runs)."""
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder
