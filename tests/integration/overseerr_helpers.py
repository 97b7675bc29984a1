"""A MediaNest wired to a simulated Overseerr, people matched by Plex id, requests to deliver."""

import pytest
from sqlalchemy import func, select

from app import settings
from app.extensions import db
from app.models import MediaRequest, Notification, OverseerrLink, RequestAction, User
from app.models.identities import PLEX, PLEX_ISSUER, Identity
from app.requests import delivery, states, tasks
from simulators.overseerr import OverseerrSimulator
from tests.conftest import WorkerProcess, wait_for

FAST = {
    "OVERSEERR_TIMEOUT": "1",
    "OVERSEERR_RETRY_SECONDS": "0.3",
    "OVERSEERR_BREAKER_FAILURES": "2",
    "OVERSEERR_BREAKER_SECONDS": "1",
}
_plex_ids = iter(range(31_000_001, 32_000_000))


@pytest.fixture
def sim():
    with OverseerrSimulator() as simulator:
        yield simulator


@pytest.fixture
def ov_app(make_app, sim, monkeypatch):
    """An app (and the environment its workers get) pointed at the simulator, with quick retries."""
    for name, value in FAST.items():
        monkeypatch.setenv(f"MEDIANEST_{name}", value)
    app = make_app(**{name: float(value) for name, value in FAST.items()})
    with app.app_context():
        settings.put({"overseerr.url": sim.url, "overseerr.api_key": sim.state.api_key})
    return app


@pytest.fixture
def ov_worker(ov_app):
    process = WorkerProcess(ov_app)
    process.wait_until_registered()
    yield process
    process.stop()


def person(app, sim, username: str, *, role: str = "user", in_overseerr: bool = True, **perms):
    """A person signed up with Plex; with in_overseerr, Overseerr imported their Plex account."""
    plex_id = next(_plex_ids)
    with app.app_context():
        user = User(username=username, role=role)
        user.set_password("x" * 12)
        db.session.add(user)
        db.session.flush()
        db.session.add(
            Identity(user_id=user.id, provider=PLEX, issuer=PLEX_ISSUER, subject=str(plex_id))
        )
        db.session.commit()
        user_id = user.id
    if in_overseerr:
        sim.state.add_user(username, plex_id=plex_id, **perms)
    return user_id


def ask(app, user_id: int, tmdb_id: int, *, media_type="movie", seasons=(), status="pending"):
    """A request as the requests pages make it: a row, and a submit action after the commit."""
    with app.app_context():
        req = MediaRequest(
            user_id=user_id,
            media_type=media_type,
            tmdb_id=tmdb_id,
            title=f"Title {tmdb_id}",
            seasons=list(seasons),
            status=status,
            delivery="waiting",
        )
        db.session.add(req)
        db.session.flush()
        delivery.queue(req, "submit")
        db.session.commit()
        return req.id


def deliver_now(app) -> list[str]:
    """Run every due action in this process (what a worker does), oldest first."""
    with app.app_context():
        ids = db.session.scalars(
            select(RequestAction.id)
            .where(RequestAction.state == "pending")
            .order_by(RequestAction.id)
        ).all()
        db.session.rollback()
        return [tasks.deliver_action(i) for i in ids]


def view(app, request_id: int) -> dict:
    """What a request's page would show: status, delivery, its Overseerr id and history lines."""
    with app.app_context():
        req = db.session.get(MediaRequest, request_id)
        return {
            "status": req.status,
            "delivery": req.delivery,
            "error": req.delivery_error,
            "overseerr_id": req.overseerr_id,
            "history": [e.message for e in req.events],
            "label": states.label(req.status),
        }


def link_of(app, user_id: int) -> int | None:
    with app.app_context():
        link = db.session.get(OverseerrLink, user_id)
        return None if link is None else link.overseerr_user_id


def notes_about(app, subject: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(Notification.id)).where(Notification.subject == subject)
        )


def sweep_until(app, predicate, timeout: float = 20):
    """Run the sweeper (as the scheduler does every 15 s) until predicate() holds."""

    def check():
        with app.app_context():
            tasks.sweep_actions()
        return predicate()

    return wait_for(check, timeout=timeout, interval=0.3)
