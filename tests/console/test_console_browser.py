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

from .console_helpers import PASSWORD, Seeder

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
            expect(page.locator(".msg-red")).to_contain_text("red_flag_a")
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
