"""The plex.tv and Plex Media Server simulators answer like the real services."""

import json
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import quote

import pytest
import requests
from requests.adapters import HTTPAdapter

from simulators import SimulatorServer, start_all
from simulators.plex_server import PlexServerState
from simulators.plex_server import create_app as create_pms_app
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


# -- PIN sign-in --------------------------------------------------------------------------------


def test_a_strong_pin_is_created_with_plex_tv_fields(plex):
    response = plex.new_pin()
    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("application/json")
    pin = response.json()
    assert list(pin) == [
        "id",
        "code",
        "product",
        "trusted",
        "qr",
        "clientIdentifier",
        "location",
        "expiresIn",
        "createdAt",
        "expiresAt",
        "authToken",
        "newRegistration",
    ]
    assert isinstance(pin["id"], int) and len(pin["code"]) == 25
    assert pin["clientIdentifier"] == CLIENT and pin["authToken"] is None
    assert 890 <= pin["expiresIn"] <= 900 and pin["expiresAt"].endswith("Z")
    assert plex.state.pins[pin["id"]].code == pin["code"]


def test_a_pin_without_strong_has_a_four_character_code(plex):
    assert len(plex.new_pin(strong=False).json()["code"]) == 4


def test_a_pin_needs_a_client_identifier(plex):
    response = plex.new_pin(headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"code": 1000, "message": "X-Plex-Client-Identifier is missing", "status": 400}]
    }


def test_a_pin_carries_the_token_once_a_person_approves_it(plex):
    pin = plex.new_pin().json()
    assert plex.get(f"/api/v2/pins/{pin['id']}").json()["authToken"] is None
    plex.state.approve_pin(pin["id"], plex.friend)
    polled = plex.get(f"/api/v2/pins/{pin['id']}")
    assert polled.status_code == 200 and polled.json()["authToken"] == plex.friend.token


def test_a_pin_answers_xml_without_accept_json(plex):
    created = ET.fromstring(plex.new_pin(headers=XML).text)
    assert created.tag == "pin" and created.get("authToken") == ""
    assert created.find("location").get("code")


@pytest.mark.parametrize("case", ["unknown", "foreign client", "expired"])
def test_a_pin_others_cannot_read_is_not_found(plex, case):
    pin = plex.new_pin().json()
    path, headers = f"/api/v2/pins/{pin['id']}", JSON
    if case == "unknown":
        path = "/api/v2/pins/1"
    elif case == "foreign client":
        headers = {**JSON, "X-Plex-Client-Identifier": "someone-else"}
    else:
        plex.state.expire_pin(pin["id"])
    response = plex.get(path, headers=headers)
    assert response.status_code == 404
    assert response.json() == {"errors": [{"code": 1020, "message": "Code not found or expired"}]}


def test_a_pin_expires_after_its_lifetime(plex):
    plex.state.pin_lifetime_seconds = 1
    pin = plex.new_pin().json()
    assert pin["expiresIn"] <= 1
    time.sleep(1.1)
    assert plex.get(f"/api/v2/pins/{pin['id']}").status_code == 404
    with pytest.raises(KeyError):
        plex.state.approve_pin(pin["id"], plex.friend)


def test_a_managed_user_cannot_approve_a_pin(plex):
    pin = plex.new_pin().json()
    with pytest.raises(PermissionError):
        plex.state.approve_pin(pin["id"], plex.kid)
    answer = requests.post(
        plex.url + "/sim/approve", json={"code": pin["code"], "account": "kid"}, timeout=10
    )
    assert answer.status_code == 403
    assert plex.get(f"/api/v2/pins/{pin['id']}").json()["authToken"] is None


def test_the_sign_in_page_endpoint_approves_by_code_for_the_right_client(plex):
    pin = plex.new_pin().json()
    wrong = {"code": pin["code"], "account": "friend", "clientID": "someone-else"}
    assert requests.post(plex.url + "/sim/approve", json=wrong, timeout=10).status_code == 404
    right = {**wrong, "clientID": CLIENT, "account": str(plex.friend.id)}
    assert requests.post(plex.url + "/sim/approve", json=right, timeout=10).status_code == 200
    assert plex.state.pins[pin["id"]].auth_token == plex.friend.token


# -- the account --------------------------------------------------------------------------------


