"""`python -m bot learn` end to end on a copy of the project: real training, the whole assistant played.

The copy holds config.yml, domain.yml, data/, the trained model and reduced measured sets, so that two
runs, two trainings and three measures fit in a few minutes. The reduced sets keep only the messages the
current model understands with a clear margin: one retraining moves every probability a little, and a
borderline message ("un verre d'eau c'est autorisé avant ?", ask_fasting 0.42 against followup_water
0.35) may flip to a rephrase request whatever was learned; the gate rightly refuses that on the real
sets, but it must not decide this test (the gate's rules are unit-tested in tests/unit/test_learn_*).
One good label passes the gate and the new model answers its message; a group A report labelled as a
question (clinician-reviewed) is refused with the reason, and the model file stays the same.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.core.training_data import load_examples
from bot.storage.models import LearningRun, MessageLabel, utcnow
from bot.storage.session import init_db, session_scope

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(2400)]

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "current.tar.gz"
# A message the current model does not understand (it asks to rephrase): after learning, it is answered.
GOOD = ("le produit mis dans l'os se solidifie en combien de temps", "ask_cement")
# A group A report (the legs give way) labelled as a question about paralysis.
BREAKS = ("mes jambes ne me portent plus depuis cette nuit", "ask_paralysis_risk")


MESSAGE_TIMES = itertools.count(1)

def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# A message is kept when the current model's best intent is sure and well ahead of the second.
MIN_CONFIDENCE, MIN_MARGIN = 0.45, 0.15


def clear_messages(texts: set[str]) -> set[str]:
    """The texts the current model (the whole NLU pipeline) classifies with a clear margin."""
    from rasa.core.agent import Agent

    logging.disable(logging.WARNING)
    agent = Agent.load(str(MODEL))

    async def parse() -> set[str]:
        kept = set()
        for text in texts:
            ranking = (await agent.parse_message(text)).get("intent_ranking") or [{"confidence": 0.0}]
            top = float(ranking[0]["confidence"])
            second = float(ranking[1]["confidence"]) if len(ranking) > 1 else 0.0
            if top >= MIN_CONFIDENCE and top - second >= MIN_MARGIN:
                kept.add(text)
        return kept

    try:
        return asyncio.run(parse())
    finally:
        logging.disable(logging.NOTSET)


def _write_nlu(pairs: list[tuple[str, str]], dst: Path) -> None:
    blocks: dict[str, list[str]] = {}
    for intent, text in pairs:
        blocks.setdefault(intent, []).append(text)
    dst.mkdir(parents=True)
    nlu = [{"intent": i, "examples": "".join(f"- {t}\n" for t in texts)} for i, texts in blocks.items()]
    (dst / "subset.yml").write_text(yaml.safe_dump({"nlu": nlu}, allow_unicode=True), encoding="utf-8")


def make_copy(base: Path) -> Path:
    root = base / "project"
    (root / "models").mkdir(parents=True)
    for name in ("config.yml", "domain.yml"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copy(MODEL, root / "models" / "current.tar.gz")
    test = load_examples(ROOT / "tests" / "nlu")[::2]
    holdout = load_examples(ROOT / "tests" / "nlu_holdout")[::2]
    blind = [c for p in sorted((ROOT / "tests" / "nlu_blind").glob("*.yml"))
             for c in yaml.safe_load(p.read_text(encoding="utf-8"))["cases"]][::5]
    labelled = yaml.safe_load((ROOT / "tests" / "redflags" / "labelled_set.yml").read_text(encoding="utf-8"))
    red_flags, negatives = labelled["red_flags"][::10], labelled["negatives"][::5]
    texts = {t for _, t in test + holdout} | {t for c in blind for t in c.get("turns") or [c["text"]]} | set(negatives)
    clear = clear_messages(texts)
    tests = root / "tests"
    _write_nlu([p for p in test if p[1] in clear], tests / "nlu")
    _write_nlu([p for p in holdout if p[1] in clear], tests / "nlu_holdout")
    (tests / "nlu_blind").mkdir()
    blind = [c for c in blind if all(t in clear for t in c.get("turns") or [c["text"]])]
    (tests / "nlu_blind" / "subset.yml").write_text(yaml.safe_dump({"cases": blind}, allow_unicode=True),
                                                   encoding="utf-8")
    (tests / "redflags").mkdir()
    (tests / "redflags" / "labelled_set.yml").write_text(yaml.safe_dump(
        # Every red flag of the labelled set is reported by the detector, which no training changes.
        {"red_flags": red_flags, "negatives": [n for n in negatives if n in clear]},
        allow_unicode=True), encoding="utf-8")
    return root


def add_label(url: str, text: str, label: str, red: bool = False, reviewed: bool = False) -> int:
    with session_scope(url) as s:
        row = MessageLabel(conversation_id="e2e", message_at=float(next(MESSAGE_TIMES)), text=text, reason="staff",
                           label=label, comment="", labelled_by="docteur", labelled_at=utcnow(),
                           red_flag_words=red, reviewed_red_flag=reviewed)
        s.add(row)
        s.flush()
        return int(row.id)


def learn(root: Path, url: str, work: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "ASSISTANT_VAR_DIR": str(work.parent), "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run([sys.executable, "-m", "bot", "learn", "--root", str(root), "--work-dir", str(work)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=2000, check=False)
    print(done.stdout)
    return done


def last_run(url: str) -> LearningRun:
    with session_scope(url) as s:
        return s.execute(select(LearningRun).order_by(LearningRun.id.desc())).scalars().first()


def test_learn_accepts_a_good_label_and_refuses_a_red_flag_report_labelled_as_a_question(tmp_path: Path) -> None:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make test`, which trains it")
    root = make_copy(tmp_path)
    model, learned = root / "models" / "current.tar.gz", root / "data" / "nlu" / "learned.yml"
    url, work = f"sqlite:///{tmp_path / 'assistant.db'}", tmp_path / "var" / "learn"
    init_db(url)
    original = _sha(model)

    good = add_label(url, *GOOD)
    done = learn(root, url, work)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ACCEPTÉ" in done.stdout and "jeu de test" in done.stdout
    assert _sha(model) != original and _sha(root / "models" / "previous.tar.gz") == original
    assert f"- intent: {GOOD[1]}\n  examples: |\n    - {GOOD[0]}\n" in learned.read_text(encoding="utf-8")
    run = last_run(url)
    assert run.accepted and run.status == "accepté" and run.model_after == _sha(model)
    # The whole assistant misunderstood the message before and answers it now.
    assert run.figures_before["learned"]["answered_right"] == 0
    assert run.figures_after["learned"]["answered_right"] == 1
    with session_scope(url) as s:
        assert s.get(MessageLabel, good).learned_at is not None

    accepted_model, accepted_file = _sha(model), learned.read_text(encoding="utf-8")
    bad = add_label(url, *BREAKS, red=True, reviewed=True)
    done = learn(root, url, work)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "REFUSÉ" in done.stdout
    assert "chiffres repris du cache" in done.stdout  # the serving model was measured as the last candidate
    assert "la réponse d'urgence reste donnée à un message étiqueté comme une question" in done.stdout
    assert f"« {BREAKS[0]} » attendu question → obtenu urgence" in done.stdout
    assert _sha(model) == accepted_model and learned.read_text(encoding="utf-8") == accepted_file
    run = last_run(url)
    assert run.status == "refusé" and not run.accepted and any(BREAKS[0] in r for r in run.reasons)
    with session_scope(url) as s:
        assert s.get(MessageLabel, bad).learned_at is None
