"""`python -m bot content-review` writes the document a doctor signs, from the real files (HTML and PDF).

The document is written where `make content-review` puts it (var/content-review/, or CONTENT_REVIEW_DIR):
`make test` builds it through this test.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from bot import settings
from bot.__main__ import main
from bot.content.builder import HTML_NAME, PDF_NAME
from bot.content.items import all_answers, content_version, domain_answers
from bot.core.practical import PRACTICAL_FILE, PRACTICAL_INTENTS, answer_for

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
CONFIG = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))

if not Path(settings.CHROMIUM).exists():
    pytest.skip(f"Chromium absent ({settings.CHROMIUM}) : `make browser` l'installe", allow_module_level=True)


def visible_text(page: str) -> str:
    """What a reader sees, as one line: tags dropped (inline ones without a space), entities decoded."""
    page = re.sub(r"<(style|title)>.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<span class="emoji-name">.*?</span>', "", page)
    page = re.sub(r"</?span[^>]*>", "", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(page).split())


@pytest.fixture(scope="module")
def document() -> tuple[str, bytes]:
    out = settings.CONTENT_REVIEW_DIR
    assert main(["content-review", "--out", str(out)]) == 0
    return (out / HTML_NAME).read_text(encoding="utf-8"), (out / PDF_NAME).read_bytes()


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_every_response_of_the_domain_is_in_the_document(document: tuple[str, bytes]) -> None:
    page, _pdf = document
    text = visible_text(page)
    missing = []
    for answer in domain_answers(DOMAIN):
        assert len(answer.variations) == len(DOMAIN["responses"][answer.id])
        if f'id="{answer.id}"' not in page:
            missing.append(f"{answer.id}: no section")
        shown = [answer.source] + [v.text for v in answer.web] + [t for v in answer.web for t, _ in v.buttons]
        shown += [v.spoken() for v in answer.voice]  # what a caller hears
        missing += [f"{answer.id}: {s[:60]}" for s in shown if one_line(s) not in text]
    assert not missing, missing


def test_every_practical_answer_is_in_the_document(document: tuple[str, bytes]) -> None:
    page, _pdf = document
    text = visible_text(page)
    data = yaml.safe_load(PRACTICAL_FILE.read_text(encoding="utf-8"))
    for intent in PRACTICAL_INTENTS:
        built = answer_for(intent, data)
        assert one_line(built.text) in text, intent
        assert all(title in text for title, _ in built.buttons), intent


def test_the_document_carries_its_version_the_tables_and_a_signature_block(document: tuple[str, bytes]) -> None:
    page, pdf = document
    version = content_version(all_answers(ROOT / "domain.yml", PRACTICAL_FILE))
    assert re.search(rf'id="content-version">{version}<', page)
    triage_form = next(spec for name, spec in DOMAIN["forms"].items() if name.startswith("triage"))
    table = page.split('id="triage-table"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 1 + len(triage_form["required_slots"]) + 1  # header, questions, "all no"
    fallback = next(c for c in CONFIG["pipeline"] if c["name"] == "FallbackClassifier")
    thresholds = visible_text(page.split('id="thresholds"', 1)[1].split("</table>", 1)[0])
    assert f"FallbackClassifier threshold config.yml {fallback['threshold']}" in thresholds
    for group in "ABCDEF":
        section = page.split(f'id="groupe-{group}"', 1)[1].split("</section>", 1)[0]
        assert f"utter_red_flag_{group.lower()}" in section
        assert section.count("<li>") >= 6  # examples that trigger it and that must not
    for label in ("Nom :", "Date :", "Signature :"):
        assert label in page.split('id="signature"', 1)[1]
    assert pdf.startswith(b"%PDF-") and len(pdf) > 50_000
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 10
