"""TMDB's pictures through our proxy: signed in only, TMDB's host only, sizes and names checked."""

from pathlib import Path

import pytest

from tests.conftest import Accounts
from tests.integration import discover_helpers
from tests.integration.discover_helpers import tmdb_config

tmdb_sim = discover_helpers.tmdb_sim
POSTER = "p0123456789abcdef01234567.png"


@pytest.fixture
def app(make_app, tmdb_sim):
    return make_app(**tmdb_config(tmdb_sim))


@pytest.fixture
def friend(app):
    Accounts(app, None).owner()
    Accounts(app, None).create("friend")
    client = app.test_client()
    Accounts(app, client).login("friend")
    return client


def cached_files(app) -> list[Path]:
    folder = Path(app.config["DATA_DIR"]) / "cache" / "tmdb-images"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_poster_is_fetched_once_then_served_from_disk(app, friend, tmdb_sim):
    first = friend.get(f"/discover/image/w342/{POSTER}")
    assert first.status_code == 200 and first.mimetype == "image/png"
    assert first.data[:4] == b"\x89PNG"
    assert len(cached_files(app)) == 1
    tmdb_sim.state.catalog = None  # were TMDB asked again, this would break it
    again = friend.get(f"/discover/image/w342/{POSTER}")
    assert again.data == first.data
    etag = {"If-None-Match": first.headers["ETag"]}
    assert friend.get(f"/discover/image/w342/{POSTER}", headers=etag).status_code == 304


def test_original_is_read_at_a_bounded_size(app, friend):
    picture = friend.get(f"/discover/image/original/{POSTER}")
    assert picture.status_code == 200
    width = int.from_bytes(picture.data[16:20], "big")
    assert width == 1280


def test_signed_out_people_get_no_pictures(app):
    assert app.test_client().get(f"/discover/image/w342/{POSTER}").status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        f"/discover/image/w9999/{POSTER}",
        f"/discover/image/W342/{POSTER}",
        "/discover/image/w342/..%2F..%2Fetc%2Fpasswd.png",
        "/discover/image/w342/.png",
        "/discover/image/w342/poster.gif",
        "/discover/image/w342/poster.png.exe",
        "/discover/image/w342/p%C3%A9.png",
        "/discover/image/w342/" + "a" * 65 + ".png",
        "/discover/image/w342/a b.png",
    ],
)
def test_bad_sizes_and_names_are_refused_in_words(friend, url):
    response = friend.get(url)
    assert 400 <= response.status_code < 500 and "Traceback" not in response.text


def test_traversal_never_reaches_another_host_or_path(friend, tmdb_sim):
    for url in ("/discover/image/w342/../../3/movie/popular", "/discover/image/../w342/x.png"):
        assert friend.get(url).status_code in (400, 404)
    assert tmdb_sim.state.hits == 0


def test_a_picture_tmdb_lacks_is_the_placeholder(friend):
    missing = friend.get("/discover/image/w342/zzz.png")
    assert missing.status_code == 404 and missing.mimetype == "image/svg+xml"


def test_an_unreachable_image_host_is_the_placeholder(make_app, tmdb_sim):
    app = make_app(**tmdb_config(tmdb_sim, TMDB_IMAGE_URL="http://127.0.0.1:9/t/p"))
    Accounts(app, None).owner()
    client = app.test_client()
    Accounts(app, client).login("owner")
    answer = client.get(f"/discover/image/w342/{POSTER}")
    assert answer.status_code == 503 and answer.mimetype == "image/svg+xml"
