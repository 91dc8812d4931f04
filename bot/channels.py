"""Rasa input channels adapted to this project, configured in credentials.yml.

- `ValidatedRestInput`: Rasa's REST channel (same URL, /webhooks/rest/webhook) that answers malformed
  requests with a 400 and a French message instead of a 500.
Both start a new conversation with the disclaimer (`utter_disclaimer` of the domain). It is added here,
in the Rasa server's own process, rather than by a custom `action_session_start`: when the action
server is down, a failed session start would leave the tracker without its first `action_listen`, and
the emergency rules would no longer match.
- `OriginCheckedSocketIOInput`: Rasa's socket.io channel, which accepts every origin (Rasa creates its
  server with `cors_allowed_origins=[]`, and `--cors` does not reach WebSockets), limited to the web
  origins in ALLOWED_ORIGINS.
- `FrenchTwilioVoiceInput`: Rasa's Twilio Voice channel, in French, answers converted for speech
  (bot/voice.py). It keeps the name `twilio_voice`, so that `channel: twilio_voice` response
  variations in domain.yml apply to it.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from rasa.core.channels.twilio_voice import TwilioVoiceCollectingOutputChannel, TwilioVoiceInput
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

from bot.centre import fill, load_centre
from bot.settings import allowed_origins
from bot.voice import spoken_choices, to_speech

logger = logging.getLogger(__name__)

LANGUAGE = "fr-FR"
MAX_MESSAGE_CHARS = 20_000  # longer messages are cut, not refused: the patient still gets an answer
MAX_SENDER_CHARS = 255


def parse_rest_request(body: bytes) -> tuple[str, str, dict | None] | str:
    """(sender, text, metadata) from a REST request body, or the reason it is refused (pure)."""
    try:
        data = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        return "le corps de la requête doit être du JSON valide (UTF-8)"
    if not isinstance(data, dict):
        return 'un objet JSON est attendu : {"sender": "...", "message": "..."}'
    sender, text, metadata = data.get("sender", "default"), data.get("message"), data.get("metadata")
    if isinstance(sender, (int, float)) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return "« sender » doit être un texte de 1 à 255 caractères"
    if not isinstance(text, str):
        return "« message » doit être un texte"
    if metadata is not None and not isinstance(metadata, dict):
        return "« metadata » doit être un objet JSON"
    return sender, text.replace("\x00", "")[:MAX_MESSAGE_CHARS], metadata


def is_emergency(message: dict[str, Any]) -> bool:
    custom = message.get("custom")
    return str(message.get("text", "")).startswith("🚨") or (isinstance(custom, dict) and bool(custom.get("urgence")))


def place_disclaimer(messages: list[dict[str, Any]], disclaimer: dict[str, Any]) -> list[dict[str, Any]]:
    """The disclaimer first, except that an emergency answer always stays the very first message (pure)."""
    lead = 0
    while lead < len(messages) and is_emergency(messages[lead]):
        lead += 1
    return [*messages[:lead], disclaimer, *messages[lead:]]


async def is_new_conversation(request: Request, sender_id: str) -> bool:
    tracker = await request.app.ctx.agent.tracker_store.retrieve(sender_id)
    return tracker is None or not any(isinstance(e, UserUttered) for e in tracker.events)


def disclaimer_text(request: Request) -> str:
    """The domain's disclaimer, with the centre's name filled in as Rasa fills its responses."""
    return fill(request.app.ctx.agent.domain.responses["utter_disclaimer"][0]["text"])


def voice_failure_text() -> str:
    """Said on the phone when a turn fails: never Twilio's English error message."""
    return (f"Je n'ai pas pu répondre, excusez-moi. Appelez le centre au {load_centre().phone}. "
            "En cas d'urgence, appelez le 15.")


def add_health_route(webhook: Blueprint) -> None:
    @webhook.route("/", methods=["GET"])
    async def health(request: Request) -> HTTPResponse:
        return response.json({"status": "ok"})


