"""Template filters and the values every page needs (the bell's count)."""

from datetime import UTC, datetime

from flask import Flask, current_app
from flask_login import current_user

from app.security import is_safe_next


def ago(value) -> str:
    """'3 minutes ago' for a datetime or an ISO string."""
    if value is None:
        return "never"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    seconds = int((datetime.now(UTC) - value).total_seconds())
    if seconds < 45:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = round(seconds / size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def is_stale(iso_time: str | None, interval_seconds: int) -> bool:
    """Whether a scheduled result is older than three of its intervals."""
    if not iso_time:
        return False
    age = datetime.now(UTC) - datetime.fromisoformat(iso_time)
    return age.total_seconds() > 3 * interval_seconds


def my_unread_count() -> int:
    """Called by the layout only, so fragments pushed over the socket never query for it."""
    from app.notifications.services import unread_count

    return unread_count(current_user.id) if current_user.is_authenticated else 0


def has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


def init_app(app: Flask) -> None:
    app.add_template_filter(ago)
    app.add_template_global(is_stale)
    app.add_template_global(is_safe_next)
    app.add_template_global(my_unread_count)
    app.add_template_global(has_endpoint)
