"""Dialogue policies of our own: the second request of a message; a follow-up read in context.

SecondRequestPolicy answers the second request of a message after the first one's answer.

The first request is answered by the rules, as any single question, without the action server; this
policy then predicts `action_answer_second_request` once, then listening. It reads what the
classifier wrote in the parse data (`requests`, bot/core/requests.py) and stays silent otherwise: when the
red-flag component or the fallback replaced the intent, during a form, or for a single request.

FollowupInContextPolicy answers a short message the classifier could not read ("et c'est pour
toujours ?") as a follow-up of the previous answer when its follow-up intents point that way
(bot/core/followups.py: aspect_in_context), instead of asking to rephrase.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.followups import aspect_in_context, last_topic
from bot.core.intents import FALLBACK_INTENT
from bot.core.requests import REQUESTS_KEY

SECOND_REQUEST_ACTION = "action_answer_second_request"
FOLLOWUP_ACTION = "action_answer_followup"


def next_action(
    requests: list[dict[str, Any]], intent: str, actions_since_user: list[str], in_form: bool
) -> str | None:
    """What to predict after the actions that followed the user's message (pure), or None to abstain."""
    if SECOND_REQUEST_ACTION in actions_since_user:
        return ACTION_LISTEN_NAME if actions_since_user[-1] == SECOND_REQUEST_ACTION else None
    if in_form or len(requests) < 2 or requests[0].get("name") != intent:
        return None
    # After the first answer (a rule's single action), before listening.
    return SECOND_REQUEST_ACTION if len(actions_since_user) == 1 else None


@dataclass(frozen=True)
class Turn:
    """The latest user message, the actions run since it (oldest first), and the events before it."""

    user: UserUttered
    actions: list[str]
    before: list[Any]


def current_turn(tracker: DialogueStateTracker) -> Turn | None:
    events = list(tracker.events)
    actions: list[str] = []
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, UserUttered):
            return Turn(event, list(reversed(actions)), events[:index])
        if isinstance(event, ActionExecuted) and event.action_name and event.action_name != ACTION_LISTEN_NAME:
            actions.append(event.action_name)
    return None


class TurnPolicy(Policy):
    """A policy that predicts one action, or abstains, from the current turn alone (no training)."""

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def choose(self, turn: Turn, in_form: bool) -> str | None:
        raise NotImplementedError

    def predict_action_probabilities(
        self, tracker: DialogueStateTracker, domain: Domain, rule_only_data: Dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        turn = current_turn(tracker)
        choice = self.choose(turn, bool(tracker.active_loop_name)) if turn else None
        if choice and choice in domain.action_names_or_texts:
            probabilities[domain.index_for_action(choice)] = 1.0
        return self._prediction(probabilities)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class SecondRequestPolicy(TurnPolicy):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Above RulePolicy (6): the rule's "listen now" after the first answer must yield to the second one.
        return {"priority": 7}

    def choose(self, turn: Turn, in_form: bool) -> str | None:
        if not turn.actions:
            return None
        requests = list((turn.user.parse_data or {}).get(REQUESTS_KEY) or [])
        return next_action(requests, str(turn.user.intent_name or ""), turn.actions, in_form)


def followup_action(intent: str, ranking: list[dict[str, Any]], text: str, topic: str | None,
                    actions_since_user: list[str], in_form: bool) -> str | None:
    """What to predict for a message the fallback caught, read as a follow-up in context (pure)."""
    if actions_since_user:
        return ACTION_LISTEN_NAME if actions_since_user == [FOLLOWUP_ACTION] else None
    if in_form or intent != FALLBACK_INTENT or not aspect_in_context(ranking, topic, text):
        return None
    return FOLLOWUP_ACTION


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class FollowupInContextPolicy(TurnPolicy):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Above RulePolicy (6): its "ask to rephrase" rule yields to the follow-up read in context. Not 7:
        # Rasa wants distinct priorities (SecondRequestPolicy never predicts on a fallback anyway).
        return {"priority": 8}

    def choose(self, turn: Turn, in_form: bool) -> str | None:
        # The topic is read only where it can matter: a fallback, before any action.
        asked = not turn.actions and turn.user.intent_name == FALLBACK_INTENT
        topic = last_topic(e.as_dict() for e in turn.before) if asked else None
        return followup_action(
            str(turn.user.intent_name or ""), list((turn.user.parse_data or {}).get("intent_ranking") or []),
            str(turn.user.text or ""), topic, turn.actions, in_form,
        )
