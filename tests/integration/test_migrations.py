"""Migrations run up and down on SQLite and PostgreSQL; stale schemas refuse to start."""

import subprocess
import sys

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from tests.conftest import ROOT, worker_env

TABLES = {
    "users",
    "settings",
    "notifications",
    "health_checks",
    "identities",
    "audit_events",
    "library_sections",
    "media_items",
    "item_tags",
    "item_guids",
    "sync_runs",
    "user_sessions",
    "invitations",
}


def app_on(tmp_path, services, database_url: str):
    config = {"DATA_DIR": str(tmp_path), "DATABASE_URL": database_url}
    return create_app({**config, "REDIS_URL": services.redis_url})


def _round_trip(app) -> None:
    with app.app_context():
        upgrade()
        assert TABLES <= set(inspect(db.engine).get_table_names())
        downgrade(revision="base")
        assert not TABLES & set(inspect(db.engine).get_table_names())
        upgrade()
        assert TABLES <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_migrations_on_sqlite(tmp_path, services):
    _round_trip(app_on(tmp_path, services, ""))


@pytest.fixture
def scratch_postgres(services):
    if not services.database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL is not configured (set MEDIANEST_DATABASE_URL)")
    admin = create_engine(services.database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS medianest_migrations"))
        connection.execute(text("CREATE DATABASE medianest_migrations"))
    url = make_url(services.database_url).set(database="medianest_migrations")
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS medianest_migrations WITH (FORCE)"))
    admin.dispose()


def test_migrations_on_postgresql(tmp_path, services, scratch_postgres):
    _round_trip(app_on(tmp_path, services, scratch_postgres))


@pytest.fixture
def unmigrated_app(tmp_path, services):
    return app_on(tmp_path, services, "")


@pytest.mark.parametrize("command", [["worker.py"], ["-c", "import wsgi"]])
def test_processes_refuse_to_start_on_a_stale_schema(unmigrated_app, command):
    env = worker_env(unmigrated_app)
    result = subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 3
    assert "MediaNest cannot start" in result.stderr
    assert "flask --app app db upgrade" in result.stderr
    assert "Traceback" not in result.stderr
