"""The poster proxy: only Plex's images, resized, cached and revalidated."""

from pathlib import Path

import pytest

from tests.integration import library_helpers, test_library_browse
from tests.integration.test_library_browse import keys, sign_in

plex, sync_app = library_helpers.plex, library_helpers.sync_app
app, catalog = test_library_browse.app, test_library_browse.catalog  # the browsing fixtures


BAD_PATHS = [
    "",
    "http://evil.example/library/metadata/1/thumb/1",
    "https://127.0.0.1/library/metadata/1/thumb",
    "//evil.example/library/metadata/1/thumb",
    "/library/metadata/1/thumb/../../../identity",
    "/library/metadata/../sections",
    "/library/metadata/%2e%2e/thumb",
    "/library/metadata/1/thumb/%2e",
    "/library/metadata/1/thumb\\..\\x",
    "/library/metadata/1/thumb?X-Plex-Token=x",
    "/library/metadata/1/thumb/1?url=http://x",
    "/library/metadata/1/thumb\n/identity",
    "/library/metadata/1/thumb\x00",
    "/library/sections/1/all",
    "/identity",
    "library/metadata/1/thumb",
    "/library/metadata/abc/thumb",
    "/photo/:/transcode?url=/library/metadata/1/thumb",
    "/library/metadata/1/thumb/" + "1" * 300,
]


@pytest.mark.parametrize("path", BAD_PATHS)
def test_the_image_proxy_fetches_nothing_but_plex_images(catalog, client, auth, plex, path):
    sign_in(auth, "owner")
    before = plex.state.page_requests
    response = client.get("/library/image", query_string={"path": path, "w": 300})
    assert response.status_code == 400
    assert plex.state.page_requests == before


def test_posters_are_resized_cached_and_revalidated(catalog, client, auth, plex):
    sign_in(auth, "friend")
    with catalog.app_context():
        thumb = keys("Movies")["items"][0].thumb
    response = client.get("/library/image", query_string={"path": thumb, "w": 280})
    assert response.status_code == 200
    assert response.content_type == "image/png"
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(response.data[16:20]), int.from_bytes(response.data[20:24])
    assert (width, height) == (300, 450)  # snapped to a width we serve
    etag = response.headers["ETag"]
    assert response.headers["Cache-Control"] == "private, max-age=86400"
    assert list((Path(catalog.config["DATA_DIR"]) / "cache" / "images").rglob("*"))

    again = client.get(
        "/library/image", query_string={"path": thumb, "w": 300}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.headers["ETag"] == etag

    plex.state.down = True  # a cached poster needs no Plex
    cached = client.get("/library/image", query_string={"path": thumb, "w": 300})
    assert cached.status_code == 200 and cached.data == response.data

    small = client.get("/library/image", query_string={"path": thumb, "w": "abc"})
    assert small.status_code == 200 and small.data == response.data  # odd width: the default

    uncached = client.get("/library/image", query_string={"path": thumb, "w": 10})
    assert uncached.status_code == 503
    assert uncached.content_type.startswith("image/svg+xml")
    assert uncached.headers["Cache-Control"] == "no-store"


def test_a_newsletters_poster_loads_without_signing_in_and_nothing_else_does(catalog, client):
    from app.library.mail_images import token_for

    with catalog.app_context():
        movie = keys("Movies")["items"][0].thumb
        hidden = keys("Private")["items"][0].thumb
        shown, secret = token_for(movie, 150), token_for(hidden, 150)
        assert token_for("/identity", 150) is None
    response = client.get(f"/library/mail-image/{shown}")
    assert response.status_code == 200 and response.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(response.data[16:20]) == 150
    # A hidden library's poster, a token changed by hand or not ours: the stand-in, no image.
    forged = shown[:-2] + ("AA" if shown[-2:] != "AA" else "BB")
    for token in (secret, forged, "x" * 5000, "WyIvaWRlbnRpdHkiLDE1MF0"):
        refused = client.get(f"/library/mail-image/{token}")
        assert refused.status_code == 404 and refused.content_type.startswith("image/svg+xml")
