"""`flask --app app medianest ...` on the embedded default: no redis-server is left behind."""

import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from redis import Redis

from app.embedded import start_embedded_redis, stop_embedded_redis
from tests.conftest import ROOT, worker_env


@pytest.fixture
def folders(tmp_path) -> tuple[Path, Path]:
    """A data folder of its own, and the temporary folder the commands get."""
    data_dir, temp_dir = tmp_path / "data", tmp_path / "t"
    data_dir.mkdir()
    temp_dir.mkdir()
    return data_dir, temp_dir


@pytest.fixture
def command_env(app, folders) -> dict:
    env = worker_env(app)
    # CI sets a Redis for every process; without one the commands take the embedded default.
    del env["MEDIANEST_REDIS_URL"]
    env.update(MEDIANEST_DATA_DIR=str(folders[0]), TMPDIR=str(folders[1]))
    return env


def medianest(env: dict, *command: str) -> subprocess.CompletedProcess:
    flask = [sys.executable, "-m", "flask", "--app", "app", "medianest", *command]
    return subprocess.run(flask, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def redis_servers(data_dir: Path) -> list[psutil.Process]:
    """The redis-server processes serving data_dir (redis works in its data file's folder)."""
    found = []
    for process in psutil.process_iter(["name", "cwd"]):
        if process.info["name"] == "redis-server" and process.info["cwd"] == str(data_dir):
            found.append(process)
    return found


def test_commands_stop_the_redis_they_started(command_env, folders):
    data_dir, temp_dir = folders
    for command in ("check", "sync-library", "check", "sync-library"):
        result = medianest(command_env, command)
        assert "Traceback" not in result.stderr, result.stderr
        if command == "check":
            assert "ok   Redis" in result.stdout
        assert redis_servers(data_dir) == []
    assert (data_dir / "redis.rdb").exists()  # each one saved its data as it stopped
    assert list(temp_dir.iterdir()) == []  # nor its socket, config and log folder


def test_a_command_uses_the_running_apps_redis_and_leaves_it_running(command_env, folders):
    data_dir = folders[0]
    url = start_embedded_redis(str(data_dir))  # as `make run` does for its processes
    try:
        (server,) = redis_servers(data_dir)
        client = Redis.from_url(url)
        client.set("medianest:cli-test", "kept")
        connections = client.info("stats")["total_connections_received"]
        for command in ("check", "sync-library"):
            result = medianest(command_env, command)
            assert "Traceback" not in result.stderr, result.stderr
        assert "ok   Redis" in medianest(command_env, "check").stdout
        assert redis_servers(data_dir) == [server]
        assert client.get("medianest:cli-test") == b"kept"
        # The commands talked to this server rather than to one of their own.
        assert client.info("stats")["total_connections_received"] > connections + 3
        client.close()
    finally:
        stop_embedded_redis(str(data_dir))
    assert redis_servers(data_dir) == []
