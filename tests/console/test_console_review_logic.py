"""Which messages go to the review queue, and the satisfaction figures: pure functions."""

from __future__ import annotations

from datetime import date

from bot.console.charts import stacked_column_chart
from bot.console.review import (
    FALLBACK,
    FEEDBACK_NO,
    LOW_CONFIDENCE,
    REPHRASE,
    ChatEvent,
    find_candidates,
    is_rephrase,
    suggestions,
)
from bot.console.satisfaction import FeedbackRow, build_satisfaction

_ids = iter(range(1, 10_000))


def user(text: str, intent: str, ts: float, confidence: float = 0.9, cid: str = "c",
         ranking: tuple[str, ...] = ()) -> ChatEvent:
    return ChatEvent(next(_ids), cid, "user", ts, text=text, intent=intent, confidence=confidence, ranking=ranking)


def bot(ts: float, answer: str = "utter_x", cid: str = "c") -> ChatEvent:
    return ChatEvent(next(_ids), cid, "bot", ts, text="…", answer=answer)


def form(name: str | None, ts: float, cid: str = "c") -> ChatEvent:
    return ChatEvent(next(_ids), cid, "active_loop", ts, form=name)


def queue(events: list[ChatEvent], negative: dict | None = None) -> dict[str, list[str]]:
    found = find_candidates(events, negative, low_confidence=0.5, rephrase_seconds=120)
    return {c.text: c.reasons for c in found}


def test_not_understood_and_low_confidence_messages_are_queued() -> None:
    events = [
        user("blorp zzgrx", "nlu_fallback", 1, 0.2), bot(2, "utter_default"),
        user("jeun ?", "ask_fasting", 10, 0.42), bot(11, "utter_ask_fasting"),
        user("quand rentrer ?", "ask_going_home", 300, 0.93), bot(301, "utter_ask_going_home"),
        # answered with the rephrase request although the intent looked fine (core fallback)
        user("hmm la chose", "ask_cement", 600, 0.6), bot(601, "utter_default"),
    ]
    assert queue(events) == {"blorp zzgrx": [FALLBACK], "jeun ?": [LOW_CONFIDENCE], "hmm la chose": [FALLBACK]}


def test_a_question_asked_again_right_after_its_answer_is_queued() -> None:
    events = [
        user("je dois etre a jeun ?", "ask_fasting", 0), bot(1, "utter_ask_fasting"),
        user("mais combien d'heures a jeun avant ?", "ask_fasting", 40), bot(41, "utter_ask_fasting"),
        user("et la douche apres ?", "ask_daily_life", 100), bot(101, "utter_ask_daily_life"),  # a new question
        user("je peux prendre une douche quand ?", "ask_going_home", 500), bot(501),  # too late: not a rephrase
    ]
    found = find_candidates(events, low_confidence=0.5, rephrase_seconds=120)
    assert [(c.text, c.reasons, c.rephrased_as) for c in found] == [
        ("je dois etre a jeun ?", [REPHRASE], "mais combien d'heures a jeun avant ?")]
    assert is_rephrase(user("ça dure combien de temps l'opération", "ask_duration", 0),
                       user("duree de l'operation combien de temps", "ask_risks", 1))
    assert not is_rephrase(user("combien de temps dure l'intervention", "ask_duration", 0),
                           user("et le prix de l'intervention ?", "ask_cost", 1))


def test_an_answer_with_a_no_queues_its_question_with_the_comment() -> None:
    events = [user("faut il venir accompagné ?", "ask_going_home", 5), bot(6, "utter_ask_going_home"),
              user('/feedback{"feedback_value": "non"}', "feedback", 7, 1.0)]
    found = find_candidates(events, {("c", 5.0): "qui peut conduire ?"}, low_confidence=0.5, rephrase_seconds=120)
    assert [(c.reasons, c.comment, c.answer) for c in found] == [
        ([FEEDBACK_NO], "qui peut conduire ?", "utter_ask_going_home")]


