"""Clause-aware reading of long messages (bot/core/requests.py) and the second-request policy's decision."""

from bot.core.requests import answer_for_intent, choose_requests, is_question, segments
from bot.rasa_server.policies import SECOND_REQUEST_ACTION, next_action


def test_negated_symptoms_are_statements_and_the_question_is_its_own_clause():
    parts = segments("pas de fievre, je sens bien mes jambes, quand puis-je conduire ?")
    assert [p.question for p in parts] == [False, True]
    assert parts[-1].text == "quand puis-je conduire ?"


def test_two_questions_in_one_sentence_are_two_clauses():
    parts = segments("Combien de temps dure l'intervention et est-ce qu'il faut être à jeun ?")
    assert [p.text for p in parts] == ["Combien de temps dure l'intervention", "est-ce qu'il faut être à jeun ?"]
    assert all(p.question for p in parts)


def test_titles_do_not_end_a_sentence_and_goodbyes_are_marked():
    parts = segments("Mme. Dupont a eu son IRM. Merci, au revoir")
    assert parts[0].text == "Mme. Dupont a eu son IRM."
    assert parts[-1].goodbye


def test_see_you_tomorrow_and_later_are_goodbyes():
    assert segments("Il faut ses radios ? Merci et à demain")[-1].goodbye
    assert segments("je peux conduire ? a plus tard")[-1].goodbye
    assert not any(p.goodbye for p in segments("je reviens demain pour le pansement ?"))


def test_question_forms_without_a_question_mark():
    assert is_question("je voudrais savoir si je peux conduire")
    assert is_question("peut-on manger avant")
    assert not is_question("j'ai eu ma cimentoplastie hier")


def seg(text, question=True, goodbye=False):
    from bot.core.requests import Segment

    return Segment(0, len(text), text, question, goodbye)


def test_the_whole_message_decides_when_sure():
    ranking, requests = choose_requests([("ask_fasting", 0.9)], [(seg("a"), [("ask_fasting", 0.8)]),
                                                                (seg("b"), [("ask_driving", 0.4)])])
    assert ranking[0][0] == "ask_fasting"
    assert [r[0] for r in requests] == ["ask_fasting"]


def test_an_unsure_whole_message_yields_to_a_sure_question_clause():
    story = seg("je n'ai pas de fièvre", question=False)
    ranking, requests = choose_requests([("report_symptom_unclear", 0.4)],
                                        [(story, [("report_symptom_unclear", 0.7)]),
                                         (seg("quand conduire ?"), [("ask_driving", 0.8)])])
    assert ranking[0][0] == "ask_driving"
    assert requests[0][0] == "ask_driving"


def test_a_red_flag_seen_in_the_whole_message_is_kept_for_the_red_flag_component():
    ranking, _ = choose_requests([("red_flag_a", 0.5)], [(seg("x", False), [("red_flag_a", 0.9)]),
                                                        (seg("quand ?"), [("ask_driving", 0.9)])])
    assert ranking[0][0] == "red_flag_a"


def test_a_question_and_a_goodbye_are_two_requests_question_first():
    parts = [(seg("quand puis-je conduire ?"), [("ask_driving", 0.8)]),
             (seg("au revoir", question=False, goodbye=True), [("goodbye", 0.9)])]
    _, requests = choose_requests([("goodbye", 0.7)], parts)
    assert [r[0] for r in requests] == ["ask_driving", "goodbye"]


def test_two_questions_on_two_topics_are_two_requests():
    parts = [(seg("combien de temps ?"), [("ask_duration", 0.8)]), (seg("à jeun ?"), [("ask_fasting", 0.7)])]
    _, requests = choose_requests([("ask_duration", 0.7)], parts)
    assert [r[0] for r in requests] == ["ask_duration", "ask_fasting"]


def test_no_second_request_for_small_talk_or_an_unsure_clause():
    parts = [(seg("bonjour", False), [("greet", 0.9)]), (seg("à jeun ?"), [("ask_fasting", 0.9)]),
             (seg("et ça ?"), [("ask_risks", 0.4)])]
    _, requests = choose_requests([("ask_fasting", 0.8)], parts)
    assert [r[0] for r in requests] == ["ask_fasting"]


def test_what_a_second_request_gets():
    assert answer_for_intent("ask_fasting") == "utter_ask_fasting"
    assert answer_for_intent("ask_address") == "practical:ask_address"
    assert answer_for_intent("change_appointment") == "utter_book_appointment"
    assert answer_for_intent("red_flag_a") is None
    assert answer_for_intent("request_callback") is None
    assert answer_for_intent("followup_duration") is None


def test_policy_answers_the_second_request_once_after_the_first_answer():
    two = [{"name": "ask_driving"}, {"name": "goodbye"}]
    assert next_action(two, "ask_driving", [], False) is None
    assert next_action(two, "ask_driving", ["utter_ask_driving"], False) == SECOND_REQUEST_ACTION
    assert next_action(two, "ask_driving", ["utter_ask_driving", SECOND_REQUEST_ACTION], False) == "action_listen"


def test_policy_stays_silent_when_the_intent_was_replaced_or_a_form_runs():
    two = [{"name": "ask_driving"}, {"name": "goodbye"}]
    assert next_action(two, "red_flag_a", ["utter_red_flag_a"], False) is None
    assert next_action(two, "ask_driving", ["utter_ask_driving"], True) is None
    assert next_action(two[:1], "ask_driving", ["utter_ask_driving"], False) is None


def test_two_questions_that_split_the_whole_message_take_the_surest_clause():
    parts = [(seg("combien de temps ?"), [("ask_duration", 0.9)]), (seg("à jeun ?"), [("ask_fasting", 0.85)])]
    ranking, requests = choose_requests([("ask_duration", 0.48), ("ask_fasting", 0.45)], parts)
    assert ranking[0] == ("ask_duration", 0.9)
    assert [r[0] for r in requests] == ["ask_duration", "ask_fasting"]


def test_intents_with_one_answer_are_not_ambiguous():
    from bot.core.requests import merge_shared_answers

    merged = merge_shared_answers([("book_appointment", 0.44), ("change_appointment", 0.42), ("stop", 0.1)])
    assert merged[0] == ("book_appointment", 0.86)
    assert [n for n, _ in merged] == ["book_appointment", "stop"]
    unshared = [("ask_fasting", 0.6), ("ask_sedation", 0.3)]
    assert merge_shared_answers(unshared) == unshared
