"""The WebSocket: signed-in only, own events only, closed when the session ends."""

import re

import pytest
import requests
from simple_websocket import Client as SocketClient
from simple_websocket import ConnectionClosed

from app.extensions import db
from app.models import User
from app.notifications import services
from app.realtime.events import publish
from tests.conftest import PASSWORD, wait_for


def sign_in(server, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(server.url + "/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = session.post(
        server.url + "/login",
        data={"csrf_token": token, "username": username, "password": PASSWORD},
        allow_redirects=False,
    )
    assert response.status_code == 302
    return session


def open_socket(server, session: requests.Session | None = None, origin=None) -> SocketClient:
    """A socket as the app's own page opens it (its Origin), with the session's cookie."""
    cookie = "; ".join(f"{k}={v}" for k, v in (session.cookies.items() if session else []))
    headers = {"Cookie": cookie} if cookie else {}
    # This client's Host header names no port, so the page's own origin has none either.
    headers["Origin"] = origin or "http://127.0.0.1"
    return SocketClient.connect(f"ws://127.0.0.1:{server.port}/ws", headers=headers)


def live_socket(server, session: requests.Session, origin=None) -> SocketClient:
    """A signed-in page's socket, once the server says it hears every event (its first message)."""
    socket = open_socket(server, session, origin)
    hello = socket.receive(timeout=10)
    assert hello == '<span id="live-state" hidden></span>', hello
    return socket


def listening(app) -> bool:
    hub = app.extensions.get("medianest.hub")
    return bool(hub and hub.listening.is_set())


@pytest.fixture
def people(auth):
    return {"owner": auth.owner(), "friend": auth.create("friend"), "other": auth.create("other")}


def test_anonymous_sockets_are_refused(app, live_server, people):
    socket = open_socket(live_server)
    with pytest.raises(ConnectionClosed) as closed:
        socket.receive(timeout=5)
    # 1005 when this client reads the close frame together with the handshake's answer.
    assert closed.value.reason in (1008, 1005)
    hub = app.extensions.get("medianest.hub")
    assert hub is None or hub.socket_count() == 0, "it never joined the live updates"


def test_a_person_gets_their_own_events_and_nobody_elses(app, live_server, people):
    friend = live_socket(live_server, sign_in(live_server, "friend"))
    other = live_socket(live_server, sign_in(live_server, "other"))
    wait_for(lambda: listening(app) and app.extensions["medianest.hub"].socket_count() == 2)
    with app.app_context():
        services.notify([people["other"]], "Only for other")
        services.notify([people["friend"]], "Your film is ready", "Dune is on Plex")
    message = friend.receive(timeout=5)
    assert "Your film is ready" in message and "Dune is on Plex" in message
    assert 'id="toasts" hx-swap-oob="beforeend"' in message
    assert 'id="bell"' in message and 'class="bell-count">1<' in message
    assert "Only for other" not in message
    assert friend.receive(timeout=0.5) is None, "nothing else arrives for friend"
    assert "Only for other" in other.receive(timeout=5)
    friend.close()
    other.close()


def test_admin_events_reach_admins_only(app, live_server, people):
    owner = live_socket(live_server, sign_in(live_server, "owner"))
    friend = live_socket(live_server, sign_in(live_server, "friend"))
    wait_for(lambda: listening(app) and app.extensions["medianest.hub"].socket_count() == 2)
    with app.app_context():
        publish({"type": "notification.count", "unread": 7}, admins=True)
    assert 'class="bell-count">7<' in owner.receive(timeout=5)
    assert friend.receive(timeout=0.5) is None
    owner.close()
    friend.close()


def test_health_changes_reach_everyone_signed_in_as_they_may_see_them(app, live_server, people):
    from tests.integration.dashboard_helpers import announce, put_state

    put_state(app, "plex", "plex", "Plex", public=True)
    put_state(app, "kuma:5", "monitor", "Backups", public=False)
    friend_page, owner_page = sign_in(live_server, "friend"), sign_in(live_server, "owner")
    for page in (friend_page, owner_page):
        assert 'id="service-plex"' in page.get(live_server.url + "/").text
    friend = live_socket(live_server, friend_page)
    owner = live_socket(live_server, owner_page)
    try:
        wait_for(lambda: listening(app) and app.extensions["medianest.hub"].socket_count() == 2)
        put_state(app, "plex", "plex", "Plex", "down", reason="timeout", public=True)
        announce(app, "plex")
        for socket in (friend, owner):
            card = socket.receive(timeout=5)
            # Other renderers of the event (the Status page's) may come first in the message.
            head = re.search(r'<[^>]*id="service-plex"[^>]*>', card).group(0)
            assert 'id="service-plex"' in head and 'hx-swap-oob="true"' in head, head
            assert "Timed out after 5 s" in card and 'id="service-cards"' not in card

        # A monitor comes: the whole list, and only admins see a monitor that is not public.
        put_state(app, "kuma:6", "monitor", "Website", public=False)
        announce(app, "kuma:6")
        admin_list = owner.receive(timeout=5)
        assert '<section hx-swap-oob="true" id="service-cards"' in admin_list
        assert 'id="service-kuma-6"' in admin_list and 'id="service-kuma-5"' in admin_list
        assert "Check now" in admin_list
        assert friend.receive(timeout=1) is None, "nothing a friend sees changed"
    finally:
        friend.close()
        owner.close()


def test_a_password_change_closes_the_other_sessions_sockets(app, live_server, people):
    kept_session = sign_in(live_server, "friend")
    other_socket = live_socket(live_server, sign_in(live_server, "friend"))
    wait_for(lambda: listening(app) and app.extensions["medianest.hub"].socket_count() == 1)
    page = kept_session.get(live_server.url + "/account/password").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    new = "another long passphrase"
    kept_session.post(
        live_server.url + "/account/password",
        data={"csrf_token": token, "current": PASSWORD, "password": new, "confirm": new},
    )
    with pytest.raises(ConnectionClosed) as closed:
        other_socket.receive(timeout=5)
    assert closed.value.reason == 1008


def csrf_token(session, url: str) -> str:
    page = session.get(url).text
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def test_signing_out_closes_that_sessions_socket_only(app, live_server, people):
    leaving = sign_in(live_server, "friend")
    leaving_socket = live_socket(live_server, leaving)
    staying_socket = live_socket(live_server, sign_in(live_server, "friend"))
    wait_for(lambda: listening(app) and app.extensions["medianest.hub"].socket_count() == 2)
    token = csrf_token(leaving, live_server.url + "/")
    leaving.post(live_server.url + "/logout", data={"csrf_token": token})
    with pytest.raises(ConnectionClosed) as closed:
        leaving_socket.receive(timeout=5)
    assert closed.value.reason == 1008
    with app.app_context():
        services.notify([people["friend"]], "Still here")
    assert "Still here" in staying_socket.receive(timeout=5)
    staying_socket.close()


def test_a_demoted_admin_hears_no_more_admin_events(app, live_server, auth):
    from app.admin import people_services

    auth.owner()
    ada = auth.create("ada", role="admin")
    session = sign_in(live_server, "ada")
    socket = live_socket(live_server, session)
    wait_for(lambda: listening(app) and app.extensions["medianest.hub"].socket_count() == 1)
    with app.app_context():
        owner = db.session.get(User, 1)
        people_services.change_role(db.session.get(User, ada), "user", actor=owner)
    with pytest.raises(ConnectionClosed) as closed:
        socket.receive(timeout=5)
    assert closed.value.reason == 1012, "the page reconnects by itself, with its new access"
    socket = live_socket(live_server, session)
    wait_for(lambda: app.extensions["medianest.hub"].socket_count() == 1)
    with app.app_context():
        publish({"type": "notification.count", "unread": 7}, admins=True)
        services.notify([ada], "Only for ada")
    message = socket.receive(timeout=5)
    assert "Only for ada" in message and 'class="bell-count">7<' not in message
    assert socket.receive(timeout=0.5) is None
    socket.close()


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1.evil.example"])
def test_a_socket_from_another_sites_page_is_refused(app, live_server, people, origin):
    socket = open_socket(live_server, sign_in(live_server, "friend"), origin=origin)
    with pytest.raises(ConnectionClosed) as closed:
        socket.receive(timeout=5)
    # 1005 when this client reads the close frame together with the handshake's answer.
    assert closed.value.reason in (1008, 1005)
    hub = app.extensions.get("medianest.hub")
    assert hub is None or hub.socket_count() == 0, "it never joined the live updates"


def test_the_configured_public_address_may_open_the_socket(make_app, people):
    from tests.conftest import LiveServer

    app = make_app(PUBLIC_URL="https://media.example.com")
    server = LiveServer(app).start()
    try:
        socket = live_socket(server, sign_in(server, "friend"), origin="https://media.example.com")
        wait_for(lambda: listening(app) and app.extensions["medianest.hub"].socket_count() == 1)
        socket.close()
    finally:
        server.stop()
