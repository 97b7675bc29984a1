"""The subscription form read and worded: intervals, counts, quality and retention.

One set of rules and words for the pages, the jobs and the CLI. No request object here.
"""

import re
from dataclasses import dataclass
from datetime import UTC

from app.integrations import ytdlp
from app.models.base import utcnow

MIN_INTERVAL = 15  # minutes
MAX_INTERVAL = 7 * 24 * 60
DEFAULT_INTERVAL = 6 * 60
DEFAULT_START = 5
MAX_START = 200
MAX_KEEP_NEWEST = 10_000
MAX_KEEP_DAYS = 3650
UNITS = {"m": 1, "h": 60, "d": 24 * 60}
UNIT_WORDS = {
    "m": "m",
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "d": "d",
    "day": "d",
    "days": "d",
}
INTERVAL = re.compile(r"(\d{1,6})\s*([a-z]*)")


@dataclass(frozen=True)
class Choices:
    """What a person chose in the subscription form, checked."""

    quality: str = "best"
    interval_minutes: int = DEFAULT_INTERVAL
    keep_newest: int | None = None
    keep_days: int | None = None
    start_with: int = DEFAULT_START


def parse_interval(raw) -> int:
    """Minutes from "30m", "6h", "2 days" or a bare number of minutes; ValueError in words."""
    text = str(raw or "").strip().lower()
    match = INTERVAL.fullmatch(text) if text.isascii() and len(text) <= 20 else None
    unit = UNIT_WORDS.get(match.group(2) or "m") if match else None
    if unit is None:
        raise ValueError("Write how often as minutes, hours or days, like 30m, 6h or 2d.")
    minutes = int(match.group(1)) * UNITS[unit]
    if minutes < MIN_INTERVAL:
        raise ValueError("Check at most every 15 minutes: sites refuse callers who ask more.")
    if minutes > MAX_INTERVAL:
        raise ValueError("Check at least once every 7 days.")
    return minutes


def format_interval(minutes: int) -> str:
    """The short form the field shows again: "6h", "2d", "90m"."""
    for unit in ("d", "h"):
        if minutes % UNITS[unit] == 0:
            return f"{minutes // UNITS[unit]}{unit}"
    return f"{minutes}m"


def interval_words(minutes: int) -> str:
    """ "every 6 hours", "every day", "every 90 minutes"."""
    for unit, noun in (("d", "day"), ("h", "hour"), ("m", "minute")):
        if minutes % UNITS[unit] == 0:
            n = minutes // UNITS[unit]
            return f"every {noun}" if n == 1 else f"every {n} {noun}s"
    return f"every {minutes} minutes"


def due_words(when) -> str:
    """ "in 3 hours", "in 20 minutes", "due now" for the next check."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    minutes = round((when - utcnow()).total_seconds() / 60)
    if minutes < 1:
        return "due now"
    for noun, size in (("day", 24 * 60), ("hour", 60), ("minute", 1)):
        if minutes >= size:
            n = round(minutes / size)
            return f"in {n} {noun}{'s' if n != 1 else ''}"
    return "due now"


def parse_count(raw, *, label: str, least: int, most: int, empty=None) -> int | None:
    """A whole number in least..most from a form field; empty gives `empty`."""
    text = str(raw or "").strip()
    if not text:
        return empty
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise ValueError(f"{label}: write a whole number, like 10.")
    value = int(text)
    if not least <= value <= most:
        raise ValueError(f"{label}: from {least} to {most:,}.")
    return value


def retention_words(keep_newest: int | None, keep_days: int | None) -> str:
    """How retention reads on the list: "Keeps all", "Newest 10, last 30 days"."""
    parts = []
    if keep_newest:
        parts.append(f"newest {keep_newest}")
    if keep_days:
        parts.append(f"last {keep_days} day{'s' if keep_days != 1 else ''}")
    return ("Keeps the " + " and the ".join(parts)) if parts else "Keeps all"


def read_choices(form, *, new: bool) -> tuple[Choices, dict[str, str]]:
    """The checked choices of a submitted form and the errors by field name."""
    errors: dict[str, str] = {}
    values: dict = {}
    quality = str(form.get("quality") or "best")
    if quality not in ytdlp.QUALITIES:
        errors["quality"] = "Choose one of the qualities listed."
    values["quality"] = quality
    fields = {
        "interval_minutes": ("interval", parse_interval),
        "keep_newest": ("keep_newest", _count("Keep the newest", 1, MAX_KEEP_NEWEST)),
        "keep_days": ("keep_days", _count("Keep the last days", 1, MAX_KEEP_DAYS)),
    }
    if new:
        fields["start_with"] = ("start_with", _count("Start with", 0, MAX_START, DEFAULT_START))
    for key, (name, parse) in fields.items():
        raw = form.get(name)
        if key == "interval_minutes" and not str(raw or "").strip():
            raw = format_interval(DEFAULT_INTERVAL)
        try:
            values[key] = parse(raw)
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        return Choices(), errors
    return Choices(**values), errors


def _count(label: str, least: int, most: int, empty=None):
    return lambda raw: parse_count(raw, label=label, least=least, most=most, empty=empty)
