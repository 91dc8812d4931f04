"""The learning gate (pure): per-set figures of a model, the decision between two models, the table.

Rules (issue 15): answered right on the test, hold-out and blind sets must not drop (the blind set's
follow-ups too); no red flag may lose its emergency answer, on the labelled red-flag set or any other
set (recall stays 100 %); emergency answers to non-emergencies must not rise, on any set.
And no learned message labelled as something else than a red flag may get the emergency answer from the
candidate: the detector reads it as a report, so the label is either a red-flag report called a question
(it would teach the classifier, the second net behind the detector, to ignore such reports: a measured
set cannot show it, since the detector overrules the classifier on every report it knows) or a false
alarm of the detector, that training cannot fix.
The second net itself (red flags the classifier alone would answer with the emergency answer) is shown
and warned about, not gated: one example moves it by a case or two either way (measured: 61 -> 60 on
the blind set and 243 -> 245 on the labelled set for one harmless label).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

from bot.quality.cases import FOLLOWUP, RED_FLAG, Case
from bot.quality.outcome import Outcome
from bot.quality.scores import Scores, emergency_ok, summary

# Sets whose "answered right" is gated; the red-flag set only counts emergencies.
ANSWER_SETS = ("test", "holdout", "blind")
SET_NAMES = {"test": "jeu de test", "holdout": "jeu hold-out", "blind": "jeu aveugle",
             "redflags": "signaux d'alerte étiquetés", "learned": "messages appris"}
MAX_LISTED = 10  # cases listed per reason


@dataclass
class SetFigures:
    """What the gate compares for one set; the lists name the cases, for the confusions."""

    cases: int = 0
    answered_right: int = 0
    answered_total: int = 0
    followups_right: int = 0
    followups_total: int = 0
    red_flags_caught: int = 0
    red_flags_total: int = 0
    emergency_false: int = 0
    non_emergency_turns: int = 0
    classifier_red_flags: int = 0  # red flags the classifier alone would answer with the emergency answer
    wrong: list[dict[str, str]] = field(default_factory=list)  # answered wrong (questions and follow-ups)
    missed_red_flags: list[dict[str, str]] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    classifier_missed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> dict[str, int]:
        """The numbers alone (what the history page shows)."""
        return {k: v for k, v in asdict(self).items() if isinstance(v, int)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SetFigures:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def figures(cases: list[Case], played: list[list[Outcome]], scores: Scores) -> SetFigures:
    """One set's figures from its played cases and their scores (bot.quality.scores.score)."""
    false_alarms = [_name(c) for c, outs in zip(cases, played)
                    if c.kind != RED_FLAG and any(o.emergency_groups for o in outs)]
    wrong = [_case(f) for f in scores.failures if f.get("kind") != RED_FLAG]
    red = [(c, outs[-1]) for c, outs in zip(cases, played) if c.kind == RED_FLAG]
    missed = [{"kind": RED_FLAG, "text": _name(c), "expected": c.group, "got": summary(last)}
              for c, last in red if not emergency_ok(last.first_emergency, c.group)]
    classifier_missed = [_name(c) for c, last in red if last.classifier_red_flag is None]
    return SetFigures(
        cases=len(cases), answered_right=scores.single_right, answered_total=scores.single_total,
        followups_right=scores.followups_right, followups_total=scores.followups_total,
        red_flags_caught=scores.red_flags_first, red_flags_total=scores.red_flags_total,
        emergency_false=scores.emergency_false, non_emergency_turns=scores.non_emergency_turns,
        classifier_red_flags=len(red) - len(classifier_missed),
        wrong=wrong, missed_red_flags=missed, false_alarms=false_alarms, classifier_missed=classifier_missed,
    )


def _name(case: Case) -> str:
    """A case as the gate names it: its turns (the last turn alone may be a bare "oui")."""
    return " → ".join(case.turns)


def _case(failure: Mapping[str, Any]) -> dict[str, str]:
    return {"kind": str(failure.get("kind", "")), "text": str(failure.get("text", "")),
            "expected": str(failure.get("expected", "")), "got": str(failure.get("got", ""))}


@dataclass
class Decision:
    accepted: bool
    reasons: list[str] = field(default_factory=list)  # why refused: the figure that fell and the cases
    warnings: list[str] = field(default_factory=list)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %".replace(".", ",") if whole else "-"


def _became_wrong(before: list[dict[str, str]], after: list[dict[str, str]]) -> list[dict[str, str]]:
    old = Counter((c["text"], c["expected"]) for c in before)
    out = []
    for c in after:
        key = (c["text"], c["expected"])
        if old[key]:
            old[key] -= 1
        else:
            out.append(c)
    return out


def _new(before: list[str], after: list[str]) -> list[str]:
    old = Counter(before)
    out = []
    for text in after:
        if old[text]:
            old[text] -= 1
        else:
            out.append(text)
    return out


def _listed(cases: list[dict[str, str]]) -> list[str]:
    lines = [f"  « {c['text'][:160]} » attendu {c['expected']} → obtenu {c['got']}" for c in cases[:MAX_LISTED]]
    if len(cases) > MAX_LISTED:
        lines.append(f"  … et {len(cases) - MAX_LISTED} autre(s)")
    return lines


