"""Fixtures for the library tests: a simulated Plex server with libraries, and an app using it."""

from types import SimpleNamespace

import pytest

from app import settings
from simulators import SimulatorServer
from simulators import plex_server as pms

TOKEN = "owner-plex-token"


@pytest.fixture
def plex():
    state = pms.PlexServerState(name="Living Room", tokens={TOKEN})
    with SimulatorServer(pms.create_app(state)) as server:
        yield SimpleNamespace(state=state, url=server.url)


@pytest.fixture
def sync_app(make_app, plex):
    app = make_app(LIBRARY_PAGE_SIZE=50, LIBRARY_SYNC_TIMEOUT=2.0)
    with app.app_context():
        settings.put(
            {
                "plex.server_url": plex.url,
                "plex.owner_token": TOKEN,
                "plex.machine_id": plex.state.machine_identifier,
            }
        )
    return app
