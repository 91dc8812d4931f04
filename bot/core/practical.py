"""Practical answers (contact, address, hours, prices, what to bring).

The centre's phone, e-mail and address come from config/centre.yml (bot/core/centre.py); the rest from
config/practical.yml, which the secretariat edits and which is read again whenever it changes. A
missing value is said to be missing, with the secretariat's number: nothing is invented.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.core.centre import Centre, load_centre
from bot.settings import PRACTICAL_FILE


@dataclass(frozen=True)
class Answer:
    text: str
    buttons: tuple[tuple[str, str], ...] = ()


class PracticalInfo:
    """The file's content, reloaded when its modification time changes."""

    def __init__(self, path: Path = PRACTICAL_FILE) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self._data: dict[str, Any] = {}

    def data(self) -> dict[str, Any]:
        with self._lock:
            mtime = self.path.stat().st_mtime
            if mtime != self._mtime:
                loaded = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
                if not isinstance(loaded, dict):
                    raise ValueError(f"{self.path}: a mapping is expected")
                self._data, self._mtime = loaded, mtime
            return self._data


def _value(data: dict[str, Any], key: str) -> str | list[str] | None:
    value = data.get(key)
    if value in (None, "", []):
        return None
    return value


def _address(data: dict[str, Any], centre: Centre) -> str:
    landmark = _value(data, "repere")  # only once the secretariat has confirmed it
    return f"{centre.address} ({landmark})" if landmark else centre.address


def answer_for(intent: str, data: dict[str, Any], centre: Centre | None = None) -> Answer:
    """The answer to a practical question; pure given the centre, so that every wording is tested."""
    centre = centre or load_centre()
    phone = centre.phone
    callback = (("Demander un rappel", "/request_callback"),)
    unknown = f"Le secrétariat vous renseigne au {phone}."
    if intent == "ask_contact":
        parts = [
            f"Secrétariat du centre : {phone}.",
            f"E-mail : {centre.email}.",
            f"Adresse : {_address(data, centre)}.",
            "En cas d'urgence, appelez le 15.",
        ]
        return Answer(" ".join(parts), callback + (("Horaires", "/ask_opening_hours"),))
    if intent == "ask_address":
        parts = [f"Le centre est au {_address(data, centre)}."]
        access, parking = _value(data, "acces"), _value(data, "stationnement")
        if access:
            parts.append(f"Accès : {access}.")
        if parking:
            parts.append(f"Stationnement : {parking}.")
        if not (access and parking):
            missing = " ni ".join(w for w, v in (("l'accès", access), ("le stationnement", parking)) if not v)
            parts.append(f"Je n'ai pas d'information sur {missing} : {unknown[0].lower()}{unknown[1:]}")
        return Answer(" ".join(parts), (("Contact", "/ask_contact"),))
    if intent == "ask_opening_hours":
        hours = _value(data, "horaires")
        text = (f"Horaires du secrétariat : {hours}. En cas d'urgence, appelez le 15." if hours else
                f"Je n'ai pas les horaires d'ouverture du secrétariat. Appelez le {phone}, ou demandez un "
                "rappel. En cas d'urgence, appelez le 15.")
        return Answer(text, callback)
    if intent == "ask_cost":
        prices = _value(data, "tarifs")
        text = (f"{prices}. {unknown}" if prices else
                f"Je n'ai pas d'information sur le prix ni sur le remboursement. {unknown}")
        return Answer(text, callback)
    if intent == "ask_what_to_bring":
        items = list(_value(data, "a_apporter") or []) + list(_value(data, "documents") or [])
        if not items:
            return Answer(f"Je n'ai pas la liste des documents à apporter. {unknown}", callback)
        text = "Apportez : " + " ; ".join(items) + "."
        if not _value(data, "documents"):
            text += f" Pour les papiers administratifs, {unknown[0].lower()}{unknown[1:]}"
        return Answer(text, (("Être à jeun", "/ask_fasting"),))
    raise KeyError(intent)


PRACTICAL_INTENTS = ("ask_contact", "ask_address", "ask_opening_hours", "ask_cost", "ask_what_to_bring")
