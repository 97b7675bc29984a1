"""Adding through the pages against the loopback video site: preview, confirm once, share."""

import re

import pytest
from sqlalchemy import func, select

from app import settings
from app.extensions import db
from app.models import Download, DownloadWatcher
from tests.integration import download_page_helpers
from tests.integration.download_helpers import allow
from tests.integration.test_request_pages import text
from tests.integration.ytdlp_helpers import reset

people, site = download_page_helpers.people, download_page_helpers.site


@pytest.fixture
def ready(app, site, people):
    with app.app_context():
        allow(reset(site))
    return site


def confirm_form(client, url: str) -> dict:
    """The confirm form of a preview, as the page gives it."""
    html = client.post_form("/downloads/preview", {"urls": url, "quality": "480p"}, page="/").data
    html = html.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    return {key: fields[key] for key in ("url", "quality", "client_token")}


def test_a_playlist_preview_says_what_it_holds_and_pages_its_videos(client, auth, ready):
    auth.login("alice")
    feed = f"{ready.url}/feeds/big.xml"
    page = text(
        client.htmx_post("/downloads/preview", page="/", data={"urls": feed, "quality": "best"})
    )
    assert "Playlist" in page and "5,000 videos" in page and "Show more" in page
    more = client.htmx_post(
        "/downloads/preview",
        page="/",
        data={"urls": feed, "quality": "best", "page": "2", "more": "1"},
    )
    assert more.status_code == 200 and "<article" not in more.get_data(True)
    assert text(more).count("Show more") == 1 and more.get_data(True).count("<li") == 51


def test_confirming_twice_adds_one_download(app, client, auth, ready):
    auth.login("alice")
    form = confirm_form(client, f"{ready.url}/feeds/top10.xml")
    assert form["quality"] == "480p" and len(form["client_token"]) >= 24
    first = client.post_form("/downloads", {**form, "items": "1-2"}, page="/")
    again = client.post_form("/downloads", {**form, "items": "1-2"}, page="/")
    assert first.headers["Location"] == again.headers["Location"]
    page = text(client.get(first.headers["Location"]))
    assert "Videos chosen 1-2" in page and "Quality 480p" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Download)) == 1


def test_a_second_person_adding_the_same_playlist_watches_the_first(
    app, client, auth, people, ready
):
    feed = f"{ready.url}/feeds/pond.xml"
    auth.login("alice")
    client.post_form("/downloads", confirm_form(client, feed), page="/")
    auth.logout()
    auth.login("bob")
    shared = client.post_form("/downloads", confirm_form(client, feed), page="/")
    page = text(client.get(shared.headers["Location"]))
    assert "Someone is downloading this already" in page and "Someone else; you watch it" in page
    assert "Cancel all" not in page  # watchers watch; the one who added it decides
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DownloadWatcher)) == 1


def test_over_the_daily_limit_says_how_many_are_left(app, client, auth, ready):
    with app.app_context():
        settings.put({"quota.downloads": 2})
    auth.login("alice")
    feed = f"{ready.url}/feeds/top10.xml"
    preview = client.htmx_post(
        "/downloads/preview", page="/", data={"urls": feed, "quality": "best"}
    )
    assert "That is 4 videos and you have 2 left today: choose fewer below, e.g. 1-2." in text(
        preview
    )
    response = client.post_form("/downloads", confirm_form(client, feed), page="/")
    page = text(client.get(response.headers["Location"]))
    assert "That is 4 videos and you have 2 left today" in page
    assert "0 of 2 videos today" in page
