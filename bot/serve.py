"""Starts Rasa's servers without what our model never runs: `python -m bot.serve run …`.

Takes the same arguments as the `rasa` command (`rasa run` itself is unchanged); the cuts below apply
to `run` and `shell` (serving a trained model), any other command is Rasa's own. Loading any model,
Rasa 3.6 imports TensorFlow (about 9 s and 450 MiB per server) through three paths that do nothing
for a model without DIET, TED or a response selector (found with `python -X importtime`):

- `rasa.nlu.extractors.extractor`, imported by every policy, imports `rasa.utils.train_utils`
  (training helpers built on Keras callbacks) and never uses it;
- the model's training graph names `DefaultV1RecipeValidator`, which imports DIET, TED, the response
  selector and the CRF extractor to check a configuration before training;
- Rasa's TensorFlow set-up imports TensorFlow to apply `TF_INTER_OP_PARALLELISM_THREADS`… if set.

Here the first two are stand-ins until first use (as is `rasa.utils.plotting`, matplotlib for
`rasa test`): a stand-in module executes the real one when one of its names is read, a stand-in class
imports the real class when it is used in any way. The TensorFlow set-up runs right after TensorFlow
is imported, if it ever is. Nothing is stubbed out: a model with a TensorFlow component imports it from
that component's module and works as under `rasa run`.

Two more costs of loading our model:
- skops (the intent classifier's format) looks up, when imported, each NumPy and SciPy ufunc in every
  loaded module (pickle's `whichmodule`): about 8 s after Rasa's 4,000 modules, a fraction of a second
  before them, with the same result (each ufunc is found in its own module first); so it is imported first;
- each of the two `SpacyNLP` nodes of a prediction graph (one provides the model, the other runs it
  with the model the first provides) loads its own copy of the spaCy model (430 MiB and 5 s for
  fr_core_news_md): here they share one.

`run actions` goes straight to rasa_sdk, as Rasa's own `run actions` does, without importing Rasa
(which imports TensorFlow too when the TF_* variables are set, as in production).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Iterable, Sequence
from types import ModuleType
from typing import Any

# Modules imported when a model is loaded but run only by training or testing, with those of their
# classes that a model's graph names: stand-ins until first use.
DEFERRED: dict[str, tuple[str, ...]] = {
    # Imported by rasa.nlu.extractors.extractor, so by every policy; used by training code only.
    "rasa.utils.train_utils": (),
    # Named by the training graph of every model; run by `rasa train` only.
    "rasa.graph_components.validators.default_recipe_validator": ("DefaultV1RecipeValidator",),
    # Imported by rasa.nlu.test, so by RulePolicy and the server; plots for `rasa test` only.
    "rasa.utils.plotting": (),
}
TENSORFLOW = "tensorflow"
# Commands that serve a model; any other (train, test, data…), or the HTTP API (which can train), is
# run by Rasa exactly as `rasa` runs it.
SERVING_COMMANDS = ("run", "shell")
# Imported before Rasa when installed: their import time grows with the number of loaded modules.
EARLY_IMPORTS = ("skops.io",)


class _StandInClass(type):
    """Metaclass of a class standing for a class of a module not imported yet.

    An attribute, a call, isinstance(x, stand_in) or issubclass(x, stand_in) imports the real module
    and forwards to the real class. Identity and issubclass(stand_in, x) cannot be forwarded: Rasa's
    graph validation does both, hence stand-ins only for serving (see `serving`).
    """

    _real_module: str

    def real(cls) -> type:
        return getattr(_import_real(cls._real_module), cls.__name__)

    def __getattr__(cls, name: str) -> Any:
        return getattr(cls.real(), name)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.real()(*args, **kwargs)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, cls.real())

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls.real())


class _StandInModule(ModuleType):
    """A module not executed yet: reading one of the real module's names executes it.

    Other names raise AttributeError without executing it, so code that scans every module of
    sys.modules (pickle's and skops' `whichmodule`) leaves it alone.
    """

    _real_names: frozenset[str]

    def __getattr__(self, name: str) -> Any:
        if name in self.__dict__.get("_real_names", ()):
            return getattr(_import_real(self.__name__), name)
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")


def top_level_names(source: str) -> frozenset[str]:
    """Names a module's source defines or imports at its top level (also under if/try)."""
    names: set[str] = set()

    def visit(body: Iterable[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update(a.asname or a.name.split(".")[0] for a in node.names)
            elif isinstance(node, (ast.If, ast.Try)):
                visit(node.body)
                visit(node.orelse)
                if isinstance(node, ast.Try):
                    visit(node.finalbody)
                    for handler in node.handlers:
                        visit(handler.body)

    visit(ast.parse(source).body)
    return frozenset(names)


class _StandInLoader(importlib.abc.Loader):
    def __init__(self, real: importlib.machinery.ModuleSpec, classes: Sequence[str]) -> None:
        self.real = real
        self.classes = classes

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = _StandInModule(spec.name, f"Stand-in for {spec.name} (bot/serve.py): executed on first use.")
        assert self.real.origin is not None
        module._real_names = top_level_names(importlib.machinery.SourceFileLoader(
            spec.name, self.real.origin).get_source(spec.name) or "")
        for name in self.classes:
            attrs = {"__module__": spec.name, "__qualname__": name, "_real_module": spec.name}
            setattr(module, name, _StandInClass(name, (), attrs))
        return module

    def exec_module(self, module: ModuleType) -> None:
        pass


class _ThenRun(importlib.abc.Loader):
    """Executes a module with its own loader, then the callbacks waiting for it."""

    def __init__(self, loader: importlib.abc.Loader, callbacks: list[Callable[[], None]]) -> None:
        self.loader = loader
        self.callbacks = callbacks

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        while self.callbacks:
            self.callbacks.pop(0)()


class _Finder(importlib.abc.MetaPathFinder):
    """Gives the stand-ins and watches TensorFlow; every other module is found as usual."""

    def __init__(self) -> None:
        self.released: set[str] = set()
        self.after_tensorflow: list[Callable[[], None]] = []

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None):
        deferred = fullname in DEFERRED and fullname not in self.released
        if not deferred and not (fullname == TENSORFLOW and self.after_tensorflow):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or spec.origin is None:
            return spec
        if deferred:
            return importlib.machinery.ModuleSpec(fullname, _StandInLoader(spec, DEFERRED[fullname]))
        spec.loader = _ThenRun(spec.loader, self.after_tensorflow)
        return spec


_FINDER = _Finder()


def _import_real(name: str) -> ModuleType:
    """The real module for a stand-in: imported now, replacing the stand-in in sys.modules."""
    module = sys.modules.get(name)
    if module is not None and not isinstance(module, _StandInModule):
        return module
    _FINDER.released.add(name)
    sys.modules.pop(name, None)
    return importlib.import_module(name)


def install() -> None:
    """Installs the stand-ins in this process (idempotent): call before importing Rasa."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def when_tensorflow_imported(callback: Callable[[], None]) -> None:
    """Runs `callback` now if TensorFlow is imported, else right after it is."""
    if TENSORFLOW in sys.modules:
        callback()
    else:
        _FINDER.after_tensorflow.append(callback)


def share_spacy_models() -> None:
    """One spaCy model per name in this process, shared by every SpacyNLP node (read-only at prediction)."""
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    if not hasattr(SpacyNLP.load_model, "cache_info"):
        SpacyNLP.load_model = staticmethod(functools.lru_cache(maxsize=None)(SpacyNLP.load_model))


def _run_actions(argv: list[str]) -> None:
    """`run actions …`: what Rasa's `run_actions` does, without importing Rasa."""
    import rasa_sdk.__main__ as sdk

    parser = sdk.create_argument_parser()
    parser.prog = "python -m bot.serve run actions"
    args = parser.parse_args(argv)
    args.actions = args.actions or "actions"  # Rasa's DEFAULT_ACTIONS_PATH
    sdk.main_from_args(args)


def prepare() -> None:
    """Everything above, in this process: call before importing Rasa."""
    install()
    for name in EARLY_IMPORTS:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    import rasa.utils.tensorflow.environment as tf_env

    if not getattr(tf_env.setup_tf_environment, "deferred", False):
        setup = tf_env.setup_tf_environment

        def deferred_setup() -> None:
            when_tensorflow_imported(setup)

        deferred_setup.deferred = True  # type: ignore[attr-defined]  # a marker read above
        tf_env.setup_tf_environment = deferred_setup
    share_spacy_models()


def serving(argv: Sequence[str]) -> bool:
    """Whether a command line only serves a trained model (the stand-ins would fail a training's checks)."""
    return bool(argv) and argv[0] in SERVING_COMMANDS and "--enable-api" not in argv


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["run", "actions"]:
        _run_actions(argv[2:])
        return
    if serving(argv):
        prepare()
    import rasa.__main__

    sys.argv = ["rasa", *argv]
    rasa.__main__.main()


if __name__ == "__main__":
    main()
