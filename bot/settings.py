"""Every environment variable of the project: declared once here (name, default, meaning), read nowhere else.

Defaults need no external service. `python -m bot settings-table` prints the README's table from these
declarations (bot/settings_doc.py); scripts/env.sh exports the ones `endpoints.yml` and the run scripts
use, with the same defaults (tests/unit/test_settings.py checks both). Values that tests change with
`monkeypatch.setenv` are read by functions, at call time; the module constants are read once at import.
No framework import here: every process, the pure layer included, imports this module.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One environment variable. `default` None means unset; a `path` default is relative to the project root."""

    name: str
    default: str | None
    description: str
    # The README's "default" cell when the value is computed (from another setting, per run, per process).
    shown: str | None = None
    path: bool = False

    def resolved_default(self) -> str | None:
        """The default as the code uses it (a path default made absolute)."""
        if self.path and self.default is not None:
            return os.path.normpath(PROJECT_ROOT / self.default)
        return self.default

    def read(self) -> str | None:
        """The variable's value now, or the resolved default when it is not set."""
        return os.environ.get(self.name, self.resolved_default())


SETTINGS: dict[str, Setting] = {}


def _declare(name: str, default: str | None, description: str, *, shown: str | None = None,
             path: bool = False) -> Setting:
    if name in SETTINGS:
        raise ValueError(f"{name} declared twice")
    SETTINGS[name] = setting = Setting(name, default, description, shown, path)
    return setting


def value(name: str) -> str | None:
    """A declared variable's current value (its default when unset); an undeclared name is an error."""
    return SETTINGS[name].read()


def _text(name: str) -> str:
    return value(name) or ""


def _int(name: str) -> int:
    return int(_text(name))


def _float(name: str) -> float:
    return float(_text(name))


def _path(name: str) -> Path:
    return Path(_text(name))


def _words(name: str) -> list[str]:
    """A list written with spaces or commas."""
    return [item for item in _text(name).replace(",", " ").split() if item]


def _secret(name: str) -> str | None:
    return _text(name).strip() or None


def child_environment(**overrides: str) -> dict[str, str]:
    """This process's whole environment plus `overrides`, for a child process (rasa train, an action server)."""
    return {**os.environ, **overrides}


# ---------- Files and database ----------

_declare("ASSISTANT_VAR_DIR", "var", "the project's writable folder: SQLite database, console key, pending alerts, "
         "logs, learning runs (`endpoints.yml` puts Rasa's SQLite tracker store there too)", path=True)
VAR_DIR = _path("ASSISTANT_VAR_DIR")

_declare("DATABASE_URL", None, "the project's tables; production: the tracker store's PostgreSQL "
         "(`deploy/endpoints.prod.yml`)", shown="`sqlite:///$ASSISTANT_VAR_DIR/assistant.db`")


def database_url() -> str:
    """The project's database: the same one as Rasa's SQL tracker store.

    Default is the SQLite file that `endpoints.yml` points Rasa at; production sets DATABASE_URL
    (e.g. postgresql://user@host/assistant) together with the matching tracker store settings.
    """
    url = value("DATABASE_URL")
    if url:
        return url
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'assistant.db'}"


_declare("PRACTICAL_FILE", "config/practical.yml", "the secretariat's practical information", path=True)
PRACTICAL_FILE = _path("PRACTICAL_FILE")

# The answers, and the sources they quote, as the content review and the console's "Contenus" page read them.
_declare("DOMAIN_FILE", "domain.yml", "the answers, read by the content review and the console", path=True)
DOMAIN_FILE = _path("DOMAIN_FILE")
_declare("SOURCES_DIR", "../shared", "the sources the answers quote", path=True)
SOURCES_DIR = _path("SOURCES_DIR")
_declare("CONTENT_REVIEW_DIR", None, "where `make content-review` writes", shown="`$ASSISTANT_VAR_DIR/content-review`")
CONTENT_REVIEW_DIR = Path(value("CONTENT_REVIEW_DIR") or VAR_DIR / "content-review")
_declare("CHROMIUM", "/usr/bin/chromium", "the browser that prints the content review's PDF")
CHROMIUM = _text("CHROMIUM")


# ---------- Retention ----------

