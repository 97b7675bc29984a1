"""The plex.tv simulator's PIN sign-in and its app.plex.tv page answer like the real ones."""

import time
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
import requests

from tests.unit import plextv_helpers
from tests.unit.plextv_helpers import CLIENT, JSON, XML

plex = plextv_helpers.plex


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
