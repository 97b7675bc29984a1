"""The Uploads pages: the limits shown before a byte is sent, cards, one upload's page with its
Plex form, rename and delete, and every file route and action as owner, other person, admin
and anonymous."""

import shutil
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.uploads import IN_PLEX, PLACING, READY, UPLOADING, VIDEO, Upload
from app.realtime.events import publish
from app.uploads import storage
from tests.conftest import Accounts, wait_for
from tests.integration import upload_plex_helpers
from tests.integration.test_realtime import listening, live_socket
from tests.integration.test_realtime import sign_in as socket_sign_in
from tests.integration.test_request_pages import text

mp4 = upload_plex_helpers.mp4


@pytest.fixture
def people(auth):
    return SimpleNamespace(owner=auth.owner(), alice=auth.create("alice"), bob=auth.create("bob"))


@pytest.fixture
def ready(app, people, mp4):
    """alice's processed upload, with its original and the three derived files."""
    with app.app_context():
        row = Upload(
            key=storage.new_key(),
            user_id=people.alice,
            filename="Beach day.mp4",
            size=mp4.stat().st_size,
            state=READY,
            kind=VIDEO,
            container="mp4",
            duration=61.0,
            width=64,
            height=48,
            title="Beach day",
        )
        shutil.copy(mp4, storage.original_path(row))
        for name in storage.DERIVED:
            storage.derived_path(row.key, name).write_bytes(f"{name} bytes".encode())
        db.session.add(row)
        db.session.commit()
        return row.key


def sign_in(auth, who: str) -> None:
    if who != "anonymous":
        auth.login(who)


FILE_ROUTES = ["poster.jpg", "scrub.jpg", "preview.mp4", "original"]


@pytest.mark.parametrize("route", [*FILE_ROUTES, ""])
@pytest.mark.parametrize("who, status", [("alice", 200), ("owner", 200), ("bob", 404)])
def test_an_uploads_page_and_files_are_its_owners_and_the_admins(
    client, auth, ready, route, who, status
):
    sign_in(auth, who)
    response = client.get(f"/uploads/{ready}/{route}".rstrip("/"))
    assert response.status_code == status
    if status == 200 and route == "original":
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert "Beach%20day.mp4" in response.headers["Content-Disposition"] or (
            "Beach day.mp4" in response.headers["Content-Disposition"]
        )
    elif status == 200 and route:
        assert response.get_data() == f"{route} bytes".encode()
        assert response.headers["Cache-Control"].startswith("private")


@pytest.mark.parametrize("route", [*FILE_ROUTES, "", "rename", "delete", "plex"])
def test_anonymous_visitors_are_sent_to_sign_in(client, ready, route):
    path = f"/uploads/{ready}/{route}".rstrip("/")
    response = client.post(path) if route in ("rename", "delete", "plex") else client.get(path)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    "key",
    ["0" * 32, "f" * 31, "x" * 2000, "../" * 10 + "etc", "a%00b", str(2**64), "files"],
)
def test_odd_keys_are_404_everywhere(client, auth, people, key):
    auth.login("alice")
    for route in [*FILE_ROUTES, ""]:
        assert client.get(f"/uploads/{key}/{route}".rstrip("/")).status_code == 404


def test_anothers_upload_cannot_be_renamed_deleted_or_sent(app, client, auth, ready):
    auth.login("bob")
    for action, form in [
        ("rename", {"title": "Mine now"}),
        ("delete", {}),
        ("plex", {"title": "x", "date": "2024-01-01", "collection": "x"}),
        ("plex/remove", {}),
    ]:
        assert client.post_form(f"/uploads/{ready}/{action}", form).status_code == 404
    with app.app_context():
        row = db.session.scalar(select(Upload).where(Upload.key == ready))
        assert row.title == "Beach day" and row.state == READY


def test_the_page_shows_the_limits_and_the_cards(client, auth, ready):
    auth.login("alice")
    page = client.get("/uploads")
    words = text(page)
    assert "Files up to 50 GB" in words and "of 200.0 GB used" in words
    assert "Beach day" in words and "1:01" in words and "Ready" in words
    html = page.get_data(as_text=True)
    assert f'src="/uploads/{ready}/poster.jpg"' in html and 'preload="none"' in html
    assert 'data-chunk-size="33554432"' in html
    auth.logout()
    auth.login("bob")
    assert "Beach day" not in text(client.get("/uploads"))
    auth.logout()
    auth.login()  # the owner sees everyone's on request
    assert "Beach day" in text(client.get("/uploads?everyone=1"))


