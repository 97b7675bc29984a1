"""Correlation ids: one per request (or per job), sent back, on every log record, passed to jobs."""

import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, has_request_context, request

HEADER = "X-Request-Id"
VALID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ENVIRON_KEY = "medianest.correlation_id"
# Outside a request (a job, the CLI) the id lives here; a request keeps its own in its environ.
_current: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def new_id() -> str:
    """A fresh random id: 16 hex characters."""
    return secrets.token_hex(8)


def valid(value) -> bool:
    """Whether `value` may be used as a correlation id (1-64 of A-Z a-z 0-9 . _ -)."""
    return isinstance(value, str) and VALID.fullmatch(value) is not None


def current_id() -> str | None:
    """The id of the request or job running now; a request gets its id the first time it asks."""
    if has_request_context():
        environ = request.environ
        found = environ.get(_ENVIRON_KEY)
        if found is None:
            incoming = request.headers.get(HEADER, "")
            found = incoming if valid(incoming) else new_id()
            environ[_ENVIRON_KEY] = found
        return found
    return _current.get()


@contextmanager
def bound(correlation_id: str | None) -> Iterator[str]:
    """Run the block (a job) under `correlation_id`, or a new one when it is missing or invalid."""
    value = correlation_id if valid(correlation_id) else new_id()
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)


class CorrelationFilter(logging.Filter):
    """Give a record the correlation id of the request or job that logged it ("-" for none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "correlation_id"):
            try:
                record.correlation_id = current_id() or "-"
            except RuntimeError:  # a context being torn down
                record.correlation_id = "-"
        return True


_FILTER = CorrelationFilter()


def install_log_filter() -> None:
    """Put the filter on every record, once per process.

    A filter added to a logger only sees records logged to that very logger, not those of its
    children, and handlers (gunicorn's, RQ's, pytest's) come and go; the record factory sees
    every record wherever it goes, so a format with %(correlation_id)s always works.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "medianest_correlation", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        _FILTER.filter(record)
        return record

    factory.medianest_correlation = True
    logging.setLogRecordFactory(factory)


def _send_back(response):
    response.headers[HEADER] = current_id()
    return response


def init_app(app: Flask) -> None:
    install_log_filter()
    app.after_request(_send_back)
