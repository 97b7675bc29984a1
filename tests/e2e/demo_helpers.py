"""Demo mode as `MEDIANEST_DEMO=1 make run` builds it: its simulated plex.tv and Plex server."""

from types import SimpleNamespace

import pytest

from app import settings
from app.library import services
from simulators import SimulatorServer, plextv
from simulators import plex_server as pms


@pytest.fixture
def demo_plex():
    """Demo mode's Plex world: owner, alice, bob, carol and kid, and the server Living Room."""
    state, server = plextv.demo_state()
    with (
        SimulatorServer(plextv.create_app(state)) as tv,
        SimulatorServer(pms.create_app(server)) as media,
    ):
        server.set_connections([media.url])
        yield SimpleNamespace(state=state, server=server, tv_url=tv.url, server_url=media.url)


def demo_app(make_app, demo_plex, *, demo=True, connected=True, synced=True):
    """An app on demo mode's simulators, Plex connected by its owner and the library synced."""
    app = make_app(
        DEMO=demo,
        PLEX_TV_URL=demo_plex.tv_url,
        PLEX_APP_URL=demo_plex.tv_url,
        PLEX_TV_TIMEOUT=2.0,
        LIBRARY_SYNC_TIMEOUT=5.0,
    )
    if not connected:
        return app
    owner = demo_plex.state.account_by_username("owner")
    with app.app_context():
        settings.put(
            {
                "plex.owner_token": owner.token,
                "plex.owner_account_id": str(owner.id),
                "plex.machine_id": demo_plex.server.machine_identifier,
                "plex.server_url": demo_plex.server_url,
                "plex.server_name": demo_plex.server.name,
            }
        )
        if synced:
            assert services.full_sync()["status"] == "succeeded"
    return app
