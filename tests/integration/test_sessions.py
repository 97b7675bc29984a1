"""Sessions end on the server: sign-out, the account page's sign-outs, idle limits."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import User, UserSession
from app.models.base import utcnow
from tests.conftest import PASSWORD


def saved_cookie(client) -> str:
    return client.get_cookie("medianest_session").value


def replay(app, cookie: str):
    """Another client that holds nothing but a copy of the session cookie."""
    thief = app.test_client()
    thief.set_cookie("medianest_session", cookie)
    return thief


@pytest.mark.parametrize("remember", [False, True])
def test_a_cookie_saved_before_sign_out_does_not_work_after_it(app, client, auth, remember):
    auth.owner()
    client.post_form(
        "/login", {"username": "owner", "password": PASSWORD, "remember": "y" if remember else ""}
    )
    cookie = saved_cookie(client)
    assert replay(app, cookie).get("/admin/users").status_code == 200
    auth.logout()
    replayed = replay(app, cookie).get("/admin/users")
    assert replayed.status_code == 302 and replayed.headers["Location"].startswith("/login")


def test_the_account_page_lists_where_the_person_is_signed_in(app, client, auth):
    auth.owner()
    auth.create("ada")
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile"
        " Safari/537.36"
    )
    auth.login("ada", client=phone)
    client.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
    )
    auth.login("ada")
    auth.login("owner", client=app.test_client())
    page = client.get("/account").text
    assert "Firefox on Windows" in page and "Chrome on Android" in page
    assert page.count("This device") == 1 and page.count('class="session-row"') == 2
    assert "Sign out all other devices" in page and "Sign out everywhere" in page


def session_ids(app, username: str) -> list[int]:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == username)).one()
        return [s.id for s in user.sessions]


def test_signing_out_another_device_ends_it_there(app, client, auth):
    auth.owner()
    auth.create("ada")
    laptop = app.test_client()
    auth.login("ada", client=laptop)
    auth.login("ada")
    laptop_session = min(session_ids(app, "ada"))
    response = client.post_form(f"/account/sessions/{laptop_session}/end", page="/account")
    assert response.status_code == 302
    assert "That device is signed out" in client.get("/account").text
    assert laptop.get("/").headers["Location"].startswith("/login")
    assert client.get("/").status_code == 200


def test_nobody_can_end_someone_elses_session(app, client, auth):
    auth.owner()
    auth.create("ada")
    owners = app.test_client()
    auth.login("owner", client=owners)
    auth.login("ada")
    (owner_session,) = session_ids(app, "owner")
    assert client.post_form(f"/account/sessions/{owner_session}/end").status_code == 404
    assert owners.get("/admin/users").status_code == 200


def test_sign_out_everywhere_ends_every_session_including_this_one(app, client, auth):
    auth.owner()
    others = [app.test_client() for _ in range(2)]
    for other in others:
        auth.login(client=other)
    auth.login()
    client.post_form("/account/sessions/end-all", page="/account")
    for each in [client, *others]:
        assert each.get("/").headers["Location"].startswith("/login")
    assert session_ids(app, "owner") == []


def test_sign_out_other_devices_keeps_this_one(app, client, auth):
    auth.owner()
    other = app.test_client()
    auth.login(client=other)
    auth.login()
    response = client.post_form("/account/sessions/end-others", page="/account")
    assert "Signed out 1 other device." in client.get(response.headers["Location"]).text
    assert other.get("/").headers["Location"].startswith("/login")
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("persistent", "idle", "signed_in"),
    [
        (False, timedelta(hours=23), True),
        (False, timedelta(hours=25), False),
        (True, timedelta(days=29), True),
        (True, timedelta(days=31), False),
    ],
)
def test_an_idle_session_ends_after_its_limit(app, client, auth, persistent, idle, signed_in):
    auth.owner()
    auth.login()
    with app.app_context():
        db.session.execute(
            update(UserSession).values(persistent=persistent, last_seen_at=utcnow() - idle)
        )
        db.session.commit()
    assert (client.get("/").status_code == 200) is signed_in


def test_a_form_token_from_before_sign_in_is_refused_after_it(client, auth):
    auth.owner()
    before = client.token("/login")
    auth.login()
    response = client.post("/account/sessions/end-all", data={"csrf_token": before})
    assert response.status_code == 400
    assert client.get("/").status_code == 200


def test_a_form_token_from_before_sign_out_is_refused_after_it(client, auth):
    auth.owner()
    auth.login()
    signed_in = client.token("/")
    auth.logout()
    response = client.post(
        "/login", data={"csrf_token": signed_in, "username": "owner", "password": PASSWORD}
    )
    assert response.status_code == 400


def test_the_owner_signed_in_by_setup_is_not_shown_as_never_signed_in(client):
    client.post_form(
        "/setup", {"username": "Ada", "password": PASSWORD, "confirm": PASSWORD}, page="/setup"
    )
    row = client.get("/admin/users").text.split('id="person-1"')[1].split("</tr>")[0]
    assert "Ada" in row and "never" not in row