def test_form_answers_buttons_feedback_and_red_flags_are_never_queued() -> None:
    events = [
        user("rappelez moi", "request_callback", 0), bot(1), form("callback_form", 1),
        user("Jeanne Martin", "nlu_fallback", 10, 0.1), bot(11),  # her name, typed in the form
        user("06 11 22 33 44", "ask_contact", 20, 0.3), bot(21), form(None, 22),
        user("/ask_sedation", "ask_sedation", 30, 1.0), bot(31, "utter_ask_sedation"),
        user('/feedback{"feedback_value": "oui"}', "feedback", 32, 1.0),
        user("je ne sens plus mes jambes", "red_flag_a", 40, 1.0), bot(41, "utter_red_flag_a"),
        user("", "nlu_fallback", 50, 0.0), bot(51, "utter_default"),
    ]
    assert queue(events) == {}


def test_one_click_suggestions_are_the_classifiers_guesses_that_are_labels() -> None:
    found = find_candidates([user("jeun ?", "ask_fasting", 0, 0.4, ranking=("ask_fasting", "red_flag_a", "greet",
                                                                           "ask_sedation", "ask_duration"))],
                            low_confidence=0.5, rephrase_seconds=120)
    assert suggestions(found[0], ["ask_fasting", "ask_sedation", "ask_duration", "red_flag_a"]) == [
        "ask_fasting", "red_flag_a", "ask_sedation"]


def test_satisfaction_per_day_topic_and_answer() -> None:
    d1, d2 = date(2026, 3, 1), date(2026, 3, 2)
    rows = [
        FeedbackRow("a", d1, "ask_fasting", "utter_ask_fasting", "oui"),
        FeedbackRow("b", d1, "ask_fasting", "utter_ask_fasting", "non", "les heures"),
        FeedbackRow("c", d2, "ask_cost", "action_practical_answer:ask_cost", "non"),
        FeedbackRow("d", d2, "ask_cost", "action_practical_answer:ask_cost", "non", "le prix exact"),
        FeedbackRow("e", d2, "ask_going_home", "utter_ask_going_home", "oui"),
        FeedbackRow("f", date(2026, 2, 1), "ask_fasting", "utter_ask_fasting", "non"),  # outside the period
    ]
    s = build_satisfaction(rows, first_day=d1, last_day=d2)
    assert (s.yes_per_day, s.no_per_day, s.yes, s.no) == ([1, 1], [1, 2], 2, 3)
    assert abs(s.share - 0.4) < 1e-9
    assert [(t.key, t.yes, t.no) for t in s.most_no] == [
        ("action_practical_answer:ask_cost", 0, 2), ("utter_ask_fasting", 1, 1)]
    assert {t.key: (t.yes, t.no) for t in s.by_topic} == {"ask_fasting": (1, 1), "ask_cost": (0, 2),
                                                          "ask_going_home": (1, 0)}
    assert [c.comment for c in s.comments] == ["le prix exact", "les heures"]
    fasting = build_satisfaction(rows, first_day=d1, last_day=d2, intent="ask_fasting")
    assert (fasting.yes_per_day, fasting.no_per_day) == ([1, 0], [1, 0])
    assert build_satisfaction([], first_day=d1, last_day=d2).share == 0.0


def test_stacked_columns_add_up() -> None:
    chart = stacked_column_chart("Avis", ["1", "2"], [("Oui", [1, 3], "#0a0"), ("Non", [1, 0], "#a00")])
    assert chart.legend == [("Oui", "#0a0"), ("Non", "#a00")]
    first_oui, first_non = chart.bars[0], chart.bars[1]
    assert first_non.y + first_non.height == first_oui.y  # "Non" sits on "Oui"
    assert not chart.empty and stacked_column_chart("x", ["1"], [("Oui", [0], "#0a0")]).empty
