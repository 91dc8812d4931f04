"""Test data for the console: real Rasa trackers saved by Rasa's SQLTrackerStore, project rows, logins."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.storage.models import Alert, AnswerFeedback, CallbackRequest, utcnow
from bot.storage.session import session_scope

PASSWORD = "mot-de-passe-de-test"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DAY = 86400.0

XSS = "<script>alert('xss')</script><img src=x onerror=alert(1)>"


def user(text: str, intent: str, confidence: float = 0.95, entities: list[dict[str, Any]] | None = None) -> tuple:
    return ("user", text, intent, confidence, entities or [])


def bot(text: str, buttons: list[str] | None = None, answer: str | None = None) -> tuple:
    """A bot message; `answer` is its name (Rasa's `utter_action` metadata)."""
    return ("bot", text, buttons or [], answer)


def form(name: str | None) -> tuple:
    return ("form", name)


@dataclass
class Seeder:
    """Writes conversations the way Rasa does: DialogueStateTracker events saved by SQLTrackerStore."""

    store: SQLTrackerStore
    url: str
    ids: list[str] = field(default_factory=list)

    def conversation(self, sender_id: str, turns: list[tuple], start: float | None = None, step: float = 5.0) -> None:
        t = start if start is not None else time.time() - 600
        tracker = DialogueStateTracker(sender_id, slots=[])
        tracker.update(ActionExecuted("action_session_start", timestamp=t))
        tracker.update(SessionStarted(timestamp=t))
        tracker.update(ActionExecuted("action_listen", timestamp=t))
        self._play(tracker, turns, t, step)
        self.ids.append(sender_id)

    def resume(self, sender_id: str, turns: list[tuple], start: float | None = None, step: float = 5.0) -> None:
        """More turns in an existing conversation, read back and saved by Rasa's tracker store."""
        tracker = asyncio.run(self.store.retrieve(sender_id))
        assert tracker is not None, sender_id
        self._play(tracker, turns, start if start is not None else time.time() - 60, step)

    def _play(self, tracker: DialogueStateTracker, turns: list[tuple], t: float, step: float) -> None:
        for turn in turns:
            t += step
            if turn[0] == "user":
                _, text, intent, confidence, entities = turn
                parse = {"intent": {"name": intent, "confidence": confidence}, "entities": entities, "text": text}
                tracker.update(
                    UserUttered(text, intent=parse["intent"], entities=entities, parse_data=parse, timestamp=t)
                )
            elif turn[0] == "bot":
                _, text, buttons, answer = turn
                data = {"buttons": [{"title": b, "payload": f"/{b}"} for b in buttons]} if buttons else {}
                metadata = {"utter_action": answer} if answer else {}
                tracker.update(ActionExecuted(answer or "utter_reponse", timestamp=t))
                tracker.update(BotUttered(text, data=data, metadata=metadata, timestamp=t))
                tracker.update(ActionExecuted("action_listen", timestamp=t))
            elif turn[0] == "form":
                tracker.update(ActiveLoop(turn[1], timestamp=t))
        asyncio.run(self.store.save(tracker))

    def alert(self, conversation_id: str, group: str = "A", text: str = "", acknowledged_by: str | None = None) -> int:
        with session_scope(self.url) as s:
            a = Alert(conversation_id=conversation_id, group=group, matched="jambe | sentir", message_text=text)
            if acknowledged_by:
                a.acknowledged_by, a.acknowledged_at = acknowledged_by, utcnow()
            s.add(a)
            s.flush()
            return int(a.id)

    def feedback(self, conversation_id: str, value: str, answer: str, intent: str, comment: str = "") -> None:
        """A "Oui" / "Non" on the answer of that name, as action_store_feedback stores it."""
        tracker = asyncio.run(self.store.retrieve(conversation_id))
        assert tracker is not None, conversation_id
        bots = [e for e in tracker.events if isinstance(e, BotUttered) and e.metadata.get("utter_action") == answer]
        users = [e for e in tracker.events if isinstance(e, UserUttered) and e.timestamp < bots[-1].timestamp]
        with session_scope(self.url) as s:
            s.add(AnswerFeedback(conversation_id=conversation_id, answer=answer, intent=intent, value=value,
                                 comment=comment, answer_at=bots[-1].timestamp, question_at=users[-1].timestamp))

    def callback(
        self, conversation_id: str, name: str = "Jean Dupont", phone: str = "0612345678", reason: str = "Rendez-vous"
    ) -> int:
        with session_scope(self.url) as s:
            c = CallbackRequest(
                conversation_id=conversation_id, name=name, phone=phone, time_slot="matin", reason=reason
            )
            s.add(c)
            s.flush()
            return int(c.id)

    def sample(self) -> dict[str, str]:
        """A small realistic set of conversations; returns their ids by kind."""
        now = time.time()
        self.conversation(
            "conv-alarme",
            [
                user("bonjour", "greet"),
                bot("Bonjour, je suis l'assistant du centre."),
                user(
                    "depuis hier je ne sens plus ma jambe gauche",
                    "red_flag_a",
                    0.99,
                    [{"entity": "red_flag", "value": "A", "start": 0, "end": 5}],
                ),
                bot("Appelez le 15 immédiatement."),
            ],
            start=now - 3600,
        )
        self.alert("conv-alarme", "A", "depuis hier je ne sens plus ma jambe gauche")
        self.conversation(
            "conv-reponse",
            [user("combien de temps dure l'intervention ?", "ask_duration", 0.91), bot("Environ une heure.")],
            start=now - 2 * 3600,
        )
        self.conversation(
            "conv-incompris",
            [
                user("rappelez ma fille au 06 12 34 56 78 ou marie@exemple.fr", "nlu_fallback", 0.31),
                bot("Je n'ai pas compris."),
            ],
            start=now - 3 * 3600,
        )
        self.conversation(
            "conv-rappel",
            [
                user("je veux parler à quelqu'un", "request_human", 0.97),
                bot("Je peux transmettre une demande de rappel.", ["Oui", "Non"]),
                form("callback_form"),
                user("Jean Dupont", "inform", 0.8),
                bot("Merci, c'est noté."),
                form(None),
            ],
            start=now - 4 * 3600,
        )
        self.callback("conv-rappel", reason="Appelez-moi au 06 98 76 54 32 svp")
        self.conversation(
            "conv-ancienne",
            [user("faut-il être à jeun ?", "ask_fasting", 0.88), bot("Oui, six heures avant.")],
            start=now - 100 * DAY,
        )
        return {
            "alarme": "conv-alarme",
            "reponse": "conv-reponse",
            "incompris": "conv-incompris",
            "rappel": "conv-rappel",
            "ancienne": "conv-ancienne",
        }


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD, **kw: Any) -> Any:
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}, **kw)


