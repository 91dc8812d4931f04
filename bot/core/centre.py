"""The centre's identity (name, phone, e-mail, address), read from config/centre.yml, its one place.

Answers in domain.yml name the centre through the slots `centre_name` and `centre_phone`, which Rasa
fills in when it renders a response; their initial values are kept equal to this file by a test.
Code that builds a text itself (channels, practical answers, the demo site) uses `fill()` or `Centre`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT

CENTRE_FILE = PROJECT_ROOT / "config" / "centre.yml"
REQUIRED = ("nom", "telephone", "email", "rue", "code_postal", "ville")


@dataclass(frozen=True)
class Centre:
    name: str
    phone: str
    email: str
    street: str
    postcode: str
    town: str

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.town}"

    @property
    def phone_uri(self) -> str:
        """tel: link in international form (01 39 … -> tel:+331 39 …)."""
        digits = re.sub(r"\D", "", self.phone)
        return f"tel:+33{digits[1:]}" if digits.startswith("0") else f"tel:+{digits}"

    def slots(self) -> dict[str, str]:
        """Values of the domain's slots that responses interpolate."""
        return {"centre_name": self.name, "centre_phone": self.phone}


def parse_centre(data: object) -> Centre:
    """A Centre from the file's mapping; a missing or empty value is an error, never guessed."""
    if not isinstance(data, dict):
        raise ValueError("config/centre.yml: a mapping is expected")
    missing = [key for key in REQUIRED if not isinstance(data.get(key), str) or not data[key].strip()]
    if missing:
        raise ValueError(f"config/centre.yml: missing {', '.join(missing)}")
    return Centre(*(data[key].strip() for key in REQUIRED))


@lru_cache(maxsize=1)
def load_centre(path: Path = CENTRE_FILE) -> Centre:
    return parse_centre(yaml.safe_load(path.read_text(encoding="utf-8")))


def fill(text: str, centre: Centre | None = None) -> str:
    """A domain text with {centre_name} and {centre_phone} filled in, as Rasa renders it."""
    centre = centre or load_centre()
    for key, value in centre.slots().items():
        text = text.replace("{" + key + "}", value)
    return text
