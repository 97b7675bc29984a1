"""The notifications page: filters by unread and kind, paging that keeps them, words for empty
lists, the fragment for htmx, and only the person's own rows."""

import pytest

from app.notifications.services import PER_PAGE
from app.notify.outbox import emit


@pytest.fixture
def notes(app, signed_in_owner, auth):
    friend = auth.create("friend")
    with app.app_context():
        emit("request.approved", "Request approved: Dune", user_ids=[signed_in_owner])
        emit("download.failed", "Download failed: Nest", user_ids=[signed_in_owner])
        emit("service.down", "Plex is down: timed out")
        emit("account.notice", "Welcome to MediaNest", user_ids=[friend])
        for n in range(PER_PAGE + 2):
            emit("download.finished", f"Downloaded: Clip {n}", user_ids=[signed_in_owner])
    return {"owner": signed_in_owner, "friend": friend}


def _titles(html: str) -> list[str]:
    return [part.split("</strong>", 1)[0] for part in html.split('notification-title">')[1:]]


def test_kinds_filter_the_list(client, notes):
    requests = client.get("/notifications/?kind=requests").text
    assert _titles(requests) == ["Request approved: Dune"]
    system = client.get("/notifications/?kind=system").text
    assert _titles(system) == ["Plex is down: timed out"]
    assert "Welcome" not in client.get("/notifications/?kind=account").text
    assert "No notifications about accounts yet." in client.get("/notifications/?kind=account").text
    downloads = _titles(client.get("/notifications/?kind=downloads&page=2").text)
    assert downloads == ["Downloaded: Clip 1", "Downloaded: Clip 0", "Download failed: Nest"]


def test_paging_keeps_the_filters(client, notes):
    html = client.get("/notifications/?kind=downloads").text
    assert "Page 1 of 2" in html
    assert 'href="/notifications/?kind=downloads&amp;page=2"' in html
    assert 'href="/notifications/?unread=1&amp;kind=downloads&amp;page=2"' in (
        client.get("/notifications/?kind=downloads&unread=1").text
    )


def test_unread_only_and_mark_all_read_keep_the_filter(client, notes):
    response = client.htmx_post("/notifications/read-all?unread=1&kind=requests", page="/")
    assert response.status_code == 200 and "<html" not in response.text
    assert "No unread notifications about requests. You are all caught up." in response.text
    assert _titles(client.get("/notifications/?unread=1").text) == []
    read = client.get("/notifications/?kind=requests").text
    assert _titles(read) == ["Request approved: Dune"] and "Mark all read" not in read


def test_mark_all_read_without_htmx_returns_to_the_filtered_list(client, notes):
    response = client.post_form("/notifications/read-all?kind=system", page="/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/?kind=system"


def test_htmx_gets_the_list_alone_and_a_page_load_gets_everything(client, notes):
    fragment = client.get("/notifications/?kind=system", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Plex is down" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    full = client.get("/notifications/?kind=system").text
    assert "<html" in full and 'aria-label="Filter notifications"' in full
    assert '<option value="system" selected>' in full


@pytest.mark.parametrize(
    "query",
    [
        "kind=nonsense",
        "kind=" + "x" * 5000,
        "unread=maybe",
        f"page={2**64}",
        "page=-1",
        "kind=requests&kind=downloads",
        "kind[]=requests",
        "unread=%00",
    ],
)
def test_bad_filter_values_are_ignored(client, notes, query):
    response = client.get(f"/notifications/?{query}")
    assert response.status_code == 200
    assert "Page 1 of 2" in response.text or "Request approved" in response.text


def test_a_person_sees_only_their_own(app, client, auth, notes):
    auth.logout()
    auth.login("friend")
    html = client.get("/notifications/?kind=account").text
    assert _titles(html) == ["Welcome to MediaNest"]
    assert "Plex is down" not in client.get("/notifications/?kind=system").text
    assert "No notifications about services or the system yet." in (
        client.get("/notifications/?kind=system").text
    )
    assert "Nothing here yet" not in html


@pytest.mark.parametrize("path", ["/notifications/?kind=requests", "/notifications/?unread=1"])
def test_anonymous_people_are_sent_to_sign_in(client, auth, path):
    auth.owner()
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_anonymous_mark_all_read_changes_nothing(app, client, notes, auth):
    auth.logout()
    response = client.post_form("/notifications/read-all?kind=requests", page="/login")
    assert response.status_code in (302, 401)
    auth.login()
    assert "Mark all read" in client.get("/notifications/").text


def test_with_nothing_at_all_the_page_says_so(client, signed_in_owner):
    assert "Nothing here yet" in client.get("/notifications/").text
    assert "No unread notifications. You are all caught up." in (
        client.get("/notifications/?unread=1").text
    )
