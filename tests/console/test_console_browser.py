"""The console in real headless Chromium: log in, filter red flags, open a conversation, acknowledge an
alert, download the CSV. The console is the real WSGI app served over HTTP on a free port."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from bot.settings import PROJECT_ROOT

from .console_helpers import PASSWORD, Seeder, feedback_sample

ARTIFACTS = PROJECT_ROOT / "var" / "artifacts"

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium absent ({CHROMIUM}): browser test skipped"),
]


@pytest.fixture
def live_console(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_staff_workflow_in_chromium(live_console: str, seeder: Seeder, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    seeder.sample()
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(accept_downloads=True, locale="fr-FR")
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))

            # Not logged in: sent to the login page, then back to the page asked for.
            page.goto(f"{live_console}/conversations")
            assert "/login" in page.url
            page.fill("#username", "docteur")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/conversations")
            expect(page.locator("a.conv-link")).to_have_count(5)
            expect(page.locator("#alert-count")).to_have_text("1")

            # Filter the red flags.
            page.check("input[name=red_flag]")
            page.click("#filters button[type=submit]")
            page.wait_for_url("**red_flag=1**")
            expect(page.locator("a.conv-link")).to_have_count(1)

            # Open the conversation: every message, the red flag highlighted.
            page.locator("a.conv-link").first.click()
            page.wait_for_url("**/conversation?id=conv-alarme")
            expect(page.locator(".msg-red")).to_contain_text("je ne sens plus ma jambe gauche")
            expect(page.locator(".msg-red")).to_contain_text("Alerte A : jambes, vessie")
            expect(page.locator(".msg")).to_have_count(4)

            # Acknowledge the alert in the queue: the counter drops to 0.
            page.click("#alerts-link")
            page.wait_for_url("**/alerts")
            page.click("button.ack")
            expect(page.locator("#alert-list")).to_contain_text("par docteur le")
            expect(page.locator("#alert-count")).to_have_text("0")

            # Download the CSV.
            page.goto(f"{live_console}/conversations")
            with page.expect_download() as info:
                page.click("#export-csv")
            download = info.value
            assert download.suggested_filename.startswith("conversations-")
            target = tmp_path / download.suggested_filename
            download.save_as(target)
            text = target.read_text(encoding="utf-8-sig")
            assert text.splitlines()[0].startswith("conversation;debut;")
            assert "conv-alarme" in text and "[tél. masqué]" in text and "06 12 34 56 78" not in text
        finally:
            browser.close()
    assert problems == []  # no script error, no Content-Security-Policy violation


def test_satisfaction_page_and_review_queue_in_chromium(live_console: str, seeder: Seeder) -> None:
    """A clinician reads the satisfaction page, then labels a queued message with one click; screenshots."""
    from playwright.sync_api import expect, sync_playwright

    feedback_sample(seeder)
    problems: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 1000}).new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{live_console}/login")
            page.fill("#username", "docteur")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_console}/")

            page.get_by_role("link", name="Satisfaction").click()
            expect(page.locator("#share-yes")).to_have_text("50,0 %")
            expect(page.locator("#by-topic")).to_contain_text("Jeûne")
            expect(page.locator("#comments")).to_contain_text("[tél. masqué]")
            expect(page.get_by_role("img", name="Avis des patients par jour")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "console-satisfaction.png"), full_page=True)

            page.get_by_role("link", name="À revoir").click()
            item = page.locator("article").filter(has_text="le truc pour le dos")
            expect(item).to_contain_text("compris avec peu de confiance")
            expect(page.locator("article").filter(has_text="je dois etre a jeun")).to_contain_text("« Non »")
            page.screenshot(path=str(ARTIFACTS / "console-review.png"), full_page=True)
            item.get_by_role("button", name="Déroulement", exact=True).click()  # one click
            expect(page.get_by_role("status")).to_contain_text("Message étiqueté : Déroulement.")
            expect(page.locator("article").filter(has_text="le truc pour le dos")).to_have_count(0)

            other = page.locator("article").filter(has_text="je dois etre a jeun")
            other.get_by_label("Autre sujet").select_option(label="Jeûne")  # two clicks
            other.get_by_role("button", name="Enregistrer").click()
            expect(page.get_by_role("status")).to_contain_text("Message étiqueté : Jeûne.")
            page.get_by_role("link", name="Déjà étiquetés").click()
            expect(page.locator("#labelled")).to_contain_text("Déroulement")
            expect(page.locator("#labelled")).to_contain_text("docteur")
        finally:
            browser.close()
    assert problems == []  # no script error, no Content-Security-Policy violation
