"""A person's own request limits: only admins set them, in plain numbers, audited."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, RequestQuota
from tests.integration import request_helpers
from tests.integration.test_request_pages import text

folks = request_helpers.folks


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("alice", 403), ("owner", 200)])
def test_only_admins_see_and_set_limits(app, client, auth, folks, who, status):
    if who != "anonymous":
        auth.login(who)
    url = f"/admin/requests/people/{folks.bob}/limits"
    assert client.get(url).status_code == status
    page = "/login" if who == "anonymous" else "/"
    saved = client.post_form(url, {"movie_limit": "2"}, page=page)
    assert saved.status_code == (302 if who != "alice" else 403)
    with app.app_context():
        row = db.session.get(RequestQuota, folks.bob)
        assert (row is not None and row.movie_limit == 2) == (who == "owner")


def test_limits_are_saved_shown_and_audited(app, client, auth, folks):
    auth.login()
    url = f"/admin/requests/people/{folks.bob}/limits"
    response = client.post_form(
        url,
        {"movie_limit": "1", "movie_days": "30", "season_limit": "", "season_days": ""},
        page=url,
    )
    page = text(client.get(response.headers["Location"]))
    assert "Saved bob's request limits." in page
    assert "1 of 1 movie left this month." in page
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.action, event.target) == ("user.quota_changed", "bob")
    person_page = text(client.get(f"/admin/users/{folks.bob}"))
    assert "1 of 1 movie left this month." in person_page


@pytest.mark.parametrize(
    "form, message",
    [
        ({"movie_limit": "-1"}, "Enter a whole number from 0 to 1000"),
        ({"movie_limit": "1e3"}, "Enter a whole number"),
        ({"season_days": "999"}, "from 0 to 365"),
        ({"season_days": "0"}, "A window is at least 1 day."),
        ({"movie_limit": "٣"}, "Enter a whole number"),
    ],
)
def test_odd_limits_are_refused_in_words(client, auth, folks, form, message):
    auth.login()
    url = f"/admin/requests/people/{folks.bob}/limits"
    response = client.post_form(url, form, page=url)
    assert response.status_code == 400 and message in text(response)
