"""Rasa adapter for `bot.intent_model.IntentModel`: trains it, saves it in the model archive, ranks intents.

Sentence vectors come from the spaCy document that `SpacyNLP` puts on each message; the n-gram
features are the model's own, so the pipeline needs no featurizer. Saved with skops (as Rasa's own
scikit-learn classifiers are), and loaded only if it holds nothing but scikit-learn, NumPy and SciPy
types: a model archive must not be able to run code.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intent_model import IntentModel
from bot.intents import PAYLOAD_ONLY_INTENTS

logger = logging.getLogger(__name__)

TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")


def sentence_vectors(messages: List[Message]) -> np.ndarray | None:
    docs = [m.get(SPACY_DOCS[TEXT]) for m in messages]
    if not docs or any(d is None for d in docs):
        return None
    return np.array([d.vector for d in docs])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP]

    @staticmethod
    def required_packages() -> List[str]:
        return ["sklearn", "skops"]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"C": 1.0, "calibration_folds": 5, "vector_weight": 1.0, "ranking_length": 10, "random_seed": 0}

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 model: IntentModel | None = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    def _new_model(self) -> IntentModel:
        return IntentModel(c=self.config["C"], folds=self.config["calibration_folds"],
                           vector_weight=self.config["vector_weight"], seed=self.config["random_seed"])

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            e for e in training_data.intent_examples
            if e.get(INTENT) and e.get(TEXT) and e.get(INTENT) not in PAYLOAD_ONLY_INTENTS
        ]
        model = self._new_model()
        model.fit([e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples], sentence_vectors(examples))
        self.model = model
        self._persist()
        return self._resource

    def _persist(self) -> None:
        import skops.io as sio

        assert self.model is not None
        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self.model.parts(), directory / "intent_model.skops")
            (directory / "settings.json").write_text(json.dumps(self.model.settings()), encoding="utf-8")

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        import skops.io as sio

        component = cls(config, model_storage, resource)
        with model_storage.read_from(resource) as directory:
            path = directory / "intent_model.skops"
            untrusted = sio.get_untrusted_types(file=path)
            foreign = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
            if foreign:
                raise ValueError(f"intent model holds unexpected types: {foreign}")
            parts = sio.load(path, trusted=untrusted)
            settings = json.loads((directory / "settings.json").read_text(encoding="utf-8"))
        component.model = IntentModel.restore(parts, settings)
        return component

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None or not messages:
            return messages
        texts = [m.get(TEXT) or "" for m in messages]
        rankings = self.model.rank(texts, sentence_vectors(messages), top=self.config["ranking_length"])
        for message, ranking in zip(messages, rankings):
            ranked = [{"name": name, "confidence": confidence} for name, confidence in ranking]
            message.set(INTENT, ranked[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranked, add_to_output=True)
        return messages
