"""Reading values a probe stored (or an outside service sent) as text, numbers and times."""

from datetime import UTC, datetime

TEXT_CHARS = 300
MAX_ID = 2**63 - 1


def clip(value, limit: int = TEXT_CHARS) -> str:
    """A stored value as text of at most `limit` characters ('' for anything but text/numbers)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def number(value) -> float | None:
    """A finite, non-negative number, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        return None
    return float(value)


def count(value) -> int | None:
    n = number(value)
    return int(n) if n is not None and n <= MAX_ID else None


def parse_time(value) -> datetime | None:
    """A datetime from a stored ISO or Kuma ("YYYY-MM-DD HH:MM:SS", UTC) time, or None."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and 0 < len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
