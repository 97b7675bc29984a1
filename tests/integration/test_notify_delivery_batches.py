"""A flood becomes a few messages listing every event; quiet hours hold what is due."""

import time
from datetime import UTC, datetime, timedelta

from app.extensions import db, redis_conn
from app.models import NotifyProfile
from app.models.notify import PENDING, SENT
from app.notify.fanout import fan_out
from app.notify.outbox import emit
from tests.conftest import WorkerProcess
from tests.integration import notify_delivery_helpers as helpers
from tests.integration.notify_delivery_helpers import (
    count,
    parts,
    person,
    rows,
    sweeping_until,
    target,
    tell,
)

smtp, hook = helpers.smtp, helpers.hook
notify_app, notify_worker = helpers.notify_app, helpers.notify_worker


def test_a_flood_of_100_events_becomes_a_few_messages_listing_them_all(
    notify_app, notify_worker, smtp, hook
):
    alice = person(notify_app, "alice", "alice@example.test", in_app=True, email=True, targets=True)
    target(notify_app, alice, f"ntfy://127.0.0.1:{hook.port}/alice")
    with notify_app.app_context():  # 100 events as fast as they come, each committed
        for number in range(100):
            emit(
                "request.available",
                f"Film {number:03} is on Plex",
                user_ids=[alice],
                link=f"/r/{number}",
            )
    sweeping_until(notify_app, lambda: count(notify_app, state=SENT) == 200, timeout=60)
    # One message per destination per 3 s window: a few, however busy the machine, never 100.
    assert 1 <= len(smtp.messages) <= 5 and 1 <= len(hook.posts) <= 5
    listed = "".join(parts(mail)["text/plain"] for mail in smtp.messages)
    assert all(f"Film {n:03} is on Plex" in listed for n in range(100))
    assert all(f"http://media.example.test/r/{n}" in listed for n in range(100))
    pushed = "".join(post.body.decode() for post in hook.posts)
    assert all(f"Film {n:03} is on Plex" in pushed for n in range(100))
    if len(smtp.messages) > 1:
        assert smtp.messages[-1]["Subject"].endswith("updates from MediaNest")
    sent = len(smtp.messages)
    time.sleep(1)
    assert len(smtp.messages) == sent  # nothing more comes


def test_the_newsletter_goes_alone_as_html(notify_app, notify_worker, smtp):
    alice = person(notify_app, "alice", "alice@example.test", in_app=True, email=True)
    news = {"html": "<h1>New on Plex</h1><img src='x'>", "text": "New on Plex: Dune"}
    tell(notify_app, "account.notice", "New on Plex this week", alice, data=news)
    tell(notify_app, "request.available", "Dune is on Plex", alice)
    sweeping_until(notify_app, lambda: count(notify_app, state=SENT) == 2)
    subjects = sorted(mail["Subject"] for mail in smtp.messages)
    assert subjects == ["Dune is on Plex", "New on Plex this week"]
    (letter,) = [m for m in smtp.messages if m["Subject"] == "New on Plex this week"]
    assert "<h1>New on Plex</h1>" in parts(letter)["text/html"]
    assert parts(letter)["text/plain"].strip() == "New on Plex: Dune"


def _quiet_for_a_short_while(now: datetime) -> tuple[str, str]:
    """Quiet hours that began a minute ago and end at the next whole minute (or the one after)."""
    end = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    if (end - now).total_seconds() < 5:
        end += timedelta(minutes=1)
    return (now - timedelta(minutes=1)).strftime("%H:%M"), end.strftime("%H:%M")


def test_quiet_hours_hold_a_delivery_until_they_end(notify_app, notify_worker, smtp):
    alice = person(notify_app, "alice", "alice@example.test")
    start, end = _quiet_for_a_short_while(datetime.now(UTC))
    with notify_app.app_context():
        db.session.add(
            NotifyProfile(user_id=alice, quiet_start=start, quiet_end=end, timezone="UTC")
        )
        db.session.commit()
    tell(notify_app, "request.available", "Dune is on Plex", alice)
    sweeping_until(notify_app, lambda: count(notify_app, state=PENDING) == 1)
    (row,) = rows(notify_app)
    assert row.due_at.strftime("%H:%M") == end and row.due_at.second == 0
    sweeping_until(notify_app, lambda: smtp.messages, timeout=80, every=1)
    assert datetime.now(UTC) >= row.due_at and len(smtp.messages) == 1


def test_deliveries_redis_forgot_are_found_in_the_database_and_sent_once(notify_app, smtp):
    alice = person(notify_app, "alice", "alice@example.test", email=True)
    event_id = tell(notify_app, "request.available", "Dune is on Plex", alice)
    with notify_app.app_context():
        assert fan_out(event_id) == 1  # the delivery is in the database, its drainer queued…
        redis_conn().flushdb()  # …and Redis restarts empty
    worker = WorkerProcess(notify_app)
    worker.wait_until_registered()
    try:
        time.sleep(1)
        assert not smtp.messages, "nothing in Redis tells the worker"
        sweeping_until(notify_app, lambda: smtp.messages)
        sweeping_until(notify_app, lambda: count(notify_app, state=SENT) == 1)
        time.sleep(1)
    finally:
        worker.stop()
    assert [mail["Subject"] for mail in smtp.messages] == ["Dune is on Plex"]
