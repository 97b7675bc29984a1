"""Admin → Uploads: only admins, every field checked, all or nothing, audited; each person's own
upload space, which the upload itself then follows; storage per person."""

from pathlib import Path

import pytest
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models import AuditEvent, User
from app.models.uploads import FAILED, UPLOADED, Upload
from app.uploads import setup, storage
from tests.integration import download_page_helpers
from tests.integration.download_page_helpers import sign_in_as
from tests.integration.test_request_pages import text

people = download_page_helpers.people
PAGE = "/admin/uploads"
LIMITS = f"{PAGE}/people/{{bob}}/limits"


def good_form(tmp_path: Path, **changes) -> dict:
    return {
        "home_dir": str(tmp_path / "home-videos"),
        "plex_path": "/data/home-videos",
        "library": "Home Videos",
        "max_file_gb": "20",
        "quota_gb": "100",
        "convert": "on",
        **changes,
    }


@pytest.mark.parametrize(
    "method, path", [("get", PAGE), ("post", PAGE), ("get", LIMITS), ("post", LIMITS)]
)
@pytest.mark.parametrize("who, status", [("anonymous", 302), ("alice", 403), ("owner", 200)])
def test_only_admins_reach_the_upload_settings(client, auth, people, method, path, who, status):
    sign_in_as(auth, who)
    path = path.format(bob=people.bob)
    if method == "get":
        response = client.get(path)
    else:
        response = client.post_form(path, page="/login" if who == "anonymous" else "/")
    if who == "owner":
        assert response.status_code in (200, 302, 400)
    else:
        assert response.status_code == status


def test_saving_stores_every_field_and_the_uploads_follow(app, client, auth, people, tmp_path):
    auth.login()
    response = client.post_form(PAGE, good_form(tmp_path), page=PAGE)
    assert response.status_code == 302
    assert "Saved." in text(client.get(PAGE))
    with app.app_context():
        assert setup.home_dir() == tmp_path / "home-videos"
        assert setup.plex_path() == "/data/home-videos"
        assert setup.library_ref() == "Home Videos"
        assert settings.get("uploads.convert") is True
        assert storage.max_file_bytes() == 20 * storage.GB
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.action == "settings.changed"
    again = client.post_form(PAGE, good_form(tmp_path), page=PAGE)
    assert "Nothing changed." in text(client.get(again.headers["Location"]))
    client.post_form(PAGE, {**good_form(tmp_path), "convert": ""}, page=PAGE)
    with app.app_context():
        assert settings.get("uploads.convert") is False


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"home_dir": "relative/folder"}, "home_dir", "full path, starting with /"),
        ({"home_dir": ""}, "home_dir", "Enter the folder home videos are placed in."),
        ({"home_dir": "/tmp/a\x00b"}, "home_dir", "characters it cannot have"),
        ({"plex_path": "data/x"}, "plex_path", "full path as Plex sees it"),
        ({"library": "x" * 2000}, "library", "too long"),
        ({"max_file_gb": "0"}, "max_file_gb", "from 1 to 10,000"),
        ({"max_file_gb": str(2**64)}, "max_file_gb", "from 1 to 10,000"),
        ({"quota_gb": "-3"}, "quota_gb", "from 0 to 1,000,000"),
        ({"quota_gb": "1.5"}, "quota_gb", "whole number"),
    ],
)
def test_bad_values_are_refused_in_words_and_nothing_is_stored(
    app, client, auth, people, tmp_path, change, field, words
):
    auth.login()
    response = client.post_form(PAGE, good_form(tmp_path, **change), page=PAGE)
    assert response.status_code == 400
    assert words in text(response)
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert settings.get("uploads.library") in ("", None)
        assert storage.max_file_bytes() == 50 * storage.GB


def test_a_persons_own_space_is_saved_and_the_upload_follows_it(app, client, auth, people):
    auth.login()
    url = LIMITS.format(bob=people.bob)
    response = client.post_form(url, {"quota_upload_gb": "0.5"}, page=url)
    assert "Saved bob's upload space." in text(client.get(response.headers["Location"]))
    person = text(client.get(f"/admin/users/{people.bob}"))
    assert "Own limit: 0.5 GB." in person and "0 B of 0.5 GB used" in person
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.action, event.target) == ("user.quota_changed", "bob")
    auth.logout()
    auth.login("bob")
    refused = client.post(
        "/uploads/files",
        headers={
            "Tus-Resumable": "1.0.0",
            "Upload-Length": str(600 * 1024**2),
            "X-CSRFToken": client.token("/"),
        },
    )
    assert refused.status_code == 413 and "0 B of 0.5 GB used" in refused.get_data(as_text=True)


@pytest.mark.parametrize("raw", ["-1", "nan", "1e9", "٣", "x" * 20])
def test_odd_spaces_are_refused_in_words(app, client, auth, people, raw):
    auth.login()
    url = LIMITS.format(bob=people.bob)
    response = client.post_form(url, {"quota_upload_gb": raw}, page=url)
    assert response.status_code == 400 and "Enter a number from 0 to 1,000,000" in text(response)
    with app.app_context():
        assert db.session.get(User, people.bob).quota_upload_gb is None


def test_storage_per_person_counts_what_each_keeps(app, client, auth, people):
    with app.app_context():
        for user_id, size, state in [
            (people.alice, 3 * storage.GB, UPLOADED),
            (people.alice, storage.GB, UPLOADED),
            (people.alice, 9 * storage.GB, FAILED),  # a failed upload takes no space
            (people.bob, storage.GB // 2, UPLOADED),
        ]:
            db.session.add(
                Upload(key=storage.new_key(), user_id=user_id, filename="f", size=size, state=state)
            )
        db.session.commit()
    auth.login()
    page = text(client.get(PAGE))
    assert "alice 2 4.0 GB 200.0 GB" in page and "bob 1 512.0 MB 200.0 GB" in page
    assert page.index("alice 2") < page.index("bob 1")
    assert client.get(LIMITS.format(bob="9" * 25)).status_code == 404
