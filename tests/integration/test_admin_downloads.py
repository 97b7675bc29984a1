"""Admin → Downloads: only admins, every field checked, all or nothing, audited; cookies kept
private; each person's own limits."""

import io
import os
import stat
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app import settings
from app.admin import downloads_settings_services
from app.downloads.setup import COOKIES_NAME
from app.extensions import db
from app.models import AuditEvent, User
from tests.integration import download_page_helpers
from tests.integration.download_page_helpers import sign_in_as
from tests.integration.test_request_pages import text

people = download_page_helpers.people
PAGE = "/admin/downloads"
COOKIES = (
    "# Netscape HTTP Cookie File\n"
    ".youtube.com\tTRUE\t/\tTRUE\t1999999999\tSECRET_SID\tsecret-value-123\n"
)


def good_form(tmp_path: Path, **changes) -> dict:
    return {
        "youtube_dir": str(tmp_path / "youtube"),
        "plex_path": "/data/youtube",
        "library": "YouTube",
        "allowed_hosts": "videos.example.com, 192.168.1.20:8080",
        "allowed_sites": "Vimeo",
        "quota_downloads": "5",
        "storage_gb": "10",
        **changes,
    }


def upload(client, body: bytes, name="cookies.txt"):
    data = {"csrf_token": client.token(PAGE), "cookies": (io.BytesIO(body), name)}
    return client.post(f"{PAGE}/cookies", data=data, content_type="multipart/form-data")


ROUTES = [
    ("get", PAGE),
    ("post", PAGE),
    ("post", f"{PAGE}/cookies"),
    ("post", f"{PAGE}/cookies/remove"),
    ("get", f"{PAGE}/people/{{bob}}/limits"),
    ("post", f"{PAGE}/people/{{bob}}/limits"),
]


@pytest.mark.parametrize("method, path", ROUTES)
@pytest.mark.parametrize("who, status", [("anonymous", 302), ("alice", 403), ("owner", 200)])
def test_only_admins_reach_the_download_settings(client, auth, people, method, path, who, status):
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
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login")


def test_the_page_says_what_the_admin_should_know(client, auth, people):
    auth.login()
    page = text(client.get(PAGE))
    assert "yt-dlp 20" in page and "Disk space left" in page and " in the YouTube folder" in page
    assert "Connect a Plex server first; until then, type the library's name." in page
    assert "days old" not in page
    assert "Download settings" in text(client.get("/admin/health"))  # in the admin sections


def test_an_old_yt_dlp_is_warned_about(client, auth, people, monkeypatch):
    monkeypatch.setattr(
        downloads_settings_services.ytdlp, "version", lambda: ("2025.01.01", date(2025, 1, 1))
    )
    auth.login()
    assert "days old: sites change often" in text(client.get(PAGE))


def test_plex_that_cannot_be_read_still_takes_a_typed_library(app, client, auth, people):
    with app.app_context():
        settings.put({"plex.server_url": "http://127.0.0.1:9", "plex.owner_token": "t"})
    auth.login()
    response = client.get(PAGE)
    assert "Plex could not be read just now; type the library's name instead." in text(response)
    assert 'id="library" name="library"' in response.get_data(True)


def test_saving_stores_every_field_and_audits_it(app, client, auth, people, tmp_path):
    auth.login()
    response = client.post_form(PAGE, good_form(tmp_path), page=PAGE)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Saved." in text(page)
    assert 'value="videos.example.com, 192.168.1.20:8080"' in page.get_data(True)
    with app.app_context():
        assert settings.get("downloads.youtube_dir") == str(tmp_path / "youtube")
        assert settings.get("downloads.allowed_sites") == "vimeo"
        assert (settings.get("quota.downloads"), settings.get("downloads.storage_gb")) == (5, 10)
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.action == "settings.changed" and "downloads.library" in event.details
    assert (tmp_path / "youtube").is_dir()
    again = client.post_form(PAGE, good_form(tmp_path), page=PAGE)
    assert "Nothing changed." in text(client.get(again.headers["Location"]))


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("youtube_dir", "videos/here", "Enter the folder's full path, starting with /."),
        ("youtube_dir", "", "Enter the folder downloads are written to."),
        ("youtube_dir", "/proc/medianest-test", "MediaNest cannot make that folder"),
        ("plex_path", "youtube", "Enter the full path as Plex sees it"),
        ("allowed_hosts", "bad_host", "bad_host is not a host name"),
        ("allowed_hosts", "example.com:99999", "the port after : must be a number"),
        ("allowed_sites", "nosuchsite", "nosuchsite: not a site yt-dlp knows"),
        ("allowed_sites", "generic", "generic: not a site yt-dlp knows"),
        ("quota_downloads", "-1", "Enter a whole number from 0 to 100,000."),
        ("storage_gb", "1e3", "Enter a whole number from 0 to 1,000,000."),
        ("library", "x" * 201, "That is too long"),
        ("library", "two\nlines", "has characters it cannot have"),
    ],
)
def test_one_bad_field_stores_nothing_and_says_why(
    app, client, auth, people, tmp_path, field, value, words
):
    auth.login()
    response = client.post_form(PAGE, good_form(tmp_path, **{field: value}), page=PAGE)
    assert response.status_code == 400 and words in text(response)
    assert 'aria-invalid="true"' in response.get_data(True)
    with app.app_context():
        assert settings.get("quota.downloads") == 20 and settings.get("downloads.library") == ""


