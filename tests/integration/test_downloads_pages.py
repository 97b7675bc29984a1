"""Downloads pages: who sees what, what a download's card and page say, and bad input in words."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import DownloadWatcher, LibrarySection, MediaItem
from app.models.base import utcnow
from tests.integration import download_page_helpers
from tests.integration.download_page_helpers import a_download, sign_in_as
from tests.integration.test_request_pages import text

people, made = download_page_helpers.people, download_page_helpers.made


PAGES = {
    "/downloads": {"anonymous": 302, "alice": 200, "bob": 200, "owner": 200},
    "/downloads?everyone=1": {"anonymous": 302, "alice": 200, "bob": 200, "owner": 200},
    "/downloads/{alice}": {"anonymous": 302, "alice": 200, "bob": 404, "owner": 200},
    "/downloads/{bob}": {"anonymous": 302, "alice": 404, "bob": 200, "owner": 200},
    "/downloads/{big}": {"anonymous": 404, "alice": 404, "bob": 404, "owner": 404},
    "/downloads/999999": {"anonymous": 302, "alice": 404, "bob": 404, "owner": 404},
    "/downloads/thumbnail/forged": {"anonymous": 302, "alice": 404, "bob": 404, "owner": 404},
}


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who", ["anonymous", "alice", "bob", "owner"])
def test_who_may_see_download_pages(client, auth, made, path, who):
    sign_in_as(auth, who)
    response = client.get(path.format(**made))
    assert response.status_code == PAGES[path][who]
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")


ACTIONS = [
    "/downloads/{alice}/cancel",
    "/downloads/{alice}/retry",
    "/downloads/items/{alice_item}/cancel",
    "/downloads/items/{alice_item}/retry",
]


@pytest.mark.parametrize("path", ACTIONS)
@pytest.mark.parametrize("who, status", [("anonymous", 302), ("bob", 404), ("alice", 302)])
def test_only_who_may_see_a_download_may_cancel_or_retry_it(client, auth, made, path, who, status):
    sign_in_as(auth, who)
    response = client.post_form(path.format(**made), page="/login" if who == "anonymous" else "/")
    assert response.status_code == status
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login")
    if who == "alice":
        assert response.headers["Location"] == f"/downloads/{made['alice']}"


@pytest.mark.parametrize(
    "path", ["/downloads/{big}/cancel", "/downloads/items/{big}/retry", "/downloads/0/retry"]
)
def test_ids_past_2_63_are_a_plain_404(client, auth, made, path):
    auth.login()
    assert client.post_form(path.format(**made), page="/").status_code == 404


@pytest.mark.parametrize("path", ["/downloads", "/downloads/preview"])
def test_anonymous_posts_lead_to_sign_in(client, people, path):
    response = client.post_form(path, {"urls": "https://youtu.be/dQw4w9WgXcQ"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_person_sees_their_own_downloads_with_counts_and_state(client, auth, made):
    auth.login("alice")
    page = text(client.get("/downloads"))
    assert "Cooking Week" in page and "Bob's Garden" not in page
    assert "Playlist · Chef Ana · Best available · 1 of 3 videos" in page
    assert "Downloading" in page and "Everyone's" not in page
    assert "3 of 20 videos today · 0.0 of 50 GB" in page  # the default limits, before they are hit


def test_admins_toggle_to_everyones_downloads(client, auth, made):
    auth.login()
    assert "Cooking Week" not in text(client.get("/downloads"))
    everyone = text(client.get("/downloads?everyone=1"))
    assert "Everyone's downloads" in everyone
    assert "Cooking Week" in everyone and "Bob's Garden" in everyone
    assert "alice" in everyone and "bob" in everyone


def test_a_watcher_sees_someone_elses_download(app, client, auth, people, made):
    with app.app_context():
        db.session.add(DownloadWatcher(download_id=made["alice"], user_id=people.bob))
        db.session.commit()
    auth.login("bob")
    assert "Cooking Week" in text(client.get("/downloads"))
    page = text(client.get(f"/downloads/{made['alice']}"))
    assert "Someone else; you watch it" in page


def test_the_download_page_lists_each_video_with_its_state(client, auth, made):
    auth.login("alice")
    page = text(client.get(f"/downloads/{made['alice']}"))
    assert "1 of 3 videos done · 1 failed or cancelled" in page
    assert "Episode 1 of Cooking Week 1:05 Done" in page
    assert "Episode 3 of Cooking Week 3:15 Failed" in page and "This video is private." in page
    assert "Retry failed" in page and "Cancel all" in page


def test_an_admin_sees_who_added_it_and_who_watches(app, client, auth, people, made):
    with app.app_context():
        db.session.add(DownloadWatcher(download_id=made["alice"], user_id=people.bob))
        db.session.commit()
    auth.login()
    page = text(client.get(f"/downloads/{made['alice']}"))
    assert "Added by alice" in page and "Also watching bob" in page


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"plex_state": "waiting"}, "Waiting for Plex to scan"),
        ({"plex_state": "done"}, "In Plex"),
        (
            {"plex_state": "waiting", "plex_error": "Plex did not answer."},
            "Not in Plex yet, retrying at",
        ),
    ],
)
def test_the_plex_state_is_said_in_words(app, client, auth, people, fields, words):
    with app.app_context():
        if "plex_error" in fields:
            fields["plex_due_at"] = utcnow() + timedelta(minutes=5)
        download_id = a_download(people.alice, items=("finished",), status="finished", **fields)
    auth.login("alice")
    assert words in text(client.get(f"/downloads/{download_id}"))


def test_open_in_library_once_the_show_is_synced(app, client, auth, people):
    with app.app_context():
        download_id = a_download(
            people.alice, items=("finished",), status="finished", plex_show_key="4242"
        )
    auth.login("alice")
    assert "Open in library" not in text(client.get(f"/downloads/{download_id}"))
    with app.app_context():
        section = LibrarySection(key="9", title="YouTube", type="show")
        db.session.add(section)
        db.session.flush()
        db.session.add(
            MediaItem(rating_key=4242, section_id=section.id, type="show", title="Cooking Week")
        )
        db.session.commit()
    assert "Open in library" in text(client.get("/downloads"))
    assert '/library/item/4242"' in client.get(f"/downloads/{download_id}").get_data(True)


def test_a_long_playlist_page_is_paged(app, client, auth, people):
    with app.app_context():
        download_id = a_download(people.alice, items=("queued",) * 120)
    auth.login("alice")
    first = text(client.get(f"/downloads/{download_id}"))
    assert "Episode 50 of" in first and "Episode 51 of" not in first and "Page 1 of 3" in first
    last = text(client.get(f"/downloads/{download_id}?page=3"))
    assert "Episode 120 of" in last
