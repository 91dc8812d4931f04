"""Flask app serving the chat widget (web/dist) and a demo page that looks like the centre's page."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, render_template, send_from_directory

from bot.core.centre import load_centre
from bot.settings import (
    AUDIT_RETENTION_DAYS,
    LOG_RETENTION_DAYS,
    RETENTION_DAYS,
    privacy_url,
    rasa_public_url,
    widget_dist_dir,
)


def _origins(url: str) -> str:
    """The http and ws origins of the Rasa server, for the demo page's Content-Security-Policy."""
    parts = urlsplit(url)
    ws = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc} {ws}://{parts.netloc}"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        RASA_PUBLIC_URL=rasa_public_url(),
        PRIVACY_URL=privacy_url(),
        WIDGET_DIST_DIR=widget_dist_dir(),
        WIDGET_TITLE="Assistant vertébroplastie",
        WIDGET_PRIMARY_COLOR="#1d4f91",
        RETENTION_DAYS=RETENTION_DAYS,
        AUDIT_RETENTION_DAYS=AUDIT_RETENTION_DAYS,
        LOG_RETENTION_DAYS=LOG_RETENTION_DAYS,
    )
    app.config.update(overrides or {})

    @app.context_processor
    def widget_settings() -> dict[str, Any]:
        return {"cfg": app.config, "centre": load_centre()}

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            # Nothing from a third party: own scripts, styles and images, and the Rasa server.
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                f"connect-src 'self' {_origins(app.config['RASA_PUBLIC_URL'])}; "
                "frame-ancestors 'self'; base-uri 'none'; form-action 'self'",
            )
        return response

    @app.get("/")
    def index() -> str:
        return render_template("index.html", page="index")

    @app.get("/contact")
    def contact() -> str:
        return render_template("contact.html", page="contact")

    @app.get("/confidentialite")
    def privacy() -> str:
        return render_template("confidentialite.html", page="privacy")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/widget/<path:filename>")
    def widget(filename: str):
        dist = Path(app.config["WIDGET_DIST_DIR"])
        if not (dist / "widget.js").is_file():
            abort(404, description="Widget non construit : lancez `bash web/build.sh` (ou `make run`).")
        # Unversioned file names: browsers revalidate (ETag) instead of keeping an old widget.
        return send_from_directory(dist, filename, max_age=0)

    return app
