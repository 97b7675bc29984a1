"""The plex.tv simulator's account, server and shared-user answers, and its faults."""

import json
import time
import xml.etree.ElementTree as ET

import pytest
import requests

from tests.unit import plextv_helpers
from tests.unit.plextv_helpers import JSON, XML

plex = plextv_helpers.plex


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
