"""Admin → Backups: the passphrase, the schedule and retention, Back up now, and the registry
with its downloads; bad input answered in words, and the archive only ever found by its row."""

import hashlib

import pytest
from sqlalchemy import select

from app import settings
from app.backups import services
from app.extensions import db
from app.models import AuditEvent
from app.models.backups import DONE, QUEUED, REMOVED, Backup

PAGE = "/admin/backups"
GOOD = "a long and memorable passphrase"


@pytest.fixture
def owner(client, auth):
    auth.owner()
    auth.login("owner")
    return client


def post(client, url, form):
    return client.post_form(url, form, page=PAGE)


@pytest.mark.parametrize(
    "form, words",
    [
        ({"passphrase": "short", "passphrase_again": "short"}, "12 to 1,024 characters"),
        ({"passphrase": GOOD, "passphrase_again": GOOD + "x"}, "The two passphrases differ."),
        ({"passphrase": GOOD + "\x00", "passphrase_again": GOOD + "\x00"}, "control characters"),
        ({"passphrase": "x" * 5000, "passphrase_again": "x" * 5000}, "12 to 1,024"),
        ({}, "12 to 1,024 characters"),
    ],
)
def test_a_bad_passphrase_is_refused_in_words(app, owner, form, words):
    response = post(owner, "/admin/backups/passphrase", form)
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    with app.app_context():
        assert settings.get("backup.passphrase") == ""


def test_set_the_passphrase_back_up_now_and_the_registry_shows_it_verified(app, owner):
    page = owner.get(PAGE).get_data(as_text=True)
    assert "Set a passphrase below first" in page and "No backup yet." in page
    refused = post(owner, "/admin/backups/now", {})
    assert "Set a backup passphrase" in owner.get(refused.headers["Location"]).get_data(True)

    saved = post(owner, "/admin/backups/passphrase", {"passphrase": GOOD, "passphrase_again": GOOD})
    assert saved.status_code == 302
    with app.app_context():
        assert settings.get("backup.passphrase") == GOOD
        audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("backup%")))
        assert [a.action for a in audit] == ["backup.passphrase_set"]
        assert GOOD not in str([a.details for a in audit])

    post(owner, "/admin/backups/now", {})
    post(owner, "/admin/backups/now", {})  # a second click while the first waits: one backup
    with app.app_context():
        [row] = db.session.scalars(select(Backup)).all()
        assert (row.status, row.requested_by) == (QUEUED, "owner")
        assert services.run_backup(row.id) == "done"  # what the worker runs
        assert services.run_backup(row.id) == "skipped"  # and a second delivery of the job
        row = db.session.get(Backup, row.id)
        path = services.path_of(row)
    page = owner.get(PAGE).get_data(as_text=True)
    assert "Verified" in page and "Restored into a scratch database" in page
    assert 'hx-trigger="every 3s"' not in page  # nothing under way: the list stops asking
    download = owner.get(f"/admin/backups/{row.id}/download")
    assert download.status_code == 200 and download.data == path.read_bytes()
    assert hashlib.sha256(download.data).hexdigest() == row.sha256
    for other in (row.id + 1, 2**63, 2**64 + 5):
        assert owner.get(f"/admin/backups/{other}/download").status_code == 404


def test_a_backup_under_way_keeps_the_list_fresh(app, owner):
    with app.app_context():
        settings.put({"backup.passphrase": GOOD})
        services.request_backup("admin", "owner")
        db.session.commit()
    page = owner.get(PAGE).get_data(as_text=True)
    assert 'hx-trigger="every 3s"' in page and "Waiting" in page
    fragment = owner.get("/admin/backups/list", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and 'id="registry"' in text and "<html" not in text


@pytest.mark.parametrize(
    "field, raw",
    [("keep_daily", "0"), ("keep_weekly", "-1"), ("keep_monthly", "9" * 30), ("keep_daily", "x")],
)
def test_bad_retention_is_refused_in_words(app, owner, field, raw):
    form = {"keep_daily": "7", "keep_weekly": "4", "keep_monthly": "6", field: raw}
    response = post(owner, "/admin/backups/schedule", form)
    assert response.status_code == 400 and "Enter a whole number" in response.get_data(True)
    with app.app_context():
        assert settings.get("backup.keep_daily") == 7


def test_retention_removes_the_files_it_no_longer_keeps(app, owner):
    post(
        owner,
        "/admin/backups/schedule",
        {"keep_daily": "2", "keep_weekly": "0", "keep_monthly": "0", "enabled": "on"},
    )
    with app.app_context():
        settings.put({"backup.passphrase": GOOD})
        made = []
        for _ in range(3):
            row = services.start_now("cli")
            assert services.make(row, GOOD, retry=False) == "done"
            made.append(row.id)
        rows = {r.id: r for r in db.session.scalars(select(Backup))}
        # Three on one day: the day's newest is kept, the others go.
        assert [rows[i].status for i in made] == [REMOVED, REMOVED, DONE]
        assert sorted(p.name for p in services.backup_dir().glob("*.mnbackup")) == [
            rows[made[-1]].filename
        ]
