"""Dates as the staff see them (Europe/Paris), from Rasa's epoch timestamps and the project's naive-UTC columns."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Paris")


def local_day(epoch: float) -> date:
    return datetime.fromtimestamp(epoch, LOCAL_TZ).date()


def day_start_epoch(day: date) -> float:
    """Epoch of local midnight starting `day`."""
    return datetime.combine(day, time(0), LOCAL_TZ).timestamp()


def day_end_epoch(day: date) -> float:
    """Epoch of local midnight ending `day` (exclusive bound)."""
    return day_start_epoch(day + timedelta(days=1))


def today() -> date:
    return datetime.now(LOCAL_TZ).date()


def fmt_epoch(epoch: float | None) -> str:
    if epoch is None:
        return ""
    return datetime.fromtimestamp(epoch, LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def fmt_utc(value: datetime | None) -> str:
    """Format a naive-UTC datetime of the project's tables in local time."""
    if value is None:
        return ""
    return value.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def utc_naive_from_epoch(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc).replace(tzinfo=None)
