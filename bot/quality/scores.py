"""Scores of played cases (pure): what `make bench` prints and the learning gate compares."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.core.followups import PRACTICAL_PREFIX, FollowupTable
from bot.quality.cases import FOLLOWUP, QUESTION, RED_FLAG, STATEMENT, SYMPTOM_UNCLEAR, Case
from bot.quality.metrics import macro_f1
from bot.quality.outcome import Outcome

PRIORITY = ("A", "B", "E", "F", "C", "D")  # most urgent first, as the detector's lexicon orders them
# Writers' aspects that the assistant reads as another one.
ASPECT_ALIASES = {"hours": "duration"}
STATEMENT_INTENT = "inform_situation"


def emergency_ok(found: str | None, expected: str) -> bool:
    """The emergency answer given first is for the expected group or a more urgent one."""
    if found is None or expected not in PRIORITY or found not in PRIORITY:
        return found is not None and found == expected
    return PRIORITY.index(found) <= PRIORITY.index(expected)


def summary(outcome: Outcome) -> str:
    """A short label of what a reply did, for the confusion list."""
    if outcome.emergency_groups:
        return f"urgence {outcome.emergency_groups[0]}"
    if outcome.triage_started:
        return "questions de suivi"
    if outcome.fallback:
        return "reformuler"
    return "+".join(sorted(outcome.answered)) or "rien"


# Answers inside a form: outside one, being understood is all they can get right.
FORM_ANSWERS = frozenset({"affirm", "deny", "stop"})


def question_right(case: Case, outcome: Outcome) -> bool:
    if outcome.emergency_groups or outcome.triage_started:
        return False
    # Form answers, and follow-ups asked with no previous answer: being understood is what can be right.
    if set(case.expect) & FORM_ANSWERS or any(e.startswith("followup_") for e in case.expect):
        return outcome.intent in case.expect
    return all(e in outcome.answered for e in case.expect)


def followup_expected(case: Case, table: FollowupTable) -> list[str]:
    aspect = ASPECT_ALIASES.get(case.aspect, case.aspect)
    names = table.resolve(case.topic, aspect)
    return [f"topic:{n.removeprefix(PRACTICAL_PREFIX)}" if n.startswith(PRACTICAL_PREFIX) else n for n in names]


def followup_right(case: Case, outcome: Outcome, table: FollowupTable) -> bool:
    if outcome.emergency_groups or outcome.triage_started:
        return False
    expected = followup_expected(case, table)
    if expected == [table.unknown]:
        # No answer in the sources for this pair: saying so is right, another topic's facts are not.
        return table.unknown in outcome.responses or not (outcome.answered - {"fu_unknown"})
    return all(e in outcome.responses for e in expected)


@dataclass
class Scores:
    counts: dict[str, int] = field(default_factory=dict)
    answered_right: float = 0.0
    single_right: int = 0
    single_total: int = 0
    top1: float = 0.0
    macro_f1: float = 0.0
    red_flags_first: int = 0
    red_flags_total: int = 0
    red_flags_exact_group: int = 0
    emergency_false: int = 0
    non_emergency_turns: int = 0
    triage_needless: int = 0
    no_symptom_messages: int = 0
    followups_right: int = 0
    followups_total: int = 0
    fasting_hours_given: int = 0
    confusions: list[tuple[str, str, int]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def score(cases: list[Case], played: list[list[Outcome]], table: FollowupTable,
          responses_with_hours: frozenset[str] = frozenset()) -> Scores:
    s = Scores(counts=dict(Counter(c.kind for c in cases)))
    gold, predicted, top_gold, top_pred = [], [], [], []
    confusions: Counter[tuple[str, str]] = Counter()
    for case, outcomes in zip(cases, played):
        last = outcomes[-1]
        if case.kind == RED_FLAG:
            s.red_flags_total += 1
            first = last.first_emergency
            ok = emergency_ok(first, case.group)
            s.red_flags_first += ok
            s.red_flags_exact_group += first == case.group
            if not ok:
                s.failures.append({"kind": case.kind, "text": case.text, "expected": case.group, "got": summary(last),
                                   "intent": last.intent, "top1": last.top1})
            continue
        for outcome in outcomes:
            s.non_emergency_turns += 1
            s.emergency_false += bool(outcome.emergency_groups)
        if case.kind in (QUESTION, FOLLOWUP):
            s.no_symptom_messages += len(outcomes)
            s.triage_needless += sum(o.triage_started for o in outcomes)
        if case.kind == FOLLOWUP:
            s.followups_total += 1
            ok = followup_right(case, last, table)
            s.followups_right += ok
            if case.topic == "ask_fasting" and responses_with_hours & set(last.responses):
                s.fasting_hours_given += 1
            if not ok:
                expected = "+".join(followup_expected(case, table))
                confusions[(f"{case.topic}/{case.aspect}", summary(last))] += 1
                s.failures.append({"kind": case.kind, "text": " → ".join(case.turns), "expected": expected,
                                   "got": "+".join(last.responses)})
            continue
        s.single_total += 1
        ok = last.triage_started and not last.emergency_groups if case.kind == SYMPTOM_UNCLEAR \
            else question_right(case, last)
        s.single_right += ok
        expected = case.expect[0] if case.expect else ""
        expected = STATEMENT_INTENT if expected == STATEMENT else expected
        gold.append(expected)
        predicted.append(last.intent)
        if case.kind == QUESTION and len(case.expect) == 1:
            top_gold.append(expected)
            top_pred.append(last.top1)
        if not ok:
            confusions[("+".join(case.expect), summary(last))] += 1
            s.failures.append({"kind": case.kind, "text": case.text, "expected": "+".join(case.expect),
                               "got": summary(last), "intent": last.intent, "top1": last.top1})
    s.answered_right = s.single_right / s.single_total if s.single_total else 0.0
    s.top1 = sum(g == p for g, p in zip(top_gold, top_pred)) / len(top_gold) if top_gold else 0.0
    s.macro_f1 = macro_f1(gold, predicted) if gold else 0.0
    s.confusions = [(e, g, n) for (e, g), n in confusions.most_common()]
    return s