def decide(before: Mapping[str, SetFigures], after: Mapping[str, SetFigures],
           learned: SetFigures | None = None) -> Decision:
    """Accept the candidate (`after`) only if no gated figure fell on any set measured for both models,
    and no learned message (`learned`: the candidate's figures on them) contradicts the red-flag answer."""
    d = Decision(accepted=True)
    if learned is not None:
        if learned.false_alarms:
            d.reasons.append(
                "messages appris : la réponse d'urgence reste donnée à un message étiqueté comme une question. "
                "Si c'est un signal d'alerte, l'étiquette est fausse et apprendrait au classifieur (le second filet, "
                "derrière le détecteur) à ignorer ces signalements ; si c'est une fausse alerte, c'est le lexique du "
                "détecteur qu'il faut corriger, pas l'entraînement :")
            d.reasons.extend(_listed([{"text": t, "expected": "question", "got": "urgence"}
                                      for t in learned.false_alarms]))
        if learned.missed_red_flags:
            d.warnings.append("messages appris : étiquetés signal d'alerte mais toujours sans la réponse d'urgence : "
                              + " ; ".join(f"« {c['text'][:100]} »" for c in learned.missed_red_flags))
    for name, b in before.items():
        a = after.get(name)
        if a is None:
            continue
        label = SET_NAMES.get(name, name)
        if name in ANSWER_SETS:
            for what, right, total, followups in (
                ("répondus juste", "answered_right", "answered_total", False),
                ("relances comprises", "followups_right", "followups_total", True),
            ):
                old, new = getattr(b, right), getattr(a, right)
                if new < old:
                    d.reasons.append(
                        f"{label} : {what} en baisse, {_pct(old, getattr(b, total))} ({old}) → "
                        f"{_pct(new, getattr(a, total))} ({new}) ; cas devenus faux :")
                    cases = [c for c in _became_wrong(b.wrong, a.wrong) if (c.get("kind") == FOLLOWUP) == followups]
                    d.reasons.extend(_listed(cases))
        newly_missed = _became_wrong(b.missed_red_flags, a.missed_red_flags)
        if newly_missed:
            d.reasons.append(
                f"{label} : signal d'alerte sans la réponse d'urgence, rappel "
                f"{_pct(b.red_flags_caught, b.red_flags_total)} → {_pct(a.red_flags_caught, a.red_flags_total)} :")
            d.reasons.extend(_listed(newly_missed))
        if b.red_flags_caught < b.red_flags_total:
            d.warnings.append(f"{label} : le modèle actuel manquait déjà {b.red_flags_total - b.red_flags_caught}"
                              " signal(aux) d'alerte")
        if a.classifier_red_flags < b.classifier_red_flags:
            lost = _new(b.classifier_missed, a.classifier_missed)
            d.warnings.append(
                f"{label} : le classifieur seul (second filet, derrière le détecteur) reconnaît moins de signaux "
                f"d'alerte, {b.classifier_red_flags} → {a.classifier_red_flags} sur {a.red_flags_total} : "
                + " ; ".join(f"« {t[:100]} »" for t in lost[:MAX_LISTED]))
        if a.emergency_false > b.emergency_false:
            new_alarms = _new(b.false_alarms, a.false_alarms)
            d.reasons.append(f"{label} : réponses d'urgence à une non-urgence en hausse, {b.emergency_false} → "
                             f"{a.emergency_false} ; nouveaux cas :")
            d.reasons.extend(_listed([{"text": t, "expected": "pas d'urgence", "got": "urgence"} for t in new_alarms]))
    d.accepted = not d.reasons
    return d


ROWS: tuple[tuple[str, str, str], ...] = (
    ("répondus juste", "answered_right", "answered_total"),
    ("relances comprises", "followups_right", "followups_total"),
    ("alertes avec réponse d'urgence", "red_flags_caught", "red_flags_total"),
    ("alertes vues par le classifieur seul", "classifier_red_flags", "red_flags_total"),
    ("urgences sur non-urgence", "emergency_false", "non_emergency_turns"),
)


@dataclass(frozen=True)
class Row:
    set_name: str
    figure: str
    before: str
    after: str
    moved: str  # "" | "mieux" | "moins bien"


def _cell(f: Mapping[str, int] | None, part: str, whole: str) -> str:
    return f"{f.get(part, 0)}/{f.get(whole, 0)} ({_pct(f.get(part, 0), f.get(whole, 0))})" if f is not None else "-"


def compare_rows(before: Mapping[str, Mapping[str, int]], after: Mapping[str, Mapping[str, int]]) -> list[Row]:
    """Before/after rows from the figures' numbers (SetFigures.summary()), as stored for the history page."""
    rows = []
    for name in list(before) + [n for n in after if n not in before]:
        b, a = before.get(name), after.get(name)
        for what, part, whole in ROWS:
            if not any(f.get(whole) for f in (b, a) if f is not None):
                continue
            if name == "redflags" and part == "answered_right":
                continue  # its negatives are only there to count emergency answers
            moved = ""
            old, new = (b or {}).get(part, 0), (a or {}).get(part, 0)
            if b is not None and a is not None and new != old:
                worse = new > old if part == "emergency_false" else new < old
                moved = "moins bien" if worse else "mieux"
            rows.append(Row(SET_NAMES.get(name, name), what, _cell(b, part, whole), _cell(a, part, whole), moved))
    return rows


def table(before: Mapping[str, SetFigures], after: Mapping[str, SetFigures]) -> str:
    """The before/after table printed by the command."""
    head = f"{'jeu':<28} {'mesure':<36} {'avant':>20} {'après':>20}"
    lines = [head, "-" * len(head)]
    marks = {"": "", "mieux": "  ▲", "moins bien": "  ▼"}
    for r in compare_rows({n: f.summary() for n, f in before.items()}, {n: f.summary() for n, f in after.items()}):
        lines.append(f"{r.set_name:<28} {r.figure:<36} {r.before:>20} {r.after:>20}{marks[r.moved]}")
    return "\n".join(lines)