@pytest.mark.parametrize(
    "title, words",
    [
        ("", "A title is 1 to 200"),
        ("x" * 2000, "A title is 1 to 200"),
        ("bad\x00name", "A title is 1 to 200"),
        ("../../", "A title is 1 to 200"),
    ],
)
def test_a_bad_new_title_is_refused_in_words(app, client, auth, ready, title, words):
    auth.login("alice")
    url = f"/uploads/{ready}/rename"
    response = client.post_form(url, {"title": title}, page=f"/uploads/{ready}")
    assert words in text(client.get(response.headers["Location"]))
    with app.app_context():
        assert db.session.scalar(select(Upload.title).where(Upload.key == ready)) == "Beach day"


def test_rename_then_delete_removes_every_file(app, client, auth, ready):
    auth.login("alice")
    page = f"/uploads/{ready}"
    client.post_form(f"{page}/rename", {"title": "Sand castles"}, page=page)
    assert "Sand castles" in text(client.get(page))
    with app.app_context():
        row = db.session.scalar(select(Upload).where(Upload.key == ready))
        files = [
            storage.original_path(row),
            *(storage.derived_path(ready, n) for n in storage.DERIVED),
        ]
    response = client.post_form(f"{page}/delete", page=page)
    assert response.headers["Location"] == "/uploads"
    assert "Deleted “Sand castles” and its files." in text(client.get("/uploads"))
    assert not any(path.exists() for path in files)
    assert client.get(page).status_code == 404


