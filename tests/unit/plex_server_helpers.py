"""A running Plex Media Server simulator with movie, show and music libraries."""

import xml.etree.ElementTree as ET

import pytest
import requests

from simulators import SimulatorServer
from simulators.plex_server import PlexServerState, create_app

TOKEN = "tok"
XML = {"X-Plex-Token": TOKEN}
JSON = {"X-Plex-Token": TOKEN, "Accept": "application/json"}
PAGE = {"X-Plex-Container-Size": 100}


class Plex:
    def __init__(self, state: PlexServerState, url: str):
        self.state, self.url = state, url

    def get(self, url_path, headers=XML, **params):
        return requests.get(self.url + url_path, headers=headers, params=params, timeout=30)

    def xml(self, url_path, headers=XML, **params) -> ET.Element:
        response = self.get(url_path, headers=headers, **params)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "text/xml;charset=utf-8"
        return ET.fromstring(response.content)

    def json(self, url_path, **params) -> dict:
        response = self.get(url_path, headers=JSON, **params)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "application/json"
        return response.json()["MediaContainer"]


def new_state() -> PlexServerState:
    state = PlexServerState(name="Living Room", tokens={TOKEN})
    state.add_library("Movies", "movie", count=1000)
    state.add_library("TV Shows", "show", count=20, seasons=2, episodes=5)
    state.add_library("Music", "artist", count=10)
    return state


@pytest.fixture
def plex():
    state = new_state()
    with SimulatorServer(create_app(state)) as running:
        yield Plex(state, running.url)


def page(plex, key="1", headers=XML, **params) -> ET.Element:
    return plex.xml(f"/library/sections/{key}/all", headers=headers, **params)
