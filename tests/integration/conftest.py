"""Fixtures for the integration tests: a simulated plex.tv and Plex server."""

import pytest

from app import settings
from simulators import SimulatorServer, plextv
from simulators import plex_server as pms
from tests.integration.plex_helpers import PlexWorld


@pytest.fixture
def plex_world():
    state = plextv.PlexTvState()
    owner = state.add_account("owner", "owner@example.com")
    friend = state.add_account("friend", "friend@example.com")
    stranger = state.add_account("stranger", "stranger@example.com")
    server = state.add_server(owner, "Living Room")
    state.share(server, friend)
    plex_tv_app, server_app = plextv.create_app(state), pms.create_app(server)
    with SimulatorServer(plex_tv_app) as tv, SimulatorServer(server_app) as media:
        server.set_connections([media.url])
        yield PlexWorld(state, owner, friend, stranger, server, tv.url, media.url)


@pytest.fixture
def plex_app(make_app, plex_world):
    """An app whose owner already connected the simulated server."""
    from tests.conftest import Accounts

    app = make_app(
        PLEX_TV_URL=plex_world.plextv_url, PLEX_APP_URL=plex_world.plextv_url, PLEX_TV_TIMEOUT=1.0
    )
    Accounts(app, None).owner()
    with app.app_context():
        settings.put(
            {
                "plex.owner_token": plex_world.owner.token,
                "plex.owner_account_id": str(plex_world.owner.id),
                "plex.machine_id": plex_world.server.machine_identifier,
                "plex.server_url": plex_world.server_url,
                "plex.server_name": "Living Room",
            }
        )
    return app