# The centre's name, phone and address: config/centre.yml (bot/core/centre.py), not the environment.
_declare("RETENTION_DAYS", "90", "conversations older than this many days are deleted by `python -m bot retention`")
RETENTION_DAYS = _int("RETENTION_DAYS")
# The audit log (who opened which conversation, searched what) has its own period: the CNIL recommends
# keeping access traces six months to one year.
_declare("AUDIT_RETENTION_DAYS", "180", "days the console's audit log is kept")
AUDIT_RETENTION_DAYS = _int("AUDIT_RETENTION_DAYS")
# Server logs (var/log, the production logs) may hold conversation ids and addresses.
_declare("LOG_RETENTION_DAYS", "14", "days the server logs are kept")
LOG_RETENTION_DAYS = _int("LOG_RETENTION_DAYS")
_declare("PURGE_HOUR", "3", "local hour (Europe/Paris) of the daily purge started by `make run` / `make prod-local`")
PURGE_HOUR = _int("PURGE_HOUR")


# ---------- Staff console (issue 14) ----------

_declare("CONSOLE_HOST", "127.0.0.1", "address the console listens on")
_declare("CONSOLE_PORT", "8081", "port of the console")
_declare("CONSOLE_SECRET_KEY", None, "signs the console's session cookies",
         shown="random, kept in `$ASSISTANT_VAR_DIR/console_secret_key`")
_declare("CONSOLE_PASSWORD", None, "password of `python -m bot users create` (else typed at the terminal)")
_declare("CONSOLE_INSECURE_COOKIES", None, "`1`: console cookie without `Secure` (plain-http development only; "
         "`make run` sets it)")
_declare("TRUSTED_PROXIES", "", "addresses or networks of reverse proxies whose `X-Forwarded-For` / `-Proto` "
         "the console believes")
_declare("AUDIT_FAILED_LOGINS_PER_MINUTE", "20", "audit rows for failed or refused logins per minute, the rest "
         "only counted")


def console_host() -> str:
    return _text("CONSOLE_HOST")


def console_port() -> int:
    return _int("CONSOLE_PORT")


def console_secret_key() -> str | None:
    """CONSOLE_SECRET_KEY, or None: the console then keeps a random key in VAR_DIR."""
    return value("CONSOLE_SECRET_KEY") or None


def console_password() -> str | None:
    return value("CONSOLE_PASSWORD") or None


def console_insecure_cookies() -> bool:
    """Only for plain-http development: the console's cookies lose Secure and the __Host- prefix."""
    return value("CONSOLE_INSECURE_COOKIES") == "1"


def trusted_proxies() -> list[str]:
    """Addresses or networks (CIDR) of the reverse proxies whose X-Forwarded-* headers the console believes.

    Empty by default: the headers are then ignored, so that nobody can choose the address the login
    throttle sees. Behind nginx on the same host: TRUSTED_PROXIES=127.0.0.1.
    """
    return _words("TRUSTED_PROXIES")


def audit_failed_logins_per_minute() -> int:
    """At most this many audit rows per minute for failed or refused logins; the rest are counted."""
    return _int("AUDIT_FAILED_LOGINS_PER_MINUTE")


# ---------- Demo site ----------

_declare("SITE_HOST", "127.0.0.1", "address the demo site listens on")
_declare("SITE_PORT", "8080", "port of the demo site")
_declare("PRIVACY_URL", "", "the centre's privacy page, linked from the widget")
_declare("WIDGET_DIST_DIR", "web/dist", "the built widget the demo site serves", path=True)


def site_host() -> str:
    return _text("SITE_HOST")


def site_port() -> int:
    return _int("SITE_PORT")


def privacy_url() -> str:
    return _text("PRIVACY_URL")


def widget_dist_dir() -> str:
    return _text("WIDGET_DIST_DIR")


# ---------- Doors of the assistant (channels, action server): see README "Security of the channels" ----------

_declare("ASSISTANT_ENV", "development", "`production` refuses unsigned phone webhooks, REST senders without a "
         "token, a missing key or token (`make prod-local` and the Helm values set it)")
_declare("RASA_PORT", "5005", "port of the Rasa server (`make run`)")
_declare("RASA_PUBLIC_URL", "http://localhost:5005", "the Rasa URL the widget uses; also the base of the URL "
         "Twilio calls and signs")
_declare("ALLOWED_ORIGINS", "http://localhost:8080 http://127.0.0.1:8080", "web origins allowed to talk to the "
         "Rasa server")
_declare("CONVERSATION_TOKEN_KEY", None, "signs the conversation tokens; the same for every Rasa server; required "
         "in production", shown="random per process in development")
_declare("TWILIO_AUTH_TOKEN", None, "checks the phone webhook's signature; unset: refused in production, unchecked "
         "in development")
_declare("ACTIONS_HOST", "127.0.0.1", "address the action server listens on (`0.0.0.0` in a Kubernetes pod)")
_declare("ACTIONS_PORT", "5055", "port of the action server (`make run`)")
_declare("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook", "the action server's webhook as Rasa calls it "
         "(`endpoints.yml`, `deploy/endpoints.prod.yml`)")
