"""Adding a download: what the paste box refuses, in words, before anything is fetched."""

import io

import pytest
from sqlalchemy import func, select

from app.downloads.forms import MAX_PASTE
from app.extensions import db
from app.models import Download
from tests.conftest import Accounts
from tests.integration import download_page_helpers
from tests.integration.test_request_pages import text

people = download_page_helpers.people


def preview(client, form: dict, htmx: bool = False):
    form = {"quality": "best", **form}
    if htmx:
        return client.htmx_post("/downloads/preview", page="/downloads", data=form)
    return client.post_form("/downloads/preview", form, page="/downloads")


def downloads() -> int:
    return db.session.scalar(select(func.count()).select_from(Download))


@pytest.mark.parametrize(
    "urls, words",
    [
        ("", "Paste the address of a video, a playlist or a channel."),
        (" \n ", "Paste the address of a video, a playlist or a channel."),
        ("x" * (MAX_PASTE + 1), "That is too much text: paste at most 20 addresses"),
        (
            "\n".join(f"https://youtu.be/abcdefghi{n:02d}" for n in range(50)),
            "That is 50 addresses: paste at most 20 at a time.",
        ),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_an_odd_paste_is_refused_in_words(client, auth, people, urls, words, htmx):
    auth.login("alice")
    response = preview(client, {"urls": urls}, htmx)
    assert words in text(response)
    if htmx:  # the fragment only, with a 200 so htmx swaps it in
        assert response.status_code == 200 and "<html" not in response.get_data(True)
    else:
        assert response.status_code == 400 and "Your downloads" in text(response)


def test_a_quality_not_on_the_list_is_refused(client, auth, people):
    auth.login("alice")
    response = preview(client, {"urls": "https://youtu.be/dQw4w9WgXcQ", "quality": "8k"})
    assert response.status_code == 400
    assert "Choose a quality from the list: Best available" in text(response)


@pytest.mark.parametrize(
    "url, words",
    [
        ("file:///etc/passwd", "Only web addresses (https://) can be downloaded"),
        ("https://example.com/video.mp4", "example.com is not a site MediaNest downloads from"),
        ("https://www.youtube.com/feed/trending", "That YouTube address is not a video"),
    ],
)
def test_addresses_that_are_not_allowed_say_why(client, auth, people, url, words):
    auth.login("alice")
    page = text(preview(client, {"urls": url}, htmx=True))
    assert words in page


def test_a_file_in_the_paste_box_is_a_plain_400(client, auth, people):
    auth.login("alice")
    data = {
        "csrf_token": client.token("/downloads"),
        "urls": (io.BytesIO(b"https://youtu.be/dQw4w9WgXcQ"), "urls.txt"),
    }
    response = client.post("/downloads/preview", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "a file was sent" in text(response)


@pytest.mark.parametrize(
    "form, words",
    [
        ({"items": "1-x"}, "“1-x” is not a position or a range; write e.g. 1-10, 15."),
        ({"items": "10-2"}, "Positions run from 1 to 5000, low to high"),
        ({"items": "0"}, "Positions run from 1 to 5000"),
        ({"items": "1," * 400}, "Choose videos with at most a few ranges"),
        ({"quality": "4320p"}, "Choose a quality from the list"),
        ({"url": ""}, "Paste the address of a video, a playlist or a channel."),
        ({"url": "https://youtu.be/" + "a" * 3000}, "Paste the address of a video"),
        ({"url": "ftp://example.com/x"}, "Only web addresses (https://) can be downloaded"),
    ],
)
def test_a_confirm_that_cannot_be_added_says_why_and_adds_nothing(
    app,
    client,
    auth,
    people,
    form,
    words,
):
    auth.login("alice")
    form = {"url": "https://www.youtube.com/playlist?list=PLabc", "quality": "best", **form}
    response = client.post_form("/downloads", {**form, "client_token": "t" * 32}, page="/")
    assert response.status_code == 302 and response.headers["Location"] == "/downloads"
    assert words in text(client.get("/downloads"))
    with app.app_context():
        assert downloads() == 0


def test_demo_mode_offers_addresses_to_try(make_app):
    app = make_app(DEMO_VIDEO_URL="http://127.0.0.1:9/")
    client = app.test_client()
    accounts = Accounts(app, client)
    accounts.owner()
    accounts.login()
    page = client.get("/downloads")
    assert "Try one of these" in text(page)
    filled = client.get("/downloads?url=http://127.0.0.1:9/feeds/top10.xml")
    assert ">http://127.0.0.1:9/feeds/top10.xml</textarea>" in filled.get_data(True)


def test_outside_demo_mode_there_is_nothing_to_try(client, auth, people):
    auth.login("alice")
    assert "Try one of these" not in text(client.get("/downloads"))
