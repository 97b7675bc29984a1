"""A simulated plex.tv and Plex server, and an app configured to use them."""

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest

from app import settings
from simulators import SimulatorServer
from simulators import plex_server as pms
from simulators import plextv


@dataclass
class PlexWorld:
    state: plextv.PlexTvState
    owner: plextv.Account
    friend: plextv.Account
    stranger: plextv.Account
    server: plextv.Server
    plextv_url: str
    server_url: str


@pytest.fixture
def plex_world():
    state = plextv.PlexTvState()
    owner = state.add_account("owner", "owner@example.com")
    friend = state.add_account("friend", "friend@example.com")
    stranger = state.add_account("stranger", "stranger@example.com")
    server = state.add_server(owner, "Living Room")
    state.share(server, friend)
    with SimulatorServer(plextv.create_app(state)) as tv, SimulatorServer(
        pms.create_app(server)
    ) as media:
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


def pin_code(location: str) -> str:
    """The PIN code in the app.plex.tv address MediaNest sent the browser to."""
    fragment = urlsplit(location).fragment
    return parse_qs(fragment.removeprefix("?"))["code"][0]


def approve(world: PlexWorld, location: str, account) -> None:
    code = pin_code(location)
    pin = next(p for p in world.state.pins.values() if p.code == code)
    world.state.approve_pin(pin.id, account)


def plex_round_trip(client, world: PlexWorld, account, start="/login/plex", page="/login"):
    """Start a Plex sign-in, approve it on plex.tv as `account`, come back; the callback response."""
    started = client.post_form(start, page=page)
    assert started.status_code == 302, started.get_data(as_text=True)
    if account is not None:
        approve(world, started.headers["Location"], account)
    return client.get("/login/plex/callback")
