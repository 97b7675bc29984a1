"""Backups end to end on the test database (SQLite or PostgreSQL): sealed, registered and
verified by a real restore into a scratch database; restored over a changed database so the
pages show again what they showed; and refused, with nothing replaced, when the passphrase is
wrong, the archive was changed, it comes from a newer MediaNest, or MediaNest is running."""

import os
import re
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import settings
from app.backups import dumps, services
from app.extensions import db
from app.models import Notification, User
from app.models.backups import DONE, VERIFIED, Backup
from app.notifications.services import notify

SECRET = "correct horse battery staple"
# CSRF tokens differ on every page; they are all that may.
TOKENS = re.compile(r'(value|content)="[A-Za-z0-9._-]{40,}"|"X-CSRFToken": "[^"]+"')


@pytest.fixture
def app(make_app):
    return make_app(BACKUP_PASSPHRASE=SECRET)


def back_up(runner) -> Path:
    result = runner.invoke(args=["medianest", "backup"])
    assert result.exit_code == 0, result.output
    return Path(result.output.strip().splitlines()[-1])


def restore(runner, path: Path, *extra):
    return runner.invoke(args=["medianest", "restore", str(path), *extra])


def people(app) -> list[str]:
    with app.app_context():
        names = db.session.scalars(select(User.username).order_by(User.username)).all()
        db.session.remove()
        return list(names)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return TOKENS.sub("", response.get_data(as_text=True))


def test_a_backup_is_sealed_registered_and_proven_by_a_restore(app, auth, runner):
    auth.owner()
    path = back_up(runner)
    assert path.parent == Path(app.config["DATA_DIR"]) / "backups"
    assert path.name.startswith("medianest-") and path.suffix == ".mnbackup"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    blob = path.read_bytes()
    assert SECRET.encode() not in blob and b"owner" not in blob  # sealed, not merely zipped
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no partial left
    with app.app_context():
        row = db.session.scalars(select(Backup)).one()
        assert (row.status, row.verified, row.filename) == (DONE, VERIFIED, path.name)
        assert row.size == len(blob) and row.database == dumps.kind() and row.schema
        assert "rows in" in row.verify_detail and "match" in row.verify_detail
        sidecar = path.with_name(path.name + ".sha256").read_text()
        assert sidecar == f"{row.sha256}  {path.name}\n"


def test_back_up_change_everything_restore_and_the_pages_show_what_they_did(
    app, auth, client, runner
):
    owner = auth.owner()
    auth.create("alice")
    with app.app_context():
        settings.put({"uploads.quota_gb": 123})
        notify([owner], "Before the backup", "This one is kept")
        db.session.commit()
    key_file = Path(app.config["DATA_DIR"]) / "secret_key"
    key_file.write_text("the instance's own key")
    auth.login("owner")
    pages = ["/admin/users", "/notifications/", "/admin/uploads"]
    before = {p: page(client, p) for p in pages}
    path = back_up(runner)

    auth.create("mallory")
    with app.app_context():
        db.session.execute(db.delete(Notification))
        db.session.execute(db.delete(User).where(User.username == "alice"))
        settings.put({"uploads.quota_gb": 1})
        db.session.commit()
    key_file.write_text("another key")
    assert people(app) == ["mallory", "owner"]

    result = restore(runner, path, "--yes")
    assert result.exit_code == 0, result.output
    assert "It replaces everything in the database" in result.output
    assert "secret_key" in result.output and "Restored." in result.output
    assert people(app) == ["alice", "owner"]
    assert key_file.read_text() == "the instance's own key"
    for p in pages:
        assert page(client, p) == before[p], f"{p} differs after the restore"
    with app.app_context():
        row = db.session.scalars(select(Backup)).one()  # the backup knows itself as made
        assert (row.status, row.filename) == (DONE, path.name)


def test_a_wrong_passphrase_or_a_changed_archive_replaces_nothing(app, auth, runner, make_app):
    auth.owner()
    path = back_up(runner)
    auth.create("after")
    wrong = make_app(BACKUP_PASSPHRASE="not the passphrase at all").test_cli_runner()
    result = restore(wrong, path, "--yes")
    assert result.exit_code != 0 and "passphrase is wrong" in result.output
    assert "Nothing was replaced" in result.output

    changed = path.with_name("changed.mnbackup")
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    changed.write_bytes(bytes(blob))
    cut = path.with_name("cut.mnbackup")
    cut.write_bytes(path.read_bytes()[: len(blob) - 100])
    for bad in (changed, cut, path.with_name("missing.mnbackup")):
        result = restore(runner, bad, "--yes")
        assert result.exit_code != 0 and "Nothing was replaced" in result.output, bad.name
    assert people(app) == ["after", "owner"]


def test_asked_first_and_a_no_replaces_nothing(app, auth, runner):
    auth.owner()
    path = back_up(runner)
    auth.create("after")
    result = runner.invoke(args=["medianest", "restore", str(path)], input="n\n")
    assert "Replace them with the backup? [y/N]" in result.output
    assert result.exit_code != 0 and people(app) == ["after", "owner"]


def test_a_backup_from_a_newer_medianest_is_refused(app, auth, runner, monkeypatch):
    auth.owner()
    monkeypatch.setattr(dumps, "schema_of", lambda found, conn: "0999")
    path = back_up(runner)
    result = restore(runner, path, "--yes")
    assert result.exit_code != 0 and "made by a newer MediaNest (schema 0999)" in result.output


def test_a_restore_while_medianest_runs_is_refused(app, auth, runner, worker):
    auth.owner()
    path = back_up(runner)
    auth.create("after")
    result = restore(runner, path, "--yes")
    assert result.exit_code != 0 and "MediaNest is running (1 worker)" in result.output
    assert people(app) == ["after", "owner"]


def test_without_a_passphrase_nothing_starts_and_the_nightly_one_tells_the_admins(make_app, auth):
    app = make_app()
    owner = auth.__class__(app, None).owner()
    with app.app_context():
        with pytest.raises(services.BackupRefused, match="passphrase"):
            services.request_backup("admin")
        assert services.scheduled_backup() == "no passphrase"
        told = db.session.scalars(select(Notification).where(Notification.user_id == owner))
        assert [n.title for n in told] == ["Backup failed"]
        assert db.session.scalar(select(func.count()).select_from(Backup)) == 0


def test_the_passphrase_is_never_in_the_environment_of_pg_dump(app):
    with app.app_context():
        env = dumps.libpq_env("postgresql+psycopg://me:s3cret@db.example:6543/medianest")
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"]) == ("db.example", "6543", "me")
    assert env["PGPASSWORD"] == "s3cret" and env["PGDATABASE"] == "medianest"
    assert SECRET not in os.environ.get("PGPASSWORD", "")
