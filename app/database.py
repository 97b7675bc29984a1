"""Database engine settings and the schema-version guard."""

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db


def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets the web, the workers and the scheduler read while one of them writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def init_app(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            engine: Engine = db.engine
        event.listen(engine, "connect", _tune_sqlite)


class SchemaBehind(RuntimeError):
    """The database is not at the migration this code needs."""


def schema_revisions(app: Flask) -> tuple[str | None, str]:
    """Return (the database's revision, the code's head revision)."""
    script = ScriptDirectory(app.extensions["migrate"].directory)
    head = script.get_current_head()
    with app.app_context(), db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head


def require_current_schema(app: Flask) -> None:
    """Refuse to run on a database whose schema is behind the code."""
    current, head = schema_revisions(app)
    if current != head:
        raise SchemaBehind(
            f"The database schema is at {current or 'nothing (empty database)'} but this "
            f"version of MediaNest needs {head}. Run: flask --app app db upgrade"
        )
