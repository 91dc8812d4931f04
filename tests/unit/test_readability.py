"""Word count and LIX of an answer (bot/core/readability.py)."""

from __future__ import annotations

import pytest

from bot.core.readability import letters, measure, words


def test_words_ignore_punctuation_and_emoji_and_keep_elisions_whole() -> None:
    assert words("🚨 URGENCE : appelez le 15 (ou le 112).") == ["URGENCE", "appelez", "le", "15", "(ou", "le", "112)."]
    assert len(words("L'équipe vérifie tout avec vous.")) == 5


def test_a_phone_number_is_one_word() -> None:
    assert measure("Appelez le 01 23 45 67 89.").words == 3
    assert measure("Appelez le +33 1 23 45 67 89.").words == 3


@pytest.mark.parametrize(
    "word,count",
    [("l'intervention", 12), ("d'urgence", 7), ("jusqu'à", 5), ("avez-vous", 4), ("vertébroplastie", 15), ("15", 0)],
)
def test_letters_skip_the_elided_article_and_split_at_hyphens(word: str, count: int) -> None:
    assert letters(word) == count


def test_sentences_end_at_stops_colons_and_question_marks() -> None:
    assert measure("Oui. Non ? Peut-être : demain ! Bien sûr").sentences == 5
    assert measure("Le 1,5 cm reste.").sentences == 1
    assert measure("").sentences == 0 and measure("").lix == 0


def test_lix_is_words_per_sentence_plus_the_share_of_long_words() -> None:
    # 8 words, 2 sentences, 2 words over 6 letters: 4 + 25.
    assert measure("Le chat dort. Les médecins regardent les radiographies.").lix == pytest.approx(4 + 100 * 3 / 8)
    short = measure("Le ciment prend vite. Vous rentrez le soir.")
    long = measure("L'administration prophylactique d'antibiotiques conditionne l'intervention percutanée.")
    assert short.lix < 20 < 45 < long.lix
