"""Turns a written answer into one that a speech synthesiser reads well on the phone (pure functions).

No buttons, no links, no e-mail addresses, no emoji; phone numbers read two digits at a time,
units written out. An answer that needs a different wording altogether can be given a
`channel: twilio_voice` variation in domain.yml: Rasa picks it for this channel, then this
conversion runs on it too. None is needed yet.
"""

from __future__ import annotations

import re

_UNITS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
          "douze", "treize", "quatorze", "quinze", "seize"]
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante", 8: "quatre-vingt"}

_PHONE = re.compile(r"(?<!\d)(?:\+33\s?|0)[1-9](?:[\s.]?\d{2}){4}(?!\d)")
_EMAIL = re.compile(r"\s*(?:E-mail\s*:\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+\.?", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F]")
_HOURS = re.compile(r"\b(\d{1,2})\s?h\s?(\d{2})\b")
_HOUR = re.compile(r"\b(\d{1,2})\s?h\b(?!\s?/)")
_PER_DAY = re.compile(r"\b24\s?h\s?/\s?24\b")
YES_NO = {"oui", "non", "oui, j'accepte"}


def number_words(n: int) -> str:
    """French words for 0..99, the range phone numbers need when read in pairs."""
    if n < 17:
        return _UNITS[n]
    if n < 20:
        return "dix-" + _UNITS[n - 10]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):
        base = _TENS[tens - 1]
        rest = n - (tens - 1) * 10
        joiner = " et " if rest == 11 and tens == 7 else "-"
        return base + joiner + number_words(rest)
    base = _TENS[tens]
    if unit == 0:
        return base + ("s" if tens == 8 else "")
    if unit == 1 and tens != 8:
        return base + " et un"
    return base + "-" + _UNITS[unit]


def speak_phone(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    if digits.startswith("33"):
        digits = "0" + digits[2:]
    pairs = [digits[i : i + 2] for i in range(0, len(digits), 2)]
    return ", ".join(("zéro " + _UNITS[int(p[1])]) if p.startswith("0") else number_words(int(p)) for p in pairs)


def to_speech(text: str) -> str:
    text = _EMOJI.sub("", text)
    text = text.replace("🚨", "")
    text = _URL.sub("", text)
    text = _EMAIL.sub("", text)
    text = _PHONE.sub(lambda m: speak_phone(m.group(0)), text)
    text = _PER_DAY.sub("vingt-quatre heures sur vingt-quatre", text)
    text = _HOURS.sub(lambda m: f"{m.group(1)} heure{'s' if int(m.group(1)) > 1 else ''} {m.group(2)}", text)
    text = _HOUR.sub(lambda m: f"{m.group(1)} heure{'s' if int(m.group(1)) > 1 else ''}", text)
    text = text.replace("%", " pour cent").replace("…", ",").replace("«", "").replace("»", "")
    text = re.sub(r"\s+([,.])", r"\1", text)
    return " ".join(text.split())


def spoken_choices(titles: list[str]) -> str:
    """What a caller hears instead of quick-reply buttons."""
    lowered = {t.strip().lower() for t in titles}
    if lowered and lowered <= YES_NO:
        return "Répondez par oui ou par non."
    if not titles:
        return ""
    listed = ", ".join(titles[:-1]) + (" ou " if len(titles) > 1 else "") + titles[-1]
    return f"Vous pouvez aussi demander : {listed.lower()}."
