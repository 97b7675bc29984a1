"""A consistent copy of the database, and putting one back.

SQLite: the online backup API copies the live file page by page while it is in use. PostgreSQL:
pg_dump in its custom format, run on a snapshot this module exports and counts rows in, so the
counts the verification compares against are those of the very data dumped.
"""

import os
import shutil
import sqlite3
import subprocess
import uuid
from contextlib import closing
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, make_url

from app.extensions import db

SQLITE_FILE, POSTGRES_FILE = "database.sqlite3", "database.pgdump"
DUMP_SECONDS = 6 * 3600


class DumpError(Exception):
    """The database could not be copied or put back; the message says why."""


def kind() -> str:
    return "postgresql" if db.engine.dialect.name == "postgresql" else "sqlite"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def counts(conn: Connection) -> dict[str, int]:
    """Rows in every table of the database, by table."""
    names = sorted(inspect(conn).get_table_names())
    return {
        n: int(conn.execute(text(f"SELECT count(*) FROM {_quoted(n)}")).scalar()) for n in names
    }


def schema_of(found: dict[str, int], conn: Connection) -> str:
    if "alembic_version" not in found:
        return ""
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() or ""


def dump(folder: Path) -> tuple[str, dict[str, int], str]:
    """Copy the database into folder; (file name, rows by table, schema revision)."""
    if kind() == "sqlite":
        return _dump_sqlite(folder)
    return _dump_postgres(folder)


def _sqlite_path(url) -> Path:
    path = make_url(str(url)).database
    if not path or path == ":memory:":
        raise DumpError("The database is in memory only: there is no file to back up.")
    return Path(path)


def _dump_sqlite(folder: Path) -> tuple[str, dict[str, int], str]:
    dest = folder / SQLITE_FILE
    try:
        with closing(sqlite3.connect(_sqlite_path(db.engine.url))) as source:
            with closing(sqlite3.connect(dest)) as copy:
                source.backup(copy)
    except sqlite3.Error as exc:
        if "full" in str(exc):
            raise OSError(28, "No space left on device") from exc
        raise DumpError(f"SQLite could not copy the database: {exc}") from exc
    found, schema = sqlite_counts(dest)
    return SQLITE_FILE, found, schema


def sqlite_counts(path: Path) -> tuple[dict[str, int], str]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            found = counts(conn)
            return found, schema_of(found, conn)
    finally:
        engine.dispose()


def libpq_env(url) -> dict[str, str]:
    """The connection as libpq's variables, so no password shows in a process list."""
    parsed = make_url(str(url))
    env = dict(os.environ)
    for name, value in (
        ("PGHOST", parsed.host),
        ("PGPORT", parsed.port),
        ("PGUSER", parsed.username),
        ("PGPASSWORD", parsed.password),
        ("PGDATABASE", parsed.database),
        ("PGSSLMODE", parsed.query.get("sslmode")),
    ):
        if value:
            env[name] = str(value)
    return env


def _tool(args: list[str], env: dict, what: str) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, timeout=DUMP_SECONDS)
    except FileNotFoundError:
        raise DumpError(f"{args[0]} is not installed; it is needed to {what}.") from None
    except subprocess.TimeoutExpired:
        raise DumpError(f"{args[0]} did not finish in time.") from None
    if done.returncode != 0:
        words = done.stderr.decode(errors="replace").strip().splitlines()
        if any("No space left" in line for line in words):
            raise OSError(28, "No space left on device")
        raise DumpError(f"{args[0]} failed: {words[-1] if words else done.returncode}")


def _dump_postgres(folder: Path) -> tuple[str, dict[str, int], str]:
    dest = folder / POSTGRES_FILE
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            found = counts(conn)
            schema = schema_of(found, conn)
            # The transaction holds the snapshot open while pg_dump reads it.
            args = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges"]
            _tool(
                [*args, f"--snapshot={snapshot}", f"--file={dest}"],
                libpq_env(db.engine.url),
                "back up PostgreSQL",
            )
    return POSTGRES_FILE, found, schema


# -- putting it back -----------------------------------------------------------------------------


def postgres_counts(url) -> dict[str, int]:
    engine = create_engine(str(url))
    try:
        with engine.connect() as conn:
            return counts(conn)
    finally:
        engine.dispose()


def restore_postgres_into(dump_file: Path, url, *, replace: bool) -> None:
    """Load the dump into the database at url in one transaction; with replace, what is there
    goes first, in the same transaction, so a failure leaves it as it was."""
    script = dump_file.with_suffix(".sql")
    env = libpq_env(url)
    _tool(
        ["pg_restore", "--no-owner", "--no-privileges", f"--file={script}", str(dump_file)],
        env,
        "read the PostgreSQL backup",
    )
    try:
        start = "DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n" if replace else ""
        wrapped = dump_file.with_suffix(".restore.sql")
        with wrapped.open("w") as out:
            out.write(start)
            out.write(f"\\i '{script}'\n")
        _tool(
            [
                "psql",
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "-v",
                "ON_ERROR_STOP=1",
                f"--file={wrapped}",
            ],
            env,
            "restore PostgreSQL",
        )
    finally:
        script.unlink(missing_ok=True)
        dump_file.with_suffix(".restore.sql").unlink(missing_ok=True)


def restore_sqlite_to(copy: Path, target: Path) -> None:
    """Put the copy in place of the database file: written beside it, then renamed over it."""
    staged = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(copy, staged)
    for extra in ("-wal", "-shm"):
        Path(f"{target}{extra}").unlink(missing_ok=True)
    os.replace(staged, target)


def scratch_counts(dump_file: Path, name: str) -> dict[str, int]:
    """Restore the dump into a scratch database beside the live one and count its rows; the
    scratch database is dropped afterwards."""
    if name == SQLITE_FILE:
        return sqlite_counts(dump_file)[0]
    url = make_url(str(db.engine.url))
    scratch = f"medianest_verify_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {_quoted(scratch)}"))
        try:
            target = url.set(database=scratch)
            restore_postgres_into(dump_file, target, replace=False)
            return postgres_counts(target.render_as_string(hide_password=False))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {_quoted(scratch)} WITH (FORCE)"))
    finally:
        admin.dispose()