def test_a_file_in_a_settings_field_is_refused(client, auth, people, tmp_path):
    auth.login()
    data = {**good_form(tmp_path), "csrf_token": client.token(PAGE)}
    data["library"] = (io.BytesIO(b"YouTube"), "library.txt")
    response = client.post(PAGE, data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "a file was sent" in text(response)


def test_cookies_are_kept_private_and_never_shown(app, client, auth, people):
    auth.login()
    response = upload(client, COOKIES.encode())
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Cookies stored" in text(page) and "Stored on 20" in text(page)
    assert "secret-value-123" not in page.get_data(True)
    path = Path(app.config["DATA_DIR"]) / COOKIES_NAME
    assert path.read_text() == COOKIES
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert "secret-value-123" not in str(event.details)
    removed = client.post_form(f"{PAGE}/cookies/remove", page=PAGE)
    assert "Cookies removed" in text(client.get(removed.headers["Location"]))
    assert not path.exists()


@pytest.mark.parametrize(
    "body, words",
    [
        (b"", "Choose the cookies file first."),
        (b"not cookies at all\n", "That is not a cookies file in the Netscape format"),
        (b"a\tb\tc\n", "That is not a cookies file in the Netscape format"),
        (b"\xff\xfe\x00binary", "That is not a text file"),
        (b"# Netscape HTTP Cookie File\n" + b"x" * (1024 * 1024), "larger than 1 MB"),
    ],
)
def test_a_file_that_is_not_cookies_is_refused(app, client, auth, people, body, words):
    auth.login()
    response = upload(client, body, name="cookies.txt" if body else "")
    assert response.status_code == 400 and words in text(response)
    assert not (Path(app.config["DATA_DIR"]) / COOKIES_NAME).exists()


def test_cookies_without_the_header_line_are_taken_when_each_line_has_seven_fields(
    client, auth, people
):
    auth.login()
    body = "#HttpOnly_.youtube.com\tTRUE\t/\tTRUE\t0\tA\tb\n.youtube.com\tTRUE\t/\tFALSE\t0\tC\td\n"
    assert upload(client, body.encode()).status_code == 302


LIMITS = f"{PAGE}/people/{{bob}}/limits"


def test_a_persons_own_limits_are_saved_shown_and_audited(app, client, auth, people):
    auth.login()
    url = LIMITS.format(bob=people.bob)
    form = {"quota_downloads": "3", "quota_storage_gb": "2.5"}
    response = client.post_form(url, form, page=url)
    assert "Saved bob's download limits." in text(client.get(response.headers["Location"]))
    with app.app_context():
        bob = db.session.get(User, people.bob)
        assert (bob.quota_downloads, bob.quota_storage_gb) == (3, 2.5)
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.action, event.target) == ("user.quota_changed", "bob")
    person = text(client.get(f"/admin/users/{people.bob}"))
    assert "Own limits: 3 videos a day · 2.5 GB." in person
    cleared = client.post_form(url, {"quota_downloads": "", "quota_storage_gb": ""}, page=url)
    assert cleared.status_code == 302
    assert "Follows the default download limits." in text(client.get(f"/admin/users/{people.bob}"))


@pytest.mark.parametrize(
    "form, words",
    [
        ({"quota_downloads": "-1"}, "Enter a whole number from 0 to 100,000"),
        ({"quota_downloads": "2.5"}, "Enter a whole number"),
        ({"quota_downloads": "٣"}, "Enter a whole number"),
        ({"quota_storage_gb": "nan"}, "Enter a number from 0 to 1,000,000"),
        ({"quota_storage_gb": "1e9"}, "Enter a number from 0 to 1,000,000"),
    ],
)
def test_odd_limits_are_refused_in_words(app, client, auth, people, form, words):
    auth.login()
    url = LIMITS.format(bob=people.bob)
    response = client.post_form(url, form, page=url)
    assert response.status_code == 400 and words in text(response)
    with app.app_context():
        bob = db.session.get(User, people.bob)
        assert bob.quota_downloads is None and bob.quota_storage_gb is None


def test_limits_of_nobody_are_a_404(client, auth, people):
    auth.login()
    assert client.get(LIMITS.format(bob=999999)).status_code == 404
    assert client.get(LIMITS.format(bob="9" * 25)).status_code == 404
