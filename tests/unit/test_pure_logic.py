"""Small pieces of pure logic."""

import os
from datetime import UTC, datetime, timedelta

import pytest

from app.config import build_config, normalise_database_url, settings_from_env
from app.embedded import limiter_storage_uri
from app.ops.services import changed_components
from app.realtime.routes import POLICY_VIOLATION, RECONNECT, close_code_for
from app.security import is_safe_next
from app.templating import ago, is_stale


def test_environment_overrides_defaults_with_their_types():
    env = {"MEDIANEST_PORT": "9001", "MEDIANEST_DEMO": "yes", "MEDIANEST_MIN_FREE_DISK_GB": "2.5"}
    settings = settings_from_env(env)
    assert settings["PORT"] == 9001 and settings["DEMO"] is True
    assert settings["MIN_FREE_DISK_GB"] == 2.5 and settings["HOST"] == "0.0.0.0"


def test_a_test_dict_overrides_the_environment(tmp_path):
    env = {"MEDIANEST_PORT": "9001", "MEDIANEST_DATA_DIR": str(tmp_path)}
    assert build_config({"PORT": 1234}, environ=env)["PORT"] == 1234


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg_3(given, expected):
    assert normalise_database_url(given) == expected


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = build_config(environ={"MEDIANEST_DATA_DIR": str(tmp_path)})["SECRET_KEY"]
    second = build_config(environ={"MEDIANEST_DATA_DIR": str(tmp_path)})["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert oct(os.stat(tmp_path / "secret_key").st_mode & 0o777) == "0o600"


def test_default_database_is_sqlite_in_the_data_folder(tmp_path):
    config = build_config(environ={"MEDIANEST_DATA_DIR": str(tmp_path)})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'medianest.db'}"
    assert config["MEDIA_ROOT"] == str(tmp_path / "media")


def test_limiter_spells_unix_sockets_its_own_way():
    assert limiter_storage_uri("unix:///tmp/r.sock") == "redis+unix:///tmp/r.sock"
    assert limiter_storage_uri("redis://h:6379/0") == "redis://h:6379/0"


@pytest.mark.parametrize(
    "target, safe",
    [
        ("/notifications/", True),
        ("/a?b=c", True),
        (None, False),
        ("", False),
        ("https://evil.example/", False),
        ("//evil.example", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("/ok\\..", False),
    ],
)
def test_is_safe_next(target, safe):
    assert is_safe_next(target) is safe


class _Check:
    def __init__(self, components):
        self.components = components


def test_first_check_reports_only_what_is_down():
    current = {"database": {"ok": True}, "workers": {"ok": False}}
    assert changed_components(None, current) == [("workers", False)]


def test_flips_in_both_directions():
    before = _Check({"database": {"ok": True}, "workers": {"ok": False}})
    now = {"database": {"ok": False}, "workers": {"ok": True}}
    assert changed_components(before, now) == [("database", False), ("workers", True)]


def test_no_flip_no_news():
    before = _Check({"database": {"ok": True}})
    assert changed_components(before, {"database": {"ok": True}}) == []


def test_ago_reads_like_a_person():
    now = datetime.now(UTC)
    assert ago(now) == "just now"
    assert ago(now - timedelta(minutes=3)) == "3 minutes ago"
    assert ago((now - timedelta(hours=1)).isoformat()) == "1 hour ago"
    assert ago(None) == "never"


def test_a_result_is_stale_after_three_intervals():
    now = datetime.now(UTC)
    assert not is_stale((now - timedelta(seconds=100)).isoformat(), 60)
    assert is_stale((now - timedelta(seconds=200)).isoformat(), 60)


def test_a_socket_closes_for_its_own_ended_session_and_reconnects_on_access_changes():
    ended = {"type": "session.ended", "sessions": [3, 4]}
    assert close_code_for(ended, 4) == POLICY_VIOLATION
    assert close_code_for(ended, 5) is None
    assert close_code_for({"type": "access.changed"}, 5) == RECONNECT
    assert close_code_for({"type": "notification.new"}, 4) is None