def test_the_user_answers_json_for_a_good_token(plex):
    response = plex.get("/api/v2/user", token=plex.owner.token)
    assert response.status_code == 200
    user = response.json()
    assert user["id"] == plex.owner.id and user["uuid"] == plex.owner.uuid
    assert user["username"] == "owner" and user["email"] == "owner@example.com"
    assert user["authToken"] == plex.owner.token
    assert user["homeAdmin"] is True and user["restricted"] is False
    assert user["subscription"]["active"] is False and isinstance(user["profile"], dict)


def test_the_user_answers_xml_like_plex_tv(plex):
    response = plex.get("/api/v2/user", token=plex.friend.token, headers=XML)
    assert response.headers["Content-Type"].startswith("application/xml")
    user = ET.fromstring(response.text)
    assert user.tag == "user"
    assert user.get("id") == str(plex.friend.id) and user.get("username") == "friend"
    assert user.get("home") == "0" and user.get("restricted") == "0"
    assert user.find("subscription").get("active") == "0"


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_the_user_needs_a_valid_token(plex, token):
    response = plex.get("/api/v2/user", token=token)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == 1001


# -- servers ------------------------------------------------------------------------------------


def resources(plex, account, query="?includeHttps=1&includeRelay=1", headers=JSON):
    return plex.get("/api/v2/resources" + query, token=account.token, headers=headers)


def test_the_owner_sees_its_server_with_the_server_token(plex):
    [device] = resources(plex, plex.owner).json()
    assert device["clientIdentifier"] == plex.server.machine_identifier
    assert len(device["clientIdentifier"]) == 40
    assert device["provides"] == "server" and device["product"] == "Plex Media Server"
    assert device["owned"] is True and device["ownerId"] is None and device["sourceTitle"] is None
    assert device["accessToken"] == plex.server.access_token
    assert [c["uri"] for c in device["connections"]] == [
        "http://127.0.0.1:32400",
        "https://10-0-0-5.abc.plex.direct:32400",
        "https://1-2-3-4.abc.plex.direct:8443",
    ]
    first = device["connections"][0]
    assert first == {
        "protocol": "http",
        "address": "127.0.0.1",
        "port": 32400,
        "uri": "http://127.0.0.1:32400",
        "local": True,
        "relay": False,
        "IPv6": False,
    }


def test_a_friend_sees_the_shared_server_with_its_own_token(plex):
    [device] = resources(plex, plex.friend).json()
    assert device["owned"] is False and device["home"] is False
    assert device["ownerId"] == plex.owner.id and device["sourceTitle"] == "owner"
    share = plex.state.shares[(plex.server.machine_identifier, plex.friend.id)]
    assert device["accessToken"] == share.access_token != plex.server.access_token


def test_relay_and_https_connections_are_listed_only_when_asked_for(plex):
    [device] = resources(plex, plex.owner, query="").json()
    assert [c["uri"] for c in device["connections"]] == ["http://127.0.0.1:32400"]


def test_a_stranger_an_invitee_and_an_unshared_friend_see_no_server(plex):
    assert resources(plex, plex.stranger).json() == []
    plex.state.share(plex.server, plex.stranger, pending=True)
    assert resources(plex, plex.stranger).json() == []
    plex.state.unshare(plex.server, plex.friend)
    assert resources(plex, plex.friend).json() == []


def test_resources_answer_xml_as_plex_tv_v2_does(plex):
    response = resources(plex, plex.friend, headers=XML)
    root = ET.fromstring(response.text)
    assert root.tag == "resources" and root.get("size") == "1"
    device = root.find("resource")
    assert device.get("owned") == "0" and device.get("sourceTitle") == "owner"
    assert device.get("clientIdentifier") == plex.server.machine_identifier
    assert len(device.findall("connections/connection")) == 3


def test_resources_need_a_client_identifier_and_a_token(plex):
    query = "/api/v2/resources"
    assert plex.get(query, token=plex.owner.token, headers={}).status_code == 400
    assert plex.get(query).status_code == 401


# -- shared users -------------------------------------------------------------------------------


