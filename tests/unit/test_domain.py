"""The domain's answers: traceable, short, reachable, and never inventing what the sources lack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.core.answer_texts import patient_texts, rendered
from bot.core.centre import fill, load_centre
from bot.core.readability import measure

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RESPONSES: dict[str, list[dict]] = DOMAIN["responses"]
INTENTS: list[str] = DOMAIN["intents"]
CENTRE = load_centre()
FORM_INTENTS = {"affirm", "deny", "stop"}
NO_ANSWER_INTENTS = FORM_INTENTS | {"request_callback", "report_symptom_unclear"} | {
    i for i in INTENTS if i.startswith("red_flag_")
}


def rule_actions() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in (ROOT / "data" / "rules").glob("*.yml"):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            steps = rule["steps"]
            for a, b in zip(steps, steps[1:]):
                if "intent" in a and "action" in b:
                    found.setdefault(a["intent"], []).append(b["action"])
    return found


def variations():
    for name, items in RESPONSES.items():
        for item in items:
            yield name, item


def text_of(name: str) -> str:
    """A response as the patient reads it: the centre's slots and the form's values filled in."""
    return rendered(RESPONSES[name][0]["text"])


@pytest.mark.parametrize("name,item", list(variations()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_response_names_its_source(name: str, item: dict) -> None:
    source = (item.get("metadata") or {}).get("source", "")
    assert source, f"{name} has no metadata.source"
    assert re.search(r"page|faits|aucun fait|practical file", source), f"{name}: unknown source kind {source!r}"


@pytest.mark.parametrize("name,text", patient_texts(), ids=lambda v: v if isinstance(v, str) and " " not in v else "")
def test_every_answer_is_easy_to_read_for_an_elderly_reader(name: str, text: str) -> None:
    figures = measure(text)
    assert figures.words <= 60, f"{name}: {figures.words} words"
    if figures.words >= 8:
        assert figures.lix <= 45, f"{name}: LIX {figures.lix:.1f}"


def test_every_question_intent_has_a_rule_and_an_answer() -> None:
    rules = rule_actions()
    for intent in INTENTS:
        if intent in NO_ANSWER_INTENTS:
            continue
        assert intent in rules, f"no rule answers {intent}"
        for action in rules[intent]:
            assert action in RESPONSES or action in DOMAIN["actions"] or action.endswith("_form"), action


def test_every_red_flag_answer_starts_with_the_emergency_and_shows_the_numbers() -> None:
    rules = rule_actions()
    for group in "abcdef":
        intent = f"red_flag_{group}"
        assert rules[intent][0] == f"utter_{intent}", "the emergency answer must come first, from the domain"
        text = RESPONSES[f"utter_{intent}"][0]["text"]
        assert text.startswith("🚨")
        assert "114" in text
        if group == "f":
            assert "3114" in text and "15" in text
        else:
            assert "15" in text and "112" in text and "{centre_phone}" in text and CENTRE.phone in fill(text)


def test_buttons_point_to_known_intents() -> None:
    for name, item in variations():
        for button in item.get("buttons", []):
            payload = button["payload"]
            if payload.startswith("/"):
                assert payload[1:] in INTENTS, f"{name}: button to unknown intent {payload}"


def test_fasting_never_gives_a_number_of_hours() -> None:
    text = RESPONSES["utter_ask_fasting"][0]["text"]
    assert "à jeun" in text
    assert not re.search(r"\d+\s*(h|heures?)\b", text)


def test_answers_never_tell_to_stop_a_medicine_alone() -> None:
    text = text_of("utter_ask_anticoagulants").lower()
    assert "n'arrêtez pas et ne reprenez pas de vous-même" in text and "l'équipe qui décide" in text


def test_going_home_and_results_say_what_the_page_says() -> None:
    assert "2 à 4 heures" in RESPONSES["utter_ask_going_home"][0]["text"]
    results = RESPONSES["utter_ask_results"][0]["text"]
    assert "90 %" in results and "expérience du centre" in results and "pas une promesse" in results
    assert "20 séances" in RESPONSES["utter_ask_physiotherapy"][0]["text"]


def test_no_answer_promises_opening_hours() -> None:
    for name, item in variations():
        assert not re.search(r"24\s*h\s*/\s*24|7\s*j\s*/\s*7", item.get("text", "")) or name == "utter_red_flag_f", name


# ---------- Issue 11: the fixes, one test each ----------

def training_examples(intent: str) -> list[str]:
    from bot.core.training_data import load_examples

    return [text for name, text in load_examples(ROOT / "data" / "nlu") if name == intent]


def test_no_answer_opens_with_yes_or_no() -> None:
    # "Oui, il faut venir à jeun" answered "je peux manger avant ?" with a yes: no answer may open so.
    openers = [name for name, text in patient_texts() if re.match(r"(?i)(oui|non)\b", text)]
    assert openers == []


def test_fasting_says_to_come_fasting_without_a_yes() -> None:
    assert any("manger" in t for t in training_examples("ask_fasting")), "the intent covers 'can I eat?'"
    text = text_of("utter_ask_fasting")
    assert text.startswith("Vous devez venir à jeun")


def test_cancer_answer_says_it_does_not_treat_the_cancer() -> None:
    text = text_of("utter_ask_cancer")
    assert "ne soigne pas le cancer" in text and "consolider l'os" in text and "calmer la douleur" in text


def test_pain_after_and_infection_risk_send_any_one_sign_of_group_d_to_the_centre_and_group_a_to_the_15() -> None:
    for name in ("utter_ask_pain_after", "utter_ask_infection_risk"):
        text = text_of(name)
        assert "un seul de ces signes" in text and "centre ou un médecin le jour même" in text, name
        for sign in ("fièvre", "frissons", "rouge", "chaud", "gonflé", "qui coule", "mal de dos qui augmente"):
            assert sign in text, (name, sign)
        assert "Jambes faibles ou engourdies, perte des urines ou des selles : appelez le 15" in text, name
    assert "même la nuit" in text_of("utter_ask_pain_after")


@pytest.mark.parametrize("group", "abce")
def test_emergency_answers_say_not_to_wait_nor_drive(group: str) -> None:
    assert "N'attendez pas. Ne conduisez pas vous-même." in text_of(f"utter_red_flag_{group}")


def test_group_d_lists_the_group_a_signs_in_full_and_group_c_asks_a_relative_to_press() -> None:
    d = text_of("utter_red_flag_d")
    assert "jambes faibles ou engourdies" in d and "perte de contrôle des urines ou des selles" in d
    assert "aujourd'hui même" in d and CENTRE.phone in d
    c = text_of("utter_red_flag_c")
    assert "appuyez fort" in c and "faites appuyer un proche" in c


BRANDS = ("kardegic", "kardégic", "plavix", "eliquis", "xarelto", "previscan", "préviscan", "aspirine", "pradaxa")


def test_anticoagulants_name_no_brand_but_the_training_data_keeps_them() -> None:
    text = text_of("utter_ask_anticoagulants").lower()
    assert not [b for b in BRANDS if b in text]
    examples = " ".join(training_examples("ask_anticoagulants")).lower()
    assert all(b in examples for b in ("kardegic", "plavix", "eliquis", "xarelto"))


def test_contraindications_never_stop_a_treatment_alone_and_the_bulge_is_only_sometimes_one() -> None:
    text = text_of("utter_ask_contraindications")
    assert "N'arrêtez jamais un traitement de vous-même" in text
    assert re.search(r"Parfois aussi, si la fracture bombe", text)


def test_cement_leak_and_paralysis_say_what_the_sources_say() -> None:
    leak = text_of("utter_ask_cement_leak")
    assert "risque de fuite est faible" not in leak and "se voit souvent" in leak
    paralysis = text_of("utter_ask_paralysis_risk")
    sentence = next(s for s in re.split(r"(?<=\.)\s", paralysis) if "1 %" in s)
    assert "fuite de ciment vers le canal de la moelle" in sentence, "under 1 % is the rate of leaks, not of paralysis"
    assert "paraly" not in paralysis.lower()


def test_going_home_aftercare_risks_indication_say_what_the_page_says() -> None:
    assert "Si l'intervention est faite en ambulatoire" in text_of("utter_ask_going_home")
    assert "Il reste souvent" in text_of("utter_ask_aftercare")
    risks = text_of("utter_ask_risks")
    assert "il n'a pas été montré que le ciment augmente ce risque" in risks and "bleu (hématome)" in risks
    assert "la morphine ou un médicament de la même famille" in text_of("utter_ask_indication")


def test_sedation_and_cement_add_nothing_to_the_sources() -> None:
    sedation = text_of("utter_ask_sedation")
    assert "anesthésie légère" in sedation and not re.search(r"détendu|somnolent|générale", sedation)
    cement = text_of("utter_ask_cement")
    assert "reste dans la vertèbre" not in cement and "bio-compatible" in cement and "2 heures" in cement


def test_consent_takes_the_retention_period_from_the_setting() -> None:
    raw = RESPONSES["utter_ask_cb_consent"][0]["text"]
    assert "{retention_days}" in raw and not re.search(r"\d", raw)


def test_the_disclaimer_names_the_centre_as_its_page_does_and_hello_is_said_once() -> None:
    disclaimer = text_of("utter_disclaimer")
    assert "Centre Spécialisé de Radiologie Interventionnelle" in disclaimer and disclaimer.startswith("Bonjour")
    assert "bonjour" not in text_of("utter_greet").lower()


JARGON = ("mini-invasif", "en barre", "chute de sa hauteur", "traitement conservateur", "confirmer l'indication",
          "au bloc", "champ stérile", "études contrôlées", "le geste", "du geste", "antalgique",
          "alité", "syndrome", "prophylactique")
# Words kept but explained in the same answer: word -> the explanation that must come with it.
EXPLAINED = {"antiagrégant": "fluidifie le sang", "anticoagulant": "fluidifie le sang", "biopsie": "morceau d'os",
             "instable": "déplacer", "hématome": "bleu", "ambulatoire": "sans nuit|le jour même",
             "consolidation": "réparation", "trocart": "aiguille", "stérile": "sans microbes",
             "iodé": "injecté pour une radio ou un scanner"}


@pytest.mark.parametrize("name,text", patient_texts(), ids=lambda v: v if isinstance(v, str) and " " not in v else "")
def test_no_unexplained_jargon(name: str, text: str) -> None:
    lowered = text.lower()
    assert [j for j in JARGON if j in lowered] == []
    for word, explanation in EXPLAINED.items():
        if word in lowered:
            assert re.search(explanation, lowered), f"{name}: « {word} » without « {explanation} »"


# Agreements that assume the reader is a man (most readers are women).
MASCULINE = re.compile(
    r"(?i)\b(vous êtes|être|soyez|restez?) (seul|détendu|installé|accompagné|rappelé|alité|couché|surveillé|remis"
    r"|allongé|endormi|opéré|confus|essoufflé|sûr|prêt)\b"
    r"|\b(sourd ou malentendant|pas seul|jamais seul|reprenez pas seul|accompagné d)\b")


@pytest.mark.parametrize("name,text", patient_texts(), ids=lambda v: v if isinstance(v, str) and " " not in v else "")
def test_no_wording_assumes_a_man(name: str, text: str) -> None:
    assert not MASCULINE.search(text), f"{name}: {MASCULINE.search(text).group(0)}"


def test_buttons_do_not_assume_a_man() -> None:
    titles = [b["title"] for _, item in variations() for b in item.get("buttons", [])]
    assert "Être rappelé" not in titles and "Demander un rappel" in titles


def test_the_pages_topics_without_an_answer_now_have_one() -> None:
    impact = text_of("utter_ask_fracture_impact")
    assert "vie de tous les jours" in impact and "moral" in impact and "durée de vie" in impact
    scan = text_of("utter_ask_ct_scan")
    assert "sans injection" in scan and "consolidation" in scan
    guideline = text_of("utter_ask_guidelines")
    assert "CIRSE" in guideline and "2017" in guideline
    assert "sans injection" in text_of("utter_ask_exams_before")
