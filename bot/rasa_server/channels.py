"""Rasa input channels adapted to this project, configured in credentials.yml.

- `ValidatedRestInput`: Rasa's REST channel (same URL, /webhooks/rest/webhook) that answers malformed
  requests with a 400 and a French message instead of a 500.
- `OriginCheckedSocketIOInput`: Rasa's socket.io channel, which accepts every origin (Rasa creates its
  server with `cors_allowed_origins=[]`, and `--cors` does not reach WebSockets), limited to the web
  origins in ALLOWED_ORIGINS. Its messages also name the answer (`metadata.utter_action`, which Rasa's
  socket.io output drops) and say whether the widget asks "Cette réponse vous a aidé ?" under it.
- `FrenchTwilioVoiceInput`: Rasa's Twilio Voice channel, in French, answers converted for speech
  (bot/core/voice.py). It keeps the name `twilio_voice`, so that `channel: twilio_voice` response
  variations in domain.yml apply to it.

The REST and voice channels start a new conversation with the disclaimer (`utter_disclaimer` of the
domain). It is added here, in the Rasa server's own process, rather than by a custom
`action_session_start`: when the action server is down, a failed session start would leave the tracker
without its first `action_listen`, and the emergency rules would no longer match. The socket.io channel
adds none: the widget shows its own disclaimer above the conversation (web/src/strings.js).

Conversation ids are issued by the server (bot/core/conversation_ids.py): the widget and REST clients hold
a signed token, a phone call is its Twilio `CallSid` behind a checked Twilio signature; the id of
each channel has its own prefix ("web-", "rest-", "tel-"), so no channel can write into another's
conversations, and no client into a conversation it was not given.
"""

from __future__ import annotations

import inspect
import json
import logging
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from rasa.core.channels.twilio_voice import TwilioVoiceCollectingOutputChannel, TwilioVoiceInput
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

from bot.core import conversation_ids as ids
from bot.core.centre import fill, load_centre
from bot.core.feedback import asks_feedback
from bot.core.rate_limit import RateLimiter
from bot.core.twilio_signature import refusal
from bot.core.voice import spoken_choices, to_speech
from bot.settings import allowed_origins, conversation_token_key, is_production, rasa_public_url, twilio_auth_token

logger = logging.getLogger(__name__)

LANGUAGE = "fr-FR"
MAX_MESSAGE_CHARS = 20_000  # longer messages are cut, not refused: the patient still gets an answer
MAX_SENDER_CHARS = 320  # a signed token: an id of up to 250 characters, a dot and the signature
# Engine.IO refuses bigger packets and drops the socket (its default is 1 MB). A message of MAX_MESSAGE_CHARS
# characters fits in any JSON encoding (a client escaping every character as \uXXXX\uXXXX needs 12 bytes
# each); longer ones are cut, as on REST. nginx and the ingress cap request bodies at 1 MB.
MAX_SOCKET_PAYLOAD_BYTES = 256_000
# Per conversation on socket.io: 20 messages at once, then one every 2 s. Nobody types faster; a
# WebSocket is one request for nginx, so this is the only limit on what it carries.
SOCKET_BURST, SOCKET_REFILL_PER_SECOND = 20, 0.5
TOO_FAST = ("Vous envoyez beaucoup de messages à la suite : patientez quelques secondes avant d'écrire "
            "de nouveau. En cas d'urgence, appelez le 15.")
REST_TOKEN_REQUIRED = ("« sender » doit être un jeton de conversation délivré par POST /webhooks/rest/session "
                       "(obligatoire en production)")


@lru_cache(maxsize=1)
def token_key() -> str:
    """One key per process for every channel (random in development when none is configured)."""
    return ids.signing_key(conversation_token_key(), is_production())


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
        return f"« sender » doit être un texte de 1 à {MAX_SENDER_CHARS} caractères"
    if not isinstance(text, str):
        return "« message » doit être un texte"
    if metadata is not None and not isinstance(metadata, dict):
        return "« metadata » doit être un objet JSON"
    return sender, clean_text(text), metadata


def clean_text(text: str) -> str:
    return text.replace("\x00", "")[:MAX_MESSAGE_CHARS]


