"""Database engine settings and the schema-version guard."""

import logging

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from app.extensions import db

log = logging.getLogger(__name__)


def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets the web, the workers and the scheduler read while one of them writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _let_go_of_session(_error) -> None:
    # A connection lost mid-request fails its rollback too, and the pool has already dropped
    # it: forget the session rather than turn an answer already made into a bare 500.
    try:
        db.session.remove()
    except DBAPIError as error:
        log.warning("Let go of a session whose connection was lost: %s", error)
        db.session.registry.clear()


def init_app(app: Flask) -> None:
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run backwards).
    app.teardown_appcontext(_let_go_of_session)
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
