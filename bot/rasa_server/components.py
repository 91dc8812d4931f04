"""Rasa NLU component that lets the red-flag detector overrule the intent classifier.

Placed last in the pipeline (after the intent classifier and the FallbackClassifier), so that a
reported red-flag symptom always yields `red_flag_<group>` with confidence 1, whatever the classifier said. The
classifier's own `red_flag_<group>` intents, trained on examples, stay as a second net. The
classifier's intent is kept on the entity (`original_intent`) so that the patient's other question
can be answered after the alert.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.intents import (
    FALLBACK_INTENT,
    UNCLEAR_SYMPTOM_INTENT,
    is_red_flag_intent,
    red_flag_group,
    red_flag_intent,
)
from bot.core.redflags import RedFlagDetector, default_detector
from bot.core.redflags.entity import build_entity

logger = logging.getLogger(__name__)

# Intents whose meaning an ambiguous-symptom match must not override (the patient is doing something
# else), besides the red flags themselves.
KEEP_ON_AMBIGUOUS = {"stop", "affirm", "deny"}
# A question the classifier is sure of keeps its answer even when it names a vague symptom ("en quoi le
# ciment calme le mal de dos ?"); those answers say when to call. Lower, the follow-up questions win.
CONFIDENT_QUESTION = 0.6


def ambiguity_overrides(original: Dict[str, Any], confident_question: float = CONFIDENT_QUESTION) -> bool:
    """Whether a vague-symptom match replaces the classifier's intent by `report_symptom_unclear` (pure)."""
    name = original.get("name") or ""
    if name in KEEP_ON_AMBIGUOUS or is_red_flag_intent(name):
        return False
    return not (name.startswith("ask_") and float(original.get("confidence") or 0.0) >= confident_question)


def without_red_flags(ranking: List[Dict[str, Any]], threshold: float, symptoms: bool = False) -> List[Dict[str, Any]]:
    """The ranking without red-flag intents (and the vague-symptom one if `symptoms`), renormalised; led
    by `nlu_fallback` when unsure (pure).

    Used when the classifier said "red flag" about words the detector read as negated, asked about,
    hypothetical or old ("je n'ai pas de fièvre", "que faire si ça saigne ?"), or "vague symptom" about
    a message that reports none ("tout s'est bien passé, elle remarche").
    """
    dropped = {FALLBACK_INTENT, UNCLEAR_SYMPTOM_INTENT} if symptoms else {FALLBACK_INTENT}
    rest = [r for r in ranking if not is_red_flag_intent(r.get("name")) and r.get("name") not in dropped]
    mass = sum(float(r.get("confidence") or 0.0) for r in rest)
    rest = [{**r, "confidence": float(r.get("confidence") or 0.0) / mass if mass else 0.0} for r in rest]
    if not rest or rest[0]["confidence"] < threshold:
        return [{"name": FALLBACK_INTENT, "confidence": threshold}, *rest]
    return rest


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagComponent(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # The FallbackClassifier's threshold (config.yml; a test keeps both equal).
            "fallback_threshold": 0.3,
            # Below it, a red flag only the classifier saw gets the follow-up questions, not the
            # emergency answer: measured in `make bench` (bench/redflags.py, whole NLU pipeline).
            "classifier_red_flag_confidence": 0.8,
            # The classifier's "vague symptom" starts the follow-up questions only when the detector reads
            # a current symptom in the message, or when the classifier is at least this sure and the
            # detector saw no symptom word it read as negated, old or asked about.
            "classifier_symptom_confidence": 0.8,
        }

    def __init__(self, detector: RedFlagDetector | None = None, config: Dict[str, Any] | None = None) -> None:
        self._detector = detector
        self.config = {**self.get_default_config(), **(config or {})}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagComponent:
        return cls(config=config)

    @property
    def detector(self) -> RedFlagDetector:
        if self._detector is None:
            self._detector = default_detector()
        return self._detector

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        if not text.strip():
            return
        doc = message.get(SPACY_DOCS[TEXT])
        original = message.get(INTENT) or {}
        report = self.detector.analyse(text, doc=doc)
        if report.group is not None:
            name = red_flag_intent(report.group)
            logger.warning("Red flag %s detected: %s", report.group, ", ".join(report.matched))
            self._set_intent(message, name)
            entities = [*(message.get(ENTITIES) or []), build_entity(report, original, text, type(self).__name__)]
            message.set(ENTITIES, entities, add_to_output=True)
            return
        name = str(original.get("name") or "")
        if is_red_flag_intent(name) and red_flag_group(name) in report.mentioned:
            # The classifier's second net fired on red-flag words of the same group that the detector
            # read as negated, asked about, hypothetical or old: not a report.
            ranking = without_red_flags(message.get(INTENT_RANKING_KEY) or [], self.config["fallback_threshold"])
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            original = ranking[0]
        elif is_red_flag_intent(name) and float(original.get("confidence") or 0.0) < self.config[
            "classifier_red_flag_confidence"
        ]:
            # An unsure second net: the follow-up questions still end on the emergency answer if needed.
            self._set_intent(message, UNCLEAR_SYMPTOM_INTENT)
            return
        if name == UNCLEAR_SYMPTOM_INTENT and not report.ambiguous and (
            float(original.get("confidence") or 0.0) < self.config["classifier_symptom_confidence"]
            or report.mentioned
        ):
            # No current symptom reported: answer what the message asks instead of starting the questions.
            ranking = without_red_flags(message.get(INTENT_RANKING_KEY) or [], self.config["fallback_threshold"],
                                        symptoms=True)
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            return
        if ambiguity_overrides(original) and report.ambiguous:
            self._set_intent(message, UNCLEAR_SYMPTOM_INTENT)

    @staticmethod
    def _set_intent(message: Message, name: str) -> None:
        intent = {"name": name, "confidence": 1.0}
        ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get("name") != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
