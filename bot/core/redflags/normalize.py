"""Pure text normalisation for the red-flag detector (no spaCy, no I/O).

Patients write without accents, in SMS style ("jsuis", "chui", "jpeux pu"), with stretched letters
("saigneeee") and odd unicode (ligatures, zero-width characters, full-width letters). Everything the
lexicon is matched against goes through `fold` and `normalize_words`, so that the lexicon can be
written once, in plain lower-case ASCII.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# SMS / chat spellings -> standard words. Keys and values are already folded (lower, no accents).
SMS: dict[str, tuple[str, ...]] = {
    "jsuis": ("je", "suis"),
    "jsui": ("je", "suis"),
    "jss": ("je", "suis"),
    "chui": ("je", "suis"),
    "chuis": ("je", "suis"),
    "chu": ("je", "suis"),
    "jsus": ("je", "suis"),
    "jui": ("je", "suis"),
    "jpeux": ("je", "peux"),
    "jpeu": ("je", "peux"),
    "jpe": ("je", "peux"),
    "jsp": ("je", "sais", "pas"),
    "jsais": ("je", "sais"),
    "jai": ("j", "ai"),
    "javais": ("j", "avais"),
    "jaurais": ("j", "aurais"),
    "jarrive": ("j", "arrive"),
    "jarrivais": ("j", "arrivais"),
    "jetais": ("j", "etais"),
    "jen": ("j", "en"),
    "jy": ("j", "y"),
    "jurine": ("j", "urine"),
    "jessaie": ("j", "essaie"),
    "jaimerais": ("j", "aimerais"),
    "g": ("j", "ai"),
    "gai": ("j", "ai"),
    "nai": ("n", "ai"),
    "narrive": ("n", "arrive"),
    "narrivais": ("n", "arrivais"),
    "narrivait": ("n", "arrivait"),
    "narrete": ("n", "arrete"),
    "nest": ("n", "est"),
    "navais": ("n", "avais"),
    "navait": ("n", "avait"),
    "nen": ("n", "en"),
    "ny": ("n", "y"),
    "nurine": ("n", "urine"),
    "nentends": ("n", "entends"),
    "men": ("m", "en"),
    "semballe": ("s", "emballe"),
    "sarrete": ("s", "arrete"),
    "cest": ("c", "est"),
    "c": ("c", "est"),
    "ct": ("c", "etait"),
    "ya": ("il", "y", "a"),
    "pb": ("probleme",),
    "pbm": ("probleme",),
    "bcp": ("beaucoup",),
    "bcq": ("beaucoup",),
    "ds": ("dans",),
    "pr": ("pour",),
    "ke": ("que",),
    "k": ("que",),
    "koi": ("quoi",),
    "kan": ("quand",),
    "qd": ("quand",),
    "tjs": ("toujours",),
    "tjrs": ("toujours",),
    "mm": ("meme",),
    "pa": ("pas",),
    "pk": ("pourquoi",),
    "pq": ("pourquoi",),
    "tt": ("tout",),
    "ts": ("tous",),
    "dc": ("donc",),
    "rdv": ("rendez", "vous"),
    "auj": ("aujourd", "hui"),
    "ajd": ("aujourd", "hui"),
    "jms": ("jamais",),
    "o": ("au",),
    "mwa": ("moi",),
    "plu": ("plus",),
    "stp": ("s", "il", "te", "plait"),
    "svp": ("s", "il", "vous", "plait"),
    "aprem": ("apres", "midi"),
    "ope": ("operation",),
    "oper": ("operation",),
    "tps": ("temps",),
    "qqch": ("quelque", "chose"),
    # phonetic SMS spellings ("g le keur ki bat tro vit", "jsen ri1 qd je m'essuie", "g envi d'en finir")
    "ki": ("qui",),
    "keur": ("coeur",),
    "kr": ("coeur",),
    "tro": ("trop",),
    "tre": ("tres",),
    "envi": ("envie",),
    "ri1": ("rien",),
    "bi1": ("bien",),
    "kom": ("comme",),
    "komen": ("comment",),
    "koman": ("comment",),
    "kel": ("quel",),
    "kelle": ("quelle",),
    "pkoi": ("pourquoi",),
    "keske": ("qu", "est", "ce", "que"),
    "kesk": ("qu", "est", "ce", "que"),
    "chai": ("je", "sais"),
    "chais": ("je", "sais"),
    "chepa": ("je", "sais", "pas"),
    "chaipa": ("je", "sais", "pas"),
    "jariv": ("j", "arrive"),
    "jarive": ("j", "arrive"),
    "jarivai": ("j", "arrivais"),
    "dla": ("de", "la"),
    "mtn": ("maintenant",),
    "mnt": ("maintenant",),
    "dps": ("depuis",),
    "tjr": ("toujours",),
    "oci": ("aussi",),
    "ossi": ("aussi",),
    "pcq": ("parce", "que"),
    "psk": ("parce", "que"),
    "fo": ("faut",),
    "nn": ("non",),
    "risk": ("risque",),
    "risks": ("risques",),
    "risq": ("risque",),
    "nivo": ("niveau",),
}

# "pu" is SMS for "plus" ("j'arrive pu"), except as the participle of pouvoir ("j'ai pu marcher").
_PU_AUX = frozenset({"ai", "as", "a", "avons", "avez", "ont", "avais", "avait", "aurais", "aurait", "pas", "eu"})

_SUBJECT_PRONOUNS = frozenset({"je", "j", "tu", "il", "elle", "on"})

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
    """Lower-case, strip accents, expand ligatures: 'Fièvre' -> 'fievre', 'cœur' -> 'coeur'."""
    word = word.translate(_LIGATURES).lower().translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", word)
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
