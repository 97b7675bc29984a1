"""Overseerr down for ten minutes while people keep asking: once it is back, every request
reaches it exactly once, and none is given up on.

Ten minutes are played at 1/60 of their length: the first retry (15 s), the circuit breaker's
pause (15 s) and the sweeper's round (15 s) all shrink by the same factor, so the outage is the
same number of retries, breaker probes and sweeps as a real one."""

import time
from collections import Counter

from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models import RequestAction
from app.requests import tasks
from tests.conftest import WorkerProcess
from tests.integration import overseerr_helpers
from tests.integration.overseerr_helpers import ask, person, sweep_until, view

SCALE = 60
OUTAGE = 10 * 60 / SCALE  # seconds
SCALED = {
    "OVERSEERR_TIMEOUT": "1",
    "OVERSEERR_RETRY_SECONDS": str(15 / SCALE),
    "OVERSEERR_BREAKER_FAILURES": "5",
    "OVERSEERR_BREAKER_SECONDS": str(15 / SCALE),
}
sim = overseerr_helpers.sim


def test_ten_minutes_without_overseerr_deliver_every_request_once(make_app, sim, monkeypatch):
    for name, value in SCALED.items():
        monkeypatch.setenv(f"MEDIANEST_{name}", value)
    app = make_app(**{name: float(value) for name, value in SCALED.items()})
    with app.app_context():
        settings.put({"overseerr.url": sim.url, "overseerr.api_key": sim.state.api_key})
    alice = person(app, sim, "alice")
    workers = [WorkerProcess(app), WorkerProcess(app)]
    for worker in workers:
        worker.wait_until_registered()
    try:
        sim.go_away()
        began, asked = time.monotonic(), []
        while time.monotonic() - began < OUTAGE:  # people keep asking all through it
            asked.append(ask(app, alice, 300 + len(asked)))
            with app.app_context():
                tasks.sweep_actions()  # the scheduler's round
            time.sleep(15 / SCALE)
        with app.app_context():
            tries = sum(db.session.scalars(select(RequestAction.attempts)))
        assert all(view(app, i)["delivery"] == "waiting" for i in asked)
        sim.come_back()
        back = time.monotonic()
        sweep_until(app, lambda: all(view(app, i)["delivery"] == "sent" for i in asked), 60)
        delivered_in = time.monotonic() - back
    finally:
        for worker in workers:
            worker.stop()
    stored = Counter(r.media.tmdb_id for r in sim.state.requests.values())
    posts = sum(1 for c in sim.state.calls if c[:2] == ("POST", "/api/v1/request"))
    print(
        f"\nOverseerr down {OUTAGE * SCALE / 60:.0f} min (at 1/{SCALE}): {len(asked)} requests, "
        f"{tries} tries while down, all delivered {delivered_in * SCALE:.0f} s (scaled) after it "
        f"was back, {posts} POSTs for {sum(stored.values())} stored"
    )
    assert stored == dict.fromkeys(range(300, 300 + len(asked)), 1)
    with app.app_context():
        states = Counter(db.session.scalars(select(RequestAction.state)))
        assert states == {"done": len(asked)}