_declare("ACTION_SERVER_TOKEN", None, "shared by Rasa (`endpoints.yml`) and the action server; Rasa does not "
         "start without it", shown="one per run (`scripts/env.sh`)")


def allowed_origins() -> list[str]:
    """Web origins allowed to open the widget's connection (the centre's site, the demo page)."""
    return _words("ALLOWED_ORIGINS")


def environment() -> str:
    """`production` or `development` (the default). Production refuses what development tolerates:
    unsigned phone webhooks, REST senders without a token, a missing signing key or action-server token."""
    current = _text("ASSISTANT_ENV").strip().lower()
    if current not in ("development", "production"):
        raise ValueError(f"ASSISTANT_ENV must be development or production, not {current!r}")
    return current


def is_production() -> bool:
    return environment() == "production"


def conversation_token_key() -> str | None:
    """Signs the conversation tokens of the widget and the REST channel (shared by every Rasa server)."""
    return _secret("CONVERSATION_TOKEN_KEY")


def twilio_auth_token() -> str | None:
    """Twilio's auth token: checks the `X-Twilio-Signature` of the phone webhook."""
    return _secret("TWILIO_AUTH_TOKEN")


def rasa_public_url() -> str:
    """The Rasa server's address as the outside sees it (the widget's server URL, Twilio's webhook base)."""
    return _text("RASA_PUBLIC_URL").rstrip("/")


def action_server_token() -> str | None:
    """Shared by the Rasa servers (header of endpoints.yml) and the action server, which checks it."""
    return _secret("ACTION_SERVER_TOKEN")


def actions_host() -> str:
    """Address the action server listens on: loopback unless a cluster needs the pod's address."""
    return _text("ACTIONS_HOST")


# ---------- Rasa's stores in production (deploy/endpoints.prod.yml, read by Rasa itself) ----------

for _name, _meaning in (
    ("DB_HOST", "PostgreSQL host of the tracker store"),
    ("DB_PORT", "PostgreSQL port of the tracker store"),
    ("DB_NAME", "database of the tracker store (the project's tables live in it too)"),
    ("DB_USER", "PostgreSQL role of the tracker store"),
    ("DB_PASSWORD", "password of that role"),
    ("REDIS_HOST", "Redis host of the lock store"),
    ("REDIS_PORT", "Redis port of the lock store"),
):
    _declare(_name, None, f"production: {_meaning} (`deploy/endpoints.prod.yml`)")
del _name, _meaning

_declare("TRACKER_STORE_OUTAGE_BUDGET", "20", "seconds a message waits for an unreachable PostgreSQL before the "
         "tracker store gives up (`bot/rasa_server/stores.py`)")


def tracker_store_outage_budget() -> float:
    # Set but empty counts as unset, as a Helm value left blank.
    return float(value("TRACKER_STORE_OUTAGE_BUDGET") or str(SETTINGS["TRACKER_STORE_OUTAGE_BUDGET"].default))


# ---------- Caps and the review queue ----------

# Per-conversation caps. Alerts beyond the cap are logged, not stored: the emergency answer itself comes
# from a rule before any action and never depends on them.
_declare("MAX_ALERTS_PER_CONVERSATION", "5", "alerts stored per conversation and per hour")
MAX_ALERTS_PER_CONVERSATION = _int("MAX_ALERTS_PER_CONVERSATION")
ALERT_WINDOW_HOURS = 1
_declare("MAX_CALLBACKS_PER_CONVERSATION", "3", "callback requests stored per conversation and per day")
MAX_CALLBACKS_PER_CONVERSATION = _int("MAX_CALLBACKS_PER_CONVERSATION")
CALLBACK_WINDOW_HOURS = 24

# The console's review queue: a message understood with less confidence than this is shown (below the
# FallbackClassifier's 0.3 of config.yml it was not understood at all), and so is a question asked
# again within this many seconds of its answer.
_declare("REVIEW_LOW_CONFIDENCE", "0.5", "the console's review queue shows the messages understood with less "
         "confidence")
REVIEW_LOW_CONFIDENCE = _float("REVIEW_LOW_CONFIDENCE")
_declare("REVIEW_REPHRASE_SECONDS", "120", "a question asked again within this delay after its answer goes to the "
         "review queue")
REVIEW_REPHRASE_SECONDS = _float("REVIEW_REPHRASE_SECONDS")


# ---------- Tests ----------

_declare("TEST_POSTGRES_URL", None, "run the tests that need PostgreSQL (`.ci/run` sets it)")
_declare("TEST_REDIS_URL", None, "run the tests that need Redis (`.ci/run` sets it)")
