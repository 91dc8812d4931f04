"""The launcher's stand-ins (bot/serve.py), on throw-away modules: nothing of Rasa is imported here."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bot import serve

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh package on sys.path, with the launcher's finder installed for this test only."""
    name = f"standin_{uuid.uuid4().hex[:8]}"
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text("executed = []\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", [serve._FINDER, *sys.meta_path])
    yield name, tmp_path / name
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def write(path: Path, source: str) -> None:
    path.write_text(source, encoding="utf-8")
    importlib.invalidate_caches()


def test_top_level_names_lists_what_a_module_defines_or_imports() -> None:
    source = (
        "import os, numpy as np\nfrom a.b import c, d as e\nimport x.y\nX = 1\nY: int = 2\n"
        "def f(): inner = 3\nclass K: attr = 4\nif True:\n    G = 5\n"
        "try:\n    import h\nexcept ImportError:\n    H = 6\n"
    )
    assert serve.top_level_names(source) == {"os", "np", "c", "e", "x", "X", "Y", "f", "K", "G", "h", "H"}


def test_a_stand_in_module_runs_the_real_one_on_first_use_of_its_names(package, monkeypatch) -> None:
    name, path = package
    write(path / "heavy.py", f"import {name}\n{name}.executed.append('heavy')\n\ndef helper():\n    return 42\n")
    monkeypatch.setitem(serve.DEFERRED, f"{name}.heavy", ())
    parent = importlib.import_module(name)

    heavy = importlib.import_module(f"{name}.heavy")
    assert parent.executed == []
    # Scanners that try every module (pickle's whichmodule) do not run it.
    assert not hasattr(heavy, "erf") and not hasattr(heavy, "__file__")
    assert parent.executed == []

    assert heavy.helper() == 42
    assert parent.executed == ["heavy"]
    assert sys.modules[f"{name}.heavy"].helper() == 42
    assert parent.heavy is sys.modules[f"{name}.heavy"]
    assert heavy.helper() == 42 and parent.executed == ["heavy"]  # executed once


def test_a_stand_in_class_imports_the_real_class_when_used(package, monkeypatch) -> None:
    name, path = package
    write(path / "validator.py", (
        f"import {name}\n{name}.executed.append('validator')\n\n"
        "class Validator:\n    @classmethod\n    def create(cls, value):\n        return cls(value)\n\n"
        "    def __init__(self, value):\n        self.value = value\n"
    ))
    monkeypatch.setitem(serve.DEFERRED, f"{name}.validator", ("Validator",))
    parent = importlib.import_module(name)

    module = importlib.import_module(f"{name}.validator")
    stand_in = module.Validator
    # What a graph schema reads of the class without running it.
    assert (stand_in.__module__, stand_in.__name__) == (f"{name}.validator", "Validator")
    assert parent.executed == []

    instance = stand_in.create(7)
    assert parent.executed == ["validator"]
    real = sys.modules[f"{name}.validator"].Validator
    assert type(instance) is real and instance.value == 7
    assert isinstance(instance, stand_in) and issubclass(real, stand_in)
    assert type(stand_in(8)) is real


def test_the_tensorflow_set_up_waits_for_tensorflow(package, monkeypatch) -> None:
    name, path = package
    write(path / "fake_tf.py", "VERSION = '2.12'\n")
    monkeypatch.setattr(serve, "TENSORFLOW", f"{name}.fake_tf")
    monkeypatch.setattr(serve._FINDER, "after_tensorflow", [])
    seen: list[str] = []

    serve.when_tensorflow_imported(lambda: seen.append(sys.modules[f"{name}.fake_tf"].VERSION))
    assert seen == []
    importlib.import_module(f"{name}.fake_tf")
    assert seen == ["2.12"]
    serve.when_tensorflow_imported(lambda: seen.append("now"))
    assert seen == ["2.12", "now"]


def test_only_commands_that_serve_a_model_get_the_stand_ins() -> None:
    assert serve.serving(["run", "-m", "models/current.tar.gz", "--cors", "*"])
    assert serve.serving(["shell", "-m", "models/current.tar.gz"])
    # Training checks component classes by identity: it needs the real ones.
    assert not serve.serving(["train"])
    assert not serve.serving(["run", "--enable-api", "-m", "models"])  # the HTTP API can train
    assert not serve.serving([])


def test_run_actions_goes_to_rasa_sdk_with_rasas_default_package_and_without_rasa() -> None:
    script = (
        "import json, sys\n"
        "import rasa_sdk.__main__ as sdk\n"
        "from bot import serve\n"
        "sdk.main_from_args = lambda a: print(json.dumps([a.actions, a.port, a.cors, 'rasa' in sys.modules]))\n"
        "serve.main(['run', 'actions', '-p', '5099', '--cors', 'http://localhost:8080'])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env=dict(os.environ))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1]) == ["actions", 5099, ["http://localhost:8080"], False]
