"""Profile → Notifications: own services, the choices table, quiet hours and the newsletter."""

from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import select

from app.crypto import decrypt
from app.extensions import db
from app.models import NotifyPref, NotifyProfile, PersonTarget, User
from app.models.base import utcnow
from app.notify.events import EMAIL, IN_APP, TARGETS, choosable
from app.notify.prefs import ways_for

PAGE = "/account/notifications"
SECRET_URL = "ntfy://s3cr3t-topic-token"


@pytest.fixture
def ada(auth):
    auth.owner()
    uid = auth.create("ada")
    auth.login("ada")
    return uid


def add_target(client, name="My phone", url=SECRET_URL):
    return client.post_form(f"{PAGE}/targets", {"name": name, "url": url}, page=PAGE)


def targets_of(app, uid):
    with app.app_context():
        rows = db.session.scalars(select(PersonTarget).where(PersonTarget.user_id == uid))
        return [(t.id, t.name, t.summary, decrypt(t.secret_url), t.secret_url) for t in rows]


def confirm_address(app, uid, address="ada@example.com"):
    with app.app_context():
        db.session.get(User, uid).email = address
        db.session.add(NotifyProfile(user_id=uid, email_verified_at=utcnow()))
        db.session.commit()


def ways(app, uid, type_key):
    with app.app_context():
        return ways_for([uid], type_key)[uid]


def test_adding_a_target_stores_it_encrypted_and_never_shows_it(client, app, ada):
    response = add_target(client)
    assert response.status_code == 302
    ((_, name, summary, plain, stored),) = targets_of(app, ada)
    assert (name, summary, plain) == ("My phone", "ntfy topic on ntfy.sh", SECRET_URL)
    assert "s3cr3t" not in stored
    page = client.get(PAGE).get_data(as_text=True)
    assert "My phone" in page and "ntfy topic on ntfy.sh" in page and "s3cr3t" not in page


def test_summaries_name_the_service_and_host_only(client, app, ada):
    add_target(client, "Discord", "discord://1234/abcdefTOKEN")
    add_target(client, "Self-hosted", "ntfys://user:hunter2@ntfy.example.com/alerts")
    summaries = [row[2] for row in targets_of(app, ada)]
    assert summaries == ["Discord webhook", "ntfy on ntfy.example.com"]
    page = client.get(PAGE).get_data(as_text=True)
    assert "hunter2" not in page and "abcdefTOKEN" not in page


@pytest.mark.parametrize(
    "name, url, words",
    [
        ("Phone", "", "Enter the address"),
        ("Phone", "just words", "no spaces"),
        ("Phone", "ntfy.sh/topic", "with a scheme"),
        ("Phone", "://nothing", "with a scheme"),
        ("Phone", "ntfy://", "with a scheme"),
        ("Phone", "ntfy://topic\r\nX: y", "no spaces"),
        ("Phone", "ntfy://" + "a" * 100_000, "too long"),
        ("", "ntfy://topic", "Give it a name"),
        ("x" * 101, "ntfy://topic", "at most 100"),
        ("two\nlines", "ntfy://topic", "on one line"),
    ],
)
def test_bad_targets_are_shown_again_with_the_reason(client, app, ada, name, url, words):
    response = add_target(client, name, url)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and words in html
    assert "Check the fields marked below" in html
    assert targets_of(app, ada) == []


def test_at_most_ten_targets(client, app, ada):
    for n in range(10):
        assert add_target(client, f"T{n}", f"ntfy://topic{n}").status_code == 302
    response = add_target(client, "T10", "ntfy://topic10")
    assert response.status_code == 400 and "at most 10" in response.get_data(as_text=True)
    assert len(targets_of(app, ada)) == 10
    assert "the most you can keep" in client.get(PAGE).get_data(as_text=True)


def test_a_person_deletes_their_own_target_and_nobody_else_can(client, app, auth, ada):
    add_target(client, "Ada's ntfy")
    ((target_id, *_),) = targets_of(app, ada)
    auth.logout()
    auth.create("bob")
    auth.login("bob")
    url = f"{PAGE}/targets/{target_id}/delete"
    assert client.post_form(url, page=PAGE).status_code == 404
    assert "Ada&#39;s ntfy" not in client.get(PAGE).get_data(as_text=True)
    assert 'id="notify-target-list"' not in client.get(PAGE).get_data(as_text=True)
    assert len(targets_of(app, ada)) == 1
    auth.logout()
    auth.login("ada")
    assert client.post_form(url, page=PAGE).status_code == 302
    assert targets_of(app, ada) == []
    assert client.post_form(url, page=PAGE).status_code == 404


@pytest.mark.parametrize("raw", [str(2**63), "99999999999999999999999", "-1", "abc"])
def test_target_ids_out_of_range_are_not_found(client, ada, raw):
    assert client.post_form(f"{PAGE}/targets/{raw}/delete", page=PAGE).status_code == 404


