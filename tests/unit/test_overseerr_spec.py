"""Every call the Overseerr client makes follows its spec; the simulator refuses bad ones."""

import pytest
import requests
from openapi_core.contrib.requests import RequestsOpenAPIRequest

from app.integrations.overseerr import OverseerrClient
from simulators.overseerr import OverseerrSimulator, openapi

BASE = "http://overseerr.test:5055"


def built_calls() -> list:
    """Each public call of the client, as the prepared request it would send."""
    client = OverseerrClient(BASE, "key")
    sent = []

    def capture(prepared):
        sent.append(prepared)
        return 200, {"results": [], "pageInfo": {}}

    client._send = capture
    client.status()
    client.me()
    client.users(take=50, skip=100)
    client.all_users()
    client.create_request({"mediaType": "movie", "mediaId": 550}, as_user=3)
    client.create_request({"mediaType": "tv", "mediaId": 1399, "seasons": [1, 2]}, as_user=4)
    client.create_request(
        {"mediaType": "tv", "mediaId": 1399, "tvdbId": 121361, "seasons": "all"}, as_user=None
    )
    client.requests(take=20, skip=0, filter="all", sort="modified", requestedBy=3)
    client.requests(as_user=3, take=100, skip=0, filter="all", sort="added")
    client.request(7)
    client.decide(7, "approve")
    client.decide(7, "decline")
    client.update_request(7, {"mediaType": "tv", "seasons": [1, 2, 3]})
    client.title("movie", 550)
    client.title("tv", 1399)
    client.request_count()
    return sent


def test_every_call_the_client_makes_validates_against_the_spec():
    spec = openapi()
    calls = built_calls()
    assert len(calls) == 16
    for prepared in calls:
        # The validator reads the host from servers: "/api/v1" matches any.
        spec.validate_request(RequestsOpenAPIRequest(prepared))
        assert prepared.headers["X-Api-Key"] == "key"


def test_calls_for_a_person_carry_their_overseerr_user():
    calls = built_calls()
    creates = [c for c in calls if c.method == "POST" and c.path_url == "/api/v1/request"]
    assert [c.headers.get("X-Api-User") for c in creates] == ["3", "4", None]


@pytest.fixture(scope="module")
def sim():
    with OverseerrSimulator() as simulator:
        yield simulator


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", "/api/v1/request", {"mediaType": "book", "mediaId": 550}),
        ("POST", "/api/v1/request", {"mediaType": "movie"}),
        ("POST", "/api/v1/request", {"mediaType": "movie", "mediaId": "fight club"}),
        ("POST", "/api/v1/request", {"mediaType": "tv", "mediaId": 1, "seasons": "some"}),
        ("POST", "/api/v1/request", {"mediaType": "tv", "mediaId": 1, "seasons": [-1]}),
        ("PUT", "/api/v1/request/1", {"seasons": [1]}),
        ("POST", "/api/v1/request/1/maybe", None),
        ("GET", "/api/v1/request?filter=everything", None),
        ("GET", "/api/v1/request?take=lots", None),
        ("GET", "/api/v1/user?sort=age", None),
        ("GET", "/api/v1/movie/fight-club", None),
    ],
)
def test_the_simulator_refuses_spec_invalid_requests_with_400(sim, method, path, body):
    response = requests.request(
        method, sim.url + path, json=body, headers={"X-Api-Key": sim.state.api_key}, timeout=5
    )
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["message"] and answer["errors"]
    assert not sim.state.requests


def test_the_simulator_refuses_a_body_that_is_not_json(sim):
    response = requests.post(
        sim.url + "/api/v1/request",
        data="{mediaType: movie",
        headers={"X-Api-Key": sim.state.api_key, "Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["errors"]


def test_a_missing_or_wrong_key_is_403_as_overseerr_answers(sim):
    for headers in ({}, {"X-Api-Key": "wrong"}):
        response = requests.get(sim.url + "/api/v1/request", headers=headers, timeout=5)
        assert response.status_code == 403
        assert response.json() == {
            "status": 403,
            "error": "You do not have permission to access this endpoint",
        }
    assert requests.get(sim.url + "/api/v1/status", timeout=5).json()["version"]
