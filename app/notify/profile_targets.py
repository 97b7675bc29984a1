"""A person's own Apprise targets: added with a name, shown by summary only, deleted."""

import re

from sqlalchemy import func, select

from app import audit
from app.crypto import encrypt
from app.extensions import db
from app.models import PersonTarget, User
from app.notify import channels, transports
from app.notify.profile_email import Result

MAX_TARGETS = 10
MAX_NAME = 100
MAX_URL = 2000
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]{0,31}$")


def targets_of(user_id: int) -> list[PersonTarget]:
    query = select(PersonTarget).where(PersonTarget.user_id == user_id).order_by(PersonTarget.id)
    return list(db.session.scalars(query))


def count_of(user_id: int) -> int:
    query = select(func.count(PersonTarget.id)).where(PersonTarget.user_id == user_id)
    return db.session.scalar(query) or 0


def url_problem(url: str) -> str | None:
    """Why this cannot be a target, in plain words; None when it looks like an Apprise URL."""
    if not url:
        return "Enter the address of the service, like ntfy://my-topic."
    if len(url) > MAX_URL:
        return f"That address is too long (at most {MAX_URL} characters)."
    if any(c.isspace() or not c.isprintable() for c in url):
        return "An address has no spaces or line breaks."
    scheme, _, rest = url.partition("://")
    if not SCHEME.match(scheme.lower()) or not rest:
        return "That is not an address with a scheme, like ntfy://my-topic or discord://…"
    return transports.url_problem(url)


def summary_of(url: str) -> str:
    """ "ntfy topic on ntfy.sh", "Discord webhook": the service and host, never a secret."""
    return channels.summary_of(url)[:300]


def kind_of(url: str) -> str:
    return channels.kind_of(url)[:32]


def add(user: User, raw_name, raw_url) -> tuple[Result, dict]:
    """Add a target; on failure, the message and what to show beside each field."""
    name = raw_name.strip() if isinstance(raw_name, str) else ""
    url = raw_url.strip() if isinstance(raw_url, str) else ""
    errors = {}
    if not name:
        errors["name"] = "Give it a name you will recognise, like “My phone”."
    elif len(name) > MAX_NAME or not name.isprintable():
        errors["name"] = f"A name has at most {MAX_NAME} characters, on one line."
    problem = url_problem(url)
    if problem:
        errors["url"] = problem
    if errors:
        return Result(False, "Check the fields marked below."), errors
    if count_of(user.id) >= MAX_TARGETS:
        return Result(False, f"You can keep at most {MAX_TARGETS}. Delete one first."), {}
    summary = summary_of(url)
    db.session.add(
        PersonTarget(
            user_id=user.id, name=name, kind=kind_of(url), secret_url=encrypt(url), summary=summary
        )
    )
    _record("notify.target_added", user, name)
    db.session.commit()
    return Result(True, f"“{name}” added ({summary})."), {}


def delete(user: User, target_id: int) -> Result | None:
    """Delete one of the person's own targets; None when it is not theirs (or gone)."""
    found = db.session.get(PersonTarget, target_id)
    if found is None or found.user_id != user.id:
        return None
    name = found.name
    db.session.delete(found)
    _record("notify.target_deleted", user, name)
    db.session.commit()
    return Result(True, f"“{name}” deleted.")


def _record(action: str, user: User, name: str) -> None:
    audit.record(action, actor=user, target=user.username, details={"name": name}, commit=False)
