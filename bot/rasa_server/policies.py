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
from bot.core.requests import REQUESTS_KEY

SECOND_REQUEST_ACTION = "action_answer_second_request"
FOLLOWUP_ACTION = "action_answer_followup"
FALLBACK_INTENT = "nlu_fallback"


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


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class SecondRequestPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Above RulePolicy (6): the rule's "listen now" after the first answer must yield to the second one.
        return {"priority": 7}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self, tracker: DialogueStateTracker, domain: Domain, rule_only_data: Dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        actions: list[str] = []
        user: UserUttered | None = None
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                user = event
                break
            if isinstance(event, ActionExecuted) and event.action_name and event.action_name != ACTION_LISTEN_NAME:
                actions.append(event.action_name)
        if user is not None and actions:
            choice = next_action(
                list((user.parse_data or {}).get(REQUESTS_KEY) or []), str(user.intent_name or ""),
                list(reversed(actions)), bool(tracker.active_loop_name),
            )
            if choice and choice in domain.action_names_or_texts:
                probabilities[domain.index_for_action(choice)] = 1.0
        return self._prediction(probabilities)


def followup_action(intent: str, ranking: list[dict[str, Any]], text: str, topic: str | None,
                    actions_since_user: list[str], in_form: bool) -> str | None:
    """What to predict for a message the fallback caught, read as a follow-up in context (pure)."""
    if actions_since_user:
        return ACTION_LISTEN_NAME if actions_since_user == [FOLLOWUP_ACTION] else None
    if in_form or intent != FALLBACK_INTENT or not aspect_in_context(ranking, topic, text):
        return None
    return FOLLOWUP_ACTION


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class FollowupInContextPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Above RulePolicy (6): its "ask to rephrase" rule yields to the follow-up read in context. Not 7:
        # Rasa wants distinct priorities (SecondRequestPolicy never predicts on a fallback anyway).
        return {"priority": 8}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self, tracker: DialogueStateTracker, domain: Domain, rule_only_data: Dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        actions: list[str] = []
        user: UserUttered | None = None
        before: list[Any] = []
        for index in range(len(tracker.events) - 1, -1, -1):
            event = tracker.events[index]
            if isinstance(event, UserUttered):
                user = event
                before = list(tracker.events)[:index]
                break
            if isinstance(event, ActionExecuted) and event.action_name and event.action_name != ACTION_LISTEN_NAME:
                actions.append(event.action_name)
        if user is not None:
            parse = user.parse_data or {}
            # The topic is read only where it can matter: a fallback, before any action.
            asked = not actions and user.intent_name == FALLBACK_INTENT
            topic = last_topic(e.as_dict() for e in before) if asked else None
            choice = followup_action(
                str(user.intent_name or ""), list(parse.get("intent_ranking") or []), str(user.text or ""),
                topic, list(reversed(actions)), bool(tracker.active_loop_name),
            )
            if choice and choice in domain.action_names_or_texts:
                probabilities[domain.index_for_action(choice)] = 1.0
        return self._prediction(probabilities)
