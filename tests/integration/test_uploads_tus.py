"""Resumable uploads (tus 1.0.0): created within the limits, sent in chunks, resumed, private."""

import base64
from pathlib import Path

import pytest
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models import Upload
from app.models.uploads import UPLOADED, UPLOADING
from app.uploads import chunks
from tests.conftest import wait_for

FILES = "/uploads/files"
TUS = {"Tus-Resumable": "1.0.0"}


def meta(**values) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


@pytest.fixture
def alice(client, auth):
    auth.owner()
    auth.create("alice")
    auth.create("bob")
    auth.login("alice")
    return client


def csrf(client) -> dict:
    return {"X-CSRFToken": client.token("/"), **TUS}


def create(client, size: int, name: str = "holiday.mp4", **headers):
    sent = {**csrf(client), "Upload-Length": str(size), "Upload-Metadata": meta(filename=name)}
    return client.post(FILES, headers={**sent, **headers})


def send(client, location: str, at: int, body: bytes, **headers):
    sent = {
        **csrf(client),
        "Upload-Offset": str(at),
        "Content-Type": "application/offset+octet-stream",
    }
    return client.patch(location, data=body, headers={**sent, **headers})


def where(client, location: str) -> int:
    response = client.head(location, headers=TUS)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return int(response.headers["Upload-Offset"])


def the_upload(app) -> Upload:
    with app.app_context():
        row = db.session.scalars(select(Upload)).one()
        db.session.expunge(row)
        return row


def test_a_file_sent_in_chunks_resumes_where_it_stopped_and_arrives_whole(app, alice):
    body = bytes(range(256)) * 4096  # 1 MiB
    created = create(alice, len(body))
    assert created.status_code == 201 and created.headers["Tus-Resumable"] == "1.0.0"
    location = created.headers["Location"]
    assert where(alice, location) == 0
    assert send(alice, location, 0, body[:300_000]).status_code == 204
    # The connection dropped: the browser asks where to go on, and goes on from there.
    assert where(alice, location) == 300_000
    stale = send(alice, location, 0, body[:1000])
    assert stale.status_code == 409 and stale.headers["Upload-Offset"] == "300000"
    done = send(alice, location, 300_000, body[300_000:])
    assert done.status_code == 204 and done.headers["Upload-Offset"] == str(len(body))
    row = the_upload(app)
    assert row.state == UPLOADED and row.filename == "holiday.mp4"
    stored = Path(app.config["DATA_DIR"]) / "uploads" / "incoming" / f"{row.key}.part"
    assert stored.read_bytes() == body
    again = send(alice, location, len(body), b"x")
    assert again.status_code == 409


def test_a_chunk_may_be_far_larger_than_other_requests_but_not_without_bound(app, alice):
    big = b"\x01" * (20 * 1024**2)  # past the 16 MiB every other request is held to
    location = create(alice, len(big) + chunks.CHUNK_LIMIT + 1).headers["Location"]
    assert send(alice, location, 0, big).status_code == 204
    too_big = send(alice, location, len(big), b"\x02" * (chunks.CHUNK_LIMIT + 1))
    assert too_big.status_code == 413 and where(alice, location) == len(big)
    form = alice.post("/logout", data=b"x" * (17 * 1024**2), headers=csrf(alice))
    assert form.status_code == 413


def test_another_person_and_anonymous_visitors_find_nothing(app, alice, auth):
    location = create(alice, 10).headers["Location"]
    bob = app.test_client()
    auth.login("bob", client=bob)
    assert bob.head(location, headers=TUS).status_code == 404
    assert send(bob, location, 0, b"0123456789").status_code == 404
    assert bob.delete(location, headers=csrf(bob)).status_code == 404
    anonymous = app.test_client()
    assert anonymous.head(location, headers=TUS).status_code in (302, 401)
    assert anonymous.post(FILES, headers={**TUS, "Upload-Length": "5"}).status_code in (400, 302)
    assert the_upload(app).state == UPLOADING and where(alice, location) == 0


@pytest.mark.parametrize(
    "length, status, words",
    [
        ("0", 400, "The file is empty."),
        ("", 400, "Upload-Length"),
        ("-5", 400, "Upload-Length"),
        ("١٢٣", 400, "Upload-Length"),
        ("9" * 30, 400, "Upload-Length"),
        (str(2**63), 413, "at most 50 GB"),
        (str(51 * 1024**3), 413, "at most 50 GB"),
    ],
)
def test_sizes_outside_the_limits_are_refused_before_a_byte_is_stored(
    app, alice, length, status, words
):
    response = create(alice, 0, **{"Upload-Length": length})
    assert response.status_code == status and words in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Upload)).all() == []


