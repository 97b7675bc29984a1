"""The dashboard's service cards, per audience, in words, and the person's own part below."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Download, MediaRequest
from app.models.health import (
    BAD_ANSWER,
    BAD_KEY,
    DOWN,
    ERROR,
    MAINTENANCE,
    PENDING,
    REFUSED,
    TIMEOUT,
    UNKNOWN,
    UP,
    HealthSample,
)
from tests.conftest import wait_for
from tests.integration.dashboard_helpers import (
    announce,
    drop_state,
    put_state,
    world,
)


def card(html: str, dom_id: str) -> str:
    """The HTML of one card on the page ('' when it is not there)."""
    start = html.find(f'id="{dom_id}"')
    return "" if start < 0 else html[start : html.index("</article>", start)]


def order(html: str) -> list[str]:
    return re.findall(r'<article id="(service-[a-z0-9-]+)"', html)


@pytest.fixture
def friend(app, auth, signed_in_owner):
    auth.create("friend")
    client = app.test_client()
    auth.login("friend", client=client)
    return client


def test_anonymous_is_sent_to_sign_in(client, signed_in_owner):
    auth_less = client.application.test_client()
    response = auth_less.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert auth_less.get("/dashboard/status", headers={"HX-Request": "true"}).status_code == 302


def test_admins_see_every_card_in_order(app, client, signed_in_owner):
    world(app)
    html = client.get("/").text
    assert order(html) == [
        "service-plex",
        "service-overseerr",
        "service-kuma",
        "service-kuma-12",
        "service-kuma-13",
        "service-kuma-14",
        "service-medianest",
    ]
    groups = re.findall(r'<h3 class="service-group">([^<]+)</h3>', html)
    assert groups == ["Public", "Inside"]
    plex = card(html, "service-plex")
    assert "Version 1.41.3" in plex
    assert "300 movies · 30 shows · 1,200 episodes · 40 albums" in plex
    assert "alice" in plex and "The Office S1E2 · Diversity Day" in plex
    assert "Living Room TV · Playing · Direct play" in plex
    assert "iPhone · Paused · Transcode" in plex and 'value="42"' in plex
    overseerr = card(html, "service-overseerr")
    assert 'href="/admin/requests">3 requests waiting for approval</a>' in overseerr
    monitor = card(html, "service-kuma-12")
    assert "Last ping 41 ms, 30 s ago" in monitor and "99.93 % up over 24 h" in monitor
    # The sparkline breaks where a beat failed: two runs of points.
    assert monitor.count("<polyline") == 2 and "1 without an answer" in monitor
    medianest = card(html, "service-medianest")
    for label in ("Web", "Workers", "Queue", "Media disk", "Database", "Redis"):
        assert f'<span class="label">{label}</span>' in medianest
    assert "120.0 GB free of 500 GB" in medianest and "Check now" in medianest
    banner = html[html.index('id="kuma-banner"') :].split("</div>\n</div>")[0]
    assert "Incident: Router swap" in banner and "Back by noon" in banner
    assert "Maintenance: NAS disks" in banner


def test_friends_see_public_cards_without_internals(app, friend, signed_in_owner):
    world(app)
    html = friend.get("/").text
    assert order(html) == [
        "service-plex",
        "service-overseerr",
        "service-kuma-12",
        "service-kuma-13",
        "service-medianest",
    ]
    assert "NAS" not in re.sub(r'id="kuma-banner".*?</div>\s*</div>', "", html, flags=re.S)
    plex = card(html, "service-plex")
    assert "300 movies" in plex
    assert "alice" not in plex and "Playing now" not in plex and "Nothing playing" not in plex
    overseerr = card(html, "service-overseerr")
    assert "3 requests waiting for approval" in overseerr and "/admin/requests" not in overseerr
    medianest = card(html, "service-medianest")
    assert "Up and running" in medianest
    for internal in ("Database", "Redis", "Workers", "Media disk", "Check now", "answering"):
        assert internal not in medianest
    assert "Incident: Router swap" in html, "friends who see a monitor see Kuma's notices"


def test_friends_who_see_no_monitor_get_no_kuma_banner(app, friend, signed_in_owner):
    world(app)
    for key in ("kuma:12", "kuma:13"):
        put_state(app, key, "monitor", key, public=False)
    html = friend.get("/").text
    assert "Router swap" not in html and 'id="kuma-banner" class="kuma-banner" hidden' in html


def test_nothing_stored_yet_says_not_checked_yet(client, signed_in_owner, friend):
    for viewer in (client, friend):
        html = viewer.get("/").text
        assert order(html) == ["service-medianest"]
        medianest = card(html, "service-medianest")
        assert "Not checked yet" in medianest and "badge-none" in medianest
        assert "The first check runs within a minute" in medianest
        assert ">Up<" not in medianest


@pytest.mark.parametrize(
    ("state", "words", "tone"),
    [
        (UP, "Up", "ok"),
        (DOWN, "Down", "bad"),
        (PENDING, "Checking again", "warn"),
        (MAINTENANCE, "Maintenance", "maint"),
        (UNKNOWN, "Not checked yet", "none"),
        ("something-new", "Not checked yet", "none"),
    ],
)
def test_every_state_in_colour_and_words(app, client, signed_in_owner, state, words, tone):
    put_state(app, "overseerr", "overseerr", "Overseerr", state, public=True)
    shown = card(client.get("/").text, "service-overseerr")
    assert f'<span class="badge badge-{tone}">{words}</span>' in shown
    assert f"tone-{tone}" in shown
    assert ("since <time" in shown) is (words != "Not checked yet")


@pytest.mark.parametrize(
    ("reason", "admin_words", "friend_words"),
    [
        (TIMEOUT, "Timed out after 5 s", "Timed out after 5 s"),
        (REFUSED, "Refused the connection", "Refused the connection"),
        (
            BAD_ANSWER,
            "Answered with something that is not its API",
            "Answered with something that is not its API",
        ),
        (BAD_KEY, "Refused the API key", "Not reachable right now"),
        (ERROR, "The check itself failed", "Not reachable right now"),
    ],
)
def test_why_a_service_is_down_in_words(
    app, client, signed_in_owner, friend, reason, admin_words, friend_words
):
    put_state(
        app,
        "overseerr",
        "overseerr",
        "Overseerr",
        DOWN,
        reason=reason,
        public=True,
        detail="HTTP 401 from http://10.0.0.5:5055",
    )
    admin = card(client.get("/").text, "service-overseerr")
    assert admin_words in admin and "Down" in admin
    people = card(friend.get("/").text, "service-overseerr")
    assert friend_words in people and "10.0.0.5" not in people
    if reason == BAD_KEY:
        assert 'fix it under <a href="/admin/requests/settings">Admin → Requests</a>' in admin
        assert "Admin →" not in people


def test_kuma_monitor_down_says_what_kuma_said_to_admins(app, client, signed_in_owner, friend):
    put_state(
        app,
        "kuma:7",
        "monitor",
        "Web",
        DOWN,
        public=True,
        info={"message": "ECONNREFUSED 10.0.0.9"},
    )
    assert "ECONNREFUSED 10.0.0.9" in card(client.get("/").text, "service-kuma-7")
    people = card(friend.get("/").text, "service-kuma-7")
    assert "Not reachable right now" in people and "10.0.0.9" not in people


def test_checks_paused_by_the_breaker_say_so(app, client, signed_in_owner):
    put_state(
        app,
        "plex",
        "plex",
        "Plex",
        DOWN,
        reason=TIMEOUT,
        fails=5,
        public=True,
        retry_at=datetime.now(UTC) + timedelta(minutes=4, seconds=30),
    )
    shown = card(client.get("/").text, "service-plex")
    assert "Checks paused for 4 min after 5 failed checks in a row" in shown
    put_state(app, "plex", "plex", "Plex", DOWN, retry_at=datetime.now(UTC) - timedelta(seconds=1))
    announce(app, "plex")
    wait_for(lambda: "Checks paused" not in card(client.get("/").text, "service-plex"), timeout=3)


def test_hostile_labels_and_messages_from_kuma_are_only_text(app, client, signed_in_owner):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    put_state(
        app,
        "kuma",
        "kuma",
        "Kuma",
        info={"incidents": [{"title": evil, "content": evil, "style": 'danger"><b>'}]},
    )
    put_state(
        app,
        "kuma:1",
        "monitor",
        evil,
        DOWN,
        public=True,
        info={"group": evil, "message": evil, "pings": ["<b>", {"x": 1}, 5, -3, 1e300]},
    )
    html = client.get("/").text
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card(html, "service-kuma-1")
    assert "notice-warn" in html, "an unknown incident style falls back to a known one"


def test_huge_values_are_cut_short(app, client, signed_in_owner):
    put_state(
        app,
        "kuma:2",
        "monitor",
        "M" * 200,  # the longest label a state keeps
        DOWN,
        public=True,
        info={
            "message": "x" * 100_000,
            "group": "G" * 5000,
            "pings": list(range(10_000)),
            "uptime_24": 12,
            "last_ping_at": "9" * 10_000,
        },
    )
    put_state(
        app,
        "plex",
        "plex",
        "Plex",
        public=True,
        info={
            "streams": [{"user": "u" * 9999, "title": "t"}] * 500,
            "counts": {"movie": 2**80, "show": "lots", "episode": True},
        },
    )
    response = client.get("/")
    assert response.status_code == 200
    monitor = card(response.text, "service-kuma-2")
    assert "M" * 79 + "…" in monitor and "M" * 81 not in monitor
    assert "x" * 301 not in monitor
    assert monitor.count(",") < 200, "the sparkline draws the last few points only"
    assert "up over 24 h" not in monitor, "an uptime past 100 % is not shown"
    plex = card(response.text, "service-plex")
    assert plex.count('class="stream"') == 12 and "and 488 more" in plex
    assert "movies" not in plex and "shows" not in plex and "episodes" not in plex


def test_uptime_of_plex_over_24_hours_from_the_history(app, client, signed_in_owner):
    put_state(app, "plex", "plex", "Plex", public=True)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with app.app_context():
        db.session.add(
            HealthSample(
                service_key="plex",
                resolution="m",
                bucket_at=now - timedelta(hours=1),
                checks=4,
                ups=3,
            )
        )
        db.session.add(
            HealthSample(
                service_key="plex",
                resolution="h",
                bucket_at=now - timedelta(days=3),
                checks=60,
                ups=0,
            )
        )
        db.session.commit()
    assert "75 % up over 24 h" in card(client.get("/").text, "service-plex")


def test_a_health_change_reaches_the_page_at_once(app, client, signed_in_owner):
    put_state(app, "plex", "plex", "Plex", public=True)
    assert ">Up</span>" in card(client.get("/").text, "service-plex")
    put_state(app, "plex", "plex", "Plex", DOWN, reason=REFUSED, public=True)
    announce(app, "plex")
    shown = wait_for(
        lambda: (c := card(client.get("/").text, "service-plex")) and "Down" in c and c
    )
    assert "Refused the connection" in shown
    put_state(app, "kuma:3", "monitor", "New one")
    drop_state(app, "plex")
    announce(app, "plex", "kuma:3")
    wait_for(
        lambda: order(client.get("/").text) == ["service-kuma-3", "service-medianest"], timeout=3
    )


def test_check_now_is_for_admins_and_shows_the_check_running(app, client, signed_in_owner, friend):
    response = client.htmx_post("/dashboard/status/check", page="/")
    assert response.status_code == 200
    assert 'id="service-medianest"' in response.text and "Checking…" in response.text
    assert 'hx-trigger="every 3s"' in response.text
    polled = client.get("/dashboard/status", headers={"HX-Request": "true"}).text
    assert "Checking…" in polled, "queued, no worker: still waiting"
    assert friend.htmx_post("/dashboard/status/check", page="/").status_code == 403
    friendly = friend.get("/dashboard/status", headers={"HX-Request": "true"}).text
    assert "Checking…" not in friendly and "Check now" not in friendly
    assert client.get("/dashboard/status").status_code == 302, "as a page it leads home"


def _request(user_id, title, minutes_ago, status="pending"):
    return MediaRequest(
        user_id=user_id,
        media_type="movie",
        tmdb_id=1000 + minutes_ago,
        title=title,
        status=status,
        created_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
    )


def _download(user_id, title, minutes_ago, status="finished"):
    return Download(
        user_id=user_id,
        source_url=f"https://www.youtube.com/watch?v={minutes_ago}",
        source_key=f"youtube:video:{minutes_ago}",
        kind="video",
        title=title,
        status=status,
        created_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
    )


def test_my_newest_requests_and_downloads_with_their_status(app, client, signed_in_owner, auth):
    other = auth.create("other")
    with app.app_context():
        db.session.add_all(_request(signed_in_owner, f"Film {i}", i) for i in range(1, 8))
        db.session.add(_request(other, "Not mine", 0))
        db.session.add_all(_download(signed_in_owner, f"Video {i}", i) for i in range(1, 7))
        db.session.add(_download(signed_in_owner, "Running one", 0, status="running"))
        db.session.add(_download(other, "Their video", 0))
        db.session.commit()
    html = client.get("/").text
    requests_box = html[html.index('id="home-requests"') : html.index('id="home-downloads"')]
    assert re.findall(r">(Film \d)<", requests_box) == [f"Film {i}" for i in range(1, 6)]
    assert "Not mine" not in html and 'id="request-status-' in requests_box
    downloads_box = html[html.index('id="home-downloads"') :]
    titles = re.findall(r'class="mine-title">([^<]+)<', downloads_box)
    assert titles == ["Running one", "Video 1", "Video 2", "Video 3", "Video 4"]
    assert "Their video" not in html
    assert "Downloading" in downloads_box and "Starting…" in downloads_box


def test_empty_lists_say_what_to_do_next(client, signed_in_owner):
    html = client.get("/").text
    assert "You have not asked for anything yet." in html and "Discover" in html
    assert "No downloads yet." in html
