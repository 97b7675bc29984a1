"""Sign-ups: who may change the rules, what is stored, and bad input explained."""

import html

import pytest
from sqlalchemy import select

from app.admin import signup_services
from app.extensions import db
from app.models import AuditEvent

GOOD = {"approval_required": "1", "default_role": "admin"}


@pytest.fixture
def people(auth):
    auth.owner()
    auth.create("ada", role="admin")
    auth.create("bob")
    return auth


def current(app) -> dict:
    with app.app_context():
        return signup_services.current()


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("bob", 403), ("ada", 200)])
def test_who_may_see_the_page(client, people, who, status):
    if who != "anonymous":
        people.login(who)
    response = client.get("/admin/signup")
    assert response.status_code == status
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("bob", 403), ("ada", 302)])
def test_who_may_save(app, client, people, who, status):
    if who != "anonymous":
        people.login(who)
    response = client.post_form("/admin/signup", GOOD)
    assert response.status_code == status
    saved = current(app)["signup.default_role"] == "admin"
    assert saved == (who == "ada")
    if status == 302:
        assert response.headers["Location"].startswith("/login" if who == "anonymous" else "/admin")


def test_the_page_shows_the_current_rules(client, people):
    people.login("ada")
    page = client.get("/admin/signup").text
    assert 'name="approval_required" value="1" aria-describedby' in page  # off by default
    assert '<option value="user" selected>Users</option>' in page
    assert 'aria-current="page">Sign-ups<' in page
    assert "quota" not in page.lower() and 'name="requests"' not in page  # no such feature yet


def test_saving_stores_audits_and_shows_the_new_values(app, client, people):
    people.login("ada")
    response = client.post_form("/admin/signup", GOOD, follow_redirects=True)
    assert "Saved." in response.text
    assert 'value="1" checked' in response.text
    assert current(app) == {"signup.approval_required": True, "signup.default_role": "admin"}
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "settings.changed")
        ).one()
        assert event.actor_name == "ada"
        assert event.details["signup.default_role"] == {"old": "user", "new": "admin"}
        assert event.details["signup.approval_required"] == {"old": False, "new": True}


def test_an_unchanged_form_says_nothing_changed(app, client, people):
    people.login("ada")
    form = {"default_role": "user"}
    response = client.post_form("/admin/signup", form, follow_redirects=True)
    assert "Nothing changed." in response.text
    with app.app_context():
        assert db.session.scalars(select(AuditEvent.action)).all().count("settings.changed") == 0


def test_switching_approval_off_again(app, client, people):
    people.login("ada")
    client.post_form("/admin/signup", GOOD)
    client.post_form("/admin/signup", {**GOOD, "approval_required": ""})
    assert current(app)["signup.approval_required"] is False


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("default_role", "owner", "Choose User or Admin."),
        ("default_role", "", "Choose User or Admin."),
    ],
)
def test_bad_values_are_explained_and_nothing_is_saved(app, client, people, field, value, message):
    people.login("ada")
    response = client.post_form("/admin/signup", {**GOOD, field: value})
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert message in page
    assert f'aria-describedby="{field}-error"' in page
    assert current(app)["signup.approval_required"] is False  # the good field was not stored
