"""Demo mode's month of health history: every service gets one, also when it shows up late."""

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import HealthSample, Incident, ServiceState
from app.models.base import utcnow
from app.models.health import HOUR, UP
from app.status import demo, history


def _add(key: str, kind: str) -> None:
    db.session.add(ServiceState(key=key, kind=kind, label=key.title(), state=UP, info={}))
    db.session.commit()


def _hours(key: str) -> int:
    query = select(func.count(HealthSample.id)).where(
        HealthSample.service_key == key, HealthSample.resolution == HOUR
    )
    return db.session.scalar(query)


def test_a_service_that_appears_after_the_first_check_gets_its_month_too(make_app):
    app = make_app(DEMO=True)
    with app.app_context():
        _add("medianest", "medianest")
        assert demo.seed_once() is True
        assert _hours("medianest") == demo.DAYS * 24
        assert demo.seed_once() is False  # nothing new to seed

        _add("overseerr", "overseerr")  # set up from the environment a moment later
        assert demo.seed_once() is True
        assert _hours("overseerr") == demo.DAYS * 24
        assert _hours("medianest") == demo.DAYS * 24  # not seeded twice
        outage = db.session.scalars(select(Incident)).one()
        assert (outage.service_key, outage.ended_at - outage.started_at) == (
            "overseerr",
            timedelta(minutes=14),
        )
        week = history.uptime(["overseerr", "medianest"], utcnow() - timedelta(days=7))
        assert week["medianest"] == 1.0 and 0.99 < week["overseerr"] < 1.0


def test_outside_demo_mode_nothing_is_made_up(make_app):
    app = make_app()
    with app.app_context():
        _add("plex", "plex")
        assert demo.seed_once() is False
        assert _hours("plex") == 0
