"""The Plex Media Server simulator works with plex.tv, python-plexapi and demo mode."""

import xml.etree.ElementTree as ET

import pytest
import requests
from requests.adapters import HTTPAdapter

from simulators import SimulatorServer, start_all
from simulators.plex_server import PlexServerState
from simulators.plex_server import create_app as create_pms_app
from tests.unit import plextv_helpers
from tests.unit.plextv_helpers import CLIENT, JSON, XML

plex = plextv_helpers.plex


# -- Plex Media Server --------------------------------------------------------------------------


@pytest.fixture
def pms(plex):
    with SimulatorServer(create_pms_app(plex.server)) as running:
        plex.server.set_connections([running.url])
        yield running


def test_the_server_tells_anyone_its_identity(pms, plex):
    response = requests.get(pms.url + "/identity", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.text)
    assert root.tag == "MediaContainer"
    assert root.attrib == {
        "size": "0",
        "claimed": "1",
        "machineIdentifier": plex.server.machine_identifier,
        "version": plex.server.version,
    }
    as_json = requests.get(
        pms.url + "/identity", headers={"Accept": "application/json"}, timeout=10
    )
    assert as_json.json() == {
        "MediaContainer": {
            "size": 0,
            "claimed": True,
            "machineIdentifier": plex.server.machine_identifier,
            "version": plex.server.version,
        }
    }


def test_the_server_root_needs_a_token_plex_tv_gave_out(pms, plex):
    share = plex.state.shares[(plex.server.machine_identifier, plex.friend.id)]
    assert requests.get(pms.url + "/", timeout=10).status_code == 401
    assert (
        requests.get(pms.url + "/", headers={"X-Plex-Token": "nope"}, timeout=10).status_code == 401
    )
    for token in (plex.server.access_token, plex.owner.token, share.access_token):
        response = requests.get(pms.url + "/", headers={"X-Plex-Token": token}, timeout=10)
        assert response.status_code == 200, token
    root = ET.fromstring(response.text)
    assert root.get("friendlyName") == "Living Room"
    assert root.get("machineIdentifier") == plex.server.machine_identifier
    assert root.get("myPlex") == "1" and root.get("myPlexUsername") == "owner@example.com"
    assert root.get("size") == str(len(root.findall("Directory")))
    query = requests.get(pms.url + f"/?X-Plex-Token={share.access_token}", timeout=10)
    assert query.status_code == 200
    plex.state.unshare(plex.server, plex.friend)
    assert query.url and requests.get(query.url, timeout=10).status_code == 401


def test_the_server_root_answers_json_when_asked(pms, plex):
    headers = {"Accept": "application/json", "X-Plex-Token": plex.server.access_token}
    container = requests.get(pms.url + "/", headers=headers, timeout=10).json()["MediaContainer"]
    assert container["friendlyName"] == "Living Room" and container["myPlex"] is True
    assert {"count": 1, "key": "library", "title": "library"} in container["Directory"]


def test_the_server_has_its_own_fault_switches(pms, plex):
    plex.server.down = True
    assert requests.get(pms.url + "/identity", timeout=10).status_code == 503
    assert plex.get("/api/v2/user", token=plex.owner.token).status_code == 200
    plex.server.down = False
    plex.server.garbage = True
    with pytest.raises(ET.ParseError):
        ET.fromstring(requests.get(pms.url + "/identity", timeout=10).text)


def test_a_standalone_server_state_works_without_plex_tv():
    state = PlexServerState(name="Den", tokens={"secret"})
    with SimulatorServer(create_pms_app(state)) as running:
        assert requests.get(running.url + "/", timeout=10).status_code == 401
        root = requests.get(running.url + "/", headers={"X-Plex-Token": "secret"}, timeout=10)
        assert ET.fromstring(root.text).get("friendlyName") == "Den"
        state.status_override = 500
        assert requests.get(running.url + "/identity", timeout=10).status_code == 500


# -- python-plexapi reads the simulators --------------------------------------------------------


class Loopback(HTTPAdapter):
    """Send requests for one base URL to another (plexapi always calls https://plex.tv)."""

    def __init__(self, real: str, simulated: str):
        super().__init__()
        self.real, self.simulated = real, simulated

    def send(self, request, *args, **kwargs):
        request.url = self.simulated + request.url[len(self.real) :]
        return super().send(request, *args, **kwargs)


def test_plexapi_reads_the_account_its_servers_and_its_users(pms, plex):
    from plexapi.myplex import MyPlexAccount

    session = requests.Session()
    session.mount("https://plex.tv", Loopback("https://plex.tv", plex.url))
    account = MyPlexAccount(token=plex.owner.token, session=session)
    assert account.username == "owner" and account.id == plex.owner.id

    [resource] = account.resources()
    assert resource.clientIdentifier == plex.server.machine_identifier and resource.owned
    assert [c.uri for c in resource.connections] == [pms.url]
    server = resource.connect(timeout=10)
    assert server.friendlyName == "Living Room"
    assert server.machineIdentifier == plex.server.machine_identifier

    users = {user.title: user for user in account.users()}
    assert set(users) == {"friend", "kid"}
    assert [s.machineIdentifier for s in users["friend"].servers] == [
        plex.server.machine_identifier
    ]


def test_plexapi_connects_to_the_server_directly(pms, plex):
    from plexapi.server import PlexServer

    server = PlexServer(pms.url, plex.server.access_token, timeout=10)
    assert server.friendlyName == "Living Room" and server.version == plex.server.version
    assert server.myPlexUsername == "owner@example.com"


# -- demo mode ----------------------------------------------------------------------------------


def test_demo_mode_starts_plex_tv_and_a_server_that_know_each_other():
    servers, environ = start_all()
    try:
        assert environ["MEDIANEST_PLEX_TV_URL"] == environ["MEDIANEST_PLEX_APP_URL"]
        page = requests.get(environ["MEDIANEST_PLEX_APP_URL"] + "/auth", timeout=10).text
        for name in ("owner", "alice", "bob", "carol"):
            assert f'data-account="{name}"' in page
        assert 'data-account="kid"' not in page

        pin = requests.post(
            environ["MEDIANEST_PLEX_TV_URL"] + "/api/v2/pins?strong=true", headers=JSON, timeout=10
        ).json()
        approve = {"code": pin["code"], "account": "owner", "clientID": CLIENT}
        requests.post(environ["MEDIANEST_PLEX_TV_URL"] + "/sim/approve", json=approve, timeout=10)
        token = requests.get(
            environ["MEDIANEST_PLEX_TV_URL"] + f"/api/v2/pins/{pin['id']}", headers=JSON, timeout=10
        ).json()["authToken"]
        [device] = requests.get(
            environ["MEDIANEST_PLEX_TV_URL"] + "/api/v2/resources?includeHttps=1&includeRelay=1",
            headers={**JSON, "X-Plex-Token": token},
            timeout=10,
        ).json()
        uri = device["connections"][0]["uri"]
        identity = requests.get(
            uri + "/identity", headers={"Accept": "application/json"}, timeout=10
        )
        assert identity.json()["MediaContainer"]["machineIdentifier"] == device["clientIdentifier"]
        users = ET.fromstring(
            requests.get(
                environ["MEDIANEST_PLEX_TV_URL"] + "/api/users",
                headers={**XML, "X-Plex-Token": token},
                timeout=10,
            ).text
        )
        assert {u.get("title") for u in users.findall("User")} == {"alice", "bob", "kid"}
    finally:
        for server in servers:
            server.stop()
