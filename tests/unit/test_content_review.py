"""The content review's pure parts: sources quoted, versions, sign-off status, triage table, rendering."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.content import redflags as rf
from bot.content.items import Answer, Variation, content_version, domain_answers
from bot.content.render import render_html
from bot.content.review import build, emergency_response, thresholds, triage_table
from bot.content.signoff import (
    APPROVED,
    CHANGE_ASKED,
    CHANGE_REQUESTED,
    TO_REVALIDATE,
    TO_VALIDATE,
    VALID,
    Decision,
    awaiting_count,
    statuses,
)
from bot.content.sources import Library, parse_facts, parse_page, split_top_level
from bot.core.triage import TRIAGE_QUESTIONS

PAGE = """top of page

                      VERTEBROPLASTIE

La cimentoplastie est un traitement mini-invasif, guidé par l’imagerie, qui injecte un ciment dans une fracture.

Cette technique a été décrite pour la première fois en France, en 1987, par Dr Deramond.

Quels risques ?

Les complications après la cimentoplastie sont rares.
  • un petit hématome au point de ponction est possible.
  • le risque de fuite de ciment est également faible car l’injection est réalisée sous contrôle de l’imagerie.

Cimentoplastie
Cimentoplastie

Quels traitements ?

Quelle indication pour la vertébroplastie ?

  • La chirurgie a sa place dans les fractures instables.

Contact
21 Rue Moxouris
01 39 63 71 39
"""

FACTS = """# Facts

Intro sentence about sources.

## Facts beyond the page

| topic | fact | source |
|---|---|---|
| fasting (à jeun) | **Never give a number of hours** | HUG |
| cement leak | frequent on imaging, almost always without symptoms | J Orthop Surg Res 2019 |
| anticoagulants, antiplatelets | decided by the team | CIRSE 2021 |

Where the sources vary or nothing is known (driving date, shower), the team gives the instructions.

## Red flags: what must trigger the emergency answer

