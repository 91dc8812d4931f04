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


# The centre's facts that code needs (the patient-facing texts live in domain.yml).
CENTRE_PHONE = os.environ.get("CENTRE_PHONE", "01 39 63 71 39")
RETENTION_DAYS = int(os.environ.get("RETENTION_DAYS", "90"))

# The console's review queue: a message understood with less confidence than this is shown (below the
# FallbackClassifier's 0.3 of config.yml it was not understood at all), and so is a question asked
# again within this many seconds of its answer.
REVIEW_LOW_CONFIDENCE = float(os.environ.get("REVIEW_LOW_CONFIDENCE", "0.5"))
REVIEW_REPHRASE_SECONDS = float(os.environ.get("REVIEW_REPHRASE_SECONDS", "120"))