def test_the_owner_lists_the_users_its_servers_are_shared_with(plex):
    plex.state.share(plex.server, plex.stranger, pending=True)
    response = plex.get("/api/users", token=plex.owner.token)
    assert response.headers["Content-Type"].startswith("application/xml")  # even when JSON asked
    root = ET.fromstring(response.text)
    assert root.tag == "MediaContainer" and root.get("friendlyName") == "myPlex"
    assert root.get("identifier") == "com.plexapp.plugins.myplex"
    assert root.get("size") == root.get("totalSize") == "3"
    users = {user.get("title"): user for user in root.findall("User")}
    assert set(users) == {"friend", "stranger", "kid"}

    friend = users["friend"]
    assert friend.get("id") == str(plex.friend.id) and friend.get("username") == "friend"
    assert friend.get("email") == "friend@example.com"
    assert friend.get("home") == "0" and friend.get("restricted") == "0"
    [server] = friend.findall("Server")
    assert server.get("machineIdentifier") == plex.server.machine_identifier
    assert server.get("name") == "Living Room" and server.get("pending") == "0"
    assert server.get("owned") == "1" and server.get("allLibraries") == "1"

    kid = users["kid"]
    assert kid.get("home") == "1" and kid.get("restricted") == "1" and kid.get("username") == ""
    assert users["stranger"].find("Server").get("pending") == "1"


def test_a_friend_without_servers_of_its_own_lists_nobody(plex):
    root = ET.fromstring(plex.get("/api/users", token=plex.friend.token).text)
    assert root.get("size") == "0" and root.findall("User") == []


def test_shared_users_need_the_owner_token(plex):
    assert plex.get("/api/users", token="nope").status_code == 401


# -- faults -------------------------------------------------------------------------------------


def test_down_answers_503_to_the_api_but_the_sign_in_page_still_loads(plex):
    plex.state.down = True
    assert plex.get("/api/v2/user", token=plex.owner.token).status_code == 503
    assert plex.new_pin().status_code == 503
    assert requests.get(plex.url + "/auth", timeout=10).status_code == 200


def test_slow_delays_the_answer(plex):
    plex.state.slow_seconds = 0.5
    started = time.monotonic()
    assert plex.get("/api/v2/user", token=plex.owner.token).status_code == 200
    assert time.monotonic() - started >= 0.5


def test_garbage_answers_200_with_a_body_that_does_not_parse(plex):
    plex.state.garbage = True
    response = plex.get("/api/v2/user", token=plex.owner.token)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    xml = plex.get("/api/users", token=plex.owner.token, headers=XML)
    with pytest.raises(ET.ParseError):
        ET.fromstring(xml.text)


def test_a_forced_429_says_when_to_retry(plex):
    plex.state.status_override = 429
    response = plex.get("/api/v2/resources", token=plex.owner.token)
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert response.json()["errors"][0]["status"] == 429
    plex.state.status_override = None
    assert plex.get("/api/v2/resources", token=plex.owner.token).status_code == 200


# -- the app.plex.tv sign-in page ---------------------------------------------------------------


def test_the_sign_in_page_offers_each_account_that_can_sign_in(plex):
    response = requests.get(plex.url + "/auth", timeout=10)
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert "Sign in to Plex" in page
    assert 'data-account="owner"' in page and "Continue as owner" in page
    assert 'data-account="friend"' in page and "Continue as friend" in page
    assert 'id="cancel"' in page and ">Cancel<" in page
    assert 'data-account="kid"' not in page
    assert "location.hash" in page


def auth_url(plex, pin, forward):
    fragment = (
        f"clientID={CLIENT}&code={pin['code']}&forwardUrl={quote(forward, safe='')}"
        "&context%5Bdevice%5D%5Bproduct%5D=MediaNest"
    )
    return f"{plex.url}/auth#?{fragment}"


@pytest.mark.browser
def test_a_person_signs_in_on_the_page_and_returns_to_the_app(plex, browser):
    pin = plex.new_pin().json()
    forward = plex.url + "/sim/back-in-the-app"
    tab = browser.new_page()
    try:
        tab.goto(auth_url(plex, pin, forward))
        assert "MediaNest" in tab.inner_text("#product")
        tab.click('button[data-account="friend"]')
        tab.wait_for_url(forward)
    finally:
        tab.close()
    assert plex.get(f"/api/v2/pins/{pin['id']}").json()["authToken"] == plex.friend.token


@pytest.mark.browser
def test_cancel_returns_to_the_app_without_approving(plex, browser):
    pin = plex.new_pin().json()
    forward = plex.url + "/sim/back-in-the-app"
    tab = browser.new_page()
    try:
        tab.goto(auth_url(plex, pin, forward))
        tab.click("#cancel")
        tab.wait_for_url(forward)
    finally:
        tab.close()
    assert plex.get(f"/api/v2/pins/{pin['id']}").json()["authToken"] is None


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