| group | examples | answer |
|---|---|---|
| A. spinal cord | je ne sens plus mes jambes | call 15 now |
| D. infection | fièvre, frissons | contact the centre the same day |
"""


def library() -> Library:
    return Library(parse_page(PAGE), parse_facts(FACTS))


def test_the_page_is_cut_into_sections_by_its_headings() -> None:
    page = parse_page(PAGE)
    titles = [s.titles for s in page.sections]
    assert titles == [
        ("VERTEBROPLASTIE",),
        ("Quels risques ?",),
        ("Quels traitements ?", "Quelle indication pour la vertébroplastie ?"),  # headings in a row: one section
        ("Contact",),
    ]
    risks = page.find("Quels risques ?")
    assert risks is not None and "un petit hématome au point de ponction est possible." in risks.lines  # no bullet
    assert "Cimentoplastie" not in " ".join(risks.lines)  # an image caption repeated on the page
    assert page.find("introduction") is page.sections[0]
    assert page.find("Quelle indication pour la vertébroplastie ?") is page.sections[2]  # not the page's title
    assert page.find("Quels risques ? fuite") is risks
    assert page.find("Ailleurs") is None


def test_a_paraphrase_is_quoted_with_the_page_sentence_it_comes_from() -> None:
    text = "Les complications sont rares. Un petit hématome au point de piqûre est possible."
    quotes = library().quotes_for("page (Quels risques ?)", text)
    [quote] = quotes.quotes
    assert quote.origin == "Page du centre, « Quels risques ? »"
    assert quote.passages == (
        "Les complications après la cimentoplastie sont rares.",
        "un petit hématome au point de ponction est possible.",
    )
    assert quotes.unmatched_sentences == []


def test_a_sentence_the_cited_section_does_not_back_is_reported() -> None:
    text = "Elle a été décrite en 1987. Par le Dr Deramond. Rien à voir avec tout ça."
    quotes = library().quotes_for("page (introduction)", text)
    [sentence] = quotes.quotes[0].passages
    assert sentence == "Cette technique a été décrite pour la première fois en France, en 1987, par Dr Deramond."
    assert quotes.unmatched_sentences == ["Rien à voir avec tout ça."]


def test_facts_rows_are_quoted_word_for_word() -> None:
    quotes = library().quotes_for("faits: anticoagulants, antiplatelets (CIRSE 2021); fasting (HUG: no hours)", "x")
    cells = [dict(q.cells) for q in quotes.quotes]
    assert cells == [
        {"topic": "anticoagulants, antiplatelets", "fact": "decided by the team", "source": "CIRSE 2021"},
        {"topic": "fasting (à jeun)", "fact": "**Never give a number of hours**", "source": "HUG"},
    ]
    assert quotes.unknown_refs == []


def test_red_flag_rows_a_note_and_unknown_references() -> None:
    lib = library()
    [row] = lib.quotes_for("page (Contact); red flags group D", "Appelez le 01 39 63 71 39.").quotes[:1]
    assert dict(row.cells)["answer"] == "contact the centre the same day"
    quotes = lib.quotes_for("faits: red flags A, cement leak (x)", "")
    assert [q.cells[0][1] for q in quotes.quotes] == ["A. spinal cord", "cement leak"]
    summary = lib.quotes_for("faits: red flags", "").quotes[0]
    assert summary.passages == ("A. spinal cord : call 15 now", "D. infection : contact the centre the same day")
    note = lib.quotes_for("faits: no driving date known", "").quotes[0]
    assert "driving date" in note.passages[0]
    unknown = lib.quotes_for("page (Nulle part); faits: zzz qqq", "Bonjour.")
    assert unknown.unknown_refs == ["page (Nulle part)", "zzz qqq"]
    assert lib.quotes_for("aucun fait", "Bonjour.").kind == "aucune"
    assert Library(None, None).quotes_for("page (Quels risques ?)", "x").unknown_refs


def test_source_parts_are_split_outside_brackets() -> None:
    assert split_top_level("page (a; b); faits: c (d; e)", ";") == ["page (a; b)", "faits: c (d; e)"]


def answer(text: str, buttons: tuple[tuple[str, str], ...] = (), id_: str = "utter_x") -> Answer:
    return Answer(id_, "domaine", id_, "aucun fait", (Variation(text, buttons),))


def test_versions_change_with_what_the_patient_reads() -> None:
    base = answer("Bonjour.", (("Oui", "/affirm"),))
    assert base.version == answer("Bonjour.", (("Oui", "/affirm"),)).version
    assert len(base.version) == 64 and base.short_version == base.version[:12]
    assert base.version != answer("Bonjour !", (("Oui", "/affirm"),)).version
    assert base.version != answer("Bonjour.", (("Non", "/affirm"),)).version
    assert base.version != answer("Bonjour.", (("Oui", "/deny"),)).version
    other = answer("Au revoir.", id_="utter_y")
    assert content_version([base, other]) == content_version([other, base])
    assert content_version([base, other]) != content_version([base, answer("Au revoir !", id_="utter_y")])


def test_the_spoken_variant_is_what_the_phone_channel_says() -> None:
    from bot.rasa_server.channels import FrenchVoiceOutput

    for variation in (
        Variation("🚨 Appelez le 01 39 63 71 39, 24 h/24.", (("Oui", "/affirm"), ("Non", "/deny"))),
        Variation("Voir https://exemple.fr ou écrire à sec@exemple.fr.", (("Les risques", "/ask_risks"),)),
        Variation("Durée : 1 h 30."),
    ):
        channel = FrenchVoiceOutput()
        buttons = [{"title": t, "payload": p} for t, p in variation.buttons]
        if buttons:
            asyncio.run(channel.send_text_with_buttons("patient", variation.text, buttons))
        else:
            asyncio.run(channel.send_text_message("patient", variation.text))
        assert [m["text"] for m in channel.messages] == [variation.spoken()]


def test_sign_off_status() -> None:
    t0 = datetime(2026, 12, 1, 9)

    def d(answer_id: str, version: str, decision: str, minutes: int) -> Decision:
        return Decision(answer_id, version, decision, "docteur", t0 + timedelta(minutes=minutes), "")

    history = [
        d("a", "v1", APPROVED, 0),
        d("b", "v1", APPROVED, 1),
        d("c", "v1", APPROVED, 2),
        d("c", "v1", CHANGE_REQUESTED, 3),
        d("e", "v1", CHANGE_REQUESTED, 4),
        d("e", "v2", APPROVED, 5),
    ]
    current = {"a": "v1", "b": "v2", "c": "v1", "d": "v1", "e": "v2"}
    found = statuses(current, history)
    assert {k: s.code for k, s in found.items()} == {
        "a": VALID,
        "b": TO_REVALIDATE,  # its text changed since the approval
        "c": CHANGE_ASKED,  # the latest decision counts
        "d": TO_VALIDATE,
        "e": VALID,
    }
    assert found["b"].latest == history[1]
    assert awaiting_count(found) == 3


DOMAIN = {
    "forms": {
        "callback_form": {"required_slots": ["cb_name"]},
        "triage_form": {"required_slots": [slot for slot, _ in TRIAGE_QUESTIONS]},
    },
    "responses": {
        "utter_triage_intro": [{"text": "Quelques questions.", "metadata": {"source": "faits: red flags"}}],
        "utter_greet": [{"text": "Bonjour <script>alert(1)</script> {cb_phone}", "metadata": {"source": "aucun fait"},
                         "buttons": [{"title": "Les risques", "payload": "/ask_risks"}]}],
        "utter_red_flag_a": [{"text": "🚨 URGENCE : appelez le 15.", "metadata": {"source": "faits: red flags A"}}],
    },
}


def test_the_triage_table_follows_the_form_and_the_outcome_logic() -> None:
    items = {}
    table = triage_table(DOMAIN, items)
    assert table is not None and table.form == "triage_form"
    assert [s.slot for s in table.steps] == [slot for slot, _ in TRIAGE_QUESTIONS]
    for step, (_slot, group) in zip(table.steps, TRIAGE_QUESTIONS):
        # the first "yes", every earlier answer "no": that question's group
        assert step.group_if_yes == group
        assert step.outcome_if_yes == f"utter_red_flag_{group.lower()}"
    assert table.outcome_all_no == emergency_response(None) == "utter_triage_reassure"
    assert triage_table({"forms": {"callback_form": {"required_slots": ["cb_name"]}}}, items) is None


def test_thresholds_from_the_configuration_and_the_components_defaults() -> None:
    config = {
        "pipeline": [
            {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.05},
            {"name": "bot.rasa_server.components.RedFlagComponent", "fallback_threshold": 0.3},
        ],
        "policies": [{"name": "MemoizationPolicy", "max_history": 4}],
    }
    found = thresholds(config, lambda name: {"fallback_threshold": 0.9, "classifier_red_flag_confidence": 0.8})
    assert [(t.component, t.name, t.value, t.origin) for t in found] == [
        ("FallbackClassifier", "threshold", 0.3, "config.yml"),
        ("FallbackClassifier", "ambiguity_threshold", 0.05, "config.yml"),
        ("RedFlagComponent", "fallback_threshold", 0.3, "config.yml"),
        ("RedFlagComponent", "classifier_red_flag_confidence", 0.8, "valeur par défaut du composant"),
    ]
    assert all(t.meaning for t in found)


LEXICON = {"priority": ["A", "D"], "groups": {"A": {"label": "spinal", "patterns": ["x", "y"]}, "D": {"label": "inf"}}}
LABELLED = {
    "red_flags": [{"text": f"jambe {i}", "group": "A"} for i in range(20)] + [{"text": "fièvre", "group": "D"}],
    "negatives": ["je n'ai pas de fièvre", "je sens bien mes jambes", "bonjour"],
    "ambiguous": ["j'ai mal au dos"],
}


def mentions(text: str) -> tuple[str, ...]:
    return ("D",) if "fièvre" in text else ("A",) if "jambes" in text else ()


def test_red_flag_examples_per_group() -> None:
    lexicon_text = "# x\n# Labelling choices (agreed):\n#   - a choice\nversion: 1\n"
    review = rf.build_review(LABELLED, LEXICON, lexicon_text, mentions)
    a, d = review.groups
    assert (a.letter, a.title, a.patterns, a.triggers_total) == ("A", rf.GROUP_TITLES["A"], 2, 20)
    assert len(a.triggers) == rf.EXAMPLES_PER_GROUP and a.triggers[0] == "jambe 0" and a.triggers[-1] == "jambe 19"
    assert a.non_triggers == ("je sens bien mes jambes",) and d.non_triggers == ("je n'ai pas de fièvre",)
    assert review.ambiguous == ("j'ai mal au dos",) and review.negatives_total == 3
    assert review.labelling_choices == "Labelling choices (agreed):\n  - a choice"
    assert rf.build_review(LABELLED, LEXICON).unsorted_negatives == tuple(LABELLED["negatives"])


def test_the_document_escapes_texts_and_marks_slots_and_emoji() -> None:
    doc = build(DOMAIN, {"telephone": "01 39 63 71 39"}, library(), rf.build_review(LABELLED, LEXICON, "", mentions),
                {"pipeline": []})
    page = render_html(doc)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<span class="slot">{cb_phone}</span>' in page
    assert '🚨<span class="emoji-name">[gyrophare]</span>' in page
    assert f'id="content-version">{doc.version}<' in page
    assert doc.version == content_version([i.answer for i in doc.all_items])
    assert [i.answer.id for i in doc.items] == [a.id for a in domain_answers(DOMAIN)]
    assert doc.emergencies[0].answer is not None and doc.emergencies[0].answer.answer.id == "utter_red_flag_a"
    assert doc.emergencies[1].answer is None  # no utter_red_flag_d in this domain: shown as missing
    assert "Aucune réponse d'urgence trouvée pour ce groupe." in page
    for label in ("Nom :", "Date :", "Signature :"):
        assert label in page
    contact = next(i for i in doc.practical if i.answer.id == "pratique:ask_contact")
    assert contact.quotes.quotes[0].passages == ("telephone : 01 39 63 71 39",)  # the values the answer reads out
