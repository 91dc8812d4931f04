"""The two sources every answer quotes, and the quotes for one answer's `metadata.source` (pure).

Source tags, as written in domain.yml:
  "page (Quels risques ?)"                the sentences of that section of the centre's page that best
  "page (introduction; Quelles suites ?)" match the answer's sentences, by word overlap
  "faits: cement leak (J Orthop ...)"     that row of ../shared/medical-facts.md, word for word
  "red flags group D", "faits: red flags" that row of the red-flag table (all rows when no group)
  "aucun fait"                            a sentence of conversation, nothing to quote
Parts are separated by ";" outside brackets. A part that names nothing known is shown as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.content import textmatch
from bot.core.redflags.normalize import fold_text

# Lines of the saved page that are the web builder's, not the centre's.
_PAGE_NOISE = {"top of page", "bottom of page"}
_BULLET = re.compile(r"^[•\-*]\s*")
_HEADING_MAX_WORDS = 6
PAGE_ALIASES = {"introduction": 0}  # "introduction" = the text under the page's title


@dataclass(frozen=True)
class Section:
    titles: tuple[str, ...]
    lines: tuple[str, ...]

    @property
    def title(self) -> str:
        return " ".join(self.titles)

    def sentences(self) -> list[str]:
        return [s for line in self.lines for s in textmatch.sentences(line)]


@dataclass(frozen=True)
class Page:
    sections: tuple[Section, ...]

    def find(self, name: str) -> Section | None:
        """The section a source tag names: alias, else the title closest to `name` (Jaccard on words)."""
        key = " ".join(_title_words(name))
        if key in PAGE_ALIASES and self.sections:
            return self.sections[PAGE_ALIASES[key]]
        wanted = set(_title_words(name))
        best, best_score = None, 0.0
        for section in self.sections:
            for title in section.titles:
                words = set(_title_words(title))
                if words:
                    score = len(wanted & words) / len(wanted | words)
                    if score > best_score:
                        best, best_score = section, score
        return best


def _title_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold_text(text))


def _is_heading(line: str) -> bool:
    return (
        not _BULLET.match(line)
        and not line.endswith(".")
        and len(line.split()) <= _HEADING_MAX_WORDS
        and any(c.isalpha() for c in line)
        and not any(c.isdigit() or c in "@©" for c in line)
    )


def parse_page(text: str) -> Page:
    """Sections of the saved page: a short line without a full stop is a heading; headings that follow
    each other name one section; a line repeated on the page is an image caption and is skipped."""
    raw = [" ".join(line.split()) for line in text.replace("’", "'").splitlines()]
    counts: dict[str, int] = {}
    for line in raw:
        counts[line] = counts.get(line, 0) + 1
    sections: list[Section] = []
    titles: list[str] = []
    lines: list[str] = []
    for line in raw:
        if not line or line.lower() in _PAGE_NOISE or counts[line] > 1:
            continue
        if _is_heading(line):
            if lines:
                sections.append(Section(tuple(titles), tuple(lines)))
                titles, lines = [], []
            titles.append(line)
        else:
            lines.append(_BULLET.sub("", line))
    if titles or lines:
        sections.append(Section(tuple(titles), tuple(lines)))
    return Page(tuple(sections))


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Facts:
    """../shared/medical-facts.md: the facts table, the red-flag table and the prose around them."""

    facts: Table
    red_flags: Table
    prose: tuple[str, ...]

    def topic(self, row: tuple[str, ...]) -> str:
        return re.sub(r"\s*\(.*?\)", "", row[0]).strip().lower()

    def red_flag_row(self, letter: str) -> tuple[str, ...] | None:
        for row in self.red_flags.rows:
            if row[0].startswith(f"{letter}."):
                return row
        return None


def _cells(line: str) -> tuple[str, ...]:
    return tuple(cell.strip() for cell in line.strip().strip("|").split("|"))


def parse_facts(text: str) -> Facts:
    tables: dict[str, Table] = {}
    prose: list[str] = []
    heading = ""
    table_lines: list[str] = []

    def flush() -> None:
        if table_lines:
            header, *rows = [_cells(line) for line in table_lines if not re.match(r"^\|[\s|:-]+\|$", line)]
            tables.setdefault(heading, Table(header, tuple(rows)))
            table_lines.clear()

    paragraph: list[str] = []
    for line in text.splitlines() + [""]:
        stripped = line.strip()
        if stripped.startswith("|"):
            table_lines.append(stripped)
            continue
        flush()
        if stripped.startswith("#"):
            heading = stripped.lstrip("#").strip().lower()
        if stripped and not stripped.startswith("#"):
            paragraph.append(stripped)
        elif paragraph:
            prose.extend(textmatch.sentences(" ".join(paragraph)))
            paragraph = []
    facts = next((t for h, t in tables.items() if "facts" in h), Table((), ()))
    red = next((t for h, t in tables.items() if "red flag" in h), Table((), ()))
    return Facts(facts, red, tuple(prose))


@dataclass(frozen=True)
class Quote:
    """One quoted passage: where it comes from, and its words (cells of a table row, or sentences)."""

    origin: str  # French label shown to the reader
    passages: tuple[str, ...]
    cells: tuple[tuple[str, str], ...] = ()  # (column, cell) of a table row


@dataclass
class Quotes:
    kind: str  # "sources" | "aucune"
    quotes: list[Quote] = field(default_factory=list)
    unmatched_sentences: list[str] = field(default_factory=list)  # answer sentences the page does not back
    unknown_refs: list[str] = field(default_factory=list)  # parts of the tag that name nothing known


def split_top_level(text: str, sep: str) -> list[str]:
    """`text` split on `sep` outside brackets."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        if ch == sep and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


