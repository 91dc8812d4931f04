"""The learning gate's decision from two sets of figures, the figures of played cases, and their cache."""

from __future__ import annotations

import json
from pathlib import Path

from bot.core.followups import load_table
from bot.core.training_data import dedup_key
from bot.learn.evaluate import GateSets, measure, measured_keys, redflag_cases
from bot.learn.gate import SetFigures, decide, figures, table
from bot.quality.cases import FOLLOWUP, QUESTION, RED_FLAG, Case
from bot.quality.outcome import Outcome
from bot.quality.scores import score

ROOT = Path(__file__).resolve().parents[2]


def _fig(**kw) -> SetFigures:  # type: ignore[no-untyped-def]
    base = dict(cases=10, answered_right=8, answered_total=9, red_flags_caught=1, red_flags_total=1,
                emergency_false=1, non_emergency_turns=9)
    return SetFigures(**{**base, **kw})


def _wrong(text: str, kind: str = QUESTION) -> dict[str, str]:
    return {"kind": kind, "text": text, "expected": "ask_fasting", "got": "reformuler"}


def test_same_or_better_figures_pass() -> None:
    before = {"test": _fig(wrong=[_wrong("a")]), "redflags": _fig()}
    assert decide(before, before).accepted
    better = {"test": _fig(answered_right=9), "redflags": _fig(emergency_false=0)}
    decision = decide(before, better)
    assert decision.accepted and decision.reasons == []


def test_a_drop_in_answered_right_is_refused_with_the_cases_that_became_wrong() -> None:
    before = {"holdout": _fig(wrong=[_wrong("ancien")])}
    after = {"holdout": _fig(answered_right=7, wrong=[_wrong("ancien"), _wrong("je mange quand")])}
    decision = decide(before, after)
    assert not decision.accepted
    assert decision.reasons[0].startswith("jeu hold-out : répondus juste en baisse, 88,9 % (8) → 77,8 % (7)")
    assert "« je mange quand » attendu ask_fasting → obtenu reformuler" in decision.reasons[1]
    assert not any("ancien" in r for r in decision.reasons)


def test_blind_followups_are_gated_the_red_flag_set_answers_are_not() -> None:
    before = {"blind": _fig(followups_right=5, followups_total=6), "redflags": _fig()}
    after = {"blind": _fig(followups_right=4, followups_total=6, wrong=[_wrong("et après ?", FOLLOWUP)]),
             "redflags": _fig(answered_right=0)}
    decision = decide(before, after)
    assert not decision.accepted
    assert len(decision.reasons) == 2 and decision.reasons[0].startswith("jeu aveugle : relances comprises")
    assert "et après ?" in decision.reasons[1]


def test_one_red_flag_losing_its_emergency_answer_is_refused_on_any_set() -> None:
    missed = {"kind": RED_FLAG, "text": "je sens plus mes jambes", "expected": "A", "got": "ask_paralysis_risk"}
    for name in ("redflags", "test", "blind"):
        before = {name: _fig(red_flags_caught=40, red_flags_total=40)}
        after = {name: _fig(red_flags_caught=39, red_flags_total=40, missed_red_flags=[missed],
                            answered_right=9)}
        decision = decide(before, after)
        assert not decision.accepted
        assert "signal d'alerte sans la réponse d'urgence, rappel 100,0 % → 97,5 %" in decision.reasons[0]
        assert "je sens plus mes jambes" in decision.reasons[1]


def test_a_red_flag_already_missed_warns_without_refusing() -> None:
    missed = [{"kind": RED_FLAG, "text": "x", "expected": "B", "got": "rien"}]
    before = {"redflags": _fig(red_flags_caught=9, red_flags_total=10, missed_red_flags=missed)}
    decision = decide(before, before)
    assert decision.accepted and "manquait déjà 1" in decision.warnings[0]


def test_more_emergency_answers_to_non_emergencies_are_refused() -> None:
    before = {"redflags": _fig(emergency_false=9, false_alarms=["je n'ai pas de fièvre"])}
    after = {"redflags": _fig(emergency_false=10, false_alarms=["je n'ai pas de fièvre", "aucun saignement"])}
    decision = decide(before, after)
    assert not decision.accepted
    assert "en hausse, 9 → 10" in decision.reasons[0] and "aucun saignement" in decision.reasons[1]
    assert "fièvre" not in "".join(decision.reasons[1:])


