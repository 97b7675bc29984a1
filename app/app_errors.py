"""Recording unexpected errors of pages and jobs as AppError rows, for Admin → System."""

import logging
import re
import traceback
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.correlation import current_id, new_id, valid
from app.extensions import db
from app.models.base import utcnow
from app.models.health import AppError

log = logging.getLogger(__name__)

KEEP_ROWS = 1000
KEEP_DAYS = 30
FRAMES = 15
MESSAGE_CHARS = 2000
TRACE_CHARS = 20000
# Query keys whose values are secrets or one-time codes: left out of what is kept.
SENSITIVE = re.compile(
    r"token|passw|secret|key|auth|cookie|session|code|state|sig|csrf|otp|pin", re.IGNORECASE
)
# "token=abc", "X-Plex-Token: abc", "api_key": "abc" inside a message or traceback.
_SECRET_VALUE = re.compile(
    r"""(?P<name>[\w-]*(?:token|passw(?:or)?d|secret|api[_-]?key|apikey|cookie|authorization)[\w-]*)"""
    r"""(?P<sep>["']?\s*[:=]\s*["']?)(?P<value>(?:(?:Bearer|Basic|Token)\s+)?[^\s&"',;)}\]]+)""",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """Hide the values of anything named like a token, password, key or cookie."""
    return _SECRET_VALUE.sub(lambda m: f"{m['name']}{m['sep']}[hidden]", text)


def safe_path(path: str, query: str = "") -> str:
    """The path with its query, less any key that may carry a secret."""
    kept = [
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if not SENSITIVE.search(key)
    ]
    return path + ("?" + urlencode(kept) if kept else "")


def last_frames(error: BaseException, tb=None) -> str:
    """The last frames of the traceback, which say where it broke, without the noise above."""
    lines = traceback.format_exception(type(error), error, tb or error.__traceback__, limit=-FRAMES)
    return redact("".join(lines))[-TRACE_CHARS:]


def record(error: BaseException, source: str, correlation_id: str | None, tb=None) -> int | None:
    """Keep one error in its own short transaction, so a broken session never loses it."""
    message = redact(str(error))
    if len(message) > MESSAGE_CHARS:
        message = message[: MESSAGE_CHARS - 1] + "…"
    row = AppError(
        at=utcnow(),
        correlation_id=correlation_id if valid(correlation_id) else new_id(),
        source=source[:300],
        error=f"{type(error).__module__}.{type(error).__qualname__}".removeprefix("builtins.")[
            :200
        ],
        message=message,
        trace=last_frames(error, tb),
    )
    try:
        with Session(db.engine, expire_on_commit=False) as session:
            session.add(row)
            session.commit()
            prune(session)
            return row.id
    except Exception as exc:  # the error must still reach the log when the database cannot take it
        log.warning("Could not record the error %s: %s", row.correlation_id, exc)
        return None


def prune(session: Session) -> None:
    """Keep the newest KEEP_ROWS errors of the last KEEP_DAYS days."""
    oldest_kept = session.scalar(
        select(AppError.id).order_by(AppError.id.desc()).offset(KEEP_ROWS - 1).limit(1)
    )
    cutoff = utcnow() - timedelta(days=KEEP_DAYS)
    session.execute(delete(AppError).where(AppError.at < cutoff))
    if oldest_kept is not None:
        session.execute(delete(AppError).where(AppError.id < oldest_kept))
    session.commit()


def record_request_error(error: BaseException) -> str:
    """Keep an error of the current request; return the reference the person can quote."""
    from flask import request

    reference = current_id() or new_id()
    source = f"{request.method} {safe_path(request.path, request.query_string.decode('latin-1'))}"
    record(error, source, reference)
    return reference


def record_job_error(job, exc_type, exc_value, tb) -> None:
    """Keep the error a job ended with, under the correlation id it was enqueued with."""
    try:
        name = job.func_name or "?"
    except Exception:  # a job whose function cannot be read is still worth recording
        name = "?"
    error = exc_value if isinstance(exc_value, BaseException) else (exc_type or RuntimeError)()
    meta = job.meta if isinstance(getattr(job, "meta", None), dict) else {}
    record(error, f"job {name}", meta.get("correlation_id"), tb)
