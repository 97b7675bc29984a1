"""Reading the audit log: filters, pages, and each event in words."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from app.admin.audit_words import action_label, detail_label, sentence
from app.auth.usernames import visible
from app.extensions import db
from app.models import AuditEvent
from app.paging import Page, contains, page_number, paginate

PER_PAGE = 50


@dataclass(frozen=True)
class AuditQuery:
    """The log's filters as the URL carries them; bad dates are reported, then ignored."""

    action: str = ""
    actor: str = ""
    target: str = ""
    date_from: str = ""
    date_to: str = ""
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def from_args(cls, args) -> "AuditQuery":
        values = {
            # Only visible characters: PostgreSQL refuses a NUL byte in the query (a 500).
            name: visible(args.get(name, "")).strip()[:100]
            for name in ("action", "actor", "target", "date_from", "date_to")
        }
        errors = {}
        for name in ("date_from", "date_to"):
            if values[name] and _parse_date(values[name]) is None:
                errors[name] = "Enter a date like 2025-01-31."
        start, end = _parse_date(values["date_from"]), _parse_date(values["date_to"])
        if start and end and start > end:
            errors["date_to"] = "This date is before the “from” date."
        return cls(**values, page=page_number(args.get("page")), errors=errors)

    @property
    def filtered(self) -> bool:
        return any((self.action, self.actor, self.target, self.date_from, self.date_to))

    @property
    def start(self) -> datetime | None:
        day = None if "date_from" in self.errors else _parse_date(self.date_from)
        return datetime.combine(day, time.min, tzinfo=UTC) if day else None

    @property
    def end(self) -> datetime | None:
        """The first moment after the "to" day, so that whole day is included."""
        day = None if "date_to" in self.errors else _parse_date(self.date_to)
        if day is None or day == date.max:
            return None
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def _parse_date(raw: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def actions() -> list[tuple[str, str]]:
    """The distinct actions the log holds, as (code, label), for the filter's choices."""
    codes = db.session.scalars(select(AuditEvent.action).distinct())
    return sorted(((code, action_label(code)) for code in codes), key=lambda c: c[1].lower())


def find_events(query: AuditQuery) -> Page:
    """Newest first, narrowed by the query's filters."""
    stmt = select(AuditEvent)
    if query.action:
        stmt = stmt.where(AuditEvent.action == query.action)
    if query.actor:
        stmt = stmt.where(contains(AuditEvent.actor_name, query.actor))
    if query.target:
        stmt = stmt.where(contains(AuditEvent.target, query.target))
    if query.start:
        stmt = stmt.where(AuditEvent.created_at >= query.start)
    if query.end:
        stmt = stmt.where(AuditEvent.created_at < query.end)
    stmt = stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    return paginate(stmt, query.page, PER_PAGE)


def _text(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) or "–"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items()) or "–"
    return str(value)


def _is_change(value) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= {"old", "new"}


def detail_lines(details, told=()) -> list[tuple[str, str]]:
    """(label, text) pairs for the details a sentence did not say; changes read "old → new"."""
    if not isinstance(details, dict) or not details:
        return []
    if _is_change(details):
        return [] if {"old", "new"} <= set(told) else [("", _change(details))]
    lines = []
    for key, value in details.items():
        if key in told:
            continue
        text = _change(value) if _is_change(value) else _text(value)
        lines.append((detail_label(str(key)), text))
    return lines


def _change(value: dict) -> str:
    return f"{_text(value.get('old'))} → {_text(value.get('new'))}"


@dataclass(frozen=True)
class Shown:
    """One event as the log shows it: who, what happened in a sentence, and what else is known."""

    who: str
    who_id: int | None
    who_note: str
    text: str
    lines: list[tuple[str, str]]


def shown(event: AuditEvent) -> Shown:
    """Failed and refused sign-ins have no actor: they show the name that was tried."""
    if event.actor_id:
        who, note = event.actor_name or "", ""
    elif event.actor_name:
        who, note = event.actor_name, "deleted"
    elif event.action.startswith("signin."):
        who, note = (event.target or "Someone"), "not signed in"
    else:
        who, note = "MediaNest", ""
    text, told = sentence(event.action, event.actor_name, event.target, event.details)
    return Shown(who, event.actor_id, note, text, detail_lines(event.details, told))
