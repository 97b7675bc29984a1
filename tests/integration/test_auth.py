"""Signing in and out, the sign-in rate limit, and password changes."""

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def owner(auth):
    return auth.owner()


def test_sign_in_then_dashboard_then_sign_out(client, auth, owner):
    response = auth.login()
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Dashboard" in page and "owner" in page
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/").headers["Location"].startswith("/login")


def test_usernames_ignore_case(client, auth, owner):
    assert auth.login(username="OWNER").status_code == 302


@pytest.mark.parametrize("username, password", [("owner", "wrong password!"), ("ghost", PASSWORD)])
def test_wrong_credentials_get_one_plain_message(client, auth, owner, username, password):
    response = auth.login(username=username, password=password)
    assert response.status_code == 401
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_empty_form_is_explained(client, owner):
    response = client.post_form("/login", {"username": "", "password": ""})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter your username." in html and "Enter your password." in html


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/notifications/", "/notifications/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_leads_to_our_own_pages(client, owner, target, expected):
    response = client.post_form(
        "/login?next=" + target, {"username": "owner", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_disabled_account_cannot_sign_in(app, client, auth, owner):
    from app.extensions import db
    from app.models import User

    user_id = auth.create("bob")
    with app.app_context():
        db.session.get(User, user_id).disabled = True
        db.session.commit()
    assert auth.login("bob").status_code == 401


def test_a_disabled_account_loses_its_session(app, client, auth, owner):
    from app.extensions import db
    from app.models import User

    user_id = auth.create("bob")
    auth.login("bob")
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.get(User, user_id).disabled = True
        db.session.commit()
    assert client.get("/").headers["Location"].startswith("/login")


def test_sign_out_needs_post(client, auth, owner):
    auth.login()
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_failed_sign_ins_are_rate_limited_with_a_time_to_wait(client, auth, owner):
    for _ in range(5):
        assert auth.login(password="not the password").status_code == 401
    response = auth.login()  # even the right password waits now
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "Too many attempts" in text and "Try again in 15 minutes" in text


def client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_guesses_from_one_address_do_not_lock_the_owner_out_elsewhere(app, auth, owner):
    attacker = client_from(app, "10.0.0.66")
    for _ in range(5):
        assert auth.login(password="nope nope nope", client=attacker).status_code == 401
    assert auth.login(client=attacker).status_code == 429
    assert auth.login(client=client_from(app, "10.0.0.99")).status_code == 302


def test_the_address_limit_covers_many_names(app, client, auth, owner):
    for n in range(20):
        assert auth.login(username=f"guess{n}", password="x" * 12).status_code == 401
    assert auth.login().status_code == 429
    assert auth.login(client=client_from(app, "10.0.0.7")).status_code == 302


def test_successful_sign_ins_do_not_count(client, auth, owner):
    for _ in range(7):
        assert auth.login().status_code == 302
        auth.logout()


def test_password_change_ends_every_other_session(app, client, auth, owner):
    other = app.test_client()
    auth.login()
    auth.login(client=other)
    assert other.get("/").status_code == 200
    new = "a brand new passphrase"
    response = client.post_form(
        "/account/password",
        {"current": PASSWORD, "password": new, "confirm": new},
        page="/account/password",
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200, "the session that changed it stays signed in"
    assert other.get("/").headers["Location"].startswith("/login")
    assert auth.login(password=PASSWORD, client=app.test_client()).status_code == 401
    assert auth.login(password=new, client=app.test_client()).status_code == 302


@pytest.mark.parametrize(
    "form, message",
    [
        ({"current": "wrong one!", "password": "x" * 12, "confirm": "x" * 12}, "not your current"),
        ({"current": PASSWORD, "password": "short", "confirm": "short"}, "at least 10"),
        ({"current": PASSWORD, "password": "x" * 12, "confirm": "y" * 12}, "passwords differ"),
    ],
)
def test_password_change_explains_bad_input(client, auth, owner, form, message):
    auth.login()
    response = client.post_form("/account/password", form, page="/account/password")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert auth.login(client=client).status_code == 302  # old password still works