def test_table_marks_the_figures_that_moved() -> None:
    text = table({"test": _fig(), "redflags": _fig()}, {"test": _fig(answered_right=7), "redflags": _fig(),
                                                       "learned": _fig(answered_right=1, answered_total=1)})
    lines = text.splitlines()
    test_row = next(line for line in lines if line.startswith("jeu de test") and "répondus juste" in line)
    assert "8/9 (88,9 %)" in test_row and "7/9 (77,8 %)" in test_row and test_row.endswith("▼")
    assert not any(line.startswith("signaux d'alerte étiquetés") and "répondus juste" in line for line in lines)
    assert any(line.startswith("messages appris") and line.rstrip().endswith("1/1 (100,0 %)") for line in lines)


def _outcome(*responses: str, intent: str = "") -> Outcome:
    return Outcome(intent=intent, top1=intent, responses=list(responses))


def test_figures_of_played_cases() -> None:
    cases = [
        Case(QUESTION, ("je mange avant ?",), expect=("ask_fasting",)),
        Case(QUESTION, ("je conduis quand ?",), expect=("ask_driving",)),
        Case(QUESTION, ("je n'ai pas de fièvre",)),
        Case(RED_FLAG, ("je sens plus mes jambes",), group="A"),
        Case(RED_FLAG, ("je saigne beaucoup",), group="C"),
    ]
    played = [[_outcome("utter_ask_fasting", intent="ask_fasting")],
              [_outcome("utter_default", intent="nlu_fallback")],
              [_outcome("utter_red_flag_d", intent="red_flag_d")],
              [_outcome("utter_red_flag_a", intent="red_flag_a")],
              [_outcome("utter_ask_risks", intent="ask_risks")]]
    f = figures(cases, played, score(cases, played, load_table()))
    assert (f.answered_right, f.answered_total) == (1, 3)
    assert (f.red_flags_caught, f.red_flags_total) == (1, 2)
    assert (f.emergency_false, f.non_emergency_turns) == (1, 3)
    assert f.false_alarms == ["je n'ai pas de fièvre"]
    assert [c["text"] for c in f.missed_red_flags] == ["je saigne beaucoup"]
    assert {c["text"] for c in f.wrong} == {"je conduis quand ?", "je n'ai pas de fièvre"}
    assert SetFigures.from_dict(json.loads(json.dumps(f.as_dict()))) == f


def test_figures_are_cached_per_model_file_and_set(tmp_path: Path) -> None:
    calls: list[tuple[str, int]] = []

    def fake_run(model: Path, cases: list[Case]) -> list[list[Outcome]]:
        calls.append((model.name, len(cases)))
        return [[_outcome("utter_ask_fasting", intent="ask_fasting")] for _ in cases]

    model = tmp_path / "current.tar.gz"
    model.write_bytes(b"model one")
    sets = {"test": [Case(QUESTION, ("je mange avant ?",), expect=("ask_fasting",))],
            "holdout": [Case(QUESTION, ("à jeun ?",), expect=("ask_fasting",))]}
    first, cached = measure(model, sets, tmp_path / "work", fake_run)
    assert cached == [] and calls == [("current.tar.gz", 2)]
    again, cached = measure(model, sets, tmp_path / "work", fake_run)
    assert again == first and cached == ["test", "holdout"] and len(calls) == 1
    # A changed set is measured again, alone; a changed model file is measured again in full.
    sets["holdout"] = sets["holdout"] + [Case(QUESTION, ("et l'eau ?",), expect=("ask_fasting",))]
    _, cached = measure(model, sets, tmp_path / "work", fake_run)
    assert cached == ["test"] and calls[-1] == ("current.tar.gz", 2)
    model.write_bytes(b"model two")
    _, cached = measure(model, sets, tmp_path / "work", fake_run)
    assert cached == [] and calls[-1] == ("current.tar.gz", 3)
    _, cached = measure(model, sets, tmp_path / "work", fake_run, use_cache=False)
    assert cached == [] and len(calls) == 4


