"""`python -m bot learn` from labels to the model swap, with the training and the assistant faked.

The real training and the whole assistant run in tests/e2e/test_learn.py; here a "model" is a file whose
bytes say how it answers, so that every branch (accepted, refused, failed, nothing to do) is quick.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.learn import cli
from bot.learn.evaluate import GateSets
from bot.quality.cases import RED_FLAG, Case
from bot.quality.outcome import Outcome
from bot.storage.models import LearningRun, MessageLabel, utcnow
from bot.storage.session import init_db, session_scope

ROOT = Path(__file__).resolve().parents[2]
GOOD, BREAKS_RED_FLAG = b"candidate that answers everything", b"candidate that misses red flags"
NEW_TEXT = "au bout de combien de jours je peux reprendre le volant"
RED_TEXT = "mes deux jambes ne me portent plus depuis ce matin"


MESSAGE_TIMES = itertools.count(1)

def fake_run(model: Path, cases: list[Case]) -> list[list[Outcome]]:
    """Every model answers the expected topic; the bad candidate misses the red flags."""
    bad = model.read_bytes() == BREAKS_RED_FLAG
    played = []
    for case in cases:
        if case.kind == RED_FLAG:
            out = Outcome(intent="ask_paralysis_risk", responses=["utter_ask_paralysis_risk"]) if bad else \
                Outcome(intent=f"red_flag_{case.group.lower()}", responses=[f"utter_red_flag_{case.group.lower()}"],
                        classifier_red_flag=case.group)
        else:
            out = Outcome(intent=case.expect[0] if case.expect else "deny",
                          responses=[f"utter_{e}" for e in case.expect] or ["utter_default"])
        played.append([out])
    return played


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:  # type: ignore[type-arg]
    root = tmp_path / "project"
    (root / "models").mkdir(parents=True)
    shutil.copy(ROOT / "domain.yml", root / "domain.yml")
    shutil.copytree(ROOT / "data" / "nlu", root / "data" / "nlu")
    sets_dir = tmp_path / "sets"
    for name in ("test", "holdout"):
        (sets_dir / name).mkdir(parents=True)
        (sets_dir / name / "set.yml").write_text(yaml.safe_dump({"nlu": [
            {"intent": "ask_fasting", "examples": f"- faut-il être à jeun ({name}) ?\n"},
            {"intent": "red_flag_a", "examples": f"- je ne sens plus mes jambes ({name})\n"}]}), encoding="utf-8")
    (sets_dir / "blind").mkdir()
    (sets_dir / "blind" / "part.yml").write_text(yaml.safe_dump({"cases": [
        {"kind": "question", "text": "on mange avant ?", "expect": ["ask_fasting"]}]}), encoding="utf-8")
    (sets_dir / "redflags.yml").write_text(yaml.safe_dump({
        "red_flags": [{"text": "je ne sens plus rien aux jambes", "group": "A"}],
        "negatives": ["je n'ai pas de fièvre"]}), encoding="utf-8")
    model = root / "models" / "current.tar.gz"
    model.write_bytes(b"current model")
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    init_db(url)
    trained: list[str] = []

    def fake_train(project_root: Path, out: Path, log: Path) -> Path:
        learned = project_root / "data" / "nlu" / "learned.yml"
        trained.append(learned.read_text(encoding="utf-8"))
        bad = RED_TEXT in trained[-1]
        (out / "candidate.tar.gz").write_bytes(BREAKS_RED_FLAG if bad else GOOD)
        return out / "candidate.tar.gz"

    monkeypatch.setattr(cli, "train_candidate", fake_train)
    paths = cli.Paths(root=root, model=model, work=tmp_path / "work", sets=GateSets(
        test=sets_dir / "test", holdout=sets_dir / "holdout", blind=sets_dir / "blind",
        redflags=sets_dir / "redflags.yml"))
    return {"paths": paths, "url": url, "trained": trained}


def _label(url: str, text: str, label: str, **kw) -> int:  # type: ignore[no-untyped-def]
    with session_scope(url) as s:
        row = MessageLabel(conversation_id="c1", message_at=float(next(MESSAGE_TIMES)), text=text, reason="staff",
                           label=label, comment="", labelled_by="docteur", labelled_at=utcnow(),
                           red_flag_words=kw.get("red", False), reviewed_red_flag=kw.get("reviewed", False))
        s.add(row)
        s.flush()
        return int(row.id)


def _learn(project: dict, **kw) -> int:  # type: ignore[type-arg]
    return cli.learn(project["paths"], project["url"], run=fake_run,
                     mentions_red_flag=lambda text: "jambes" in text, **kw)


def _runs(url: str) -> list[LearningRun]:
    with session_scope(url) as s:
        return list(s.execute(select(LearningRun).order_by(LearningRun.id)).scalars())


def test_a_good_label_is_learned_and_the_candidate_replaces_the_model(project, capsys) -> None:  # type: ignore[no-untyped-def]
    paths, url = project["paths"], project["url"]
    good = _label(url, NEW_TEXT, "ask_driving")
    waiting = _label(url, "et pour une kyphoplastie ?", "nouveau_sujet")
    assert _learn(project) == 0
    out = capsys.readouterr().out
    assert "ACCEPTÉ" in out and "jeu de test" in out and "répondus juste" in out
    assert paths.model.read_bytes() == GOOD and paths.previous.read_bytes() == b"current model"
    assert f"- intent: ask_driving\n  examples: |\n    - {NEW_TEXT}\n" in paths.learned.read_text(encoding="utf-8")
    with session_scope(url) as s:
        assert s.get(MessageLabel, good).learned_at is not None
        assert s.get(MessageLabel, waiting).learned_at is None
    (run,) = _runs(url)
    assert run.status == "accepté" and run.accepted and run.examples_added == 1
    assert run.labels_used == [{"id": good, "intent": "ask_driving"}]
    assert run.figures_before["test"]["answered_right"] == run.figures_after["test"]["answered_right"] == 1
    assert run.figures_after["learned"] == {**run.figures_after["learned"], "answered_right": 1, "answered_total": 1}
    assert run.labels_skipped[0]["id"] == waiting and "nouveau sujet" in run.labels_skipped[0]["reason"]
    # Nothing new: no training, no run recorded.
    assert _learn(project) == 0
    assert len(project["trained"]) == 1 and len(_runs(url)) == 1


def test_a_label_that_breaks_a_red_flag_is_refused_and_everything_is_put_back(project, capsys) -> None:  # type: ignore[no-untyped-def]
    paths, url = project["paths"], project["url"]
    paths.learned.write_text(cli.with_examples("", [cli.Example(0, "ask_driving", "je conduis quand")]),
                             encoding="utf-8")
    before = paths.learned.read_text(encoding="utf-8")
    os.utime(paths.learned, (1_000_000_000, 1_000_000_000))
    unreviewed = _label(url, RED_TEXT + " !", "ask_paralysis_risk", red=True)
    bad = _label(url, RED_TEXT, "ask_paralysis_risk", red=True, reviewed=True)
    assert _learn(project) == 1
    out = capsys.readouterr().out
    assert "REFUSÉ" in out and "relecture d'un clinicien" in out
    assert "signaux d'alerte étiquetés : signal d'alerte sans la réponse d'urgence" in out
    assert "« je ne sens plus rien aux jambes » attendu A → obtenu ask_paralysis_risk" in out
    assert RED_TEXT in project["trained"][0] and RED_TEXT + " !" not in project["trained"][0]
    assert paths.model.read_bytes() == b"current model" and not paths.previous.exists()
    assert paths.learned.read_text(encoding="utf-8") == before
    assert paths.learned.stat().st_mtime == 1_000_000_000  # `make` sees no change: no retraining
    with session_scope(url) as s:
        assert s.get(MessageLabel, bad).learned_at is None
        assert s.get(MessageLabel, unreviewed).learned_at is None
    (run,) = _runs(url)
    assert run.status == "refusé" and not run.accepted
    assert any("jeu de test" in r for r in run.reasons)
    assert any("je ne sens plus rien aux jambes" in r for r in run.reasons)


def test_a_failed_training_keeps_the_model_and_restores_the_file(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    paths, url = project["paths"], project["url"]
    _label(url, NEW_TEXT, "ask_driving")

    def broken(*_args: object) -> Path:
        raise cli.LearnError("l'entraînement a échoué")

    monkeypatch.setattr(cli, "train_candidate", broken)
    with pytest.raises(cli.LearnError):
        _learn(project)
    assert not paths.learned.exists() and paths.model.read_bytes() == b"current model"
    (run,) = _runs(url)
    assert run.status == "échec" and run.reasons == ["l'entraînement a échoué"]


def test_dry_run_and_known_examples_train_nothing(project, capsys) -> None:  # type: ignore[no-untyped-def]
    paths, url = project["paths"], project["url"]
    first = _label(url, NEW_TEXT, "ask_driving")
    assert _learn(project, dry_run=True) == 0
    assert f"+ [{first}] ask_driving" in capsys.readouterr().out
    assert project["trained"] == [] and not paths.learned.exists() and _runs(url) == []
    with session_scope(url) as s:
        s.get(MessageLabel, first).learned_at = utcnow()
    training_text = cli.examples_in_file(paths.root / "data" / "nlu" / "procedure.yml")[0]
    known = _label(url, training_text[1], training_text[0])
    measured = _label(url, "faut-il être à jeun (test) ?", "ask_fasting")
    assert _learn(project) == 0
    out = capsys.readouterr().out
    assert "déjà dans les données" in out and "jeu de mesure (tests/nlu)" in out
    assert project["trained"] == [] and _runs(url) == []
    with session_scope(url) as s:
        assert s.get(MessageLabel, known).learned_at is not None
        assert s.get(MessageLabel, measured).learned_at is None


def test_no_model_or_a_missing_set_is_a_clear_error(project) -> None:  # type: ignore[no-untyped-def]
    _label(project["url"], NEW_TEXT, "ask_driving")
    shutil.rmtree(project["paths"].sets.blind)
    with pytest.raises(cli.LearnError, match="jeu de mesure introuvable : .*blind"):
        _learn(project)
    project["paths"].model.unlink()
    with pytest.raises(cli.LearnError, match="pas de modèle actuel"):
        _learn(project)
    assert _runs(project["url"]) == []


def test_the_command_line_says_errors_in_french_without_a_traceback(project, capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.__main__ import main

    paths = project["paths"]
    _label(project["url"], NEW_TEXT, "ask_driving")
    paths.model.unlink()
    code = main(["learn", "--root", str(paths.root), "--database-url", project["url"],
                 "--work-dir", str(paths.work), "--model", str(paths.model)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("Erreur : pas de modèle actuel") and "Traceback" not in err
