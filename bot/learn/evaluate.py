"""The gate's measured sets, and their figures for one model file, cached by the file's hash.

Playing every set through the whole assistant takes minutes; the current model's figures are reused
when the same model file (sha256) was measured on the same sets with the same code.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import yaml

from bot.core.followups import load_table
from bot.core.training_data import dedup_key, load_examples
from bot.learn.gate import SetFigures, figures
from bot.quality.cases import QUESTION, RED_FLAG, Case, cases_from_pairs, load_blind
from bot.quality.outcome import Outcome
from bot.quality.scores import score
from bot.settings import PROJECT_ROOT

CACHE_VERSION = "2"  # bump when the figures' meaning changes
# Code that shapes the replies besides the model file: components, detector, actions, practical facts.
CODE_DIRS = ("bot", "actions", "config")
CODE_EXCLUDED = ("bot/console/", "bot/learn/", "bot/site/", "bot/storage/")

Runner = Callable[[Path, list[Case]], list[list[Outcome]]]


@dataclass(frozen=True)
class GateSets:
    """The measured sets (folders of Rasa NLU YAML, the blind-set folder, the labelled red-flag file)."""

    test: Path = PROJECT_ROOT / "tests" / "nlu"
    holdout: Path = PROJECT_ROOT / "tests" / "nlu_holdout"
    blind: Path = PROJECT_ROOT / "tests" / "nlu_blind"
    redflags: Path = PROJECT_ROOT / "tests" / "redflags" / "labelled_set.yml"


def redflag_cases(path: Path) -> list[Case]:
    """The labelled red-flag set: its red flags must get the emergency answer, its negatives must not."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    source = path.name
    cases = [Case(RED_FLAG, (str(item["text"]),), group=str(item["group"]).upper(), source=source)
             for item in data.get("red_flags") or []]
    cases += [Case(QUESTION, (str(text),), source=source) for text in data.get("negatives") or []]
    return cases


def load_sets(sets: GateSets) -> dict[str, list[Case]]:
    return {
        "test": cases_from_pairs(load_examples(sets.test), "tests/nlu"),
        "holdout": cases_from_pairs(load_examples(sets.holdout), "tests/nlu_holdout"),
        "blind": load_blind(sets.blind),
        "redflags": redflag_cases(sets.redflags),
    }


def measured_keys(sets: GateSets) -> dict[str, str]:
    """dedup key -> set name of every message of every measured set (all turns, all sections)."""
    keys: dict[str, str] = {}
    for name, folder in (("tests/nlu", sets.test), ("tests/nlu_holdout", sets.holdout)):
        keys.update((dedup_key(text), name) for _, text in load_examples(folder))
    for case in load_blind(sets.blind):
        keys.update((dedup_key(turn), "tests/nlu_blind") for turn in case.turns)
    data = yaml.safe_load(sets.redflags.read_text(encoding="utf-8")) or {}
    for section in ("red_flags", "negatives", "ambiguous"):
        for item in data.get(section) or []:
            text = item["text"] if isinstance(item, dict) else item
            keys[dedup_key(str(text))] = "tests/redflags"
    keys.pop("", None)
    return keys


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def code_fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((root / folder).rglob("*")):
            rel = path.relative_to(root).as_posix()
            if path.suffix in (".py", ".yml") and path.is_file() and not rel.startswith(CODE_EXCLUDED):
                digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def set_fingerprint(cases: list[Case], code: str) -> str:
    payload = json.dumps([asdict(c) for c in cases], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(f"{CACHE_VERSION}\0{code}\0{payload}".encode()).hexdigest()


def _cache_file(cache_dir: Path, model_sha: str, name: str, set_sha: str) -> Path:
    return cache_dir / "figures" / model_sha[:32] / f"{name}-{set_sha[:32]}.json"


def measure(model: Path, sets: dict[str, list[Case]], cache_dir: Path, run: Runner,
            use_cache: bool = True) -> tuple[dict[str, SetFigures], list[str]]:
    """Figures per set for `model`, and the names of the sets read from the cache.

    The sets not cached are played in one run of the whole assistant, then cached.
    """
    model_sha, code = file_sha256(model), code_fingerprint()
    shas = {name: set_fingerprint(cases, code) for name, cases in sets.items()}
    result: dict[str, SetFigures] = {}
    cached: list[str] = []
    for name in sets:
        path = _cache_file(cache_dir, model_sha, name, shas[name])
        if use_cache and path.exists():
            result[name] = SetFigures.from_dict(json.loads(path.read_text(encoding="utf-8")))
            cached.append(name)
    todo = [name for name in sets if name not in result]
    if todo:
        order = [c for name in todo for c in sets[name]]
        played = run(model, order)
        table, offset = load_table(), 0
        for name in todo:
            cases = sets[name]
            part = played[offset:offset + len(cases)]
            offset += len(cases)
            result[name] = figures(cases, part, score(cases, part, table))
            path = _cache_file(cache_dir, model_sha, name, shas[name])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(result[name].as_dict(), ensure_ascii=False), encoding="utf-8")
    return {name: result[name] for name in sets}, cached
