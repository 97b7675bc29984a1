"""The bucket target against a real S3-compatible server on loopback (moto's server mode):
set up and tested from Admin → Backups, a copy of each backup sent and its checksum read back,
its own retention, downloads from it once the local file is gone, and a bucket that cannot be
reached keeping the local copy, trying again later and telling admins."""

import uuid
from datetime import timedelta

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import select

from app import settings
from app.backups import offsite, services
from app.extensions import db
from app.models import AuditEvent, Notification, Setting
from app.models.backups import DONE, FAILED, PENDING, REMOVED, UPLOADED, Backup
from app.models.base import utcnow

PAGE = "/admin/backups"
PASSPHRASE = "a long and memorable passphrase"
SECRET_KEY = "bucket-secret-key-0123456789"
DEAD = "http://127.0.0.1:9"  # nothing listens there


@pytest.fixture(scope="module")
def s3_url():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_url) -> str:
    name = f"medianest-{uuid.uuid4().hex[:12]}"
    raw_s3(s3_url).create_bucket(Bucket=name)
    return name


def raw_s3(url: str):
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def objects(url: str, name: str) -> dict[str, bytes]:
    s3 = raw_s3(url)
    listed = s3.list_objects_v2(Bucket=name).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=name, Key=o["Key"])["Body"].read() for o in listed}


def form(url: str, name: str, **extra) -> dict:
    return {
        "s3_enabled": "on",
        "endpoint": url,
        "region": "us-east-1",
        "bucket": name,
        "prefix": "nightly",
        "access_key": "AKIAMEDIANEST",
        "secret_key": SECRET_KEY,
        "s3_keep_daily": "14",
        "s3_keep_weekly": "8",
        "s3_keep_monthly": "12",
        **extra,
    }


@pytest.fixture
def owner(client, auth, app):
    auth.owner()
    auth.login("owner")
    with app.app_context():
        settings.put({"backup.passphrase": PASSPHRASE})
    return client


def one_backup(app) -> int:
    """A backup made as the worker makes it; its copy waits for the upload job."""
    with app.app_context():
        row = services.request_backup("admin", "owner")
        db.session.commit()
        assert services.run_backup(row.id) == "done"
        return row.id


def row_of(app, backup_id: int) -> Backup:
    with app.app_context():
        row = db.session.get(Backup, backup_id)
        db.session.expunge(row)
        return row


def alerts(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Notification.body).order_by(Notification.id)))


def test_set_up_test_and_every_backup_is_copied_with_its_checksum_read_back(
    app, owner, s3_url, bucket
):
    tried = owner.post_form(f"{PAGE}/bucket/test", form(s3_url, bucket), page=PAGE)
    assert tried.status_code == 200
    assert "Wrote, read back and removed a test object" in tried.get_data(as_text=True)
    assert objects(s3_url, bucket) == {}  # the test object is gone again
    saved = owner.post_form(f"{PAGE}/bucket", form(s3_url, bucket), page=PAGE)
    assert saved.status_code == 302
    with app.app_context():
        stored = db.session.get(Setting, "backup.s3_secret_key").value
        assert SECRET_KEY not in stored and settings.get("backup.s3_secret_key") == SECRET_KEY
        audit = db.session.scalars(select(AuditEvent.details)).all()
        assert SECRET_KEY not in str(audit)
    page = owner.get(PAGE).get_data(as_text=True)
    assert "Saved: leave empty to keep it" in page and SECRET_KEY not in page

    backup_id = one_backup(app)
    assert row_of(app, backup_id).bucket_status == PENDING
    assert 'hx-trigger="every 3s"' in owner.get(PAGE).get_data(as_text=True)
    with app.app_context():
        assert offsite.run_upload(backup_id) == "uploaded"
        assert offsite.run_upload(backup_id) == "skipped"  # a second delivery of the job
        path = services.path_of(db.session.get(Backup, backup_id))
    row = row_of(app, backup_id)
    assert row.bucket_status == UPLOADED and row.bucket_key == f"nightly/{row.filename}"
    assert objects(s3_url, bucket) == {row.bucket_key: path.read_bytes()}
    page = owner.get(PAGE).get_data(as_text=True)
    assert "Copied" in page and "checksum read back" in page
    assert 'hx-trigger="every 3s"' not in page


def test_once_the_local_file_is_gone_the_download_comes_from_the_bucket(app, owner, s3_url, bucket):
    owner.post_form(f"{PAGE}/bucket", form(s3_url, bucket), page=PAGE)
    backup_id = one_backup(app)
    with app.app_context():
        offsite.run_upload(backup_id)
        row = db.session.get(Backup, backup_id)
        body = services.path_of(row).read_bytes()
        services.path_of(row).unlink()
        row.status = REMOVED  # as the local retention leaves it
        db.session.commit()
    download = owner.get(f"{PAGE}/{backup_id}/download")
    assert download.status_code == 200 and download.data == body
    assert "from the bucket" in owner.get(PAGE).get_data(as_text=True)


def test_the_bucket_keeps_its_own_number_of_copies(app, owner, s3_url, bucket):
    owner.post_form(f"{PAGE}/bucket", form(s3_url, bucket, s3_keep_daily="1"), page=PAGE)
    first = one_backup(app)
    with app.app_context():
        offsite.run_upload(first)
    second = one_backup(app)
    with app.app_context():
        offsite.run_upload(second)
    assert (row_of(app, first).bucket_status, row_of(app, second).bucket_status) == (
        REMOVED,
        UPLOADED,
    )
    assert list(objects(s3_url, bucket)) == [row_of(app, second).bucket_key]


