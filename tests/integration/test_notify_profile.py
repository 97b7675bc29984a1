"""Profile → Notifications: the person's own address, confirmed by a link they open."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.plex import _refresh
from app.extensions import db
from app.integrations.plextv import PlexAccount
from app.models import NotifyEvent, NotifyProfile, User
from app.models.base import utcnow
from app.notify.profile_email import token_hash

PAGE = "/account/notifications"
POSTS = [
    f"{PAGE}/email",
    f"{PAGE}/email/resend",
    f"{PAGE}/email/remove",
    f"{PAGE}/targets",
    f"{PAGE}/targets/1/delete",
    f"{PAGE}/choices",
    f"{PAGE}/schedule",
]


@pytest.fixture
def ada(auth):
    auth.owner()
    uid = auth.create("ada")
    auth.login("ada")
    return uid


def events(app, type_key="account.notice"):
    with app.app_context():
        return list(db.session.scalars(select(NotifyEvent).where(NotifyEvent.type == type_key)))


def profile_of(app, uid):
    with app.app_context():
        found = db.session.get(NotifyProfile, uid)
        db.session.expunge_all()
        return found


def email_of(app, uid):
    with app.app_context():
        return db.session.get(User, uid).email


def ask(client, address, **kwargs):
    return client.post_form(f"{PAGE}/email", {"address": address}, page=PAGE, **kwargs)


def sent_link(app) -> str:
    (event,) = events(app)[-1:]
    return re.search(r"/account/notifications/verify/[\w-]+", event.data["link"]).group(0)


def test_anonymous_is_sent_to_sign_in(client, auth):
    auth.owner()
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get(f"{PAGE}/verify/abc")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", POSTS)
def test_anonymous_cannot_post(client, auth, url):
    auth.owner()
    client.get("/login")
    response = client.post_form(url, {"address": "a@example.com"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_page_is_linked_from_the_account_page_and_menu(client, ada):
    html = client.get("/account").get_data(as_text=True)
    assert html.count(f'href="{PAGE}"') == 2
    page = client.get(PAGE).get_data(as_text=True)
    assert "No address yet" in page and "What you hear about" in page


def test_forms_without_csrf_are_refused(client, ada):
    response = client.post(f"{PAGE}/email", data={"address": "ada@example.com"})
    assert response.status_code == 400
    assert profile_of(client.application, ada) is None


def test_address_is_confirmed_by_the_link(client, app, ada):
    response = ask(client, "Ada@Example.COM")
    assert response.status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "Waiting for you to open the link we sent to" in page
    assert "Ada@example.com" in page
    (event,) = events(app)
    assert event.user_ids == [ada]
    assert event.data["to"] == "Ada@example.com" and event.data["verify"] is True
    assert event.data["link"].startswith("http://localhost/account/notifications/verify/")
    assert event.data["link"] in event.data["text"]
    assert "/verify/" not in event.body, "the bell must not carry the confirming link"
    stored = profile_of(app, ada)
    token = event.data["link"].rsplit("/", 1)[1]
    assert stored.email_token_hash == token_hash(token) and token not in stored.email_token_hash
    assert email_of(app, ada) is None

    response = client.get(sent_link(app))
    assert response.status_code == 200
    assert "Ada@example.com is confirmed" in response.get_data(as_text=True)
    assert email_of(app, ada) == "Ada@example.com"
    stored = profile_of(app, ada)
    assert stored.email_verified_at is not None and stored.email_pending is None
    page = client.get(PAGE).get_data(as_text=True)
    assert "Confirmed" in page and "Waiting for you" not in page


def test_a_used_or_unknown_link_is_refused(client, app, ada):
    ask(client, "ada@example.com")
    link = sent_link(app)
    assert client.get(link).status_code == 200
    again = client.get(link)
    assert again.status_code == 404 and "not one we sent" in again.get_data(as_text=True)
    assert client.get(f"{PAGE}/verify/{'x' * 5000}").status_code == 404
    assert client.get(f"{PAGE}/verify/%00%0a").status_code == 404


def test_an_expired_link_is_refused(client, app, ada):
    ask(client, "ada@example.com")
    with app.app_context():
        db.session.get(NotifyProfile, ada).email_token_at = utcnow() - timedelta(hours=49)
        db.session.commit()
    response = client.get(sent_link(app))
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert email_of(app, ada) is None


def test_another_person_cannot_use_the_link(client, app, auth, ada):
    ask(client, "ada@example.com")
    link = sent_link(app)
    auth.logout()
    auth.create("bob")
    auth.login("bob")
    response = client.get(link)
    assert response.status_code == 403 and "another account" in response.get_data(as_text=True)
    assert email_of(app, ada) is None
    auth.logout()
    auth.login("ada")
    assert client.get(link).status_code == 200


def test_resend_replaces_the_link_and_waits_a_minute(client, app, ada):
    ask(client, "ada@example.com")
    first = sent_link(app)
    response = client.post_form(f"{PAGE}/email/resend", page=PAGE)
    assert response.status_code == 400 and "less than a minute" in response.get_data(as_text=True)
    assert len(events(app)) == 1
    with app.app_context():
        db.session.get(NotifyProfile, ada).email_token_at = utcnow() - timedelta(minutes=2)
        db.session.commit()
    response = client.post_form(f"{PAGE}/email/resend", page=PAGE)
    assert response.status_code == 302
    assert len(events(app)) == 2 and sent_link(app) != first
    assert client.get(first).status_code == 404


def test_removing_the_address(client, app, ada):
    ask(client, "ada@example.com")
    client.get(sent_link(app))
    response = client.post_form(f"{PAGE}/email/remove", page=PAGE)
    assert response.status_code == 302
    assert email_of(app, ada) is None
    page = client.get(PAGE).get_data(as_text=True)
    assert "No address yet" in page


@pytest.mark.parametrize(
    "address, words",
    [
        ("", "Enter an email address"),
        ("ada", "one @"),
        ("ada@@example.com", "one @"),
        ("a@b@example.com", "one @"),
        ("ada@example", "domain"),
        ("ada @example.com", "no spaces"),
        ("ada@example.com\r\nBcc: eve@example.com", "no spaces"),
        ("ada@example.com,eve@example.com", "no spaces"),
        ("Ada <ada@example.com>", "no spaces"),
        ("a" * 250 + "@example.com", "at most 254"),
        ("a" * 200_000, "at most 254"),
    ],
)
def test_bad_addresses_are_shown_again_with_the_reason(client, app, ada, address, words):
    response = ask(client, address)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and words in html
    assert 'aria-invalid="true"' in html
    assert events(app) == [] and email_of(app, ada) is None
    assert (profile_of(app, ada) or NotifyProfile()).email_pending is None


def test_htmx_answers_with_the_settings_alone(client, app, ada):
    client.get(PAGE)
    response = client.htmx_post(f"{PAGE}/email", page=PAGE, data={"address": "nope"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "<html" not in html
    assert html.lstrip().startswith('<div id="notify-settings"') and "one @" in html
    response = client.htmx_post(f"{PAGE}/email", page=PAGE, data={"address": "ada@example.com"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "We sent a link to ada@example.com" in html
    assert "Waiting for you to open the link" in html


def test_a_file_in_the_address_field_is_refused(client, app, ada):
    from io import BytesIO

    client.get(PAGE)
    data = {"csrf_token": client.token(PAGE), "address": (BytesIO(b"x@y.z"), "a.txt")}
    response = client.post(f"{PAGE}/email", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "file" in response.get_data(as_text=True)
    assert events(app) == []


def test_an_address_confirmed_here_outlives_the_next_plex_sign_in(app, auth):
    alice = auth.create("alice")
    plex = PlexAccount(id=7, uuid="u7", username="alice", email="alice@plex.example")
    with app.app_context():
        user = db.session.get(User, alice)
        _refresh(user, plex)
        assert user.email == "alice@plex.example"  # nothing confirmed here: Plex's address
        user.email = "me@home.example"
        db.session.add(NotifyProfile(user_id=alice, email_verified_at=utcnow()))
        db.session.commit()
        _refresh(user, plex)
        assert user.email == "me@home.example"