_RED_FLAGS = re.compile(r"red flags?\b(?:\s+group)?((?:\s*,?\s*[A-F](?![A-Za-z]))*)")


@dataclass(frozen=True)
class Library:
    page: Page | None
    facts: Facts | None

    @classmethod
    def load(cls, page_path: Path, facts_path: Path) -> Library:
        page = parse_page(page_path.read_text(encoding="utf-8")) if page_path.exists() else None
        facts = parse_facts(facts_path.read_text(encoding="utf-8")) if facts_path.exists() else None
        return cls(page, facts)

    def quotes_for(self, source: str, answer_text: str) -> Quotes:
        """Everything `source` names, quoted word for word, for an answer reading `answer_text`."""
        parts = split_top_level(source, ";")
        if not parts or all(fold_text(p).startswith("aucun fait") for p in parts):
            return Quotes("aucune")
        out = Quotes("sources")
        answer = textmatch.sentences(answer_text)
        page_candidates: list[tuple[Section, str]] = []
        backed_by_facts = False
        for part in parts:
            if fold_text(part).startswith("aucun fait"):
                continue
            if part.startswith("page"):
                page_candidates += self._page_part(part, out)
            else:
                backed_by_facts |= self._facts_part(part, out)
        if page_candidates:
            self._quote_page(answer, page_candidates, out, report_unmatched=not backed_by_facts)
        return out

    # -- the centre's page ---------------------------------------------------------------------------

    def _page_part(self, part: str, out: Quotes) -> list[tuple[Section, str]]:
        inside = part[part.find("(") + 1 : part.rfind(")")] if "(" in part else ""
        if self.page is None:
            out.unknown_refs.append(f"{part} (page du centre introuvable)")
            return []
        found: list[tuple[Section, str]] = []
        for name in split_top_level(inside, ";") or [""]:
            if fold_text(name).strip() == "sommaire":
                titles = tuple(s.title for s in self.page.sections if s.titles)
                out.quotes.append(Quote("Page du centre : titres des sections", titles))
                continue
            section = self.page.find(name) if name else None
            if section is None:
                out.unknown_refs.append(f"page ({name})")
            else:
                found += [(section, s) for s in section.sentences()]
        return found

    def _quote_page(
        self, answer: list[str], candidates: list[tuple[Section, str]], out: Quotes, report_unmatched: bool
    ) -> None:
        matches = textmatch.best_matches(answer, [s for _, s in candidates])
        chosen = sorted({m.candidate_index for m in matches})
        by_section: dict[str, list[str]] = {}
        for index in chosen:
            section, sentence = candidates[index]
            by_section.setdefault(section.title or "introduction", []).append(sentence)
        for title, passages in by_section.items():
            out.quotes.append(Quote(f"Page du centre, « {title} »", tuple(passages)))
        if report_unmatched:
            backed = {m.answer_index for m in matches}
            out.unmatched_sentences += [
                s for i, s in enumerate(answer) if i not in backed and textmatch.words(s)
            ]

    # -- ../shared/medical-facts.md ------------------------------------------------------------------

    def _facts_part(self, part: str, out: Quotes) -> bool:
        """Quote the rows a facts part names; True when it named at least one."""
        text = re.sub(r"^faits\s*:\s*", "", part.strip(), flags=re.IGNORECASE)
        if self.facts is None:
            out.unknown_refs.append(f"{part} (medical-facts.md introuvable)")
            return False
        named = False
        for m in _RED_FLAGS.finditer(text):
            letters = re.findall(r"[A-F]", m.group(1))
            rows = [r for r in (self.facts.red_flag_row(x) for x in letters) if r] if letters else []
            if letters and rows:
                for row in rows:
                    out.quotes.append(self._row_quote("Faits médicaux, signaux d'alarme", self.facts.red_flags, row))
            else:
                summary = tuple(f"{r[0]} : {r[-1]}" for r in self.facts.red_flags.rows)
                out.quotes.append(Quote("Faits médicaux, signaux d'alarme (groupe et conduite à tenir)", summary))
            named = True
        rest = _RED_FLAGS.sub(" ", text)
        for row in self.facts.facts.rows:
            topic = self.facts.topic(row)
            if topic and topic in rest.lower():
                out.quotes.append(self._row_quote("Faits médicaux", self.facts.facts, row))
                rest = re.sub(re.escape(topic), " ", rest, flags=re.IGNORECASE)
                named = True
        rest = re.sub(r"\(.*?\)", " ", rest)
        if re.search(r"[A-Za-z]{3}", rest):
            note = " ".join(rest.replace(",", " ").split())
            best = textmatch.best_matches(
                [note], self.facts.prose, textmatch.ENGLISH_STOP, min_common=1, min_score=0.05, per_sentence=1
            )
            if best:
                out.quotes.append(Quote(f"Faits médicaux (« {note} »)", (self.facts.prose[best[0].candidate_index],)))
                named = True
            else:
                out.unknown_refs.append(note)
        return named

    @staticmethod
    def _row_quote(origin: str, table: Table, row: tuple[str, ...]) -> Quote:
        return Quote(f"{origin} : {row[0]}", (), tuple(zip(table.header, row)))
