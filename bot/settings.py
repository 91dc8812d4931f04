"""Configuration from environment variables, with defaults that need no external service."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ASSISTANT_VAR_DIR", PROJECT_ROOT / "var"))


def database_url() -> str:
    """The project's database: the same one as Rasa's SQL tracker store.

    Default is the SQLite file that `endpoints.yml` points Rasa at; production sets DATABASE_URL
    (e.g. postgresql://user@host/assistant) together with the matching tracker store settings.
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'assistant.db'}"


def allowed_origins() -> list[str]:
    """Web origins allowed to open the widget's connection (the centre's site, the demo page)."""
    raw = os.environ.get("ALLOWED_ORIGINS", "http://localhost:8080 http://127.0.0.1:8080")
    return [origin for origin in raw.replace(",", " ").split() if origin]


# The answers, and the sources they quote, as the content review and the console's "Contenus" page read them.
DOMAIN_FILE = Path(os.environ.get("DOMAIN_FILE", PROJECT_ROOT / "domain.yml"))
SOURCES_DIR = Path(os.environ.get("SOURCES_DIR", PROJECT_ROOT.parent / "shared"))
CONTENT_REVIEW_DIR = Path(os.environ.get("CONTENT_REVIEW_DIR", VAR_DIR / "content-review"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


# The centre's facts that code needs (the patient-facing texts live in domain.yml).
CENTRE_PHONE = os.environ.get("CENTRE_PHONE", "01 39 63 71 39")
RETENTION_DAYS = int(os.environ.get("RETENTION_DAYS", "90"))

# --- staff console security (issue 14) ---
# The audit log (who opened which conversation, searched what) has its own period: the CNIL recommends
# keeping access traces six months to one year.
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "180"))
# Server logs (var/log, the production logs) may hold conversation ids and addresses.
LOG_RETENTION_DAYS = int(os.environ.get("LOG_RETENTION_DAYS", "14"))
# Local hour (Europe/Paris) of the daily purge started by `make run` / `make prod-local`.
PURGE_HOUR = int(os.environ.get("PURGE_HOUR", "3"))


def console_insecure_cookies() -> bool:
    """Only for plain-http development: the console's cookies lose Secure and the __Host- prefix."""
    return os.environ.get("CONSOLE_INSECURE_COOKIES") == "1"


def trusted_proxies() -> list[str]:
    """Addresses or networks (CIDR) of the reverse proxies whose X-Forwarded-* headers the console believes.

    Empty by default: the headers are then ignored, so that nobody can choose the address the login
    throttle sees. Behind nginx on the same host: TRUSTED_PROXIES=127.0.0.1.
    """
    raw = os.environ.get("TRUSTED_PROXIES", "")
    return [item for item in raw.replace(",", " ").split() if item]


def audit_failed_logins_per_minute() -> int:
    """At most this many audit rows per minute for failed or refused logins; the rest are counted."""
    return int(os.environ.get("AUDIT_FAILED_LOGINS_PER_MINUTE", "20"))