@pytest.mark.parametrize(
    "form, field, words",
    [
        ({"title": ""}, "title", "Give the video a title."),
        ({"title": "x" * 2000}, "title", "At most 200 characters"),
        ({"title": "[]/\\"}, "title", "only symbols"),
        ({"collection": ""}, "collection", "Name the collection"),
        ({"date": "2024-13-45"}, "date", "Enter the date as YYYY-MM-DD."),
        ({"date": "1850-01-01"}, "date", "from 1900 to today"),
        ({"date": "9" * 50}, "date", "Enter the date as YYYY-MM-DD."),
    ],
)
def test_a_bad_plex_choice_is_refused_in_words_keeping_what_was_typed(
    app, client, auth, ready, form, field, words
):
    auth.login("alice")
    good = {"title": "Beach day", "date": "2024-07-14", "collection": "Holidays"}
    response = client.post_form(
        f"/uploads/{ready}/plex", {**good, **form}, page=f"/uploads/{ready}"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert words in text(response) and f'id="plex-{field}-error"' in html
    assert 'value="Holidays"' in html or field == "collection"
    with app.app_context():
        assert db.session.scalar(select(Upload.state).where(Upload.key == ready)) == READY


def test_sending_to_plex_makes_it_due_and_says_so(app, client, auth, ready):
    auth.login("alice")
    form = {"title": "Beach day", "date": "2024-07-14", "collection": "Holidays"}
    response = client.post_form(f"/uploads/{ready}/plex", form, page=f"/uploads/{ready}")
    assert response.status_code == 302
    page = text(client.get(f"/uploads/{ready}"))
    assert "Sending “Beach day” to Plex" in page and "Plex is scanning the Holidays folder" in page
    with app.app_context():
        row = db.session.scalar(select(Upload).where(Upload.key == ready))
        assert (row.state, row.collection, row.taken_at.date()) == (
            PLACING,
            "Holidays",
            date(2024, 7, 14),
        )
    again = client.post_form(f"/uploads/{ready}/plex", form, page=f"/uploads/{ready}")
    assert "on its way to Plex already" in text(client.get(again.headers["Location"]))
    refused = client.post_form(f"/uploads/{ready}/delete", page=f"/uploads/{ready}")
    assert "delete it once it is there" in text(client.get(refused.headers["Location"]))


def test_an_upload_still_arriving_shows_and_can_be_deleted(app, client, auth, people):
    with app.app_context():
        row = Upload(key=storage.new_key(), user_id=people.alice, filename="big.mov", size=10**9)
        row.state = UPLOADING
        storage.part_path(row.key).write_bytes(b"abc")
        db.session.add(row)
        db.session.commit()
        key = row.key
    auth.login("alice")
    assert "Uploading" in text(client.get("/uploads"))
    client.post_form(f"/uploads/{key}/delete", page=f"/uploads/{key}")
    with app.app_context():
        assert not storage.part_path(key).exists()


def test_in_plex_it_can_be_taken_out_again(app, client, auth, ready, tmp_path):
    with app.app_context():
        row = db.session.scalar(select(Upload).where(Upload.key == ready))
        row.state, row.plex_path, row.collection = IN_PLEX, "", "Holidays"
        db.session.commit()
    auth.login("alice")
    assert "In Plex as “Beach day” under Holidays." in text(client.get(f"/uploads/{ready}"))
    response = client.post_form(f"/uploads/{ready}/plex/remove", page=f"/uploads/{ready}")
    assert "Removed from Plex" in text(client.get(response.headers["Location"]))
    with app.app_context():
        assert db.session.scalar(select(Upload.state).where(Upload.key == ready)) == READY


def test_each_card_offers_download_rename_and_delete(client, auth, ready):
    auth.login("alice")
    html = client.get("/uploads").get_data(as_text=True)
    assert f'href="/uploads/{ready}/original" download>Download<' in html
    assert f'href="/uploads/{ready}?manage=1#manage"' in html
    assert f'action="/uploads/{ready}/delete"' in html and 'name="next" value="index"' in html
    assert 'hx-confirm="Delete “Beach day”, its files?"' in html
    assert '<details id="manage" class="up-manage" open>' in client.get(
        f"/uploads/{ready}?manage=1"
    ).get_data(as_text=True)


def test_deleting_from_a_card_comes_back_to_the_list(app, client, auth, ready):
    auth.login("alice")
    response = client.post_form(f"/uploads/{ready}/delete", {"next": "index"}, page="/uploads")
    assert response.headers["Location"] == "/uploads"
    assert "Nothing uploaded yet." in text(client.get("/uploads"))


def test_a_missing_poster_or_strip_is_left_out_rather_than_broken(app, client, auth, ready):
    with app.app_context():
        storage.derived_path(ready, "poster.jpg").unlink()
        storage.derived_path(ready, "scrub.jpg").unlink()
    auth.login("alice")
    for page in ("/uploads", f"/uploads/{ready}"):
        html = client.get(page).get_data(as_text=True)
        assert "poster.jpg" not in html and "scrub.jpg" not in html and "preview.mp4" not in html
    assert "No picture" in text(client.get("/uploads"))


def test_the_chunk_size_the_page_sends_can_be_set(make_app):
    app = make_app(UPLOAD_CHUNK_BYTES=512 * 1024)
    client = app.test_client()
    Accounts(app, client).owner()
    Accounts(app, client).login()
    assert 'data-chunk-size="524288"' in client.get("/uploads").get_data(as_text=True)


def test_a_change_reaches_the_card_and_a_page_without_it_gets_it_at_the_top(
    app, live_server, people, ready
):
    socket = live_socket(live_server, socket_sign_in(live_server, "alice"))
    wait_for(lambda: listening(app) and app.extensions["medianest.hub"].socket_count() == 1)
    with app.app_context():
        row = db.session.scalar(select(Upload).where(Upload.key == ready))
        row.state, row.progress = "processing", 40
        db.session.commit()
        publish({"type": "upload.changed", "key": ready}, user_ids=[people.alice])
    message = socket.receive(timeout=5)
    assert f'<article id="upload-{ready}" class="up-card" data-state="processing"' in message
    assert "Processing 40%" in message and f'id="upload-{ready}-body"' in message
    assert '<div hx-swap-oob="afterbegin:#upload-cards[data-whose=mine]">' in message
    assert "afterbegin:#upload-cards[data-whose=everyone]" not in message
    socket.close()


def test_someone_elses_change_sends_bob_nothing(app, live_server, people, ready):
    socket = live_socket(live_server, socket_sign_in(live_server, "bob"))
    wait_for(lambda: listening(app) and app.extensions["medianest.hub"].socket_count() == 1)
    with app.app_context():
        publish({"type": "upload.changed", "key": ready}, user_ids=[people.bob])
        publish({"type": "upload.changed", "key": "x" * 2000}, user_ids=[people.bob])
    assert socket.receive(timeout=1) is None
    socket.close()


def test_an_admin_may_rename_and_delete_anyones_upload(app, client, auth, ready):
    auth.login("owner")
    page = f"/uploads/{ready}"
    client.post_form(f"{page}/rename", {"title": "Tidied by the owner"}, page=page)
    assert "Tidied by the owner" in text(client.get(page))
    client.post_form(f"{page}/delete", page=page)
    with app.app_context():
        assert db.session.scalar(select(Upload).where(Upload.key == ready)) is None


def test_the_original_comes_whole_or_in_ranges(client, auth, ready, mp4):
    auth.login("alice")
    whole = client.get(f"/uploads/{ready}/original")
    assert whole.get_data() == mp4.read_bytes()
    part = client.get(f"/uploads/{ready}/original", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.get_data() == whole.get_data()[10:20]
    again = client.get(
        f"/uploads/{ready}/original", headers={"If-None-Match": whole.headers["ETag"]}
    )
    assert again.status_code == 304
