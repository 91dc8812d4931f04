"""The content-review document as one self-contained HTML file (Jinja2, autoescaped)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape

from bot.content.review import Document

TEMPLATES = Path(__file__).resolve().parent / "templates"
_SLOT = re.compile(r"\{(\w+)\}")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")
# The PDF's fonts may lack emoji: their name follows them, so that the reader knows what the patient sees.
EMOJI_NAMES = {"🚨": "gyrophare"}


def slots(text: str) -> Markup:
    """Escaped text with `{slot}` placeholders marked (the patient sees the value, not the name) and emoji named."""
    html = _SLOT.sub(r'<span class="slot">{\1}</span>', str(escape(text)))
    return Markup(_EMOJI.sub(_emoji, html))


def _emoji(m: re.Match[str]) -> str:
    char = m.group(0)
    name = EMOJI_NAMES.get(char) or unicodedata.name(char, "pictogramme").lower()
    return f'{char}<span class="emoji-name">[{name}]</span>'


def markdown_bold(text: str) -> Markup:
    """Escaped text with the facts file's **bold** kept."""
    return Markup(_BOLD.sub(r"<strong>\1</strong>", str(escape(text))))


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(slots=slots, md=markdown_bold)
    return env


def render_html(doc: Document) -> str:
    return environment().get_template("revue-contenus.html").render(doc=doc)
