"""The audit log page: who may read it, order, filters, paging and details in words."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import settings
from app.admin.audit_services import PER_PAGE
from app.extensions import db
from app.models import AuditEvent, User


@pytest.fixture
def people(auth):
    auth.owner()
    auth.create("ada", role="admin")
    auth.create("bob")
    return auth


def add_event(app, action, *, actor=None, target=None, details=None, at=None, ip=None):
    with app.app_context():
        actor_id = db.session.scalar(select(User.id).where(User.username == actor))
        db.session.add(
            AuditEvent(
                action=action,
                actor_id=actor_id,
                actor_name=actor,
                target=target,
                details=details or {},
                ip=ip,
                created_at=at or datetime.now(UTC),
            )
        )
        db.session.commit()


def rows(page: str) -> list[str]:
    """Each row of the log as the words a person reads in it."""
    body = page[page.index("<tbody>") : page.index("</tbody>")] if "<tbody>" in page else ""
    words = [re.sub(r"<[^>]+>", " ", row) for row in body.split("</tr>")[:-1]]
    return [html.unescape(" ".join(row.split())) for row in words]


def actions_shown(page: str) -> list[str]:
    """The action code of each row, newest first, leaving out the owner's creation."""
    return [a for a in re.findall(r'<tr data-action="([^"]+)"', page) if a != "owner.created"]


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("bob", 403), ("ada", 200)])
def test_who_may_read_the_log(client, people, who, status):
    if who != "anonymous":
        people.login(who)
    response = client.get("/admin/audit")
    assert response.status_code == status
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login")


def test_newest_first_with_time_actor_action_target_ip_and_details(app, client, people):
    day = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    add_event(app, "user.role_changed", actor="ada", target="bob", at=day, ip="10.0.0.7",
              details={"old": "user", "new": "admin"})  # fmt: skip
    add_event(app, "user.disabled", actor="ada", target="bob", at=day + timedelta(hours=1))
    people.login("ada")
    page = client.get("/admin/audit").text
    shown = actions_shown(page)
    assert shown[0] == "signin.success"  # ada, just now
    assert shown[1:] == ["user.disabled", "user.role_changed"]
    changed = rows(page)[-1]
    assert "2025-03-01 12:00:00" in changed and "10.0.0.7" in changed
    assert "ada ada changed bob's role from User to Admin." in changed
    assert "user → admin" not in changed and "role_changed" not in changed
    assert "(deleted)" not in changed
    assert 'aria-current="page">Audit log<' in page


def test_settings_changes_read_old_to_new_with_secrets_masked(app, client, people):
    with app.app_context():
        settings.put({"quota.requests": 4, "plex.owner_token": "very-secret-token"})
    people.login("ada")
    response = client.get("/admin/audit?action=settings.changed")
    row = rows(response.text)[0]
    assert "changed the default quotas and the Plex server connection." in row
    assert "Default request quota: 10 → 4" in row
    assert "Owner's Plex token: – → ••••••" in row
    assert "very-secret-token" not in response.text
    assert "MediaNest" in row  # no person did it


def test_the_action_filter_lists_the_actions_present(app, client, people):
    add_event(app, "user.deleted", actor="ada", target="carl")
    people.login("ada")
    page = client.get("/admin/audit").text
    choices = re.findall(r'<option value="([^"]*)"', page)
    assert choices == ["", "owner.created", "user.deleted", "signin.success"]  # by label
    assert '<option value="signin.success">Signed in</option>' in page
    only = client.get("/admin/audit?action=user.deleted").text
    assert actions_shown(only) == ["user.deleted"]
    assert '<option value="user.deleted" selected>' in only


def test_filters_by_actor_and_target_text_ignoring_case(app, client, people):
    add_event(app, "user.disabled", actor="ada", target="Carl")
    add_event(app, "user.disabled", actor="owner", target="dave")
    people.login("ada")
    by_actor = rows(client.get("/admin/audit?actor=OWN").text)
    assert len(by_actor) == 2 and "dave" in by_actor[0]  # and the owner's own creation
    by_target = rows(client.get("/admin/audit?target=car").text)
    assert len(by_target) == 1 and "Carl" in by_target[0]
    assert "Nothing in the log matches" in client.get("/admin/audit?target=%25").text


def test_filters_by_date_range_including_the_last_day(app, client, people):
    for day in (1, 2, 3, 4):
        add_event(app, f"test.day{day}", at=datetime(2025, 5, day, 23, 30, tzinfo=UTC))
    people.login("ada")
    page = client.get("/admin/audit?date_from=2025-05-02&date_to=2025-05-03").text
    assert actions_shown(page) == ["test.day3", "test.day2"]
    assert actions_shown(client.get("/admin/audit?date_to=2025-05-01").text) == ["test.day1"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("date_from=yesterday", "From date: Enter a date like 2025-01-31."),
        ("date_to=2025-02-30", "To date: Enter a date like 2025-01-31."),
        ("date_from=2025-05-03&date_to=2025-05-01", "This date is before the “from” date."),
        ("date_to=9999-12-31&date_from=0001-01-01", None),
    ],
)
def test_bad_dates_are_explained_not_an_error(app, client, people, query, message):
    people.login("ada")
    response = client.get("/admin/audit?" + query)
    page = html.unescape(response.text)
    if message:
        assert response.status_code == 400 and message in page
    else:
        assert response.status_code == 200
    assert "signin.success" in page  # the rest of the log still shows


def test_pages_keep_the_filters(app, client, people):
    with app.app_context():
        db.session.add_all(
            AuditEvent(
                action="test.bulk", target=f"t{i}", created_at=datetime(2025, 1, 1, tzinfo=UTC)
            )
            for i in range(PER_PAGE + 5)
        )
        db.session.commit()
    people.login("ada")
    first = client.get("/admin/audit?action=test.bulk").text
    assert "Page 1 of 2" in first and len(rows(first)) == PER_PAGE
    assert 'href="/admin/audit?action=test.bulk&amp;page=2"' in first
    second = client.get("/admin/audit?action=test.bulk&page=2").text
    assert len(rows(second)) == 5 and "signin.success" not in actions_shown(second)


def test_live_filtering_swaps_only_the_log(client, people):
    people.login("ada")
    response = client.get("/admin/audit?actor=ada", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "<html" not in response.text and 'name="actor"' not in response.text
    assert actions_shown(response.text) == ["signin.success"]


def test_a_deleted_actor_keeps_their_name(app, client, people):
    bobs = app.test_client()
    people.login("bob", client=bobs)
    people.login("ada")
    with app.app_context():
        bob_id = db.session.scalar(select(User.id).where(User.username == "bob"))
    client.post_form(f"/admin/users/{bob_id}/delete")
    page = client.get("/admin/audit?actor=bob").text
    row = rows(page)[0]
    assert "bob (deleted) bob signed in with a password." in row
