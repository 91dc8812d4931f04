"""The red-flag entity: what the NLU component writes is what the alert action reads."""

from __future__ import annotations

from bot.core.redflags import Detection, Report
from bot.core.redflags.entity import ENTITY, build_entity, parse_entity


def test_entity_round_trip() -> None:
    report = Report(
        reported=(Detection("A", ("sens", "plus", "jambes"), "je ne sens plus mes jambes"),
                  Detection("F", ("mourir",), "j'ai envie de mourir")),
        mentioned=("A", "F"),
    )
    original = {"name": "ask_going_home", "confidence": 0.7}
    text = "je ne sens plus mes jambes et j'ai envie de mourir"
    entity = build_entity(report, original, text)
    assert (entity["entity"], entity["start"], entity["end"]) == (ENTITY, 0, len(text))
    parsed = parse_entity([{"entity": "other", "value": "x"}, entity])
    assert parsed is not None
    assert (parsed.group, parsed.matched, parsed.also_f) == ("A", ("sens", "plus", "jambes"), True)
    assert (parsed.original_name, parsed.original_confidence) == ("ask_going_home", 0.7)
    assert dict(parsed.original_intent) == original


def test_suicidal_thoughts_alone_do_not_add_a_second_3114_answer() -> None:
    report = Report(reported=(Detection("F", ("mourir",), "je veux mourir"),))
    parsed = parse_entity([build_entity(report, {}, "je veux mourir")])
    assert parsed is not None and parsed.group == "F" and not parsed.also_f


def test_no_entity_and_partial_entities() -> None:
    assert parse_entity(None) is None
    assert parse_entity([{"entity": "feedback", "value": "oui"}]) is None
    parsed = parse_entity([{"entity": ENTITY, "value": "C"}])  # a hand-written entity: defaults
    assert parsed is not None
    assert (parsed.group, parsed.matched, parsed.also_f, parsed.original_name) == ("C", (), False, "")


def test_a_report_without_group_has_no_entity() -> None:
    try:
        build_entity(Report(mentioned=("D",)), {}, "je n'ai pas de fièvre")
    except ValueError:
        return
    raise AssertionError("build_entity accepted a report without a group")
