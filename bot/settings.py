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


# The centre's name, phone and address: config/centre.yml (bot/core/centre.py), not the environment.
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


# ---------- Doors of the assistant (channels, action server): see README "Security of the channels" ----------

def environment() -> str:
    """`production` or `development` (the default). Production refuses what development tolerates:
    unsigned phone webhooks, REST senders without a token, a missing signing key or action-server token."""
    value = os.environ.get("ASSISTANT_ENV", "development").strip().lower()
    if value not in ("development", "production"):
        raise ValueError(f"ASSISTANT_ENV must be development or production, not {value!r}")
    return value


def is_production() -> bool:
    return environment() == "production"


def _secret(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def conversation_token_key() -> str | None:
    """Signs the conversation tokens of the widget and the REST channel (shared by every Rasa server)."""
    return _secret("CONVERSATION_TOKEN_KEY")


def twilio_auth_token() -> str | None:
    """Twilio's auth token: checks the `X-Twilio-Signature` of the phone webhook."""
    return _secret("TWILIO_AUTH_TOKEN")


def rasa_public_url() -> str:
    """The Rasa server's address as the outside sees it (the widget's server URL, Twilio's webhook base)."""
    return os.environ.get("RASA_PUBLIC_URL", "http://localhost:5005").rstrip("/")


def action_server_token() -> str | None:
    """Shared by the Rasa servers (header of endpoints.yml) and the action server, which checks it."""
    return _secret("ACTION_SERVER_TOKEN")


def actions_host() -> str:
    """Address the action server listens on: loopback unless a cluster needs the pod's address."""
    return os.environ.get("ACTIONS_HOST", "127.0.0.1")


# Per-conversation caps. Alerts beyond the cap are logged, not stored: the emergency answer itself comes
# from a rule before any action and never depends on them.
MAX_ALERTS_PER_CONVERSATION = int(os.environ.get("MAX_ALERTS_PER_CONVERSATION", "5"))
ALERT_WINDOW_HOURS = 1
MAX_CALLBACKS_PER_CONVERSATION = int(os.environ.get("MAX_CALLBACKS_PER_CONVERSATION", "3"))
CALLBACK_WINDOW_HOURS = 24


# The console's review queue: a message understood with less confidence than this is shown (below the
# FallbackClassifier's 0.3 of config.yml it was not understood at all), and so is a question asked
# again within this many seconds of its answer.
REVIEW_LOW_CONFIDENCE = float(os.environ.get("REVIEW_LOW_CONFIDENCE", "0.5"))
REVIEW_REPHRASE_SECONDS = float(os.environ.get("REVIEW_REPHRASE_SECONDS", "120"))