def is_emergency(message: dict[str, Any]) -> bool:
    return str(message.get("text", "")).startswith("🚨")  # every emergency answer's mark (domain.yml)


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
    """The widget's channel: origins checked, conversation given by the server, messages capped."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None
        sio.eio.max_http_buffer_size = MAX_SOCKET_PAYLOAD_BYTES
        key = token_key()
        limiter = RateLimiter(SOCKET_BURST, SOCKET_REFILL_PER_SECOND)
        # Checked at the socket.io `connect`, not through Engine.IO's own CORS option: that option also
        # adds CORS headers, which Rasa's --cors adds too, and browsers refuse duplicated headers.
        origins = frozenset(allowed_origins())
        namespace = self.namespace or "/"
        rasa_connect = sio.handlers[namespace]["connect"]

        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if origin and origin not in origins:
                logger.warning("socket.io connection refused from origin %s", origin)
                return False
            return await rasa_connect(sid, environ, auth)

        async def session_request(sid: str, data: Any) -> None:
            # The client's token names its conversation only if we signed it; anything else (nothing, an
            # id of its choosing, another channel's token, a forgery) gets a new conversation.
            token = data.get("session_id") if isinstance(data, dict) else None
            conversation_id = ids.verify(token, key, ids.WEB)
            if conversation_id is None:
                conversation_id = ids.new_conversation_id(ids.WEB)
                token = ids.sign(conversation_id, key)
            session = await sio.get_session(sid, namespace=namespace)
            previous = session.get("conversation_id")
            if previous and previous != conversation_id:
                await _maybe_await(sio.leave_room(sid, previous, namespace=namespace))
            # python-socketio >= 5.10 made enter_room a coroutine (../shared/stack.md): await it if so.
            await _maybe_await(sio.enter_room(sid, conversation_id, namespace=namespace))
            session["conversation_id"] = conversation_id
            await sio.save_session(sid, session, namespace=namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=namespace)

        async def handle_message(sid: str, data: Any) -> None:
            # The conversation is the one this socket was given: the `session_id` a client sends is ignored.
            conversation_id = (await sio.get_session(sid, namespace=namespace)).get("conversation_id")
            if not conversation_id or not isinstance(data, dict) or not isinstance(data.get("message"), str):
                logger.warning("socket.io message without a session or a text: ignored")
                return
            output = AnswerNamingSocketIOOutput(sio, self.bot_message_evt)
            if not limiter.allow(conversation_id):
                await sio.emit(self.bot_message_evt, {"text": TOO_FAST}, room=sid, namespace=namespace)
                return
            metadata = data.get(self.metadata_key)
            await on_new_message(
                UserMessage(clean_text(data["message"]), output, conversation_id, input_channel=self.name(),
                            metadata=metadata if isinstance(metadata, dict) else None)
            )

        sio.on("connect", namespace=namespace)(connect)
        sio.on("session_request", namespace=namespace)(session_request)
        sio.on(self.user_message_evt, namespace=namespace)(handle_message)
        return webhook


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):
        await result


class ValidatedRestInput(RestInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("validated_rest_webhook", __name__)
        key = token_key()
        require_token = is_production()

        add_health_route(webhook)

        @webhook.route("/session", methods=["POST"])
        async def new_session(request: Request) -> HTTPResponse:
            conversation_id = ids.new_conversation_id(ids.REST)
            return response.json({"sender": ids.sign(conversation_id, key), "conversation_id": conversation_id})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            parsed = parse_rest_request(request.body)
            if isinstance(parsed, str):
                return response.json({"erreur": parsed}, status=400)
            sender, text, metadata = parsed
            conversation_id = ids.rest_conversation_id(sender, key, require_token)
            if conversation_id is None:
                return response.json({"erreur": REST_TOKEN_REQUIRED}, status=403)
            new = await is_new_conversation(request, conversation_id)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, conversation_id, input_channel=self.name(), metadata=metadata)
                )
            except Exception:
                logger.exception("REST message failed (conversation %s)", conversation_id)
            messages = collector.messages
            if new:
                messages = place_disclaimer(
                    messages, {"recipient_id": conversation_id, "text": disclaimer_text(request)}
                )
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
        return None  # a screen's payload: nothing to say on the phone


class FrenchTwilioVoiceInput(TwilioVoiceInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("french_twilio_voice_webhook", __name__)
        auth_token, production, public_url = twilio_auth_token(), is_production(), rasa_public_url()
        if not auth_token:
            log = logger.error if production else logger.warning
            log("TWILIO_AUTH_TOKEN not set: phone webhook requests are %s",
                "all refused (production)" if production else "accepted unsigned (development only)")

        add_health_route(webhook)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            form = request.form or RequestParameters()
            # Twilio signs the URL it called, which is the public one, not the one behind the proxy.
            url = public_url + request.path + (f"?{request.query_string}" if request.query_string else "")
            params = dict(form)  # every value is the list of the values sent under that name
            reason = refusal(auth_token, production, url, params, request.headers.get("X-Twilio-Signature"))
            if reason:
                logger.warning("phone webhook request refused: %s", reason)
                return response.text("forbidden", status=403)
            # The call, not the caller's number: a number is no secret, and hidden numbers all look alike.
            # The number itself is never stored; a caller who wants a callback gives it to the form.
            sender_id = ids.phone_conversation_id(form.get("CallSid"))
            if sender_id is None:
                return response.text("missing or malformed CallSid", status=400)
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
            else:  # silence: repeat the last answer of this call
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
