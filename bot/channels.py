"""Rasa input channels adapted to this project, configured in credentials.yml.

- `ValidatedRestInput`: Rasa's REST channel (same URL, /webhooks/rest/webhook) that answers malformed
  requests with a 400 and a French message instead of a 500.
Both start a new conversation with the disclaimer (`utter_disclaimer` of the domain). It is added here,
in the Rasa server's own process, rather than by a custom `action_session_start`: when the action
server is down, a failed session start would leave the tracker without its first `action_listen`, and
the emergency rules would no longer match.
- `OriginCheckedSocketIOInput`: Rasa's socket.io channel, which accepts every origin (Rasa creates its
  server with `cors_allowed_origins=[]`, and `--cors` does not reach WebSockets), limited to the web
  origins in ALLOWED_ORIGINS. Its messages also name the answer (`metadata.utter_action`, which Rasa's
  socket.io output drops) and say whether the widget asks "Cette réponse vous a aidé ?" under it.
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
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from rasa.core.channels.twilio_voice import TwilioVoiceCollectingOutputChannel, TwilioVoiceInput
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

from bot.feedback import asks_feedback
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
    return request.app.ctx.agent.domain.responses["utter_disclaimer"][0]["text"]


def add_health_route(webhook: Blueprint) -> None:
    @webhook.route("/", methods=["GET"])
    async def health(request: Request) -> HTTPResponse:
        return response.json({"status": "ok"})


def answer_metadata(kwargs: dict[str, Any]) -> dict[str, Any]:
    """What the widget needs to know of an answer: its name, and whether to ask for feedback (pure)."""
    name = kwargs.get("utter_action")
    if not isinstance(name, str) or not name:
        return {}
    return {"metadata": {"utter_action": name, "ask_feedback": asks_feedback(name)}}


class AnswerNamingSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output (a text split at blank lines, quick replies on the last part), with the
    answer's metadata on the last part."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_parts(recipient_id, text, {}, kwargs)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        replies = [{"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons]
        await self._send_parts(recipient_id, text, {"quick_replies": replies}, kwargs)

    async def _send_parts(self, recipient_id: str, text: str, last: dict[str, Any], kwargs: dict[str, Any]) -> None:
        parts = text.strip().split("\n\n") or [text]
        for i, part in enumerate(parts):
            message: dict[str, Any] = {"text": part}
            if i == len(parts) - 1:
                message.update(last)
                message.update(answer_metadata(kwargs))
            await self._send_message(recipient_id, message)


class OriginCheckedSocketIOInput(SocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        assert self.sio is not None
        self._handle_messages_with(AnswerNamingSocketIOOutput, on_new_message)
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

    def _handle_messages_with(
        self, output: type[SocketIOOutput], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Rasa's own `user_uttered` handler (rasa/core/channels/socketio.py), with our output channel."""
        sio = self.sio
        assert sio is not None

        async def handle_message(sid: str, data: Dict) -> None:
            if not isinstance(data, dict):
                return
            if self.session_persistence:
                if not data.get("session_id"):
                    logger.warning("socket.io message without a session_id ignored")
                    return
                sender_id = data["session_id"]
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key, {})
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            text = data.get("message", "")
            if not isinstance(text, str):
                text = ""
            message = UserMessage(
                text[:MAX_MESSAGE_CHARS],
                output(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=metadata,
            )
            await on_new_message(message)

        sio.on(self.user_message_evt, namespace=self.namespace)(handle_message)


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
                await on_new_message(
                    UserMessage(text[:MAX_SPEECH_CHARS], collector, sender_id, input_channel=self.name())
                )
                messages = collector.messages
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
