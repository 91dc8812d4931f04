"""Helpers of the widget's browser tests: open the widget, ask, screenshots, storage, accessibility."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from bot.settings import PROJECT_ROOT as ROOT

ARTIFACTS = ROOT / "var" / "artifacts"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
SITE_ORIGIN = "http://localhost:8080"
ANSWER_TIMEOUT = 45_000  # ms; the first answer of a fresh server can be slow


class Watch:
    """What the page did: requests, script errors, alert() dialogs."""

    def __init__(self) -> None:
        self.hosts: set[str] = set()
        self.errors: list[str] = []
        self.dialogs: list[str] = []


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widget-{name}.png"))


def open_widget(page: Page, path: str = "/") -> None:
    page.goto(SITE_ORIGIN + path)
    page.get_by_role("button", name="Une question ?").click()
    expect(page.get_by_role("dialog", name="Assistant vertébroplastie")).to_be_visible()
    expect(page.get_by_label("Votre message")).to_be_focused()


def bot_messages(page: Page):
    return page.locator(".msg--bot")


def ask(page: Page, text: str) -> None:
    """Types a question, sends it with Enter and waits until an answer is shown."""
    before = bot_messages(page).count()
    box = page.get_by_label("Votre message")
    box.fill(text)
    box.press("Enter")
    expect(page.locator(".msg--user").last.locator(".text")).to_have_text(text)
    expect(bot_messages(page)).not_to_have_count(before, timeout=ANSWER_TIMEOUT)
    page.wait_for_timeout(800)  # the other parts of the same answer


def storage_snapshot(page: Page) -> dict:
    return page.evaluate(
        """async () => ({
            session: sessionStorage.length,
            local: localStorage.length,
            cookies: document.cookie,
            idb: indexedDB.databases ? (await indexedDB.databases()).length : 0,
        })"""
    )




def axe_violations(page: Page, report: str) -> list[str]:
    """axe-core (injected with `page.add_init_script(path=AXE)`) on the page: the serious and critical
    violations; the full report goes to var/artifacts/<report>.json."""
    results = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{report}.json").write_text(json.dumps(results["violations"], indent=2, ensure_ascii=False))
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
