"""Rasa adapter for `bot.core.intent_model.IntentModel`: trains it, saves it in the model archive, ranks intents.

Sentence vectors come from the spaCy document that `SpacyNLP` puts on each message; the n-gram
features are the model's own, so the pipeline needs no featurizer. Saved with skops (as Rasa's own
scikit-learn classifiers are), and loaded only if every type skops does not trust by itself is one of
the exact types our own training writes (TRUSTED_TYPES): a model archive must not be able to run code,
and a prefix such as "builtins." or "numpy." would let `builtins.exec` or a NumPy function that runs
a shell command through.
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

from bot.core.intent_model import IntentModel, Ranking
from bot.core.intents import PAYLOAD_ONLY_INTENTS
from bot.core.requests import REQUESTS_KEY, Segment, choose_requests, merge_shared_answers, segments
from bot.core.scope import out_of_scope_first

logger = logging.getLogger(__name__)

# What `skops.io.get_untrusted_types` lists for a freshly trained IntentModel, and nothing else.
# tests/unit/test_model_types.py trains one and fails when this list is no longer exact (a scikit-learn
# upgrade may change it: review the new types before adding them).
TRUSTED_TYPES = frozenset({
    "scipy.sparse._csr.csr_matrix",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
})


def foreign_types(untrusted: List[str]) -> List[str]:
    """The types of a model file that our own dumps never contain (pure)."""
    return sorted(set(untrusted) - TRUSTED_TYPES)


# A message cut into more pieces than this is read whole (a pasted document, not a question).
MAX_SEGMENTS = 12


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
            foreign = foreign_types(untrusted)
            if foreign:
                raise ValueError(f"intent model holds unexpected types: {foreign}")
            parts = sio.load(path, trusted=sorted(set(untrusted) & TRUSTED_TYPES))
            settings = json.loads((directory / "settings.json").read_text(encoding="utf-8"))
        component.model = IntentModel.restore(parts, settings)
        return component

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None or not messages:
            return messages
        texts = [m.get(TEXT) or "" for m in messages]
        rankings = self.model.rank(texts, sentence_vectors(messages), top=self.config["ranking_length"])
        for message, text, whole in zip(messages, texts, rankings):
            ranking, requests = choose_requests(whole, self._segment_rankings(message, text))
            ranking, requests = out_of_scope_first(text, merge_shared_answers(ranking), requests)
            ranked = [{"name": name, "confidence": confidence} for name, confidence in ranking]
            message.set(INTENT, ranked[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranked, add_to_output=True)
            message.set(REQUESTS_KEY, [{"name": n, "confidence": c} for n, c in requests], add_to_output=True)
        return messages

    def _segment_rankings(self, message: Message, text: str) -> list[tuple[Segment, Ranking]]:
        """Each sentence or question clause of a long message, ranked on its own (bot/core/requests.py)."""
        parts = segments(text)
        if len(parts) < 2 or len(parts) > MAX_SEGMENTS:
            return []
        assert self.model is not None
        doc = message.get(SPACY_DOCS[TEXT])
        vectors = None
        if doc is not None:
            spans = [doc.char_span(p.start, p.end, alignment_mode="expand") for p in parts]
            if all(s is not None and len(s) for s in spans):
                vectors = np.array([s.vector for s in spans])
        rankings = self.model.rank([p.text for p in parts], vectors, top=self.config["ranking_length"])
        return list(zip(parts, rankings))
