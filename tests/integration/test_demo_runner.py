"""A demo stopped and started again finds its Plex: the runner points the web at the new server."""

import pytest

from app import runner, settings
from app.admin.plex_services import provision_from_environment
from app.library import catalog
from simulators import start_all
from simulators.registry import DEMO_PLEX


@pytest.fixture
def demo_run(app, monkeypatch):
    """This run's demo simulators, and the environment `make run` hands the web process."""
    servers, environ = start_all()
    for name in ("DATABASE_URL", "REDIS_URL", "DATA_DIR", "SECRET_KEY"):
        monkeypatch.setenv(f"MEDIANEST_{name}", app.config[name])
    yield environ
    for server in servers:
        server.stop()


def test_a_first_demo_run_leaves_connecting_plex_to_the_owner(app, demo_run):
    assert runner.demo_reconnect() == {}


def test_a_restarted_demo_reconnects_plex_to_this_runs_server(app, make_app, demo_run):
    with app.app_context():
        # What the last run stored: a server, address and token that are gone now.
        settings.put(
            {
                "plex.machine_id": "f" * 40,
                "plex.server_url": "http://127.0.0.1:9",
                "plex.owner_token": "last-runs-token",
            }
        )
    reconnect = runner.demo_reconnect()
    server = DEMO_PLEX["server"]
    assert reconnect == {
        "MEDIANEST_PLEX_URL": server.connections[0],
        "MEDIANEST_PLEX_TOKEN": server.owner.token,
    }

    web = make_app(
        PLEX_URL=reconnect["MEDIANEST_PLEX_URL"],
        PLEX_TOKEN=reconnect["MEDIANEST_PLEX_TOKEN"],
        PLEX_TV_URL=demo_run["MEDIANEST_PLEX_TV_URL"],
    )
    with web.app_context():
        assert provision_from_environment() is None
        assert settings.get("plex.machine_id") == server.machine_identifier
        assert settings.get("plex.server_url") == server.connections[0]
        assert settings.get("plex.owner_account_id") == str(server.owner.id)
        assert server.machine_identifier in catalog.play_url(100000001)
