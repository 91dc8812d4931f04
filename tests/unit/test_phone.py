import pytest

from bot.core.phone import normalize_phone


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("0612345678", "06 12 34 56 78"),
        ("06 12 34 56 78", "06 12 34 56 78"),
        ("06.12.34.56.78", "06 12 34 56 78"),
        ("+33 6 12 34 56 78", "06 12 34 56 78"),
        ("+33 (0)6 12 34 56 78", "06 12 34 56 78"),
        ("0033612345678", "06 12 34 56 78"),
        ("01 39 63 71 39", "01 39 63 71 39"),
        ("+33139637139", "01 39 63 71 39"),
        ("07-12-34-56-78", "07 12 34 56 78"),
    ],
)
def test_french_numbers_are_accepted_and_normalised(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", "123", "06123456", "061234567890", "+44 20 7946 0958", "0012345678", "abcdefghij",
            "06 12 34 56 7a", "<script>alert(1)</script>", "'; DROP TABLE callback_requests;--"],
)
def test_invalid_numbers_are_refused(raw: str) -> None:
    assert normalize_phone(raw) is None