class OriginCheckedSocketIOInput(SocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        # Checked at the socket.io `connect`, not through Engine.IO's own CORS option: that option also
        # adds CORS headers, which Rasa's --cors adds too, and browsers refuse duplicated headers.
        origins = frozenset(allowed_origins())
        namespace = self.namespace or "/"
        rasa_connect = self.sio.handlers[namespace]["connect"]

        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if origin and origin not in origins:
                logger.warning("socket.io connection refused from origin %s", origin)
                return False
            return await rasa_connect(sid, environ, auth)

        self.sio.on("connect", namespace=namespace)(connect)
        return webhook


class ValidatedRestInput(RestInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("validated_rest_webhook", __name__)

        add_health_route(webhook)
        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            parsed = parse_rest_request(request.body)
            if isinstance(parsed, str):
                return response.json({"erreur": parsed}, status=400)
            sender, text, metadata = parsed
            new = await is_new_conversation(request, sender)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata)
                )
            except Exception:
                logger.exception("REST message failed (conversation %s)", sender)
            messages = collector.messages
            if new:
                messages = place_disclaimer(messages, {"recipient_id": sender, "text": disclaimer_text(request)})
            return response.json(messages)

        return webhook
MAX_SPEECH_CHARS = 2000  # a caller's transcript longer than this is noise


class FrenchVoiceOutput(TwilioVoiceCollectingOutputChannel):
    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=to_speech(text)))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        choices = spoken_choices([str(b.get("title", "")) for b in buttons])
        await self._persist_message(self._message(recipient_id, text=f"{to_speech(text)} {choices}".strip()))

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        return None  # the widget's emergency styling means nothing on the phone


class FrenchTwilioVoiceInput(TwilioVoiceInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("french_twilio_voice_webhook", __name__)

        add_health_route(webhook)
        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            form = request.form or {}
            sender_id = form.get("From")
            if not sender_id:
                return response.text("missing From", status=400)
            text: str | None = form.get("SpeechResult")
            if text is None and form.get("CallStatus") == "ringing":
                text = self.initial_prompt
            if text is not None:
                new = await is_new_conversation(request, sender_id)
                collector = FrenchVoiceOutput()
                try:
                    await on_new_message(
                        UserMessage(text[:MAX_SPEECH_CHARS], collector, sender_id, input_channel=self.name())
                    )
                except Exception:
                    logger.exception("voice message failed (call %s)", sender_id)
                messages = collector.messages or [{"text": to_speech(voice_failure_text())}]
                if new:
                    messages = place_disclaimer(messages, {"text": to_speech(disclaimer_text(request))})
            else:  # silence: repeat the last answer
                tracker = await request.app.ctx.agent.tracker_store.retrieve(sender_id)
                events = tracker.events if tracker else []
                last = next((e for e in reversed(events) if isinstance(e, BotUttered)), None)
                messages = [{"text": to_speech(last.text) if last and last.text else self.reprompt_fallback_phrase}]
            twiml = str(self._build_twilio_voice_response(messages))
            return response.text(twiml, content_type="text/xml; charset=utf-8")

        return webhook

    def _build_twilio_voice_response(self, messages: List[Dict[str, Any]]) -> VoiceResponse:
        voice_response = VoiceResponse()
        gather = Gather(
            input="speech",
            action=f"/webhooks/{self.name()}/webhook",
            actionOnEmptyResult=True,
            language=LANGUAGE,
            speechTimeout=self.speech_timeout,
            speechModel=self.speech_model,
            enhanced=self.enhanced,
        )
        texts = [m.get("text", "") for m in messages if m.get("text")] or [self.reprompt_fallback_phrase]
        for i, text in enumerate(texts):
            if i + 1 == len(texts):
                gather.say(text, voice=self.assistant_voice, language=LANGUAGE)
                voice_response.append(gather)
            else:
                voice_response.say(text, voice=self.assistant_voice, language=LANGUAGE)
                voice_response.pause(length=1)
        return voice_response
