"""A council meeting in the browser: sign in, decide, swap, record consent, re-run, download, and a
second member who decided on a stale pair gets the conflict view."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from tests.api.conftest import sqlite_only
from tests.api.service import Service, full_names, import_banks, run_to_end

RUN_TIMEOUT_MS = 90_000
DOCS_TIMEOUT_MS = 30_000
MENTEES, MENTORS = full_names("mentees"), full_names("mentors")


def _sign_in(browser: Browser, service: Service, token: str, width: int = 1366, height: int = 900) -> Page:
    page = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True).new_page()
    page.goto(f"{service.server.url}/council")
    page.get_by_label("Ключ доступа").fill(token)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Подборы")).to_be_visible()
    return page


def _open_run(page: Page, run_id: int) -> None:
    page.get_by_role("button", name=f"Открыть Подбор № {run_id} ").click()
    expect(page.get_by_role("heading", name=f"Подбор № {run_id} ")).to_be_visible()
    expect(page.locator("article.card").first).to_be_visible()


def _card(page: Page, mentee: str, mentor: str) -> Locator:
    title = f"{MENTEES[mentee]} — {MENTORS[mentor]}"
    return page.locator("article.card").filter(has=page.get_by_role("heading", name=title, exact=True))


def _status(card: Locator) -> Locator:
    return card.locator(".badge.state")


@pytest.mark.slow(7)
def test_a_council_meeting(browser: Browser, service: Service, screenshots: Path) -> None:
    municipal = service.token("municipal", name="Муниципальный куратор")
    import_banks(service.client(municipal))
    first = run_to_end(service.client(municipal), {"scope": "municipality"})["id"]
    page = _sign_in(browser, service, municipal)
    assert (
        page.evaluate("() => sessionStorage.length") == 1 and page.evaluate("() => localStorage.length") == 0
    )
    _open_run(page, first)
    page.screenshot(path=screenshots / "run.png", full_page=True)

    approved = _card(page, "M-01", "T-01")
    approved.get_by_role("button", name="Одобрить", exact=True).click()
    expect(_status(approved)).to_have_text("одобрена")
    approved.get_by_role("button", name="Наставляемый согласен").click()
    expect(approved).to_contain_text("наставляемый — да, наставник — не записано")
    approved.get_by_role("button", name="Наставник согласен").click()
    expect(approved).to_contain_text("наставляемый — да, наставник — да")

    with page.expect_download() as download:
        _card(page, "M-01", "T-01").get_by_role("button", name="Скачать согласие наставляемого").click()
    form = docx.Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "согласие" in "\n".join(p.text for p in form.paragraphs).lower()

    rejected = _card(page, "M-04", "T-04")
    rejected.get_by_role("button", name="Отклонить…").click()
    rejected.get_by_label("Причина отклонения").fill("разные смены")
    rejected.get_by_role("button", name="Отклонить пару").click()
    expect(_status(rejected)).to_have_text("отклонена")

    swapped = _card(page, "M-03", "T-03")
    swapped.get_by_role("button", name="Альтернативы").click()
    swapped.get_by_role("button", name=f"Заменить наставника на {MENTORS['T-21']}").click()
    expect(_status(_card(page, "M-03", "T-03"))).to_have_text("отклонена")
    expect(_status(_card(page, "M-03", "T-21"))).to_have_text("закреплена")
    page.screenshot(path=screenshots / "decided.png", full_page=True)

    page.get_by_role("button", name="Подобрать заново с учётом решений").click()
    second = first + 1
    expect(page.get_by_role("heading", name=f"Подбор № {second} ")).to_be_visible(timeout=RUN_TIMEOUT_MS)
    changes = page.locator("section.changes")
    expect(changes).to_contain_text(
        f"Снята пара {MENTEES['M-04']} — {MENTORS['T-04']}: пара отклонена советом"
    )
    expect(changes).to_contain_text(f"Добавлена пара {MENTEES['M-04']} —")
    replacement = page.locator("article.card").filter(has_text=f"{MENTEES['M-04']} —")
    expect(replacement).to_have_count(1)
    expect(replacement).not_to_contain_text(MENTORS["T-04"])
    expect(_status(_card(page, "M-01", "T-01"))).to_have_text("одобрена")
    expect(_status(_card(page, "M-03", "T-21"))).to_have_text("закреплена")
    page.screenshot(path=screenshots / "rerun.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("button", name="Скачать: приказ (DOCX)").click()
    order = docx.Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "\n".join(cell.text for table in order.tables for row in table.rows for cell in row.cells)
    assert MENTEES["M-01"].split()[0] in text and MENTORS["T-01"].split()[0] in text

    page.get_by_label("Показать", exact=True).select_option("unmatched")
    unmatched = page.locator("article.unmatched").filter(has_text=MENTEES["M-06"])
    expect(unmatched).to_contain_text("нет согласия на участие")
    page.screenshot(path=screenshots / "unmatched.png", full_page=True)


def test_a_stale_decision_shows_what_changed_and_lets_the_member_decide_again(
    browser: Browser, service: Service, screenshots: Path
) -> None:
    municipal = service.token("municipal", name="Муниципальный куратор")
    import_banks(service.client(municipal))
    run = run_to_end(service.client(municipal), {"scope": "municipality"})["id"]
    member = _sign_in(browser, service, service.token("council", "school-1", name="Совет школы 1"), 820, 1180)
    chair = _sign_in(browser, service, municipal)
    _open_run(member, run)
    _open_run(chair, run)

    _card(chair, "M-05", "T-01").get_by_role("button", name="Одобрить", exact=True).click()
    expect(_status(_card(chair, "M-05", "T-01"))).to_have_text("одобрена")

    stale = _card(member, "M-05", "T-01")
    expect(_status(stale)).to_have_text("предложена")
    stale.get_by_role("button", name="Отклонить…").click()
    stale.get_by_label("Причина отклонения").fill("наставник перегружен")
    stale.get_by_role("button", name="Отклонить пару").click()
    conflict = _card(member, "M-05", "T-01").locator(".conflict")
    expect(conflict).to_contain_text("ваше решение не записано")
    expect(conflict).to_contain_text("Муниципальный куратор одобрил(а) пару")
    expect(_status(_card(member, "M-05", "T-01"))).to_have_text("одобрена")
    expect(conflict).to_be_focused()
    member.screenshot(path=screenshots / "conflict-tablet.png", full_page=True)

    again = _card(member, "M-05", "T-01")
    again.get_by_role("button", name="Отклонить…").click()
    again.get_by_label("Причина отклонения").fill("наставник перегружен")
    again.get_by_role("button", name="Отклонить пару").click()
    expect(_status(_card(member, "M-05", "T-01"))).to_have_text("отклонена")
    expect(_card(member, "M-05", "T-01").locator(".conflict")).to_have_count(0)


@pytest.mark.slow(5)
@sqlite_only
def test_docs_render_without_the_internet(browser: Browser, service: Service, screenshots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def only_the_service(route: Route) -> None:
        if route.request.url.startswith(service.server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_service)
    page.goto(f"{service.server.url}/docs")
    operation = page.get_by_text("/api/v1/runs/{id}/proposals", exact=True).first
    expect(operation).to_be_visible(timeout=DOCS_TIMEOUT_MS)  # swagger-ui's 1.5 MB script on a busy machine
    page.screenshot(path=screenshots / "docs.png")
    assert outside == []
