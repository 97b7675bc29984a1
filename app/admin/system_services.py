"""Admin → System: activity per day, storage per person, and the recent application errors."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from app.correlation import valid
from app.downloads.quotas import storage_per_person
from app.extensions import db
from app.models import AuditEvent, Download, MediaRequest, User, UserSession
from app.models.base import utcnow
from app.models.health import AppError

DAYS = 30
TOP_PEOPLE = 20
ERRORS_SHOWN = 50
MB = 1024**2


@dataclass(frozen=True)
class Chart:
    """What the chart macro needs: x (unix seconds or names), one or more series, row labels."""

    x: list
    series: list[dict]
    labels: list[str]

    @property
    def total(self) -> int:
        return sum(v or 0 for s in self.series for v in s["values"])


def last_days(today: date | None = None, count: int = DAYS) -> list[date]:
    """The last `count` UTC days, oldest first, ending today."""
    today = today or utcnow().date()
    return [today - timedelta(days=n) for n in range(count - 1, -1, -1)]


def _day_of(column):
    """The UTC day of a timestamp column, as YYYY-MM-DD text, on SQLite and PostgreSQL alike."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column)


def _start(days: list[date]) -> datetime:
    return datetime.combine(days[0], time.min, tzinfo=UTC)


def _daily_chart(days: list[date], label: str, counts: dict[str, int]) -> Chart:
    """One bar per day; a day with nothing is 0, not missing."""
    x = [int(datetime.combine(d, time.min, tzinfo=UTC).timestamp()) for d in days]
    values = [counts.get(d.isoformat(), 0) for d in days]
    return Chart(x, [{"label": label, "values": values}], [d.isoformat() for d in days])


def _count_per_day(column, days: list[date]) -> dict[str, int]:
    day = _day_of(column)
    rows = db.session.execute(select(day, func.count()).where(column >= _start(days)).group_by(day))
    return {str(d): int(n) for d, n in rows}


def requests_per_day(days: list[date]) -> Chart:
    """Requests people made, per day."""
    return _daily_chart(days, "Requests", _count_per_day(MediaRequest.created_at, days))


def downloads_per_day(days: list[date]) -> Chart:
    """Downloads people added, per day."""
    return _daily_chart(days, "Downloads", _count_per_day(Download.created_at, days))


def active_people_per_day(days: list[date]) -> Chart:
    """People who signed in, asked for something, added a download or used a device, per day.

    MediaNest keeps no log of visits: a device's session holds only when it was last seen, so
    that counts for one day; sign-ins (the audit log), requests and downloads count for every day.
    """
    since = _start(days)
    sources = [
        (AuditEvent.actor_id, AuditEvent.created_at, AuditEvent.action == "signin.success"),
        (MediaRequest.user_id, MediaRequest.created_at, None),
        (Download.user_id, Download.created_at, None),
        (UserSession.user_id, UserSession.last_seen_at, None),
    ]
    seen: set[tuple[str, int]] = set()
    for who, when, condition in sources:
        day = _day_of(when)
        stmt = select(day, who).where(when >= since, who.is_not(None)).distinct()
        if condition is not None:
            stmt = stmt.where(condition)
        seen.update((str(d), int(u)) for d, u in db.session.execute(stmt))
    counts: dict[str, int] = {}
    for d, _user in seen:
        counts[d] = counts.get(d, 0) + 1
    return _daily_chart(days, "People", counts)


def storage_chart() -> Chart:
    """Storage kept by each of the people using the most, largest first, in MB."""
    rows = storage_per_person(TOP_PEOPLE)
    names = [name for name, _ in rows]
    values = [round(size / MB, 1) for _, size in rows]
    return Chart(names, [{"label": "Storage", "values": values}], names)


def charts() -> dict[str, Chart]:
    days = last_days()
    return {
        "requests": requests_per_day(days),
        "downloads": downloads_per_day(days),
        "people": active_people_per_day(days),
        "storage": storage_chart(),
    }


def person_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


@dataclass(frozen=True)
class ErrorQuery:
    """The errors list's filter: ?ref=<correlation id>; anything else is reported and ignored."""

    ref: str = ""
    error: str = ""

    @classmethod
    def from_args(cls, args) -> "ErrorQuery":
        raw = args.get("ref", "")
        raw = raw.strip() if isinstance(raw, str) else ""
        if not raw:
            return cls()
        if not valid(raw):
            return cls(
                error="An error reference is 1 to 64 letters, digits, dots, dashes or "
                "underscores, like 3f9c2a7d1b0e4c55."
            )
        return cls(ref=raw)


def recent_errors(query: ErrorQuery, limit: int = ERRORS_SHOWN) -> tuple[list[AppError], int]:
    """The newest errors (of one correlation id when asked), and how many there are in all."""
    stmt = select(AppError)
    count = select(func.count()).select_from(AppError)
    if query.ref:
        stmt = stmt.where(AppError.correlation_id == query.ref)
        count = count.where(AppError.correlation_id == query.ref)
    rows = list(db.session.scalars(stmt.order_by(AppError.id.desc()).limit(limit)))
    return rows, db.session.scalar(count) or 0


def last_line(text: str) -> str:
    """The last non-empty line of a traceback: the error and its message."""
    for line in reversed((text or "").splitlines()):
        if line.strip():
            return line.strip()
    return ""


def relative(value: datetime | None) -> str:
    """'3 minutes ago' or 'in 3 minutes'."""
    if value is None:
        return "–"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    seconds = int((value - utcnow()).total_seconds())
    if abs(seconds) < 45:
        return "now" if seconds >= 0 else "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if abs(seconds) >= size:
            n = round(abs(seconds) / size)
            words = f"{n} {unit}{'s' if n != 1 else ''}"
            return f"in {words}" if seconds > 0 else f"{words} ago"
    return "now"
