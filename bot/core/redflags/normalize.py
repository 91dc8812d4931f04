"""Pure text normalisation for the red-flag detector (no spaCy; its word lists are read once, at import).

Patients write without accents, in SMS style ("jsuis", "chui", "jpeux pu"), with stretched letters
("saigneeee") and odd unicode (ligatures, zero-width characters, full-width letters). Everything the
lexicon is matched against goes through `fold` and `normalize_words`, so that the lexicon can be
written once, in plain lower-case ASCII. The word lists (SMS table...) are in normalize.yml.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).with_name("normalize.yml")


def _strings(items: Any, where: str) -> list[str]:
    """A YAML list or space-separated string as words; refuses what YAML read as another type (on, no)."""
    if isinstance(items, str):
        return items.split()
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError(f"{DATA_FILE.name}: {where} must be a list of quoted words")
    return list(items)


def _load() -> tuple[dict[str, tuple[str, ...]], frozenset[str], frozenset[str]]:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    sms = {str(k): tuple(_strings(v, f"sms.{k}")) for k, v in data["sms"].items()}
    return sms, frozenset(_strings(data["pu_after_auxiliary"], "pu_after_auxiliary")), frozenset(
        _strings(data["subject_pronouns"], "subject_pronouns")
    )


# SMS / chat spellings -> standard words; "pu" stays the participle after an auxiliary; "peu" is "peux"
# after a subject pronoun. Keys and values are already folded (lower, no accents).
SMS, _PU_AUX, _SUBJECT_PRONOUNS = _load()

# Letters that start no French word after "j": "jsens" -> "je sens", "jme" -> "je me".
_J_CONSONANT = re.compile(r"^j([bcdfghklmnpqrstvwxz][a-z]+)$")
_REPEAT3 = re.compile(r"([a-z])\1{2,}")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "′": "'"})
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_WORD_SPLIT = re.compile(r"[^a-z0-9,.°%#@]+")
# Plain tokeniser, used when spaCy is not run (huge inputs): numbers keep their decimal part.
# SMS words ending in "1" ("ri1", "bi1") stay whole, as spaCy keeps them.
_PLAIN_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+1(?![\w])|[^\W\d_]+'?|\n|[^\w\s]", re.UNICODE)


def clean_text(text: str) -> str:
    """Make arbitrary input safe and regular before parsing (keeps accents and case).

    Drops control and format characters (zero-width joiners, BOM, NUL), lone surrogates and
    unassigned code points; applies NFKC so that full-width letters and ligature glyphs become
    ordinary letters.
    """
    if not text:
        return ""
    text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\n\t":
            kept.append(ch)
        elif cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(" " if cat == "Cc" else "")
        elif cat == "Zs" or cat in ("Zl", "Zp"):
            kept.append("\n" if cat in ("Zl", "Zp") else " ")
        else:
            kept.append(ch)
    return "".join(kept)


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """fold_text for one word, cached: words repeat, whole messages do not (they would fill the cache)."""
    return fold_text(word)


def fold_text(text: str) -> str:
    """Lower-case, strip accents, expand ligatures: 'Fièvre' -> 'fievre', 'cœur' -> 'coeur'."""
    text = text.translate(_LIGATURES).lower().translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def squeeze(word: str, keep: int = 1) -> str:
    """Collapse runs of 3+ identical letters ('saigneeee' -> 'saigne'; keep=2: 'frisssons' -> 'frissons')."""
    return _REPEAT3.sub(lambda m: m.group(1) * keep, word)


@lru_cache(maxsize=65536)
def split_word(word: str) -> tuple[str, ...]:
    """Fold one raw token and cut it at apostrophes and hyphens: "aujourd'hui" -> ('aujourd', 'hui')."""
    folded = squeeze(fold(word))
    parts = [p.strip(".,") for p in _WORD_SPLIT.split(folded)]
    return tuple(p for p in parts if p)


@lru_cache(maxsize=65536)
def expand_sms(word: str) -> tuple[str, ...]:
    """Expand one folded word written in SMS style; other words are returned unchanged."""
    if word in SMS:
        return SMS[word]
    match = _J_CONSONANT.match(word)
    if match and len(word) >= 3:
        return ("je", *expand_sms(match.group(1)))
    return (word,)


def normalize_words(words: list[str], keep: frozenset[str] = frozenset()) -> list[tuple[str, ...]]:
    """Normalise a sequence of raw tokens; one tuple of output words per input token.

    `keep`: folded words never SMS-expanded (known typos such as "jmabes", which the "j" + consonant
    rule would otherwise cut into "je mabes").

    Context matters twice: "pu" means "plus" unless it follows an auxiliary, and an elided word
    ("c'", "g'") is never expanded ("c'est" must not become "c est est").
    """
    out: list[tuple[str, ...]] = []
    previous = ""
    for raw in words:
        expanded: list[str] = []
        elided = raw.translate(_APOSTROPHES).endswith("'")
        for part in split_word(raw):
            if part == "pu" and previous not in _PU_AUX:
                expanded.append("plus")
            elif part == "peu" and previous in _SUBJECT_PRONOUNS:
                expanded.append("peux")  # "je peu plus marcher"
            elif elided or part in keep:
                expanded.append(part)
            else:
                expanded.extend(expand_sms(part))
            previous = expanded[-1] if expanded else previous
        out.append(tuple(expanded))
    return out


def plain_tokens(text: str) -> list[tuple[str, int, int]]:
    """Regex tokenisation (text, start, end), the fallback when spaCy is not run."""
    return [(m.group(0), m.start(), m.end()) for m in _PLAIN_TOKEN.finditer(text)]


def normalize(text: str) -> str:
    """Whole-text normalisation, for display, tests and debugging: 'Jsens plu mé jambes' -> 'je sens plus me jambes'."""
    tokens = [tok for tok, _, _ in plain_tokens(clean_text(text)) if tok.strip()]
    return " ".join(w for words in normalize_words(tokens) for w in words)
