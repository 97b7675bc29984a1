"""A running plex.tv simulator with an owner, a friend, a stranger, a kid and a server."""

from dataclasses import dataclass

import pytest
import requests

from simulators import SimulatorServer
from simulators.plextv import Account, PlexTvState, Server
from simulators.plextv import create_app as create_plextv_app

CLIENT = "3381b62b-9ab7-4e37-827b-203e9809eb58"
JSON = {"Accept": "application/json", "X-Plex-Client-Identifier": CLIENT}
XML = {"X-Plex-Client-Identifier": CLIENT}


@dataclass
class World:
    state: PlexTvState
    url: str
    owner: Account
    friend: Account
    stranger: Account
    kid: Account
    server: Server

    def get(self, path, token=None, headers=JSON, **kwargs):
        headers = dict(headers)
        if token:
            headers["X-Plex-Token"] = token
        return requests.get(self.url + path, headers=headers, timeout=10, **kwargs)

    def new_pin(self, headers=JSON, strong=True):
        query = "?strong=true" if strong else ""
        return requests.post(self.url + "/api/v2/pins" + query, headers=headers, timeout=10)


@pytest.fixture
def plex():
    state = PlexTvState()
    owner = state.add_account(username="owner", email="owner@example.com")
    friend = state.add_account(username="friend", email="friend@example.com")
    stranger = state.add_account(username="stranger")
    kid = state.add_account(username="kid", home_managed=True, home=owner)
    server = state.add_server(
        owner,
        name="Living Room",
        connections=[
            "http://127.0.0.1:32400",
            {"uri": "https://10-0-0-5.abc.plex.direct:32400", "address": "10.0.0.5"},
            {"uri": "https://1-2-3-4.abc.plex.direct:8443", "local": False, "relay": True},
        ],
    )
    state.share(server, friend)
    state.share(server, kid)
    with SimulatorServer(create_plextv_app(state)) as running:
        yield World(state, running.url, owner, friend, stranger, kid, server)
