import json
from pathlib import Path

import pytest

from bot.core.voice import number_words, speak_phone, spoken_choices, to_speech

# Shared with the widget's read-aloud (web/test/voice.test.js): both must say an answer the same way.
CASES = json.loads((Path(__file__).resolve().parents[1] / "data" / "voice_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES["speech"], ids=lambda c: c["text"][:30])
def test_shared_table_of_spoken_answers(case: dict) -> None:
    assert to_speech(case["text"]) == case["speech"]


def test_shared_table_of_number_words() -> None:
    assert {n: number_words(int(n)) for n in CASES["number_words"]} == CASES["number_words"]


@pytest.mark.parametrize(
    "n,words",
    [(0, "zéro"), (1, "un"), (17, "dix-sept"), (21, "vingt et un"), (39, "trente-neuf"), (63, "soixante-trois"),
     (71, "soixante et onze"), (77, "soixante-dix-sept"), (80, "quatre-vingts"), (81, "quatre-vingt-un"),
     (91, "quatre-vingt-onze"), (99, "quatre-vingt-dix-neuf")],
)
def test_french_number_words(n: int, words: str) -> None:
    assert number_words(n) == words


def test_the_centres_number_is_read_in_pairs() -> None:
    assert speak_phone("01 39 63 71 39") == "zéro un, trente-neuf, soixante-trois, soixante et onze, trente-neuf"
    assert speak_phone("+33 6 12 34 56 78").startswith("zéro six, douze")


def test_written_answer_becomes_speakable() -> None:
    text = ("🚨 URGENCE : appelez le 15. Secrétariat : 01 39 63 71 39. E-mail : sec.coro.hpp2@ramsaysante.fr. "
            "Jusqu'à 90 % des patients, 1 h 30, surveillance de 2 à 4 h, 3114 24 h/24 https://x.fr")
    spoken = to_speech(text)
    assert "🚨" not in spoken and "@" not in spoken and "http" not in spoken
    assert "zéro un, trente-neuf" in spoken
    assert "90 pour cent" in spoken and "1 heure 30" in spoken and "4 heures" in spoken
    assert "vingt-quatre heures sur vingt-quatre" in spoken
    assert "appelez le 15" in spoken


def test_buttons_become_a_spoken_choice() -> None:
    assert spoken_choices(["Oui", "Non"]) == "Répondez par oui ou par non."
    assert spoken_choices(["Les risques", "Contact"]) == "Vous pouvez aussi demander : les risques ou contact."
    assert spoken_choices([]) == ""