def test_the_upload_space_of_a_person_is_checked_before_upload(app, alice):
    with app.app_context():
        settings.put({"uploads.quota_gb": 1})
    assert create(alice, 700 * 1024**2).status_code == 201
    refused = create(alice, 400 * 1024**2)
    assert refused.status_code == 413
    assert "past your upload space: 700.0 MB of 1 GB used" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    "sent, shown",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\clip.mov", "clip.mov"),
        ("a\x00b\u202eclip.mp4", "abclip.mp4"),
        ("x" * 2000 + ".mp4", "x" * 200),
        ("..", "Untitled upload"),
    ],
)
def test_a_file_name_is_only_shown_cleaned_never_used_as_a_path(app, alice, sent, shown):
    assert create(alice, 5, name=sent).status_code == 201
    row = the_upload(app)
    assert row.filename == shown
    incoming = Path(app.config["DATA_DIR"]) / "uploads" / "incoming"
    assert [p.name for p in incoming.iterdir()] == [f"{row.key}.part"]


def test_malformed_requests_get_their_reason(app, alice):
    assert create(alice, 5, **{"Tus-Resumable": "0.2"}).status_code == 412
    assert create(alice, 5, **{"Upload-Metadata": "filename %%%"}).status_code == 400
    assert create(alice, 5, **{"Upload-Metadata": "a " + "QQ==" * 2000}).status_code == 400
    location = create(alice, 5).headers["Location"]
    wrong_type = send(alice, location, 0, b"12345", **{"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    too_long = send(alice, location, 0, b"123456")
    assert too_long.status_code == 413 and where(alice, location) == 0
    assert send(alice, location, 0, b"123", **{"Upload-Offset": "x"}).status_code == 400
    no_csrf = alice.patch(location, data=b"12345", headers=TUS)
    assert no_csrf.status_code == 400 and where(alice, location) == 0
    for key in ("9" * 40, "..%2F..%2Fetc", "ABCDEF"):
        assert alice.head(f"{FILES}/{key}", headers=TUS).status_code == 404


def test_cancelling_removes_the_bytes_and_the_row(app, alice):
    location = create(alice, 10).headers["Location"]
    assert send(alice, location, 0, b"01234").status_code == 204
    assert alice.delete(location, headers=csrf(alice)).status_code == 204
    with app.app_context():
        assert db.session.scalars(select(Upload)).all() == []
    assert list((Path(app.config["DATA_DIR"]) / "uploads" / "incoming").iterdir()) == []
    assert alice.head(location, headers=TUS).status_code == 404


def test_an_upload_abandoned_for_a_day_is_removed_and_a_fresh_one_kept(app, alice):
    from datetime import timedelta

    from app.models.base import utcnow
    from app.uploads.tasks import remove_abandoned

    old = create(alice, 10).headers["Location"]
    fresh = create(alice, 10).headers["Location"]
    send(alice, old, 0, b"01234")
    with app.app_context():
        row = db.session.scalars(select(Upload).where(Upload.key == old.rsplit("/", 1)[1])).one()
        row.updated_at = utcnow() - timedelta(days=1, minutes=1)
        db.session.commit()
        assert remove_abandoned() == 1
    assert alice.head(old, headers=TUS).status_code == 404
    assert where(alice, fresh) == 0
    incoming = Path(app.config["DATA_DIR"]) / "uploads" / "incoming"
    assert [p.name for p in incoming.iterdir()] == [fresh.rsplit("/", 1)[1] + ".part"]


def test_a_connection_dropped_mid_chunk_keeps_what_arrived_for_the_resume(app, alice, live_server):
    import socket
    from urllib.parse import urlsplit

    location = urlsplit(create(alice, 200_000).headers["Location"]).path
    cookie = alice.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    head = (
        f"PATCH {location} HTTP/1.1\r\nHost: 127.0.0.1:{live_server.port}\r\n"
        f"Cookie: {app.config['SESSION_COOKIE_NAME']}={cookie}\r\n"
        f"X-CSRFToken: {alice.token('/')}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
        "Content-Type: application/offset+octet-stream\r\nContent-Length: 200000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", live_server.port)) as conn:
        conn.sendall(head.encode() + b"a" * 120_000)  # the laptop lid closes here
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(10)
        while conn.recv(65536):
            pass
    wait_for(lambda: where(alice, location) == 120_000)
    assert send(alice, location, 120_000, b"b" * 80_000).status_code == 204
    row = the_upload(app)
    stored = Path(app.config["DATA_DIR"]) / "uploads" / "incoming" / f"{row.key}.part"
    assert row.state == UPLOADED and stored.read_bytes() == b"a" * 120_000 + b"b" * 80_000


def test_a_second_tab_sending_the_same_upload_at_once_is_turned_away(app, alice):
    import fcntl

    location = create(alice, 10).headers["Location"]
    key = location.rsplit("/", 1)[1]
    part = Path(app.config["DATA_DIR"]) / "uploads" / "incoming" / f"{key}.part"
    with part.open("r+b") as first_tab:  # the first tab's chunk is being written
        fcntl.flock(first_tab, fcntl.LOCK_EX)
        second = send(alice, location, 0, b"0123456789")
    assert second.status_code == 409
    assert "another tab or window" in second.get_data(as_text=True)
    assert where(alice, location) == 0
    assert send(alice, location, 0, b"0123456789").status_code == 204
