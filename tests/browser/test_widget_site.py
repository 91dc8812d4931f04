"""The site app that serves the chat widget: demo page, privacy notice, widget files, `python -m bot site`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.__main__ import build_parser
from bot.site import create_app

SOURCE_PAGE = Path("/work/shared/source/page-vertebroplastie-centre.txt")


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "widget.js").write_text("/* widget */", encoding="utf-8")
    return tmp_path


@pytest.fixture
def client(dist: Path):
    app = create_app({"WIDGET_DIST_DIR": str(dist), "RASA_PUBLIC_URL": "http://rasa.example:5005", "TESTING": True})
    return app.test_client()


def test_demo_page_embeds_the_widget_with_one_script_tag(client) -> None:
    html = client.get("/").get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", html)
    assert len(scripts) == 1
    tag = scripts[0]
    assert 'src="/widget/widget.js"' in tag
    assert 'data-server-url="http://rasa.example:5005"' in tag
    assert 'data-title="Assistant vertébroplastie"' in tag
    assert "data-primary-color=" in tag
    assert 'data-privacy-url="/confidentialite"' in tag
    assert 'data-retention-days="90"' in tag


def test_demo_page_uses_the_centres_headings_and_nothing_external(client) -> None:
    resp = client.get("/")
    html = resp.get_data(as_text=True)
    source = SOURCE_PAGE.read_text(encoding="utf-8").replace("’", "'") if SOURCE_PAGE.exists() else ""
    for heading in ("Quels symptômes ?", "Quels traitements ?", "Quelle indication pour la vertébroplastie ?",
                    "Contre-indications ?", "Déroulement de l'intervention", "Quelles suites ?", "Quels risques ?"):
        assert heading.replace("'", "&#39;") in html or heading in html, heading
        assert not source or heading in source, f"{heading!r} is not a heading of the centre's page"
    assert '<html lang="fr">' in html
    assert not re.search(r"""(src|href)=["']https?://""", html), "the demo page loads nothing from another host"
    assert "fonts.googleapis" not in html
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "connect-src 'self' http://rasa.example:5005 ws://rasa.example:5005" in csp


def test_privacy_notice_says_what_is_kept_and_how_long(client) -> None:
    html = client.get("/confidentialite").get_data(as_text=True)
    assert "90 jours" in html
    assert "numéro de sécurité sociale" in html
    assert "01 39 63 71 39" in html


def test_environment_sets_rasa_url_and_privacy_link(monkeypatch, dist: Path) -> None:
    monkeypatch.setenv("RASA_PUBLIC_URL", "https://assistant.example.fr")
    monkeypatch.setenv("PRIVACY_URL", "https://centre.example.fr/confidentialite")
    monkeypatch.setenv("WIDGET_DIST_DIR", str(dist))
    html = create_app().test_client().get("/contact").get_data(as_text=True)
    assert 'data-server-url="https://assistant.example.fr"' in html
    assert 'data-privacy-url="https://centre.example.fr/confidentialite"' in html


def test_widget_files_are_served_and_revalidated(client) -> None:
    resp = client.get("/widget/widget.js")
    assert resp.status_code == 200
    assert resp.mimetype in ("text/javascript", "application/javascript")
    assert "max-age=0" in resp.headers["Cache-Control"]
    assert client.get("/widget/../app.py").status_code == 404


def test_missing_build_says_how_to_build(tmp_path: Path) -> None:
    app = create_app({"WIDGET_DIST_DIR": str(tmp_path / "nothing")})
    resp = app.test_client().get("/widget/widget.js")
    assert resp.status_code == 404
    assert "web/build.sh" in resp.get_data(as_text=True)


def test_site_command_is_registered() -> None:
    args = build_parser().parse_args(["site", "--port", "9123"])
    assert args.command == "site"
    assert args.port == 9123
    assert callable(args.func)
