"""Helpers for tests that sign in through the simulated plex.tv."""

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

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


def pin_code(location: str) -> str:
    """The PIN code in the app.plex.tv address MediaNest sent the browser to."""
    fragment = urlsplit(location).fragment
    return parse_qs(fragment.removeprefix("?"))["code"][0]


def approve(world: PlexWorld, location: str, account) -> None:
    code = pin_code(location)
    pin = next(p for p in world.state.pins.values() if p.code == code)
    world.state.approve_pin(pin.id, account)


def plex_round_trip(client, world: PlexWorld, account, start="/login/plex", page="/login"):
    """Start a Plex sign-in, approve it as `account` (None: cancel), and follow the callback."""
    started = client.post_form(start, page=page)
    assert started.status_code == 302, started.get_data(as_text=True)
    if account is not None:
        approve(world, started.headers["Location"], account)
    return client.get("/login/plex/callback")
