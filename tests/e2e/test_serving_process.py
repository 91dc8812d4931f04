"""What the serving process holds (bot/serve.py): no TensorFlow, one spaCy model, nothing of training."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from servers import MODEL, ROOT

pytestmark = pytest.mark.e2e

# Loads the model as `python -m bot.serve run` does, answers two messages, reports what it imported.
PROBE = """
import asyncio, gc, json, sys
from bot import serve
serve.prepare()
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[1])
parsed = asyncio.run(agent.parse_message("est-ce que je dois venir à jeun ?"))
replies = asyncio.run(agent.handle_text("bonjour", sender_id="probe"))
import spacy.language
print(json.dumps({
    "intent": parsed["intent"]["name"],
    "replies": len(replies),
    "loaded": sorted(m for m in ("tensorflow", "keras", "tensorflow_addons", "jax", "matplotlib") if m in sys.modules),
    "real": sorted(m for m in serve.DEFERRED if not isinstance(sys.modules.get(m), serve._StandInModule)),
    "spacy_models": sum(isinstance(o, spacy.language.Language) for o in gc.get_objects()),
}))
"""


def test_loading_and_answering_imports_neither_tensorflow_nor_training_code() -> None:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make test`, which trains it")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false",
           # Production sets them: Rasa's own set-up would import TensorFlow to apply them.
           "TF_INTER_OP_PARALLELISM_THREADS": "1", "TF_INTRA_OP_PARALLELISM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", PROBE, str(MODEL)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["intent"] == "ask_fasting" and report["replies"] > 0
    assert report["loaded"] == []
    assert report["real"] == []
    assert report["spacy_models"] == 1


def test_the_running_server_has_no_tensorflow_mapped(rasa_server) -> None:
    assert rasa_server.say("rest-serving-process", "bonjour")
    pid = rasa_server.procs["rasa"].pid
    maps = Path(f"/proc/{pid}/maps").read_text()
    assert "tensorflow" not in maps
