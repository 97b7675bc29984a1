"""Error pages in plain words; htmx requests get the message as a toast instead."""

import logging
import time

from flask import Flask, current_app, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from app import app_errors, correlation
from app.extensions import db, limiter
from app.htmx import wants_fragment

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("That request didn't make sense", "Something in it was missing or malformed."),
    401: ("Please sign in", "You need to sign in to see this."),
    403: ("Not allowed", "Your account doesn't have access to this."),
    404: ("Not found", "There is nothing at this address. It may have moved or been removed."),
    405: ("Not allowed", "This address doesn't accept that kind of request."),
    413: ("Too large", "What you sent is bigger than this server accepts."),
    429: ("Slow down", "Too many attempts. Please wait a little and try again."),
    500: ("Something went wrong", "It's not you. The error was logged; please try again shortly."),
}


def retry_after_minutes() -> int | None:
    """Minutes until the limit that was hit lets the person try again."""
    current = limiter.current_limit
    if current is None:
        return None
    return max(1, round((current.reset_at - time.time()) / 60))


def render_error(code: int, detail: str | None = None, reference: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    message = detail or message
    if wants_fragment():
        body = f"{message} Error reference: {reference}" if reference else message
        html = render_template("components/_toast.html", level="error", title=title, body=body)
        return html, code, {"HX-Retarget": "#toasts", "HX-Reswap": "beforeend"}
    page = render_template(
        "errors.html", code=code, title=title, message=message, reference=reference
    )
    return page, code


def handle_csrf(error: CSRFError):
    return render_error(
        400, "This form has expired or was sent from another site. Reload the page and try again."
    )


def handle_rate_limit(error: RateLimitExceeded):
    minutes = retry_after_minutes()
    wait = f" Try again in {minutes} minute{'s' if minutes != 1 else ''}." if minutes else ""
    return render_error(429, "Too many attempts." + wait)


def handle_http(error: HTTPException):
    return render_error(error.code or 500)


DATABASE_DOWN = (
    "It may be restarting or unreachable. This page reloads by itself; "
    "if it keeps saying this, ask whoever runs MediaNest to check its database."
)


def database_lost(error: DBAPIError) -> bool:
    """Whether the connection broke or could not be made, rather than a statement being wrong."""
    # SQLite reports a bad query as an OperationalError too; only a failed connect has no statement.
    return error.connection_invalidated or error.statement is None


def handle_database_lost(error: DBAPIError):
    """503 in plain words while the database cannot be reached; pages work again once it is."""
    if not database_lost(error):
        return handle_unexpected(error)
    log.warning("Database not answering on %s %s: %s", request.method, request.path, error)
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the pool replaces it on the next checkout
        pass
    headers = {"Retry-After": "10", "Cache-Control": "no-store"}
    # Straight from the templates: the layout and context processors would ask the database.
    templates = current_app.jinja_env
    if wants_fragment():
        toast = templates.get_template("components/_toast.html")
        html = toast.render(level="error", title="Database not answering", body=DATABASE_DOWN)
        return html, 503, {**headers, "HX-Retarget": "#toasts", "HX-Reswap": "beforeend"}
    page = templates.get_template("database_down.html").render(message=DATABASE_DOWN)
    return page, 503, headers


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http(error)
    log.exception("Unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return render_error(500, reference=app_errors.record_request_error(error))


def init_app(app: Flask) -> None:
    # Every response carries its request's id, and the error page quotes it.
    correlation.init_app(app)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(RateLimitExceeded, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(InternalServerError, handle_unexpected)
    # A lost or refused connection (a restart, a network cut), never a bug in a query.
    app.register_error_handler(OperationalError, handle_database_lost)
    app.register_error_handler(InterfaceError, handle_database_lost)
    app.register_error_handler(Exception, handle_unexpected)
