"""Subscription pages: who may see and change what, the forms' words for bad input."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Download, DownloadItem, Subscription
from app.models.base import utcnow

PLAYLIST = "https://www.youtube.com/playlist?list=PLalice0000000000000"


@pytest.fixture
def made(app, auth):
    """alice follows a playlist, bob a channel; the owner is an admin."""
    ids = {"owner": auth.owner(), "alice": auth.create("alice"), "bob": auth.create("bob")}
    with app.app_context():
        alice = Subscription(
            user_id=ids["alice"],
            source_url=PLAYLIST,
            source_key="youtube:playlist:PLalice0000000000000",
            kind="playlist",
            title="Alice's cooking",
            next_check_at=utcnow() + timedelta(hours=2),
        )
        bob = Subscription(
            user_id=ids["bob"],
            source_url="https://www.youtube.com/@bobtalks/videos",
            source_key="youtube:channel:@bobtalks",
            kind="channel",
            title="Bob talks",
            keep_newest=3,
        )
        db.session.add_all([alice, bob])
        db.session.commit()
        return {**ids, "a": alice.id, "b": bob.id}


def sign_in_as(auth, who):
    if who != "anonymous":
        assert auth.login(who).status_code == 302


def text(response) -> str:
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(words))


def sub_row(app, sub_id):
    with app.app_context():
        return db.session.get(Subscription, sub_id)


PAGES = {
    "/downloads/subscriptions": {"anonymous": 302, "alice": 200, "owner": 200},
    "/downloads/subscriptions/{a}": {"anonymous": 302, "alice": 200, "owner": 200},
    "/downloads/subscriptions/{b}": {"anonymous": 302, "alice": 404, "owner": 200},
    "/downloads/subscriptions/999999": {"anonymous": 302, "alice": 404, "owner": 404},
    "/downloads/subscriptions/9223372036854775808": {"anonymous": 404, "alice": 404, "owner": 404},
}


@pytest.mark.parametrize("who", ["anonymous", "alice", "owner"])
def test_who_may_see_subscription_pages(client, auth, made, who):
    sign_in_as(auth, who)
    for path, codes in PAGES.items():
        response = client.get(path.format(**made))
        assert response.status_code == codes[who], path
        if codes[who] == 302:
            assert response.headers["Location"].startswith("/login")


def test_a_person_sees_their_own_and_an_admin_sees_everyones_with_the_owner(client, auth, made):
    sign_in_as(auth, "alice")
    page = text(client.get("/downloads/subscriptions"))
    assert "Alice's cooking" in page and "Bob talks" not in page
    assert "Every 6 hours" in page and "Keeps all" in page and "in 2 hours" in page
    auth.logout()
    sign_in_as(auth, "owner")
    page = text(client.get("/downloads/subscriptions"))
    assert "Everyone's subscriptions" in page
    assert "Alice's cooking alice" in page.replace("Playlist ", "")
    assert "Bob talks" in page and "Keeps the newest 3" in page


@pytest.mark.parametrize("action", ["check", "pause", "resume", "delete", ""])
def test_nobody_acts_on_someone_elses_subscription(app, client, auth, made, action):
    sign_in_as(auth, "alice")
    path = f"/downloads/subscriptions/{made['b']}" + (f"/{action}" if action else "")
    response = client.post_form(path, {"interval": "15m"}, page="/downloads/subscriptions")
    assert response.status_code == 404
    bob = sub_row(app, made["b"])
    assert bob is not None and bob.enabled and bob.interval_minutes == 360


def test_anonymous_actions_lead_to_sign_in(app, client, made):
    response = client.post_form(f"/downloads/subscriptions/{made['a']}/delete")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert sub_row(app, made["a"]) is not None


def test_an_admin_may_pause_resume_and_check_anyones(app, client, auth, made):
    sign_in_as(auth, "owner")
    page = "/downloads/subscriptions"
    response = client.post_form(f"/downloads/subscriptions/{made['b']}/pause", page=page)
    assert response.status_code == 302
    assert not sub_row(app, made["b"]).enabled
    shown = text(client.get(f"/downloads/subscriptions/{made['b']}"))
    assert "Paused Bob talks" in shown and "bob's" in shown
    client.post_form(f"/downloads/subscriptions/{made['b']}/check", page=page)
    assert "is paused: resume it to check it" in text(client.get(page))
    client.post_form(f"/downloads/subscriptions/{made['b']}/resume", page=page)
    client.post_form(f"/downloads/subscriptions/{made['a']}/check", {"from": "list"}, page=page)
    assert "Checking Alice's cooking now" in text(client.get(page))
    alice = sub_row(app, made["a"])
    assert alice.next_check_at <= utcnow() and sub_row(app, made["b"]).enabled


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("interval", "5m", "at most every 15 minutes"),
        ("interval", "8d", "at least once every 7 days"),
        ("interval", "soon", "like 30m, 6h or 2d"),
        ("interval", "99999999999999999999999h", "like 30m, 6h or 2d"),
        ("keep_newest", "0", "from 1 to 10,000"),
        ("keep_newest", "99999999999999999999", "write a whole number"),
        ("keep_days", "-3", "write a whole number"),
        ("quality", "8k", "Choose one of the qualities"),
    ],
)
def test_bad_changes_are_refused_beside_the_field(app, client, auth, made, field, value, words):
    sign_in_as(auth, "alice")
    path = f"/downloads/subscriptions/{made['a']}"
    form = {"quality": "best", "interval": "6h", "keep_newest": "", "keep_days": "", field: value}
    response = client.post_form(path, form, page=path)
    assert response.status_code == 400
    assert words in text(response)
    assert sub_row(app, made["a"]).interval_minutes == 360


def test_a_change_is_saved_and_shown(app, client, auth, made):
    sign_in_as(auth, "alice")
    path = f"/downloads/subscriptions/{made['a']}"
    form = {"quality": "720p", "interval": "1d", "keep_newest": "10", "keep_days": "30"}
    assert client.post_form(path, form, page=path).status_code == 302
    page = text(client.get(path))
    assert "Saved Alice's cooking" in page
    assert "Every day" in page and "Keeps the newest 10 and the last 30 days" in page
    alice = sub_row(app, made["a"])
    assert (alice.quality, alice.keep_newest, alice.keep_days) == ("720p", 10, 30)
    client.post_form(path, form, page=path)
    assert "Nothing changed" in text(client.get(path))


@pytest.mark.parametrize(
    "url, words",
    [
        ("", "Paste the address of a channel or a playlist"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "this address is one video"),
        ("https://youtu.be/dQw4w9WgXcQ", "this address is one video"),
        ("ftp://example.com/list", "Only web addresses"),
        ("https://example.com/feed.xml", "not a site MediaNest downloads from"),
        ("https://www.youtube.com/" + "x" * 3000, "too long"),
    ],
)
def test_subscribing_to_what_is_not_a_channel_or_playlist_is_refused(
    client, auth, made, url, words
):
    sign_in_as(auth, "alice")
    form = {"url": url, "interval": "6h", "start_with": "5"}
    response = client.post_form("/downloads/subscriptions", form, page="/downloads/subscriptions")
    assert response.status_code == 400
    assert words in text(response)


def test_a_second_subscription_to_the_same_source_links_the_first(app, client, auth, made):
    sign_in_as(auth, "alice")
    form = {"url": PLAYLIST.replace("https://www.", ""), "interval": "6h"}
    response = client.post_form("/downloads/subscriptions", form, page="/downloads/subscriptions")
    assert response.status_code == 409
    assert "You already subscribe to this: Alice's cooking" in text(response)
    assert f'href="/downloads/subscriptions/{made["a"]}"' in response.get_data(as_text=True)
    with app.app_context():
        assert len(db.session.scalars(select(Subscription)).all()) == 2


def test_unsubscribing_keeps_the_videos_and_says_so(app, client, auth, made, tmp_path):
    with app.app_context():
        kept = Download(
            user_id=made["bob"],
            source_url="u",
            source_key="youtube:channel:@bobtalks",
            kind="channel",
            title="Bob talks",
            status="finished",
            subscription_id=made["b"],
        )
        kept.items = [
            DownloadItem(position=1, extractor="youtube", video_id="v1", url="u", status="finished")
        ]
        db.session.add(kept)
        db.session.commit()
        kept_id = kept.id
    sign_in_as(auth, "owner")
    page = f"/downloads/subscriptions/{made['b']}"
    assert f'href="/downloads/{kept_id}"' in client.get(page).get_data(as_text=True)
    response = client.post_form(f"{page}/delete", page=page)
    assert response.status_code == 302
    assert "Videos already downloaded stay where they are" in text(client.get(response.location))
    with app.app_context():
        assert db.session.get(Subscription, made["b"]) is None
        download = db.session.get(Download, kept_id)
        assert download is not None and download.subscription_id is None