def test_measured_sets_cover_every_message_of_the_four_sets() -> None:
    sets = GateSets()
    keys = measured_keys(sets)
    cases = redflag_cases(sets.redflags)
    assert {c.kind for c in cases} == {RED_FLAG, QUESTION}
    assert all(dedup_key(c.text) in keys for c in cases)
    assert keys[dedup_key("je n'ai pas de fièvre")] == "tests/redflags"
    blind_text = "Ma mère a eu sa vertébroplastie hier. Elle n'a aucun engourdissement"
    assert any(k.startswith(dedup_key(blind_text)) and v == "tests/nlu_blind" for k, v in keys.items())


def test_a_weaker_second_net_is_shown_not_refused() -> None:
    before = {"redflags": _fig(red_flags_caught=3, red_flags_total=3, classifier_red_flags=3)}
    after = {"redflags": _fig(red_flags_caught=3, red_flags_total=3, classifier_red_flags=2,
                              classifier_missed=["je ne sens plus mes jambes"])}
    decision = decide(before, after)
    assert decision.accepted
    assert "le classifieur seul (second filet, derrière le détecteur) reconnaît moins" in decision.warnings[0]
    assert "3 → 2 sur 3" in decision.warnings[0] and "je ne sens plus mes jambes" in decision.warnings[0]


def test_a_learned_question_that_still_gets_the_emergency_answer_is_refused() -> None:
    same = {"test": _fig()}
    report = _fig(false_alarms=["mes jambes ne me portent plus depuis cette nuit"])
    decision = decide(same, same, learned=report)
    assert not decision.accepted
    assert decision.reasons[0].startswith("messages appris : la réponse d'urgence reste donnée à un message étiqueté")
    expected = "« mes jambes ne me portent plus depuis cette nuit » attendu question → obtenu urgence"
    assert expected in decision.reasons[1]
    assert decide(same, same, learned=_fig()).accepted
    unlearned = _fig(missed_red_flags=[{"kind": RED_FLAG, "text": "mes pieds sont bleus", "expected": "A", "got": ""}])
    decision = decide(same, same, learned=unlearned)
    assert decision.accepted and "mes pieds sont bleus" in decision.warnings[0]


def test_cases_are_named_by_all_their_turns() -> None:
    cases = [Case(RED_FLAG, ("j'ai des fourmis", "oui"), group="A"), Case(RED_FLAG, ("j'ai mal au dos", "oui"),
                                                                          group="D")]
    played = [[_outcome("utter_triage_intro"), _outcome("utter_red_flag_a")], [_outcome(), _outcome("utter_goodbye")]]
    f = figures(cases, played, score(cases, played, load_table()))
    assert [c["text"] for c in f.missed_red_flags] == ["j'ai mal au dos → oui"]
    assert f.classifier_missed == ["j'ai des fourmis → oui", "j'ai mal au dos → oui"]


def test_the_classifier_vote_is_read_from_the_red_flag_entity_or_the_intent() -> None:
    from bot.quality.outcome import CLASSIFIER_RED_FLAG_CONFIDENCE, classifier_red_flag
    from bot.rasa_server.components import RedFlagComponent

    assert CLASSIFIER_RED_FLAG_CONFIDENCE == RedFlagComponent.get_default_config()["classifier_red_flag_confidence"]

    def detected(name: str, confidence: float) -> dict:  # type: ignore[type-arg]
        return {"intent": {"name": "red_flag_a", "confidence": 1.0}, "entities": [
            {"entity": "red_flag_group", "value": "A", "original_intent": {"name": name, "confidence": confidence}}]}

    assert classifier_red_flag(detected("red_flag_a", 0.9)) == "A"
    assert classifier_red_flag(detected("red_flag_a", 0.7)) is None
    assert classifier_red_flag(detected("ask_paralysis_risk", 0.9)) is None
    assert classifier_red_flag({"intent": {"name": "red_flag_f", "confidence": 0.85}, "entities": []}) == "F"
    assert classifier_red_flag({"intent": {"name": "report_symptom_unclear", "confidence": 1.0}}) is None
