"""Other operations than the vertebroplasty get the out-of-scope answer (bot/core/scope.py)."""

from __future__ import annotations

import pytest

from bot.core.scope import OUT_OF_SCOPE_INTENT, other_procedure, out_of_scope_first


@pytest.mark.parametrize("text", [
    "Combien d'heures sans manger avant la pose d'une prothese de genou ?",
    "mon pere se fait operer de la CATARACTE jeudi, il pourra prendre le volant ?",
    "On doit arrêter l'aspirine avant la pose d'un stent ?",
    "Une coloscopie sous anesthésie, on rentre le jour même ?",
    "je dois faire une IRM de l'épaule, faut-il être accompagné ?",
    "Après une opération de la vésicule, combien de temps de repos ?",
])
def test_another_operation_is_found(text: str) -> None:
    assert other_procedure(text)


@pytest.mark.parametrize("text", [
    # The vertebroplasty named beside the other operation: a question about the vertebroplasty.
    "J'ai une prothèse de hanche, est-ce un problème pour la vertébroplastie ?",
    "Avec mon stent, on peut quand même m'injecter le ciment ?",
    "J'ai eu une infiltration l'an dernier, maintenant on me propose la cimentoplastie",
    # Words of the vertebroplasty itself.
    "Faut-il une IRM avant l'intervention ?",
    "La biopsie osseuse fait mal ?",
    "Un hématome au point de ponction, c'est normal ?",
    "Ma mère s'est cassé le poignet l'an dernier, c'est l'ostéoporose ?",
    "",
])
def test_the_vertebroplasty_and_its_own_words_are_in_scope(text: str) -> None:
    assert other_procedure(text) is None


def test_the_out_of_scope_answer_replaces_the_classifier_guess() -> None:
    ranking, requests = out_of_scope_first(
        "combien de temps à jeun avant ma prothèse de hanche ?",
        [("ask_fasting", 0.7), ("out_of_scope", 0.2), ("goodbye", 0.1)], [("ask_fasting", 0.7)])
    assert ranking[0] == (OUT_OF_SCOPE_INTENT, 1.0)
    assert [n for n, _ in ranking].count(OUT_OF_SCOPE_INTENT) == 1
    assert requests == [(OUT_OF_SCOPE_INTENT, 1.0)]


@pytest.mark.parametrize("top", ["red_flag_a", "report_symptom_unclear"])
def test_a_symptom_after_another_operation_is_never_hidden(top: str) -> None:
    text = "depuis ma prothèse de hanche je ne sens plus ma jambe"
    ranking = [(top, 0.9), ("out_of_scope", 0.05)]
    assert out_of_scope_first(text, ranking, [(top, 0.9)]) == (ranking, [(top, 0.9)])


def test_a_message_in_scope_keeps_its_ranking() -> None:
    ranking = [("ask_fasting", 0.9)]
    assert out_of_scope_first("je dois être à jeun ?", ranking, ranking) == (ranking, ranking)


@pytest.mark.parametrize("text", [
    "Depuis mon opération de la prostate il y a quatre ans je me lève la nuit. Je reste combien de temps après ?",
    "J'ai un pacemaker, est-ce qu'il faut le signaler à l'équipe ?",
    "je prends de l'aspirine depuis la pose de mon stent, je dois l'arrêter ?",
    "Ma mère a des varices, pourra-t-elle marcher le lendemain ?",
    "On m'a posé une prothèse de genou en 2019. Je peux rentrer seule le soir ?",
    "mon mari porte une prothese de hanche, il pourra s'allonger sur le ventre ?",
])
def test_an_operation_in_the_patients_history_is_not_the_subject(text: str) -> None:
    assert other_procedure(text) is None


@pytest.mark.parametrize("text", [
    "Je dois me faire poser une prothèse de genou le mois prochain, faut-il arrêter l'aspirine ?",
    "après une prothèse d'épaule combien de séances de kiné ?",
])
def test_a_planned_or_general_operation_stays_out_of_scope(text: str) -> None:
    assert other_procedure(text)
