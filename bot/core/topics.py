"""The French name of every topic (intent) and answer, as the staff read them in the console.

One mapping, here; a test checks that every intent of domain.yml has a name. The learn command and
the review queue offer these names, never the intent names.
"""

from __future__ import annotations

from bot.core.intents import FALLBACK_INTENT, FEEDBACK_INTENT, RED_FLAG_INTENTS, is_red_flag_intent

TOPIC_NAMES: dict[str, str] = {
    # conversation
    "greet": "Salutation",
    "goodbye": "Au revoir",
    "thank": "Remerciement",
    "bot_challenge": "Robot ou personne ?",
    "ask_capabilities": "Ce que sait faire l'assistant",
    "affirm": "Oui",
    "deny": "Non",
    "stop": "Annuler",
    "out_of_scope": "Hors sujet",
    FEEDBACK_INTENT: "Avis sur une réponse",
    "inform_situation": "Information sans question",
    "followup_duration": "Relance : combien de temps ?",
    "followup_severity": "Relance : c'est grave ?",
    "followup_pain": "Relance : ça fait mal ?",
    "followup_next": "Relance : et après ?",
    "followup_treatment": "Relance : comment on soigne ?",
    "followup_frequency": "Relance : c'est fréquent ?",
    "followup_several_vertebrae": "Relance : plusieurs vertèbres",
    "followup_men": "Relance : chez les hommes",
    "followup_water": "Relance : boire (jeûne)",
    "followup_medicines": "Relance : mes médicaments",
    "followup_relative": "Relance : pour un proche",
    "followup_when": "Relance : quand ?",
    "followup_why": "Relance : pourquoi ?",
    "followup_who": "Relance : qui ?",
    # the procedure and the disease
    "ask_what_is_vertebroplasty": "Qu'est-ce que la vertébroplastie ?",
    "ask_history": "Histoire de la technique",
    "ask_mechanism": "Comment le ciment soulage",
    "ask_cement": "Le ciment",
    "ask_cancer": "Cancer et métastases",
    "ask_vertebral_fracture": "Fracture vertébrale",
    "ask_osteoporosis": "Ostéoporose",
    "ask_fracture_impact": "Conséquences d'une fracture",
    "ask_ct_scan": "Le scanner avant l'intervention",
    "ask_guidelines": "Recommandations médicales",
    "ask_symptoms": "Symptômes d'une fracture",
    "ask_indication": "Pour qui, quand ?",
    "ask_alternatives": "Autres traitements",
    "ask_exams_before": "Examens avant",
    "ask_contraindications": "Contre-indications",
    "ask_anticoagulants": "Anticoagulants",
    "ask_what_to_tell_team": "Que signaler à l'équipe",
    "ask_fasting": "Jeûne",
    "ask_sedation": "Sédation, anesthésie",
    "ask_pain_during": "Douleur pendant l'intervention",
    "ask_procedure_steps": "Déroulement",
    "ask_procedure_details": "Déroulement en détail",
    "ask_duration": "Durée de l'intervention",
    "ask_hospital_stay": "Ambulatoire ou hospitalisation",
    "ask_going_home": "Retour à la maison",
    "ask_driving": "Conduite",
    "ask_daily_life": "Vie quotidienne après",
    "ask_aftercare": "Les suites",
    "ask_pain_after": "Douleur après",
    "ask_physiotherapy": "Kinésithérapie",
    "ask_results": "Résultats",
    "ask_relief_time": "Délai de soulagement",
    "ask_risks": "Risques",
    "ask_cement_leak": "Fuite de ciment",
    "ask_paralysis_risk": "Risque de paralysie",
    "ask_new_fractures": "Autres fractures",
    "ask_infection_risk": "Risque d'infection",
    # practical
    "ask_what_to_bring": "Que faut-il apporter ?",
    "ask_contact": "Contacter le centre",
    "ask_address": "Adresse, accès",
    "ask_opening_hours": "Horaires",
    "ask_cost": "Prix, remboursement",
    "request_human": "Parler à une personne",
    "request_callback": "Demande de rappel",
    "book_appointment": "Prendre rendez-vous",
    "change_appointment": "Changer de rendez-vous",
    # symptoms
    "report_symptom_unclear": "Symptôme à préciser",
    "red_flag_a": "Alerte A : jambes, vessie",
    "red_flag_b": "Alerte B : respiration, poitrine",
    "red_flag_c": "Alerte C : saignement",
    "red_flag_d": "Alerte D : infection",
    "red_flag_e": "Alerte E : malaise, allergie",
    "red_flag_f": "Alerte F : idées suicidaires",
    # set by Rasa, not in the domain
    FALLBACK_INTENT: "Non compris",
}

# Labels of the review queue besides the intents (kept as such in the labels table).
OFF_TOPIC_LABEL = "hors_sujet"
NEW_TOPIC_LABEL = "nouveau_sujet"
EXTRA_LABELS: dict[str, str] = {OFF_TOPIC_LABEL: "Hors sujet", NEW_TOPIC_LABEL: "Nouveau sujet à créer"}

# Answers that are not `utter_<intent>`: their French name.
ANSWER_NAMES: dict[str, str] = {
    "action_practical_answer": "Information pratique",
    "utter_default": "Demande de reformulation",
    "utter_fallback_secretariat": "Renvoi vers le secrétariat",
}


def topic_name(intent: str | None) -> str:
    """"ask_fasting" -> "Jeûne"; an unknown name is shown as it is, so nothing is hidden."""
    if not intent:
        return "—"
    return TOPIC_NAMES.get(intent) or EXTRA_LABELS.get(intent) or intent


def answer_name(answer: str | None) -> str:
    """"utter_ask_fasting" -> "Jeûne"; "action_practical_answer:ask_cost" -> "Prix, remboursement"."""
    if not answer:
        return "—"
    if answer in ANSWER_NAMES:
        return ANSWER_NAMES[answer]
    base, _, intent = answer.partition(":")
    if intent and intent in TOPIC_NAMES:
        return TOPIC_NAMES[intent]
    name = base.removeprefix("utter_")
    return TOPIC_NAMES.get(name) or ANSWER_NAMES.get(base) or answer


def group_name(group: str | None) -> str:
    """"A" -> "Alerte A : jambes, vessie" (alerts store the group letter)."""
    return TOPIC_NAMES.get(f"red_flag_{(group or '').lower()}") or f"Alerte {group or '?'}"


def label_choices() -> list[tuple[str, str]]:
    """What a clinician can choose in the review queue: the answerable topics, then the two extra labels.

    Small talk, form answers and `out_of_scope` (the "hors sujet" label) are left out. The red-flag
    groups come last: a missed red flag labelled as such teaches the classifier's second net.
    """
    skip = {"affirm", "deny", "stop", "out_of_scope", FEEDBACK_INTENT, FALLBACK_INTENT}
    topics = sorted(
        ((i, n) for i, n in TOPIC_NAMES.items() if i not in skip and not is_red_flag_intent(i)),
        key=lambda pair: pair[1].casefold(),
    )
    red_flags = [(i, TOPIC_NAMES[i]) for i in RED_FLAG_INTENTS]
    return [*topics, *red_flags, *EXTRA_LABELS.items()]
