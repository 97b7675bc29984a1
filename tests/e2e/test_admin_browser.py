"""An admin acts on someone who is signed in right now, in another browser."""

import pytest

from tests.conftest import wait_for


@pytest.mark.browser
def test_a_disabled_person_is_signed_out_at_their_next_click(open_page, sign_in, auth, live_server):
    auth.owner()
    friend_id = auth.create("friend")
    friend = open_page()
    socket_closed = []
    friend.on("websocket", lambda ws: ws.on("close", lambda _ws: socket_closed.append(True)))
    sign_in(friend, "friend")

    admin = open_page()
    sign_in(admin, "owner")
    admin.goto(f"/admin/users/{friend_id}")
    admin.get_by_role("button", name="Disable").click()
    admin.get_by_role("button", name="Enable").wait_for()

    # The server ends their live connection; Playwright reports it only while it is called.
    wait_for(lambda: friend.wait_for_timeout(50) or socket_closed, timeout=15)
    friend.get_by_role("link", name="Dashboard").click()
    friend.wait_for_url(live_server.url + "/login**")
    assert friend.get_by_role("heading", name="Sign in").is_visible()
    assert "Please sign in to continue." in friend.locator("main").inner_text()
