"""Helpers shared by the views: filters from the query string, page numbers."""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from bot.console.queries import Filters

TRUE_VALUES = {"1", "on", "oui", "true"}
MAX_QUERY = 200


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def parse_filters(args: MultiDict[str, str]) -> tuple[Filters, list[str]]:
    """Filters from the query string; invalid values are dropped and reported."""
    errors: list[str] = []
    filters = Filters(
        red_flag=args.get("red_flag", "").lower() in TRUE_VALUES,
        fallback=args.get("fallback", "").lower() in TRUE_VALUES,
        asked_person=args.get("asked_person", "").lower() in TRUE_VALUES,
        not_reviewed=args.get("not_reviewed", "").lower() in TRUE_VALUES,
        q=args.get("q", "").strip()[:MAX_QUERY],
    )
    for name in ("date_from", "date_to"):
        raw = args.get(name, "").strip()
        value = parse_date(raw)
        if raw and value is None:
            errors.append(f"Date ignorée (format attendu AAAA-MM-JJ) : {raw[:40]}")
        setattr(filters, name, value)
    return filters, errors


def parse_page(args: MultiDict[str, str]) -> int:
    try:
        return max(1, min(int(args.get("page", "1")), 1_000_000))
    except ValueError:
        return 1


def filter_args(filters: Filters) -> dict[str, str]:
    """The query-string form of `filters` (for pagination links and export links)."""
    out: dict[str, str] = {}
    for name in ("red_flag", "fallback", "asked_person", "not_reviewed"):
        if getattr(filters, name):
            out[name] = "1"
    if filters.date_from:
        out["date_from"] = filters.date_from.isoformat()
    if filters.date_to:
        out["date_to"] = filters.date_to.isoformat()
    if filters.q:
        out["q"] = filters.q
    return out
