"""The Rasa commands a reviewer runs: data validation and test conversations."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from bot.core.followups import load_table

ROOT = Path(__file__).resolve().parent.parent
RASA = str(ROOT / ".venv" / "bin" / "rasa")
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}

# Responses uttered by forms (utter_ask_<slot>), custom actions or our channels (the disclaimer):
# Rasa's validator cannot see those uses and warns. Every other warning is a defect.
USED_OUTSIDE_STORIES = {
    "utter_disclaimer", "utter_red_flag_other_question", "utter_invalid_phone",
    "utter_callback_saved", "utter_callback_not_saved", "utter_callback_failed", "utter_triage_reassure",
    "utter_ask_cb_name", "utter_ask_cb_phone", "utter_ask_cb_time_slot", "utter_ask_cb_reason",
    "utter_ask_cb_consent", "utter_ask_tr_weakness", "utter_ask_tr_bladder", "utter_ask_tr_fever",
    "utter_ask_tr_breathing", "utter_ask_tr_bleeding", "utter_ask_tr_malaise", "utter_practical_unavailable",
    "utter_feedback_thanks",
} | load_table().response_names()  # said by action_answer_followup (bot/core/followups.yml)


def test_data_validate_fails_on_no_unexplained_warning() -> None:
    proc = subprocess.run([RASA, "data", "validate", "--fail-on-warnings"], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    warnings = re.findall(r"UserWarning: (.*)", proc.stdout + proc.stderr)
    unexplained = [
        w for w in warnings
        if not (m := re.match(r"The utterance '(\w+)' is not used in any story or rule", w))
        or m.group(1) not in USED_OUTSIDE_STORIES
    ]
    assert unexplained == []


def test_responses_listed_as_used_outside_stories_are_really_used() -> None:
    sources = [*(ROOT / "actions").glob("*.py"), ROOT / "bot" / "rasa_server" / "channels.py",
               ROOT / "bot" / "core" / "followups.yml"]
    code = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    domain = (ROOT / "domain.yml").read_text(encoding="utf-8")
    for name in USED_OUTSIDE_STORIES:
        slot = name.removeprefix("utter_ask_")
        assert name in code or (name.startswith("utter_ask_") and f"- {slot}" in domain), name


def test_conversations_are_predicted_without_error(tmp_path: Path) -> None:
    model = ROOT / "models" / "current.tar.gz"
    if not model.exists():
        pytest.fail("no trained model: run `make test`, which trains it")
    proc = subprocess.run(
        [RASA, "test", "core", "-m", str(model), "--stories", "tests/conversations",
         "--fail-on-prediction-errors", "--out", str(tmp_path / "results"), "--no-plot"],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
