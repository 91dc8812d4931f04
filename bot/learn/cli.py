"""`python -m bot learn`: labelled messages -> data/nlu/learned.yml -> candidate model -> gate -> swap or undo.

Every path is a parameter (defaults: this project), so that the command runs on a copy of the project.
Exit status: 0 accepted or nothing to learn, 1 refused by the gate, 2 error (training failed, no model).
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import yaml

from bot import settings
from bot.console.masking import mask_text
from bot.core.intents import red_flag_group
from bot.core.training_data import dedup_key, examples_in_file
from bot.learn import store
from bot.learn.evaluate import GateSets, Runner, file_sha256, load_sets, measure, measured_keys
from bot.learn.gate import SetFigures, decide, table
from bot.learn.labels import Example, Selection, select
from bot.learn.learned_file import with_examples
from bot.quality.cases import QUESTION, RED_FLAG, Case
from bot.storage.models import utcnow
from bot.storage.session import init_db, session_scope

LEARNED_FILE = Path("data") / "nlu" / "learned.yml"
ACCEPTED, REFUSED, FAILED = "accepté", "refusé", "échec"


class LearnError(Exception):
    """A step failed: said in French, the old model keeps serving."""


@dataclass(frozen=True)
class Paths:
    root: Path
    model: Path
    sets: GateSets
    work: Path

    @property
    def learned(self) -> Path:
        return self.root / LEARNED_FILE

    @property
    def previous(self) -> Path:
        return self.model.with_name("previous.tar.gz")


def _short(text: str, width: int = 100) -> str:
    text = mask_text(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def training_keys(nlu_folder: Path) -> dict[str, tuple[str, str]]:
    """dedup key -> (intent, file) of every training example, learned.yml included."""
    keys: dict[str, tuple[str, str]] = {}
    for path in sorted(nlu_folder.glob("*.yml")):
        for intent, text in examples_in_file(path):
            keys.setdefault(dedup_key(text), (intent, f"data/nlu/{path.name}"))
    return keys


def domain_intents(domain: Path) -> list[str]:
    return [str(i) for i in (yaml.safe_load(domain.read_text(encoding="utf-8")) or {}).get("intents") or []]


def learned_cases(examples: list[Example]) -> list[Case]:
    """The learned messages as cases: does the candidate answer them as labelled?"""
    cases = []
    for ex in examples:
        group = red_flag_group(ex.intent)
        cases.append(Case(RED_FLAG, (ex.text,), group=group, source="learned") if group
                     else Case(QUESTION, (ex.text,), expect=(ex.intent,), source="learned"))
    return cases


@contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LearnError("un apprentissage est déjà en cours (verrou " + str(lock_file) + ")") from None
        yield


def train_candidate(root: Path, out: Path, log: Path) -> Path:
    """`rasa train` on the project's files at `root` into `out`/candidate.tar.gz."""
    rasa = str(Path(sys.executable).with_name("rasa"))
    env = settings.child_environment(RASA_TELEMETRY_ENABLED="false")
    cmd = [rasa, "train", "--config", str(root / "config.yml"), "--domain", str(root / "domain.yml"),
           "--data", str(root / "data"), "--fixed-model-name", "candidate", "--out", str(out), "--quiet"]
    with log.open("wb") as fh:
        done = subprocess.run(cmd, cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT, check=False)
    model = out / "candidate.tar.gz"
    if done.returncode != 0 or not model.exists():
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        raise LearnError("l'entraînement a échoué (" + str(log) + ") :\n  " + "\n  ".join(tail))
    return model


def replace_model(candidate: Path, current: Path, previous: Path) -> None:
    """The candidate becomes the current model, the old one is kept as previous; never a missing file."""
    tmp_prev, tmp_cur = previous.with_suffix(".tmp"), current.with_suffix(".tmp")
    shutil.copy2(current, tmp_prev)
    os.replace(tmp_prev, previous)
    shutil.copy2(candidate, tmp_cur)
    os.replace(tmp_cur, current)


