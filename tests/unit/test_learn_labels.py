"""Which labels `python -m bot learn` turns into training examples, and the training file it writes."""

from __future__ import annotations

from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.core.training_data import dedup_key
from bot.learn.labels import (
    CONFLICT,
    MEASURED,
    NEW_TOPIC,
    PERSONAL,
    RED_FLAG_UNREVIEWED,
    Example,
    LabelRow,
    clean_text,
    select,
)
from bot.learn.learned_file import read_blocks, with_examples

INTENTS = ["ask_driving", "ask_fasting", "out_of_scope", "red_flag_a"]


def _select(rows, training=None, measured=None, red=lambda text: False):  # type: ignore[no-untyped-def]
    return select(rows, INTENTS, training or {}, measured or {}, red)


def test_an_intent_label_and_hors_sujet_become_examples_nouveau_sujet_is_listed_not_learned() -> None:
    sel = _select([
        LabelRow(1, "je peux reprendre le volant quand ?", "ask_driving"),
        LabelRow(2, "vous vendez des pneus neige ?", "hors_sujet"),
        LabelRow(3, "et pour la kyphoplastie ?", "nouveau_sujet"),
        LabelRow(4, "bonjour", "intent_qui_n_existe_pas"),
    ])
    assert sel.examples == [Example(1, "ask_driving", "je peux reprendre le volant quand ?"),
                            Example(2, "out_of_scope", "vous vendez des pneus neige ?")]
    assert sel.skipped[0] == (3, NEW_TOPIC)
    assert sel.skipped[1][0] == 4 and "intent_qui_n_existe_pas" in sel.skipped[1][1]


def test_red_flag_words_need_a_clinician_review_whatever_says_so() -> None:
    text = "je ne sens plus mes jambes, je peux conduire ?"
    # The queue's flag, the detector, or a red-flag label each require the review.
    flagged = LabelRow(1, text, "ask_driving", has_red_flag_words=True)
    detected = LabelRow(2, text + " demain", "ask_driving")
    red_label = LabelRow(3, "mes pieds sont tout froids et bleus", "red_flag_a")
    sel = _select([flagged, detected, red_label], red=lambda t: "jambes" in t)
    assert sel.examples == []
    assert sel.skipped == [(1, RED_FLAG_UNREVIEWED), (2, RED_FLAG_UNREVIEWED), (3, RED_FLAG_UNREVIEWED)]
    reviewed = LabelRow(4, text, "ask_driving", has_red_flag_words=True, reviewed_red_flag=True)
    assert _select([reviewed], red=lambda t: True).examples == [Example(4, "ask_driving", text)]


def test_a_message_of_a_measured_set_is_refused_even_spelled_differently() -> None:
    measured = {dedup_key("Combien de temps à jeun ?"): "tests/nlu"}
    sel = _select([LabelRow(1, "combien de temps a JEUN", "ask_fasting")], measured=measured)
    assert sel.examples == [] and sel.skipped == [(1, MEASURED.format(source="tests/nlu"))]


def test_training_duplicates_are_known_contradictions_and_conflicts_are_skipped() -> None:
    training = {dedup_key("je peux manger avant ?"): ("ask_fasting", "data/nlu/procedure.yml")}
    sel = _select([
        LabelRow(1, "Je peux manger avant", "ask_fasting"),
        LabelRow(2, "je peux manger avant ?!", "ask_driving"),  # same message, other labels
        LabelRow(3, "on part quand de l'hôpital", "ask_driving"),
        LabelRow(4, "On part quand de l'hopital ?", "out_of_scope"),
        LabelRow(5, "il faut venir à jeun combien d'heures", "ask_fasting"),
        LabelRow(6, "il faut venir a jeun combien d heures", "ask_fasting"),
    ])
    assert sel.examples == [Example(5, "ask_fasting", "il faut venir à jeun combien d'heures")]
    reasons = dict(sel.skipped)
    assert reasons[1] == reasons[2] == CONFLICT.format(labels="ask_driving, ask_fasting")
    assert reasons[3] == reasons[4] and "contradictoires" in reasons[3]
    assert "5" in reasons[6]

    sel = _select([LabelRow(7, "je peux manger avant !", "ask_fasting")], training=training)
    assert sel.known == [Example(7, "ask_fasting", "je peux manger avant !")] and sel.examples == []
    sel = _select([LabelRow(8, "je peux manger avant", "ask_driving")], training=training)
    assert sel.examples == [] and "data/nlu/procedure.yml : ask_fasting" in sel.skipped[0][1]


def test_personal_data_empty_and_huge_messages_are_never_trained_on() -> None:
    sel = _select([
        LabelRow(1, "rappelez moi au 06 12 34 56 78 pour le jeûne", "ask_fasting"),
        LabelRow(2, "jean.dupont@example.fr je conduis quand", "ask_driving"),
        LabelRow(3, "  ?! ", "ask_driving"),
        LabelRow(4, "conduire " * 200, "ask_driving"),
    ])
    assert sel.examples == []
    reasons = dict(sel.skipped)
    assert reasons[1] == reasons[2] == PERSONAL
    assert "vide" in reasons[3] and "trop long" in reasons[4]


def test_clean_text_gives_one_line_without_entity_brackets() -> None:
    assert clean_text("je conduis\n quand\t[demain](date) ?\x00") == "je conduis quand (demain)(date) ?"


def test_learned_file_appends_per_intent_and_rasa_reads_it() -> None:
    first = with_examples("", [Example(1, "ask_driving", "je conduis quand ?")])
    second = with_examples(first, [
        Example(2, "out_of_scope", "vous faites les pneus: neige # promo ?"),
        Example(3, "ask_driving", "- le volant c'est pour quand"),
    ])
    assert read_blocks(second) == {
        "ask_driving": ["je conduis quand ?", "- le volant c'est pour quand"],
        "out_of_scope": ["vous faites les pneus: neige # promo ?"],
    }
    data = RasaYAMLReader().reads(second)
    pairs = sorted((m.get("intent"), m.get("text")) for m in data.training_examples)
    assert pairs == [("ask_driving", "- le volant c'est pour quand"), ("ask_driving", "je conduis quand ?"),
                     ("out_of_scope", "vous faites les pneus: neige # promo ?")]
    assert data.entity_examples == []
