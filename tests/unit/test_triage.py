from bot.triage import triage_outcome


def test_no_yes_means_no_group() -> None:
    assert triage_outcome({"tr_weakness": False, "tr_bladder": False, "tr_fever": False, "tr_breathing": False}) is None
    assert triage_outcome({}) is None


def test_most_urgent_group_wins() -> None:
    assert triage_outcome({"tr_fever": True, "tr_weakness": True}) == "A"
    assert triage_outcome({"tr_fever": True, "tr_breathing": True}) == "B"
    assert triage_outcome({"tr_bladder": True}) == "A"
    assert triage_outcome({"tr_fever": True}) == "D"
