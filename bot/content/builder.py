"""Reads the project's files into the review document and writes it (HTML, then PDF)."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from bot import settings
from bot.content import redflags, review
from bot.content.items import load_practical
from bot.content.pdf import print_pdf
from bot.content.render import render_html
from bot.content.sources import Library
from bot.core.practical import PRACTICAL_FILE

logger = logging.getLogger(__name__)
HTML_NAME = "revue-contenus.html"
PDF_NAME = "revue-contenus.pdf"


@dataclass
class Paths:
    domain: Path = settings.DOMAIN_FILE
    practical: Path = PRACTICAL_FILE
    config: Path = settings.PROJECT_ROOT / "config.yml"
    page: Path = settings.SOURCES_DIR / "source" / "page-vertebroplastie-centre.txt"
    facts: Path = settings.SOURCES_DIR / "medical-facts.md"
    labelled: Path = redflags.LABELLED_SET
    lexicon: Path = redflags.LEXICON
    extra: list[Path] = field(default_factory=lambda: [settings.PROJECT_ROOT / "bot" / "core" / "triage.py"])

    def all(self) -> list[Path]:
        files = [self.domain, self.practical, self.config, self.page, self.facts, self.labelled, self.lexicon]
        return files + self.extra


def detector_mentions() -> Callable[[str], Sequence[str]] | None:
    """The red-flag groups whose words a text holds (the detector's `mentioned`), or None if spaCy's
    model cannot be loaded."""
    try:
        from bot.core.redflags import analyse

        analyse("test")  # loads spaCy now, so that a failure is caught here
    except (ImportError, OSError) as exc:
        logger.warning("détecteur indisponible, exemples négatifs non classés : %s", exc)
        return None
    return lambda text: analyse(text).mentioned


def component_defaults(name: str) -> dict[str, Any]:
    """Default configuration of one of the project's Rasa components, with its module's thresholds."""
    module_name, _, class_name = name.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        logger.warning("composant %s introuvable : %s", name, exc)
        return {}
    component: Any = getattr(module, class_name, None)  # any class named in config.yml
    values = dict(component.get_default_config()) if hasattr(component, "get_default_config") else {}
    for key in dir(module):
        value = getattr(module, key)
        if key.isupper() and isinstance(value, float) and any(w in key for w in ("CONFIDEN", "THRESHOLD")):
            values.setdefault(key, value)
    return values


def collect(paths: Paths | None = None, detector: bool = True, defaults: bool = True) -> review.Document:
    paths = paths or Paths()
    mentions = detector_mentions() if detector else None
    return review.build(
        domain=review.load_yaml(paths.domain),
        practical_data=load_practical(paths.practical),
        library=Library.load(paths.page, paths.facts),
        redflags=redflags.load_review(mentions, paths.labelled, paths.lexicon),
        config=review.load_yaml(paths.config),
        defaults=component_defaults if defaults else None,
        files=paths.all(),
        root=settings.PROJECT_ROOT,
    )


def write(doc: review.Document, out_dir: Path, pdf: bool = True) -> tuple[Path, Path | None]:
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / HTML_NAME
    html_path.write_text(render_html(doc), encoding="utf-8")
    pdf_path = print_pdf(html_path, out_dir / PDF_NAME) if pdf else None
    return html_path, pdf_path
