"""The Status page: who sees which service, uptime and incidents in words, and its live parts."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models.base import utcnow
from app.models.health import (
    BAD_KEY,
    DOWN,
    MINUTE,
    TIMEOUT,
    UNKNOWN,
    UP,
    Incident,
    ServiceState,
)
from app.realtime.events import publish
from app.status.samples import add_samples, bucket_of
from tests.conftest import wait_for
from tests.integration.test_realtime import listening, live_socket, sign_in


def _state(key, label, state=UP, public=False, kind=None, **extra):
    now = utcnow()
    return ServiceState(
        key=key,
        kind=kind or key.split(":")[0].replace("kuma", "monitor" if ":" in key else "kuma"),
        label=label,
        state=state,
        reason=extra.pop("reason", ""),
        detail=extra.pop("detail", ""),
        since=extra.pop("since", now - timedelta(hours=2)),
        checked_at=now,
        fails=extra.pop("fails", 0),
        public=public,
        position=extra.pop("position", 0),
        info={},
        **extra,
    )


def _minutes(key, ups_of_checks: tuple[int, int], ms=25.0, minutes_ago=10):
    ups, checks = ups_of_checks
    return {
        "service_key": key,
        "bucket_at": bucket_of(utcnow() - timedelta(minutes=minutes_ago), MINUTE),
        "checks": checks,
        "ups": ups,
        "ms_total": ms * checks,
        "ms_count": checks,
        "ms_max": ms,
    }


@pytest.fixture
def world(app, auth):
    """Plex (public, down with a bad key), a public monitor, a private one, and MediaNest."""
    people = {"owner": auth.owner(), "friend": auth.create("friend")}
    now = utcnow()
    with app.app_context():
        db.session.add_all(
            [
                _state(
                    "plex",
                    "Plex",
                    DOWN,
                    public=True,
                    reason=BAD_KEY,
                    detail="Plex refused the token: reconnect under Admin → Plex",
                    since=now - timedelta(minutes=7),
                    fails=3,
                    position=0,
                ),
                _state("kuma:1", "Website", UP, public=True, position=1),
                _state("kuma:2", "Secret <b>NAS</b>", UP, public=False, position=2),
                _state("medianest", "MediaNest", UP, public=True, position=3),
            ]
        )
        db.session.add_all(
            [
                Incident(
                    service_key="plex",
                    label="Plex",
                    started_at=now - timedelta(minutes=7),
                    reason=BAD_KEY,
                    detail="Plex refused the token: reconnect under Admin → Plex",
                ),
                Incident(
                    service_key="kuma:2",
                    label="Secret <b>NAS</b>",
                    started_at=now - timedelta(days=1, minutes=90),
                    ended_at=now - timedelta(days=1),
                    reason=TIMEOUT,
                    detail="Timed out after 10 s",
                ),
                Incident(
                    service_key="kuma:1",
                    label="Website",
                    started_at=now - timedelta(days=2, hours=3),
                    ended_at=now - timedelta(days=2, hours=1, minutes=55),
                    reason=TIMEOUT,
                    detail="Timed out after 10 s",
                ),
            ]
        )
        add_samples([_minutes("kuma:1", (1499, 1500))], MINUTE)
        add_samples([_minutes("plex", (0, 1), ms=40.0)], MINUTE)
        db.session.commit()
    return people


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get("/status")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admins_see_every_service_with_uptime_reasons_and_incidents(client, auth, world):
    auth.login()
    html = client.get("/status").text
    for label in ("Plex", "Website", "Secret &lt;b&gt;NAS&lt;/b&gt;", "MediaNest"):
        assert label in html
    assert "<b>NAS</b>" not in html
    assert 'id="status-live-plex"' in html and 'id="status-live-kuma-2"' in html
    assert "Down" in html and "Plex refused the token: reconnect under Admin → Plex" in html
    assert "99.93 %" in html  # 1,499 of 1,500 checks, never rounded up
    assert "—" in html  # MediaNest has no checks yet
    assert "ongoing" in html and "1 h 30 min" in html and "1 h 5 min" in html
    # Open incidents first, then newest first.
    assert html.index("incident-1") < html.index("incident-2") < html.index("incident-3")
    assert "Checks paused" not in html


def test_friends_see_only_public_services_and_their_incidents_in_plain_words(client, auth, world):
    auth.login("friend")
    html = client.get("/status").text
    assert "Plex" in html and "Website" in html and "MediaNest" in html
    assert "NAS" not in html and 'id="incident-2"' not in html
    assert 'id="incident-1"' in html and 'id="incident-3"' in html
    assert "Plex refused the token" not in html and "Not reachable right now" in html
    assert "Timed out" in html


@pytest.mark.parametrize(
    "query, caption",
    [
        ("", "Response time over the last 24 hours"),
        ("?range=7d", "Response time over the last 7 days"),
        ("?range=30d", "Response time over the last 30 days"),
        ("?range=1y", "Response time over the last 24 hours"),
        ("?range=%00%ff", "Response time over the last 24 hours"),
        ("?range=7d&page=99999999999999999999", "Response time over the last 7 days"),
    ],
)
def test_the_chart_range_switch_accepts_three_ranges_and_nothing_else(
    client, auth, world, query, caption
):
    auth.login()
    response = client.get("/status" + query)
    assert response.status_code == 200 and caption in response.text
    assert response.text.count('aria-current="true"') == 1


def test_a_timed_service_has_a_chart_and_an_untimed_one_says_so(client, auth, world):
    auth.login()
    html = client.get("/status").text
    website = html[html.index('id="status-kuma-1"') : html.index('id="status-kuma-2"')]
    assert "data-spec=" in website and "25.0 ms" in website
    medianest = html[html.index('id="status-medianest"') :]
    assert "No figures yet." in medianest[: medianest.index("</article>")]


def test_the_breaker_is_shown_in_words(app, client, auth, world):
    with app.app_context():
        plex = db.session.get(ServiceState, "plex")
        plex.retry_at = utcnow() + timedelta(minutes=4)
        plex.fails = 5
        db.session.commit()
    auth.login()
    assert "after 5 failures in a row" in client.get("/status").text


def test_many_incidents_are_paged(app, client, auth, world):
    now = utcnow()
    with app.app_context():
        db.session.add_all(
            Incident(
                service_key="plex",
                label="Plex",
                started_at=now - timedelta(days=3, hours=i),
                ended_at=now - timedelta(days=3, hours=i) + timedelta(minutes=2),
                reason=TIMEOUT,
            )
            for i in range(30)
        )
        db.session.commit()
    auth.login()
    first = client.get("/status?range=7d").text
    assert "Page 1 of 2" in first and "range=7d" in first and "page=2" in first
    second = client.get("/status?range=7d&page=2").text
    assert "Page 2 of 2" in second and second.count('id="incident-') == 13


def test_nothing_set_up_says_what_to_do(client, auth):
    auth.owner()
    auth.create("friend")
    auth.login()
    html = client.get("/status").text
    assert "Nothing set up yet" in html and "under Admin" in html
    assert 'href="/admin/plex"' in html
    assert "No incidents so far" in html
    auth.logout()
    auth.login("friend")
    html = client.get("/status").text
    assert "Nothing to show yet" in html and "/admin/plex" not in html


def test_only_medianest_watched_points_the_admin_at_setup(app, client, auth):
    auth.owner()
    with app.app_context():
        db.session.add(_state("medianest", "MediaNest", UNKNOWN, public=True))
        db.session.commit()
    auth.login()
    html = client.get("/status").text
    assert "Only MediaNest itself is watched" in html and "Not checked yet" in html


def test_every_signed_in_page_links_to_status(client, auth, world):
    auth.login("friend")
    assert 'href="/status"' in client.get("/").text
    assert 'href="/status" aria-current="page"' in client.get("/status").text


def test_health_changed_redraws_each_viewers_services_live(app, live_server, world):
    friend = live_socket(live_server, sign_in(live_server, "friend"))
    owner = live_socket(live_server, sign_in(live_server, "owner"))
    wait_for(lambda: listening(app) and app.extensions["medianest.hub"].socket_count() == 2)
    with app.app_context():
        for key in ("plex", "kuma:2"):
            row = db.session.get(ServiceState, key)
            row.state, row.reason, row.detail, row.since = DOWN, TIMEOUT, "Timed out", utcnow()
        db.session.commit()
        publish({"type": "health.changed", "keys": ["plex", "kuma:2"], "at": "t1"}, everyone=True)
    seen_by_friend = friend.receive(timeout=5)
    assert 'id="status-live-plex"' in seen_by_friend and 'hx-swap-oob="true"' in seen_by_friend
    assert "Timed out" in seen_by_friend and "kuma-2" not in seen_by_friend
    seen_by_owner = owner.receive(timeout=5)
    assert 'id="status-live-plex"' in seen_by_owner and 'id="status-live-kuma-2"' in seen_by_owner
    assert "<b>NAS</b>" not in seen_by_owner
    # Garbage in the event draws nothing of the Status page, and never breaks the socket.
    with app.app_context():
        publish({"type": "health.changed", "keys": "plex"}, everyone=True)
        publish({"type": "health.changed", "keys": [1, None, "x" * 500]}, everyone=True)
        publish({"type": "health.changed", "keys": ["kuma:2"], "at": "t2"}, everyone=True)
    for socket in (owner, friend):
        heard = []
        while (message := socket.receive(timeout=2)) is not None:
            heard.append(message)
        live = [m for m in heard if 'id="status-live-' in m]
        if socket is owner:
            assert len(live) == 1 and 'id="status-live-kuma-2"' in live[0]
        else:
            assert live == [] and not any("NAS" in m for m in heard)
    friend.close()
    owner.close()
