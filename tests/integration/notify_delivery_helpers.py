"""A MediaNest whose notifications go to loopback receivers, with quick retries and batches."""

import time

import pytest
from sqlalchemy import func, select

from app import settings
from app.crypto import encrypt
from app.extensions import db
from app.models import Delivery, NotifyChannel, NotifyPref, PersonTarget, User
from app.notify import tasks
from app.notify.outbox import emit
from simulators.notify_receivers import HookReceiver, SmtpReceiver
from tests.conftest import WorkerProcess

FAST = {
    "NOTIFY_TIMEOUT": "2",
    "NOTIFY_ATTEMPTS": "4",
    "NOTIFY_RETRY_SECONDS": "0.5",
    "NOTIFY_RETRY_MAX_SECONDS": "2",
    "NOTIFY_BATCH_SECONDS": "3",
    "PUBLIC_URL": "http://media.example.test",
}
SENDER = "MediaNest <media@example.test>"


@pytest.fixture
def smtp():
    with SmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def hook():
    with HookReceiver() as receiver:
        yield receiver


@pytest.fixture
def notify_app(make_app, smtp, monkeypatch):
    """An app (and the environment of its workers) with email set up to the loopback server."""
    for name, value in FAST.items():
        monkeypatch.setenv(f"MEDIANEST_{name}", value)
    typed = {k: (v if k == "PUBLIC_URL" else float(v)) for k, v in FAST.items()}
    app = make_app(**{**typed, "NOTIFY_ATTEMPTS": int(FAST["NOTIFY_ATTEMPTS"])})
    with app.app_context():
        settings.put({"notify.smtp_url": smtp.url, "notify.smtp_from": SENDER})
    return app


@pytest.fixture
def notify_worker(notify_app):
    process = WorkerProcess(notify_app)
    process.wait_until_registered()
    yield process
    process.stop()


def person(app, username: str, address: str | None = None, **ways) -> int:
    """A person; ways (email=True, targets=True…) are their choices for every event used here."""
    with app.app_context():
        user = User(username=username, email=address)
        user.set_password("x" * 12)
        db.session.add(user)
        db.session.flush()
        if ways:
            for key in ("request.available", "request.declined", "account.notice"):
                db.session.add(NotifyPref(user_id=user.id, event_type=key, **ways))
        db.session.commit()
        return user.id


def channel(app, url: str, name: str = "Alerts") -> int:
    with app.app_context():
        row = NotifyChannel(name=name, kind=url.split(":")[0], secret_url=encrypt(url))
        db.session.add(row)
        db.session.commit()
        return row.id


def target(app, user_id: int, url: str, name: str = "My ntfy") -> int:
    with app.app_context():
        row = PersonTarget(user_id=user_id, name=name, kind="ntfy", secret_url=encrypt(url))
        db.session.add(row)
        db.session.commit()
        return row.id


def tell(app, type_key: str, title: str, *user_ids, **kwargs) -> int:
    with app.app_context():
        return emit(type_key, title, kwargs.pop("body", ""), user_ids=user_ids, **kwargs)


def rows(app) -> list[Delivery]:
    with app.app_context():
        found = db.session.scalars(select(Delivery).order_by(Delivery.id)).all()
        db.session.expunge_all()
        return found


def count(app, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(Delivery).filter_by(**where)
        return db.session.scalar(query)


def sweeping_until(app, predicate, timeout: float = 30, every: float = 0.5):
    """Run the sweeper (as the minute cron would, only more often) until predicate() holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        with app.app_context():
            tasks.sweep()
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout}s: {[vars(r) for r in rows(app)]}")


def parts(mail) -> dict:
    return {p.get_content_type(): p.get_content() for p in mail.walk() if not p.is_multipart()}
