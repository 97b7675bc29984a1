"""Putting a backup back: opened and checked whole before anything is touched, refused when it
comes from a newer MediaNest, migrated forward when it comes from an older one.

`plan` unpacks and describes what a restore would replace; `apply` replaces it. The database
goes in one step (PostgreSQL: one transaction; SQLite: one rename), then the state files.
"""

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy.engine import make_url

from app.backups import archive, dumps
from app.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


class RestoreRefused(Exception):
    """The backup cannot be restored here; the message says why and changes nothing."""


@dataclass
class Plan:
    source: Path
    work: tempfile.TemporaryDirectory
    manifest: dict
    migrate_from: str | None  # the backup's schema, when it is older than this MediaNest's
    lines: list[str] = field(default_factory=list)  # what will be replaced, for the person

    @property
    def folder(self) -> Path:
        return Path(self.work.name)


def _schema_position(schema: str) -> str:
    """'current', 'older' or 'newer' for a backup made at migration `schema`."""
    scripts = ScriptDirectory(str(MIGRATIONS))
    head = scripts.get_current_head()
    if schema == head:
        return "current"
    known = {rev.revision for rev in scripts.walk_revisions()}
    return "older" if schema in known else "newer"


def running_workers() -> int:
    try:
        return len(Worker.all(connection=Redis.from_url(current_app.config["REDIS_URL"])))
    except RedisError:
        return 0


def plan(source: Path, passphrase: str) -> Plan:
    """Open the backup into a scratch folder and say what restoring it would replace."""
    if not source.is_file():
        raise RestoreRefused(f"There is no file at {source}.")
    work = tempfile.TemporaryDirectory(prefix=".restore-", dir=_scratch_parent())
    try:
        manifest = archive.open_into(source, passphrase, Path(work.name))
        position = _schema_position(manifest["schema"])
        if position == "newer":
            raise RestoreRefused(
                f"This backup was made by a newer MediaNest (schema {manifest['schema']}): "
                "upgrade MediaNest first, then restore it."
            )
        if manifest["database"] != dumps.kind():
            raise RestoreRefused(
                f"This backup holds a {manifest['database']} database and MediaNest now runs "
                f"on {dumps.kind()}: restore it with the same kind of database."
            )
    except Exception:
        work.cleanup()
        raise
    found = Plan(source, work, manifest, manifest["schema"] if position == "older" else None)
    found.lines = _describe(found)
    return found


def _scratch_parent() -> Path:
    folder = Path(current_app.config["DATA_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _describe(found: Plan) -> list[str]:
    m = found.manifest
    url = make_url(str(db.engine.url)).render_as_string(hide_password=True)
    rows = sum(m["rows"].values())
    lines = [
        f"Backup made {m['created_at'][:19].replace('T', ' ')} UTC: {rows:,} rows in "
        f"{len(m['rows'])} tables, schema {m['schema']}.",
        f"It replaces everything in the database {url}.",
    ]
    if found.migrate_from:
        lines.append(f"It is then migrated from schema {found.migrate_from} to this version's.")
    if m["files"]:
        names = ", ".join(m["files"])
        lines.append(f"It replaces these files in {current_app.config['DATA_DIR']}: {names}.")
    lines.append("Media, uploads and caches are not touched.")
    return lines


def apply(found: Plan, *, workers_paused: bool = False) -> None:
    """Replace the database and the state files with the backup's. Run with MediaNest stopped,
    or from the restore job, which paused the workers and put the site in maintenance."""
    workers = 0 if workers_paused else running_workers()
    if workers:
        raise RestoreRefused(
            f"MediaNest is running ({workers} worker{'s' if workers != 1 else ''}): stop it "
            "first, then restore; nothing was replaced."
        )
    dump = found.folder / found.manifest["dump"]
    db.session.remove()
    db.engine.dispose()  # no connection of ours holds the old database open
    if found.manifest["database"] == "postgresql":
        dumps.restore_postgres_into(dump, db.engine.url, replace=True)
    else:
        dumps.restore_sqlite_to(dump, Path(make_url(str(db.engine.url)).database))
    _put_back_files(found)
    db.engine.dispose()
    if found.migrate_from:
        from flask_migrate import upgrade

        upgrade(directory=str(MIGRATIONS))
    from app.backups.services import reconcile_files

    reconcile_files()


def _put_back_files(found: Plan) -> None:
    data_dir = Path(current_app.config["DATA_DIR"])
    for name in found.manifest["files"]:
        source = found.folder / "data" / name
        if not source.is_file() or "/" in name:
            continue
        staged = data_dir / f".{name}.restoring"
        shutil.copyfile(source, staged)
        os.chmod(staged, 0o600)
        os.replace(staged, data_dir / name)


def done(found: Plan) -> None:
    found.work.cleanup()