class FakeClock:
    """A controllable "now" (naive UTC) for create_app(clock=...): sessions and locks age on demand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


PHONE = "06 12 34 56 78"


def click(value: str, answer: str) -> tuple:
    """The widget's payload for "Oui" / "Non", as Rasa records it."""
    entities = [{"entity": "feedback_value", "value": value}, {"entity": "feedback_answer", "value": answer}]
    return user(f'/feedback{{"feedback_value": "{value}", "feedback_answer": "{answer}"}}', "feedback", 1.0, entities)


def feedback_sample(seeder: Seeder) -> None:
    """Answers with a "Non" (and its comment) and a "Oui", a message understood with low confidence, one
    not understood."""
    now = time.time()
    seeder.conversation("conv-jeun", [
        user("je dois etre a jeun ?", "ask_fasting", 0.9),
        bot("Oui, il faut venir à jeun.", ["La sédation"], answer="utter_ask_fasting"),
        click("non", "utter_ask_fasting"),
    ], start=now - 3600)
    seeder.feedback("conv-jeun", "non", "utter_ask_fasting", "ask_fasting", f"combien d'heures ? rappelez le {PHONE}")
    seeder.conversation("conv-maison", [
        user("quand est ce que je rentre chez moi", "ask_going_home", 0.95),
        bot("Après 2 à 4 heures de surveillance.", answer="utter_ask_going_home"),
        click("oui", "utter_ask_going_home"),
    ], start=now - 7200)
    seeder.feedback("conv-maison", "oui", "utter_ask_going_home", "ask_going_home")
    seeder.conversation("conv-flou", [
        user("le truc pour le dos ca se passe comment", "ask_procedure_steps", 0.41),
        bot("Vous êtes installé sur le ventre…", answer="utter_ask_procedure_steps"),
    ], start=now - 1800)
    seeder.conversation("conv-incompris", [
        user(f"blorp appelez ma fille au {PHONE}", "nlu_fallback", 0.2),
        bot("Je n'ai pas bien compris.", answer="utter_default"),
    ], start=now - 900)
