"""The notifications page: paging, reading one or all, and only one's own."""

import pytest

from app.notifications import services
from app.notifications.services import PER_PAGE


@pytest.fixture
def notes(app, signed_in_owner, auth):
    friend = auth.create("friend")
    with app.app_context():
        services.notify([signed_in_owner], "Oldest")
        for n in range(PER_PAGE + 3):
            services.notify([signed_in_owner], f"Note {n}", "body text")
        services.notify([friend], "Friend's own")
    return {"owner": signed_in_owner, "friend": friend}


def test_the_bell_shows_the_unread_count(client, notes):
    html = client.get("/").get_data(as_text=True)
    assert 'class="bell-count">' + str(PER_PAGE + 4) + "<" in html


def test_pages_newest_first(client, notes):
    first = client.get("/notifications/").get_data(as_text=True)
    assert f"Note {PER_PAGE + 2}" in first and "Oldest" not in first
    assert "Page 1 of 2" in first
    second = client.get("/notifications/?page=2").get_data(as_text=True)
    assert "Oldest" in second and "Friend" not in second
    assert "Page 2 of 2" in client.get("/notifications/?page=99").text


def test_mark_one_read(app, client, notes):
    with app.app_context():
        target = services.page_for(notes["owner"], 1).items[0]
    response = client.htmx_post(f"/notifications/{target.id}/read", page="/notifications/")
    assert response.status_code == 200
    assert 'class="notification level-info read"' in response.text
    with app.app_context():
        assert services.unread_count(notes["owner"]) == PER_PAGE + 3


def test_mark_read_without_htmx_returns_to_the_list(app, client, notes):
    with app.app_context():
        target = services.page_for(notes["owner"], 1).items[0]
    response = client.post_form(f"/notifications/{target.id}/read", page="/notifications/")
    assert response.status_code == 302


def test_someone_elses_notification_cannot_be_touched(app, client, notes):
    with app.app_context():
        theirs = services.page_for(notes["friend"], 1).items[0]
    response = client.htmx_post(f"/notifications/{theirs.id}/read", page="/notifications/")
    assert response.status_code == 404
    with app.app_context():
        assert services.unread_count(notes["friend"]) == 1


def test_mark_all_read_leaves_others_alone(app, client, notes):
    response = client.htmx_post("/notifications/read-all", page="/notifications/")
    assert response.status_code == 200 and "Mark read" not in response.text
    with app.app_context():
        assert services.unread_count(notes["owner"]) == 0
        assert services.unread_count(notes["friend"]) == 1
    assert "bell-count" not in client.get("/").text


def test_empty_list_says_so(client, signed_in_owner):
    assert "Nothing here yet" in client.get("/notifications/").text
