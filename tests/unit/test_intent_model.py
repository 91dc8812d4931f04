"""The intent classifier on its own (bot/core/intent_model.py) and through its Rasa adapter, without spaCy."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from bot.core.intent_model import IntentModel

TRAIN = {
    "ask_fasting": ["faut il etre a jeun", "je peux manger avant", "a jeun combien de temps",
                    "est ce que je dois jeuner", "je peux boire un cafe le matin", "petit dejeuner autorise ?"],
    "ask_going_home": ["quand est ce que je rentre chez moi", "je sors le jour meme ?", "retour a la maison quand",
                       "combien de temps avant de partir", "je peux rentrer le soir", "on me garde la nuit ?"],
    "greet": ["bonjour", "salut", "bonsoir", "bjr", "bonjour madame", "hello"],
}


def training_pairs() -> tuple[list[str], list[str]]:
    texts = [t for ts in TRAIN.values() for t in ts]
    labels = [label for label, ts in TRAIN.items() for _ in ts]
    return texts, labels


@pytest.fixture(scope="module")
def model() -> IntentModel:
    texts, labels = training_pairs()
    return IntentModel(folds=3).fit(texts, labels)


def test_ranks_every_intent_with_probabilities_best_first(model: IntentModel) -> None:
    [ranking] = model.rank(["faut-il être à jeun ?"])
    assert [name for name, _ in ranking][0] == "ask_fasting"
    assert {name for name, _ in ranking} == set(TRAIN)
    confidences = [c for _, c in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)


def test_typos_and_missing_accents_still_match(model: IntentModel) -> None:
    rankings = model.rank(["bonjourrr", "kan est ce que je rentre a la maison", "je dois etre a jeunn ?"])
    assert [r[0][0] for r in rankings] == ["greet", "ask_going_home", "ask_fasting"]


def test_top_limits_the_ranking(model: IntentModel) -> None:
    assert len(model.rank(["bonjour"], top=2)[0]) == 2


def test_empty_text_gets_a_ranking_not_an_error(model: IntentModel) -> None:
    [ranking] = model.rank([""])
    assert len(ranking) == 3


def test_vectors_are_used_and_may_be_missing_at_prediction() -> None:
    texts, labels = training_pairs()
    rng = np.random.default_rng(0)
    centres = {label: rng.normal(size=8) for label in TRAIN}
    vectors = np.array([centres[label] + 0.01 * rng.normal(size=8) for label in labels])
    model = IntentModel(folds=3).fit(texts, labels, vectors)
    assert model.vector_dim == 8
    # A text of unseen words: the vector alone decides.
    [ranking] = model.rank(["zzz qqq"], np.array([centres["ask_going_home"]]))
    assert ranking[0][0] == "ask_going_home"
    # No vector: the n-grams decide, no error.
    assert model.rank(["bonjour"])[0][0][0] == "greet"


def test_training_is_reproducible() -> None:
    texts, labels = training_pairs()
    first = IntentModel(folds=3).fit(texts, labels).rank(["je rentre quand"])
    second = IntentModel(folds=3).fit(texts, labels).rank(["je rentre quand"])
    assert first == second


def test_refuses_too_little_data() -> None:
    with pytest.raises(ValueError):
        IntentModel().fit(["bonjour", "salut"], ["greet", "greet"])
    with pytest.raises(ValueError):
        IntentModel().fit(["bonjour", "a jeun"], ["greet", "ask_fasting"])
    with pytest.raises(RuntimeError):
        IntentModel().rank(["bonjour"])


def test_rasa_adapter_saves_and_loads_through_model_storage(tmp_path: Path) -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.rasa_server.classifier import LinearIntentClassifier

    texts, labels = training_pairs()
    storage = LocalModelStorage(tmp_path)
    resource = Resource("intent_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {"calibration_folds": 3}
    trainer = LinearIntentClassifier.create(config, storage, resource, context)
    data = TrainingData([Message(data={"text": t, "intent": i}) for t, i in zip(texts, labels)])
    trainer.train(data)

    loaded = LinearIntentClassifier.load(config, storage, resource, context)
    [message] = loaded.process([Message(data={"text": "bonsoir a vous"})])
    assert message.get("intent")["name"] == "greet"
    assert len(message.get("intent_ranking")) == 3


def test_rasa_adapter_refuses_a_model_file_holding_foreign_types(tmp_path: Path) -> None:
    import skops.io as sio
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.rasa_server.classifier import LinearIntentClassifier

    storage = LocalModelStorage(tmp_path)
    resource = Resource("intent_classifier")
    with storage.write_to(resource) as directory:
        sio.dump({"words": os.system}, directory / "intent_model.skops")
        (directory / "settings.json").write_text('{"vector_dim": 0, "vector_weight": 1.0}', encoding="utf-8")
    with pytest.raises(ValueError, match="unexpected types"):
        LinearIntentClassifier.load({}, storage, resource, ExecutionContext(GraphSchema({}), "test"))
