""""Cette réponse vous a aidé ?" and "Écouter" in real headless Chromium, against the real servers.

Only the browser's speech engine (speechSynthesis and its utterances) is replaced, by a recorder
with the voices each test needs: headless Chromium has no voice of its own.
"""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import create_engine, text

from bot.core.voice import to_speech

from .widget_helpers import CHROMIUM

pytestmark = pytest.mark.browser
if not CHROMIUM.exists():
    pytest.skip("Chromium absent (/usr/bin/chromium) : `make browser` l'installe", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from .widget_helpers import (  # noqa: E402
    ANSWER_TIMEOUT,
    AXE,
    SITE_ORIGIN,
    ask,
    axe_violations,
    bot_messages,
    open_widget,
    shot,
    storage_snapshot,
)

LOCAL_FRENCH = {"name": "Voix française locale", "lang": "fr-FR", "localService": True}
REMOTE_FRENCH = {"name": "Google français", "lang": "fr-FR", "localService": False}
LOCAL_ENGLISH = {"name": "Local English", "lang": "en-US", "localService": True}

# The speech engine, recording what it is asked to say; the voices are there at once, or arrive late as
# in Chrome.
SPEECH_ENGINE = """
(() => {
  const voices = %s;
  window.__voicesReady = %s;
  const listeners = [];
  window.__spoken = [];
  const engine = {
    speaking: false, pending: false, paused: false,
    getVoices: () => window.__voicesReady ? voices : [],
    speak(u) {
      window.__spoken.push({text: u.text, voice: u.voice && u.voice.name, lang: u.lang});
      window.__utterance = u;
    },
    cancel() {},
    pause() {}, resume() {},
    addEventListener(type, f) { if (type === "voiceschanged") listeners.push(f); },
    removeEventListener() {},
  };
  Object.defineProperty(window, "speechSynthesis", {value: engine, configurable: true});
  window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
  if (!window.__voicesReady) setTimeout(() => { window.__voicesReady = true; listeners.forEach((f) => f()); }, 300);
})();
"""


def speech_engine(page: Page, *voices: dict, late: bool = True) -> None:
    page.add_init_script(SPEECH_ENGINE % (json.dumps(list(voices)), "false" if late else "true"))


def last_answer(page: Page):
    return bot_messages(page).last


def session_id(page: Page) -> str:
    """The conversation id: the widget keeps the server's signed token, "<conversation id>.<signature>"."""
    return page.evaluate("JSON.parse(sessionStorage.getItem('assistant-vertebroplastie')).sessionId").split(".")[0]


def stored_feedback(rasa_server, conversation_id: str, expected_rows: int = 1) -> list[tuple]:
    """The feedback rows of a conversation, once the action server has written them."""
    engine = create_engine(rasa_server.database_url)
    query = text("SELECT answer, intent, value, comment FROM answer_feedback WHERE conversation_id = :c ORDER BY id")
    rows: list[tuple] = []
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                rows = [tuple(r) for r in conn.execute(query, {"c": conversation_id})]
            if len(rows) >= expected_rows and all(r[3] or r[2] == "oui" for r in rows):
                break
            time.sleep(0.5)
    finally:
        engine.dispose()
    return rows


def test_feedback_under_an_answer_and_never_under_an_emergency(page: Page, rasa_server) -> None:
    open_widget(page)
    ask(page, "je dois etre a jeun ?")
    answer = last_answer(page)
    group = answer.get_by_role("group", name="Cette réponse vous a aidé ?")
    expect(group.get_by_role("button", name="Oui")).to_be_visible()
    expect(group.get_by_role("button", name="Non")).to_be_visible()
    shot(page, "feedback")
    group.get_by_role("button", name="Oui").click()
    expect(answer).to_contain_text("Merci pour votre avis.")
    expect(answer.get_by_role("group", name="Cette réponse vous a aidé ?")).to_have_count(0)
    expect(page.get_by_label("Votre message")).to_be_focused()
    assert stored_feedback(rasa_server, session_id(page)) == [("utter_ask_fasting", "ask_fasting", "oui", "")]

    # an emergency answer, and the other question answered in the same turn: no feedback asked
    message = "je ne sens plus mes jambes depuis ce matin, et combien de temps dure l'intervention ?"
    page.get_by_label("Votre message").fill(message)
    page.get_by_label("Votre message").press("Enter")
    expect(page.locator(".msg--urgent").first).to_be_visible(timeout=ANSWER_TIMEOUT)
    page.wait_for_timeout(1500)
    expect(page.locator(".msg--urgent .feedback")).to_have_count(0)
    expect(page.get_by_role("group", name="Cette réponse vous a aidé ?")).to_have_count(0)
    # after reloading, the answered feedback stays answered
    page.reload()
    expect(bot_messages(page).filter(has_text="Merci pour votre avis.")).to_have_count(1)


def test_no_then_what_was_missing(page: Page, rasa_server) -> None:
    open_widget(page)
    ask(page, "combien de temps dure l'intervention ?")
    answer = last_answer(page)
    answer.get_by_role("button", name="Non").click()
    box = answer.get_by_label("Qu'est-ce qui manquait ? (facultatif)")
    expect(box).to_be_focused()
    expect(answer).to_contain_text("N'indiquez pas votre nom ni d'autres données d'identité")
    expect(answer.get_by_role("link", name="15")).to_have_attribute("href", "tel:15")
    page.wait_for_timeout(700)  # the conversation scrolls smoothly to the whole box
    box.fill("le temps total avec le réveil")
    shot(page, "feedback-comment")
    before = bot_messages(page).count()
    answer.get_by_role("button", name="Envoyer la remarque").click()
    expect(answer).to_contain_text("Merci pour votre avis.")
    expect(bot_messages(page)).to_have_count(before + 1, timeout=ANSWER_TIMEOUT)  # the assistant's thanks
    expect(last_answer(page)).to_contain_text("Merci. Votre remarque")
    rows = stored_feedback(rasa_server, session_id(page))
    assert rows == [("utter_ask_duration", "ask_duration", "non", "le temps total avec le réveil")]
    # no bubble for the feedback itself: the patient sees only what she typed
    expect(page.locator(".msg--user .text").filter(has_text="/feedback")).to_have_count(0)


def test_feedback_with_the_keyboard_only_never_blocks_the_next_question(page: Page, rasa_server) -> None:
    open_widget(page)
    ask(page, "je dois etre a jeun ?")
    no = last_answer(page).get_by_role("button", name="Non")
    for _ in range(20):
        page.keyboard.press("Shift+Tab")
        if no.evaluate("e => e.getRootNode().activeElement === e"):
            break
    else:
        pytest.fail("the feedback buttons cannot be reached with the keyboard")
    outline = no.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    box = last_answer(page).get_by_label("Qu'est-ce qui manquait ? (facultatif)")
    expect(box).to_be_focused()
    page.keyboard.type("combien d'heures avant")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(last_answer(page).get_by_role("button", name="Envoyer la remarque")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Votre message")).to_be_focused()
    assert stored_feedback(rasa_server, session_id(page))[0][2:] == ("non", "combien d'heures avant")

    # the next question straight away, and the unanswered feedback of an older answer goes
    page.keyboard.type("et pour rentrer chez moi ?")
    page.keyboard.press("Enter")
    expect(bot_messages(page).filter(has_text="2 à 4 heures")).to_have_count(1, timeout=ANSWER_TIMEOUT)
    page.wait_for_timeout(800)
    ask(page, "est ce que je pourrai conduire ?")
    expect(page.get_by_role("group", name="Cette réponse vous a aidé ?")).to_have_count(1)


@pytest.mark.parametrize("late", [True, False], ids=["voices-late", "voices-at-once"])
def test_read_aloud_says_the_voice_text_with_a_local_french_voice(page: Page, late: bool) -> None:
    speech_engine(page, REMOTE_FRENCH, LOCAL_ENGLISH, LOCAL_FRENCH, late=late)
    open_widget(page)
    ask(page, "combien de temps dure l'intervention ?")
    answer = last_answer(page)
    listen = answer.get_by_role("button", name="Écouter cette réponse")
    expect(listen).to_be_visible()
    shot(page, "read-aloud")
    state = page.evaluate("JSON.parse(sessionStorage.getItem('assistant-vertebroplastie'))")
    written = [m for m in state["messages"] if m["from"] == "bot"][-1]["text"]
    listen.click()
    spoken = page.evaluate("window.__spoken")
    assert spoken == [{"text": to_speech(written), "voice": "Voix française locale", "lang": "fr-FR"}]
    assert "1 heure 30" in spoken[0]["text"] and "1 h 30" in written
    stop = answer.get_by_role("button", name="Arrêter la lecture")
    expect(stop).to_be_visible()
    shot(page, "read-aloud-playing")
    page.evaluate("window.__utterance.onend()")
    expect(answer.get_by_role("button", name="Écouter cette réponse")).to_be_visible()


@pytest.mark.parametrize("voices", [(), (REMOTE_FRENCH, LOCAL_ENGLISH)], ids=["no-voice", "no-local-french-voice"])
def test_no_read_aloud_without_a_local_french_voice(page: Page, voices: tuple) -> None:
    speech_engine(page, *voices)
    open_widget(page)
    ask(page, "je dois etre a jeun ?")
    page.wait_for_timeout(600)
    expect(page.get_by_role("button", name="Écouter cette réponse")).to_have_count(0)
    assert page.evaluate("window.__spoken") == []


def test_headless_chromium_without_voices_shows_no_read_aloud_button(page: Page) -> None:
    open_widget(page)
    ask(page, "je dois etre a jeun ?")
    expect(page.get_by_role("button", name="Écouter cette réponse")).to_have_count(0)


def test_text_size_is_remembered_only_once_the_widget_is_opened(page: Page) -> None:
    speech_engine(page, LOCAL_FRENCH)
    page.goto(SITE_ORIGIN + "/")
    page.wait_for_timeout(800)
    assert storage_snapshot(page) == {"session": 0, "local": 0, "cookies": "", "idb": 0}
    open_widget(page)
    page.get_by_role("button", name="Agrandir la taille du texte").click()
    size = page.evaluate("JSON.parse(sessionStorage.getItem('assistant-vertebroplastie')).size")
    page.reload()
    assert page.evaluate("JSON.parse(sessionStorage.getItem('assistant-vertebroplastie')).size") == size == 2
    assert storage_snapshot(page)["local"] == 0


def test_feedback_and_read_aloud_pass_the_accessibility_audit(page: Page) -> None:
    assert AXE.exists(), f"{AXE} missing: run `bash web/build.sh`"
    page.add_init_script(path=str(AXE))
    speech_engine(page, LOCAL_FRENCH)
    open_widget(page)
    ask(page, "je dois etre a jeun ?")
    ask(page, "combien de temps dure l'intervention ?")
    last_answer(page).get_by_role("button", name="Non").click()
    expect(last_answer(page).get_by_label("Qu'est-ce qui manquait ? (facultatif)")).to_be_visible()
    expect(page.get_by_role("button", name="Écouter cette réponse").first).to_be_visible()
    page.wait_for_timeout(500)
    bad = axe_violations(page, "widget-feedback-axe")
    assert not bad, "\n".join(bad)
