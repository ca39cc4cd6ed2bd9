"""The pages under their CSP in a real browser: ``/docs`` (swagger-ui from the service's own
files, started by ``/static/docs.js``) and the council's page work with no inline script or
style allowed, and the browser reports no violation of the policy."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import sqlite_only
from tests.api.service import Service, import_banks, run_to_end

VIOLATIONS = """window.violations = [];
document.addEventListener("securitypolicyviolation",
  e => window.violations.push(e.violatedDirective + " " + e.blockedURI));"""


def _watched(browser: Browser) -> tuple[Page, list[str]]:
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("requestfailed", lambda r: refused.append(f"failed {r.url}"))
    page.add_init_script(VIOLATIONS)
    return page, refused


@sqlite_only
def test_docs_and_the_council_page_need_no_inline_script(
    browser: Browser, service: Service, screenshots: Path
) -> None:
    municipal = service.token("municipal", name="Муниципальный куратор")
    client = service.client(municipal)
    import_banks(client)
    run = run_to_end(client, {"scope": "municipality"})["id"]
    for path in ("/docs", "/council"):
        policy = client.get(path).headers["content-security-policy"]
        assert "'unsafe-inline'" not in policy and "script-src 'self';" in policy, policy
    assert "cdn" not in client.get("/docs").text

    page, refused = _watched(browser)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{service.server.url}/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 40
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    page.screenshot(path=screenshots / "docs.png")
    assert page.evaluate("() => window.violations") == [] and refused == []
    assert all(url.startswith(service.server.url) for url in requested), requested

    page, refused = _watched(browser)
    page.goto(f"{service.server.url}/council")
    page.get_by_label("Ключ доступа").fill(municipal)
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("button", name=f"Открыть Подбор № {run} ").click()
    expect(page.locator("article.card svg.bar rect").first).to_be_attached()
    page.locator("article.card").first.get_by_role("button", name="Альтернативы").click()
    page.screenshot(path=screenshots / "council.png")
    assert page.evaluate("() => window.violations") == [] and refused == []