def print_selection(sel: Selection, texts: dict[int, str]) -> None:
    print(f"Étiquettes nouvelles : {len(sel.examples)} à apprendre, {len(sel.known)} déjà connues, "
          f"{len(sel.skipped)} écartées.")
    for ex in sel.examples:
        print(f"  + [{ex.label_id}] {ex.intent} : « {_short(ex.text)} »")
    for ex in sel.known:
        print(f"  = [{ex.label_id}] {ex.intent} : déjà dans les données d'entraînement")
    for label_id, reason in sel.skipped:
        print(f"  - [{label_id}] « {_short(texts.get(label_id, ''))} » : {reason}")


def summaries(figs: dict[str, SetFigures]) -> dict[str, dict[str, int]]:
    return {name: f.summary() for name, f in figs.items()}


def learn(paths: Paths, database_url: str | None = None, dry_run: bool = False, use_cache: bool = True,
          run: Runner | None = None, mentions_red_flag: Callable[[str], bool] | None = None) -> int:
    """The whole command; `run` (plays cases through a model) and `mentions_red_flag` are for tests."""
    if run is None:
        from bot.quality.runner import run as run_cases

        run = run_cases
    if mentions_red_flag is None:
        from bot.core.redflags import analyse

        mentions_red_flag = lambda text: bool(analyse(text).mentioned)  # noqa: E731
    init_db(database_url)
    with exclusive(paths.work / "learn.lock"):
        return _learn(paths, database_url, dry_run, use_cache, run, mentions_red_flag)


def _learn(paths: Paths, database_url: str | None, dry_run: bool, use_cache: bool, run: Runner,
           mentions_red_flag: Callable[[str], bool]) -> int:
    if not paths.model.exists():
        raise LearnError(f"pas de modèle actuel ({paths.model}) : entraînez-le d'abord (make train)")
    missing = [str(p) for p in (paths.sets.test, paths.sets.holdout, paths.sets.blind, paths.sets.redflags)
               if not p.exists()]
    if missing:
        raise LearnError("jeu de mesure introuvable : " + ", ".join(missing))
    with session_scope(database_url) as s:
        rows = store.unused_labels(s)
    if not rows:
        print("Aucune étiquette nouvelle : rien à apprendre.")
        return 0
    sel = select(rows, domain_intents(paths.root / "domain.yml"), training_keys(paths.root / "data" / "nlu"),
                 measured_keys(paths.sets), mentions_red_flag)
    print_selection(sel, {r.id: r.text for r in rows})
    if dry_run:
        return 0
    if not sel.examples:
        with session_scope(database_url) as s:
            store.mark_used(s, [ex.label_id for ex in sel.known])
        print("Aucun exemple nouveau : le modèle actuel reste en service.")
        return 0

    started = utcnow()
    record = store.RunRecord(started_at=started, status=FAILED, model_before=file_sha256(paths.model),
                             labels_used=[{"id": ex.label_id, "intent": ex.intent} for ex in sel.examples],
                             labels_skipped=[{"id": i, "reason": r} for i, r in sel.skipped],
                             examples_added=len(sel.examples))
    backup = paths.learned.read_text(encoding="utf-8") if paths.learned.exists() else None
    # Restored with its times too, so that `make` does not retrain for a file that did not change.
    times = (paths.learned.stat().st_atime_ns, paths.learned.stat().st_mtime_ns) if backup is not None else None
    keep = False
    try:
        paths.learned.parent.mkdir(parents=True, exist_ok=True)
        paths.learned.write_text(with_examples(backup or "", sel.examples), encoding="utf-8")
        with tempfile.TemporaryDirectory(dir=paths.work, prefix="candidate-") as tmp:
            print("Entraînement du modèle candidat…", flush=True)
            candidate = train_candidate(paths.root, Path(tmp), paths.work / "train.log")
            record.model_after = file_sha256(candidate)
            sets = load_sets(paths.sets)
            learned = {"learned": learned_cases(sel.examples)}
            print("Mesure du modèle actuel…", flush=True)
            before, cached = measure(paths.model, {**sets, **learned}, paths.work, run, use_cache)
            if cached:
                print(f"  (chiffres repris du cache pour : {', '.join(n for n in cached if n != 'learned')})")
            print("Mesure du modèle candidat…", flush=True)
            after, _ = measure(candidate, {**sets, **learned}, paths.work, run, use_cache)
            decision = decide({n: before[n] for n in sets}, {n: after[n] for n in sets}, after["learned"])
            record.figures_before, record.figures_after = summaries(before), summaries(after)
            print()
            print(table(before, after))
            print()
            for warning in decision.warnings:
                print(f"Attention : {warning}")
            if decision.accepted:
                replace_model(candidate, paths.model, paths.previous)
                keep = True
                record.status, record.accepted, record.reasons = ACCEPTED, True, decision.warnings
                print(f"ACCEPTÉ : {len(sel.examples)} exemple(s) appris ; le nouveau modèle est {paths.model} "
                      f"(l'ancien : {paths.previous}). Redémarrez le serveur Rasa pour le mettre en service.")
            else:
                record.status, record.reasons = REFUSED, decision.reasons + decision.warnings
                print("REFUSÉ : le modèle actuel reste en service, learned.yml est remis dans son état précédent.")
                print("\n".join(decision.reasons))
    except LearnError as exc:
        record.reasons = [str(exc)]
        raise
    except Exception as exc:
        record.reasons = [f"erreur inattendue : {type(exc).__name__}: {exc}"]
        raise
    finally:
        if not keep:
            if backup is None or times is None:  # both None together
                paths.learned.unlink(missing_ok=True)
            else:
                paths.learned.write_text(backup, encoding="utf-8")
                os.utime(paths.learned, ns=times)
        with session_scope(database_url) as s:
            if keep:
                store.mark_used(s, [ex.label_id for ex in sel.examples + sel.known])
                record.labels_used += [{"id": ex.label_id, "intent": ex.intent, "known": True} for ex in sel.known]
            run_id = store.record_run(s, record)
        print(f"Exécution enregistrée (n° {run_id}) : Historique de l'apprentissage dans la console.")
    return 0 if keep else 1


