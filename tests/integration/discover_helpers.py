"""A simulated TMDB for Discover's tests, and apps pointed at it."""

from types import SimpleNamespace

import pytest

from simulators import SimulatorServer, tmdb


@pytest.fixture
def tmdb_sim():
    """The simulated TMDB, its state (switches, hit counter) and its addresses."""
    state = tmdb.TmdbState()
    with SimulatorServer(tmdb.create_app(state)) as server:
        yield SimpleNamespace(state=state, url=server.url, api=f"{server.url}/3")


def tmdb_config(sim, **extra) -> dict:
    return {
        "TMDB_URL": sim.api,
        "TMDB_IMAGE_URL": f"{sim.url}/t/p",
        "TMDB_API_KEY": tmdb.DEMO_API_KEY,
        "TMDB_TIMEOUT": 2.0,
        **extra,
    }