def test_a_file_in_the_name_field_is_refused(client, app, ada):
    client.get(PAGE)
    data = {"csrf_token": client.token(PAGE), "name": (BytesIO(b"x"), "n.txt"), "url": "ntfy://t"}
    response = client.post(f"{PAGE}/targets", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert targets_of(app, ada) == []


def test_choices_are_saved_and_read_back(client, app, ada):
    confirm_address(app, ada)
    add_target(client)
    form = {
        "request.available:email": "on",
        "request.available:targets": "on",
        "download.failed:in_app": "on",
        "plex.new:email": "on",
    }
    response = client.post_form(f"{PAGE}/choices", form, page=PAGE)
    assert response.status_code == 302
    assert ways(app, ada, "request.available") == {EMAIL, TARGETS}
    assert ways(app, ada, "download.failed") == {IN_APP}
    assert ways(app, ada, "request.approved") == set()
    assert ways(app, ada, "plex.new") == {EMAIL}
    with app.app_context():
        stored = {row.event_type for row in db.session.scalars(select(NotifyPref))}
    assert "plex.new" not in stored, "a choice equal to the default keeps no row"
    page = client.get(PAGE).get_data(as_text=True)
    assert 'name="request.available:targets" aria-label' in page
    assert page.count("checked") >= 4


def test_email_and_targets_are_offered_only_when_there_are_some(client, app, ada):
    page = client.get(PAGE).get_data(as_text=True)
    assert "confirm an address above" in page and "add one above" in page
    assert 'name="request.available:email"' in page and "disabled" in page
    # Ticking a way not on offer changes nothing: the default (email) stays.
    form = {"request.available:in_app": "on", "request.available:targets": "on"}
    client.post_form(f"{PAGE}/choices", form, page=PAGE)
    assert ways(app, ada, "request.available") == {IN_APP, EMAIL}


def test_admin_only_types_are_choosable_only_by_admins(client, app, auth, ada):
    admin_only = [t.key for t in choosable(True) if t.admin_only]
    page = client.get(PAGE).get_data(as_text=True)
    assert all(f'name="{key}:in_app"' not in page for key in admin_only)
    client.post_form(f"{PAGE}/choices", {f"{admin_only[0]}:in_app": "on"}, page=PAGE)
    with app.app_context():
        assert db.session.get(NotifyPref, (ada, admin_only[0])) is None
    auth.logout()
    auth.login("owner")
    page = client.get(PAGE).get_data(as_text=True)
    assert all(f'name="{key}:in_app"' in page for key in admin_only)


def save_schedule(client, **fields):
    form = {"quiet_start": "", "quiet_end": "", "timezone": "UTC", "hour": "8"}
    form.update(fields)
    return client.post_form(f"{PAGE}/schedule", form, page=PAGE)


def test_quiet_hours_digest_and_newsletter_are_saved(client, app, ada):
    response = save_schedule(
        client,
        quiet_start="22:30",
        quiet_end="07:00",
        timezone="Europe/Berlin",
        digest="on",
        hour="19",
        newsletter="weekly",
    )
    assert response.status_code == 302
    with app.app_context():
        p = db.session.get(NotifyProfile, ada)
        saved = (p.quiet_start, p.quiet_end, p.timezone, p.digest, p.digest_hour, p.newsletter)
    assert saved == ("22:30", "07:00", "Europe/Berlin", True, 19, "weekly")
    page = client.get(PAGE).get_data(as_text=True)
    assert 'value="22:30"' in page and "<option selected>Europe/Berlin</option>" in page
    assert 'value="weekly" checked' in page


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "HH:MM"),
        ({"quiet_start": "22:00"}, "a start and an end"),
        ({"quiet_start": "07:00", "quiet_end": "07:00"}, "must differ"),
        ({"timezone": "Mars/Olympus"}, "timezone from the list"),
        ({"timezone": "UTC" + "x" * 100_000}, "timezone from the list"),
        ({"hour": "24"}, "0 to 23"),
        ({"hour": "٣"}, "0 to 23"),
        ({"hour": "9" * 5000}, "0 to 23"),
        ({"newsletter": "hourly"}, "off, daily or weekly"),
    ],
)
def test_bad_schedules_are_shown_again(client, app, ada, fields, words):
    response = save_schedule(client, **fields)
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(NotifyProfile, ada) is None


def test_changes_to_choices_leave_the_newsletter_mark(client, app, ada):
    with app.app_context():
        mark = utcnow() - timedelta(days=2)
        db.session.add(NotifyProfile(user_id=ada, newsletter="daily", newsletter_sent_at=mark))
        db.session.commit()
    save_schedule(client, newsletter="off")
    with app.app_context():
        p = db.session.get(NotifyProfile, ada)
        assert p.newsletter == "off" and p.newsletter_sent_at is not None