def _paths(args: argparse.Namespace) -> Paths:
    root = Path(args.root).resolve()
    tests = root / "tests"
    sets = GateSets(
        test=Path(args.test_set or tests / "nlu"), holdout=Path(args.holdout_set or tests / "nlu_holdout"),
        blind=Path(args.blind_set or tests / "nlu_blind"),
        redflags=Path(args.redflag_set or tests / "redflags" / "labelled_set.yml"),
    )
    work = Path(args.work_dir) if args.work_dir else settings.VAR_DIR / "learn"
    return Paths(root=root, model=Path(args.model or root / "models" / "current.tar.gz"), sets=sets, work=work)


def _run(args: argparse.Namespace) -> int:
    # Rasa and the red-flag component log every prediction of the thousands of cases played.
    logging.disable(logging.WARNING)
    try:
        return learn(_paths(args), args.database_url, dry_run=args.dry_run, use_cache=not args.no_cache)
    except LearnError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    except Exception:
        traceback.print_exc()
        print("Erreur inattendue (détail ci-dessus) : le modèle actuel reste en service.", file=sys.stderr)
        return 2
    finally:
        logging.disable(logging.NOTSET)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("learn", help="apprend les messages étiquetés dans la console, derrière la barrière de qualité")
    p.add_argument("--root", default=str(settings.PROJECT_ROOT), help="dossier avec config.yml, domain.yml, data/")
    p.add_argument("--model", help="modèle en service (défaut : ROOT/models/current.tar.gz)")
    p.add_argument("--test-set", help="défaut : ROOT/tests/nlu")
    p.add_argument("--holdout-set", help="défaut : ROOT/tests/nlu_holdout")
    p.add_argument("--blind-set", help="défaut : ROOT/tests/nlu_blind")
    p.add_argument("--redflag-set", help="défaut : ROOT/tests/redflags/labelled_set.yml")
    p.add_argument("--work-dir", help="cache des chiffres et journal d'entraînement (défaut : var/learn)")
    p.add_argument("--database-url", help="défaut : DATABASE_URL ou var/assistant.db")
    p.add_argument("--dry-run", action="store_true", help="montre ce qui serait appris, sans entraîner")
    p.add_argument("--no-cache", action="store_true", help="mesure aussi le modèle actuel, sans le cache")
    p.set_defaults(func=_run)
