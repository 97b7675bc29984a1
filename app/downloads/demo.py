"""Demo mode: addresses to try on the simulated video site, and a download and a subscription
made once for the demo friends, so a newcomer finds Downloads filled in."""

import logging

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import Download, Subscription, User

log = logging.getLogger(__name__)


def demo_links(base_url: str) -> list[tuple[str, str]] | None:
    """(label, address) of the demo's playlist, channel and video; None outside demo mode."""
    if not base_url:
        return None
    from simulators.video_source import demo_links as listed

    return [(link["label"], link["url"]) for link in listed(base_url)]


def seed_once() -> bool:
    """Once, in demo mode: a friend downloads the demo playlist, another subscribes to the
    demo channel (both really fetched from the video site by the workers)."""
    base = current_app.config.get("DEMO_VIDEO_URL")
    if not (current_app.config.get("DEMO") and base):
        return False
    if db.session.scalar(select(func.count(Download.id))) or db.session.scalar(
        select(func.count(Subscription.id))
    ):
        return False
    friends = db.session.scalars(
        select(User)
        .where(User.is_owner.is_(False), User.disabled.is_(False), User.pending.is_(False))
        .order_by(User.id)
    ).all()
    if not friends:
        return False
    try:
        _seed(base, friends[0], friends[-1])
    except Exception:  # a demo without sample downloads is still a demo
        db.session.rollback()
        log.exception("Could not seed demo mode's downloads")
        return False
    return True


def _seed(base: str, first: User, second: User) -> None:
    from app.downloads import services, subscriptions
    from app.downloads.subscription_form import Choices

    urls = [url for _label, url in demo_links(base)]
    playlist = next(url for url in urls if "/feeds/" in url and "big" not in url)
    channel = next(url for url in urls if "/channel/" in url)
    services.add(first, playlist, quality="720p")
    subscriptions.subscribe(second, channel, Choices(start_with=2, keep_newest=5))
