"""The centre's name, phone and address live in config/centre.yml only; everything else reads them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.core.centre import CENTRE_FILE, Centre, fill, load_centre, parse_centre
from bot.core.practical import answer_for
from bot.rasa_server.channels import voice_failure_text
from bot.site import create_app

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
CENTRE = load_centre()
PAGE = ROOT.parent / "shared" / "source" / "page-vertebroplastie-centre.txt"

# Where the number may still be written: tests, documentation, what patients type (training data).
SKIPPED_DIRS = {".git", ".venv", "node_modules", "dist", "var", "models", "__pycache__", "tests", "test", "nlu"}
TEXT_SUFFIXES = {".py", ".js", ".mjs", ".html", ".yml", ".yaml", ".json", ".sh", ".toml", ".cfg", ".txt", ".css",
                 ".ini", ".mako", ""}


def test_the_file_gives_the_name_phone_and_address_of_the_centres_page() -> None:
    assert CENTRE.name == "Centre Spécialisé de Radiologie Interventionnelle"
    assert CENTRE.phone == "01 39 63 71 39" and CENTRE.phone_uri == "tel:+33139637139"
    assert CENTRE.address == "21 rue Moxouris, 78150 Le Chesnay-Rocquencourt"
    if PAGE.exists():  # the shared sources sit next to the repository
        page = PAGE.read_text(encoding="utf-8")
        for fact in (CENTRE.name, CENTRE.phone, CENTRE.email, CENTRE.postcode, CENTRE.town):
            assert fact in page, fact
        assert CENTRE.street.lower() in page.lower()


def test_a_missing_or_empty_value_is_an_error_not_a_guess() -> None:
    data = yaml.safe_load(CENTRE_FILE.read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="telephone"):
        parse_centre({**data, "telephone": "  "})
    with pytest.raises(ValueError, match="nom"):
        parse_centre({k: v for k, v in data.items() if k != "nom"})
    with pytest.raises(ValueError):
        parse_centre(["not", "a", "mapping"])


def test_the_domains_slots_equal_the_file() -> None:
    # Rasa fills {centre_name} / {centre_phone} in responses from these slots: they must say what the file says.
    slots = DOMAIN["slots"]
    assert {name: slots[name]["initial_value"] for name in CENTRE.slots()} == CENTRE.slots(), (
        "domain.yml: copy config/centre.yml into the centre_name / centre_phone slots, then retrain")
    assert all(slots[name]["influence_conversation"] is False for name in CENTRE.slots())


def test_the_widget_build_can_read_the_phone_line() -> None:
    # web/build.mjs reads the file without a YAML library: one line `telephone: "…"`.
    match = re.search(r'^telephone:\s*"([^"]+)"\s*$', CENTRE_FILE.read_text(encoding="utf-8"), re.M)
    assert match and match.group(1) == CENTRE.phone
    assert "__CENTRE_PHONE__" in (ROOT / "web" / "build.mjs").read_text(encoding="utf-8")


def test_fill_puts_the_centre_in_a_domain_text() -> None:
    other = Centre("Centre Test", "01 23 45 67 89", "a@b.fr", "1 rue X", "75001", "Paris")
    assert fill("Le {centre_name} répond au {centre_phone}.", other) == "Le Centre Test répond au 01 23 45 67 89."
    assert fill(DOMAIN["responses"]["utter_disclaimer"][0]["text"]).count(CENTRE.name) == 1


def test_practical_answers_site_and_phone_channel_read_the_file() -> None:
    other = Centre("Centre Test", "01 23 45 67 89", "a@b.fr", "1 rue X", "75001", "Paris")
    assert "01 23 45 67 89" in answer_for("ask_contact", {}, other).text
    assert "1 rue X, 75001 Paris" in answer_for("ask_address", {}, other).text
    assert CENTRE.phone in voice_failure_text()
    client = create_app({"TESTING": True}).test_client()
    for page in ("/", "/contact", "/confidentialite"):
        html = client.get(page).get_data(as_text=True)
        assert CENTRE.phone in html and f'href="{CENTRE.phone_uri}"' in html and CENTRE.name in html, page
    assert CENTRE.address in client.get("/contact").get_data(as_text=True)


def number_pattern(phone: str) -> re.Pattern[str]:
    """The number in any spelling: 01 39 63 71 39, 01.39…, 0139637139, +33 1 39…, tel:+33139637139."""
    national = re.sub(r"\D", "", phone)[1:]
    return re.compile(r"(?:\+?33[\s.]?|0)" + r"[\s.]?".join(national) + r"(?!\d)")


def test_the_number_is_written_in_no_other_source_file() -> None:
    pattern = number_pattern(CENTRE.phone)
    found = []
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if (not path.is_file() or path.suffix not in TEXT_SUFFIXES or path.name.endswith(".md")
                or SKIPPED_DIRS & set(relative.parts[:-1]) or path == CENTRE_FILE
                or any(part.startswith(".") for part in relative.parts[:-1])):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="ignore").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    allowed = [f"domain.yml:{i}" for i, line in enumerate((ROOT / "domain.yml").read_text(encoding="utf-8")
               .splitlines(), 1) if line.strip().startswith("initial_value:")]
    assert [f for f in found if f.split(": ")[0] not in allowed] == []
    assert len(found) == 1, "the centre_phone slot holds the number"