def test_an_unreachable_bucket_keeps_the_local_copy_tries_again_and_tells_admins(
    app, owner, s3_url, bucket
):
    owner.post_form(f"{PAGE}/bucket", form(DEAD, bucket), page=PAGE)
    with app.app_context():  # the local retention would keep only the newest backup
        settings.put({"backup.keep_daily": 1})
    first = one_backup(app)
    with app.app_context():
        assert offsite.run_upload(first) == "retry"
        assert offsite.run_upload(first) == "skipped"  # not before its next try is due
    row = row_of(app, first)
    assert row.bucket_status == PENDING and row.bucket_next_at > utcnow()
    [told] = alerts(app)
    assert "could not be reached" in told and "The local copy is kept" in told

    second = one_backup(app)  # the local retention now drops the first, but its copy waits
    assert row_of(app, first).status == DONE
    page = owner.get(PAGE).get_data(as_text=True)
    assert "Tried 1×" in page and "Next try" in page

    owner.post_form(f"{PAGE}/bucket", form(s3_url, bucket, secret_key=""), page=PAGE)
    with app.app_context():
        db.session.get(Backup, first).bucket_next_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert offsite.sweep_uploads() >= 1  # what the sweeper starts once the try is due
        assert offsite.run_upload(first) == "uploaded"
        assert offsite.run_upload(second) == "uploaded"
    assert row_of(app, first).status == REMOVED  # sent: the local retention may let it go
    # Both sent; the bucket's retention keeps the newest of the day, as the local one does.
    assert list(objects(s3_url, bucket)) == [row_of(app, second).bucket_key]
    assert len(alerts(app)) == 1


def test_a_bucket_that_never_answers_is_given_up_told_and_can_be_tried_again(
    app, owner, s3_url, bucket
):
    owner.post_form(f"{PAGE}/bucket", form(s3_url, "no-such-bucket-here"), page=PAGE)
    backup_id = one_backup(app)
    with app.app_context():
        for _ in range(len(offsite.BACKOFF) + 1):
            db.session.get(Backup, backup_id).bucket_next_at = None
            db.session.commit()
            offsite.run_upload(backup_id)
    row = row_of(app, backup_id)
    assert row.bucket_status == FAILED
    assert row.bucket_error == "The bucket no-such-bucket-here does not exist."
    told = alerts(app)
    assert len(told) == 2 and "Gave up after 8 tries" in told[-1]
    page = owner.get(PAGE).get_data(as_text=True)
    assert "Not copied" in page and "Try again" in page

    owner.post_form(f"{PAGE}/bucket", form(s3_url, bucket, secret_key=""), page=PAGE)
    again = owner.post_form(f"{PAGE}/{backup_id}/send", {}, page=PAGE)
    assert "being sent to the bucket again" in owner.get(again.headers["Location"]).get_data(True)
    with app.app_context():
        assert offsite.run_upload(backup_id) == "uploaded"


@pytest.mark.parametrize(
    "field, raw, words",
    [
        ("endpoint", "ftp://files.example", "with http:// or https://"),
        ("endpoint", "http://user:pw@s3.example", "no user name, password"),
        ("endpoint", "http://s3.example:99999999", "port that is not a number"),
        ("bucket", "Bad_Name", "3 to 63 lowercase"),
        ("bucket", "a..b", "3 to 63 lowercase"),
        ("bucket", "", "3 to 63 lowercase"),
        ("prefix", "../elsewhere", "leave out .. parts"),
        ("prefix", "x\x00y", "control characters"),
        ("region", "us east 1", "a region like"),
        ("access_key", "has spaces in it", "access key ID"),
        ("secret_key", "", "Paste the secret key"),
        ("s3_keep_daily", "0", "whole number from 1"),
        ("s3_keep_monthly", str(2**64), "whole number"),
    ],
)
def test_bad_bucket_settings_are_refused_in_words_and_nothing_is_stored(
    app, owner, field, raw, words
):
    response = owner.post_form(f"{PAGE}/bucket", form("", "good-bucket", **{field: raw}), page=PAGE)
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    with app.app_context():
        assert not settings.get("backup.s3_enabled") and settings.get("backup.s3_bucket") == ""


def test_a_test_of_a_missing_bucket_says_so(app, owner, s3_url):
    tried = owner.post_form(f"{PAGE}/bucket/test", form(s3_url, "not-made-yet"), page=PAGE)
    assert tried.status_code == 200
    assert "The bucket not-made-yet does not exist." in tried.get_data(as_text=True)
    with app.app_context():
        assert settings.get("backup.s3_bucket") == ""  # a test stores nothing


def test_switched_off_with_nothing_typed_only_the_switch_is_stored(app, owner, s3_url, bucket):
    owner.post_form(f"{PAGE}/bucket", form(s3_url, bucket), page=PAGE)
    off = {"s3_keep_daily": "14", "s3_keep_weekly": "8", "s3_keep_monthly": "12"}
    assert owner.post_form(f"{PAGE}/bucket", off, page=PAGE).status_code == 302
    with app.app_context():
        assert not settings.get("backup.s3_enabled") and settings.get("backup.s3_bucket") == bucket
    backup_id = one_backup(app)
    assert row_of(app, backup_id).bucket_status is None  # no bucket on: no copy waits
