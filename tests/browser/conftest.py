"""Fixtures of the widget's browser tests: the real Rasa, action and site servers, headless Chromium.

The demo page is opened at http://localhost:8080, the origin the Rasa server of the `rasa_server`
fixture accepts (`--cors`); Playwright forwards that origin's requests to the site app, which runs on
a free port. The widget then talks to the real Rasa server over socket.io, like on the centre's site.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from bot.settings import PROJECT_ROOT as ROOT
from bot.site import create_app

from .widget_helpers import CHROMIUM, SITE_ORIGIN, Watch

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="module")
def widget_built() -> None:
    result = subprocess.run(["bash", str(ROOT / "web" / "build.sh")], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"web/build.sh failed:\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="module")
def site(rasa_server, widget_built) -> Iterator[str]:
    """The real site app on a free port, pointing the widget at the real Rasa server."""
    app = create_app({"RASA_PUBLIC_URL": rasa_server.rasa_url})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def watch() -> Watch:
    return Watch()


def _new_page(browser: Browser, site: str, watch: Watch, **context_args) -> Page:
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", **context_args)

    def forward(route, request) -> None:
        response = route.fetch(url=site + request.url[len(SITE_ORIGIN):])
        route.fulfill(response=response)

    context.route(f"{SITE_ORIGIN}/**", forward)
    # A page fulfilled by Playwright has no address, so Chromium counts it as public and would block
    # its calls to the loopback Rasa server (Local Network Access); a page really served from
    # localhost, as with `make run`, is loopback itself and needs no permission.
    context.grant_permissions(["local-network-access"], origin=SITE_ORIGIN)
    page = context.new_page()
    page.on("request", lambda r: watch.hosts.add(urlsplit(r.url).netloc))
    page.on("pageerror", lambda e: watch.errors.append(str(e)))

    def on_dialog(dialog) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page


@pytest.fixture
def page(browser: Browser, site: str, watch: Watch) -> Iterator[Page]:
    p = _new_page(browser, site, watch, viewport={"width": 1280, "height": 900})
    yield p
    p.context.close()
    assert not watch.errors, f"script errors on the page: {watch.errors}"


@pytest.fixture
def phone_page(browser: Browser, site: str, watch: Watch) -> Iterator[Page]:
    p = _new_page(browser, site, watch, viewport={"width": 360, "height": 740}, device_scale_factor=2,
                  is_mobile=True, has_touch=True, reduced_motion="reduce")
    yield p
    p.context.close()
    assert not watch.errors, f"script errors on the page: {watch.errors}"


