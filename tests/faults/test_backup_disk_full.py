"""The disk fills up during a backup: the command fails in words, the registry says so, admins
are told, and no partial file or scratch folder is left (the backup folder is a tiny tmpfs in a
mount namespace of the command's own)."""

import subprocess
import sys

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Notification
from app.models.backups import FAILED, Backup
from tests.conftest import ROOT, worker_env

NO_MOUNT = 97


def test_a_full_disk_fails_the_backup_and_leaves_nothing_behind(app, auth, tmp_path):
    owner = auth.owner()
    folder = tmp_path / "backups"
    folder.mkdir()
    env = {
        **worker_env(app),
        "MEDIANEST_BACKUP_DIR": str(folder),
        "MEDIANEST_BACKUP_PASSPHRASE": "correct horse battery staple",
    }
    flask = f"{sys.executable} -m flask --app app medianest backup"
    script = (
        f"mount -t tmpfs -o size=16k tmpfs {folder} || exit {NO_MOUNT}; "
        f"{flask}; echo rc=$?; ls -A {folder}"
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode == NO_MOUNT or done.stderr.startswith("unshare:"):
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    print(done.stdout, done.stderr)
    lines = done.stdout.strip().splitlines()
    assert lines[-1].startswith("rc=") and lines[-1] != "rc=0", done.stdout
    assert "is full" in done.stderr and "partial file was removed" in done.stderr
    assert lines.index(lines[-1]) == len(lines) - 1  # `ls -A` listed nothing after rc=
    with app.app_context():
        row = db.session.scalars(select(Backup)).one()
        assert row.status == FAILED and "is full" in row.error
        told = db.session.scalars(select(Notification.title).where(Notification.user_id == owner))
        assert list(told) == ["Backup failed"]
