"""The intent model file may hold only the types our own training writes (hole 3 of issue 14).

Two real payloads run code the moment skops builds them once their type is trusted: `builtins.exec`
with a Python string, and NumPy's `exec_command` with a shell command. The former check trusted whole
prefixes ("builtins.", "numpy.") and let both through.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio

from bot.core.intent_model import IntentModel
from bot.rasa_server.classifier import TRUSTED_TYPES, foreign_types

FORMER_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")


def training_pairs() -> tuple[list[str], list[str]]:
    data = {
        "greet": ["bonjour", "salut", "bonsoir", "coucou", "bonjour docteur"],
        "ask_fasting": ["faut il etre a jeun", "je dois venir a jeun ?", "jeun avant l'intervention",
                        "puis-je manger avant", "manger le matin de l'operation"],
        "ask_going_home": ["quand je rentre chez moi", "combien de temps a l'hopital", "je sors quand",
                           "hospitalisation combien de jours", "retour a la maison"],
    }
    return [t for ts in data.values() for t in ts], [label for label, ts in data.items() for _ in ts]


def test_the_trusted_list_is_exactly_what_a_fresh_model_holds() -> None:
    """Keeps TRUSTED_TYPES current: with and without sentence vectors, as `rasa train` writes it."""
    texts, labels = training_pairs()
    seen: set[str] = set()
    for vectors in (None, np.random.default_rng(0).normal(size=(len(texts), 8))):
        model = IntentModel(folds=3).fit(texts, labels, vectors)
        seen |= set(sio.get_untrusted_types(data=sio.dumps(model.parts())))
    assert seen == TRUSTED_TYPES


def exploit(tmp_path: Path, module: str, name: str, argument: str) -> Path:
    """A skops file whose "words" part is `module.name(argument)`, called while the file is loaded (skops
    builds an SGD loss by calling the type the file names: any callable, once trusted)."""
    schema = json.loads(zipfile.ZipFile(io.BytesIO(sio.dumps({"words": (argument,)}))).read("schema.json"))
    empty_dict = json.loads(zipfile.ZipFile(io.BytesIO(sio.dumps({}))).read("schema.json"))
    empty_dict.update({"__id__": 2})  # ids of separate dumps may collide
    empty_dict["key_types"]["__id__"] = 3
    schema["content"]["words"] = {
        "__class__": name, "__module__": module, "__loader__": "SGDNode",
        "__reduce__": {"args": schema["content"]["words"]}, "content": empty_dict, "__id__": 1,
    }
    path = tmp_path / "intent_model.skops"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("schema.json", json.dumps(schema))
    return path


PAYLOADS = [
    ("builtins", "exec", "open({marker!r}, 'w').write('pwned')"),
    ("numpy.distutils.exec_command", "exec_command", "touch {marker}"),
]


@pytest.mark.parametrize("module,name,argument", PAYLOADS)
def test_code_in_a_model_file_is_refused_before_it_runs(tmp_path: Path, module: str, name: str,
                                                         argument: str) -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.rasa_server.classifier import LinearIntentClassifier

    marker = tmp_path / "marker"
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("intent_classifier")
    with storage.write_to(resource) as directory:
        path = exploit(directory, module, name, argument.format(marker=str(marker)))
        (directory / "settings.json").write_text('{"vector_dim": 0, "vector_weight": 1.0}', encoding="utf-8")
        untrusted = sio.get_untrusted_types(file=path)
    assert untrusted == [f"{module}.{name}"]
    assert foreign_types(untrusted) == untrusted

    with pytest.raises(ValueError, match="unexpected types"):
        LinearIntentClassifier.load({}, storage, resource, ExecutionContext(GraphSchema({}), "test"))
    assert not marker.exists()

    # The former check: every type under a trusted prefix passed, and loading ran the payload.
    assert all(t.startswith(FORMER_PREFIXES) for t in untrusted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sio.load(path, trusted=untrusted)
    assert marker.exists()
