"""Admin → Notifications: who may use it, adding and editing channels, secrets never shown back,
and "Send test" against real loopback receivers."""

import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.models.notify import NotifyChannel
from app.notify import channels
from simulators.notify_receivers import HookReceiver, SmtpReceiver
from tests.conftest import PASSWORD, Accounts

PAGE = "/admin/notifications"
SECRET_TOKEN = "tok3n-that-must-never-show"
SMTP_PASSWORD = "p4ss-never-shown"
SENT = '<span class="badge badge-ok">Sent</span>'


@pytest.fixture
def admin(app):
    client = app.test_client()
    accounts = Accounts(app, client)
    accounts.owner()
    assert accounts.login().status_code == 302
    return client


@pytest.fixture
def hook():
    with HookReceiver() as receiver:
        yield receiver


@pytest.fixture
def smtp():
    with SmtpReceiver() as receiver:
        yield receiver


def url_form(url, name="Family hook", **extra) -> dict:
    return {"mode": "url", "name": name, "url": url, "admin_alerts": "1", "enabled": "1", **extra}


def smtp_form(port, **extra) -> dict:
    fields = {
        "mode": "email",
        "name": "Email to me",
        "smtp_host": "127.0.0.1",
        "smtp_port": str(port),
        "smtp_security": "none",
        "smtp_sender": "MediaNest <media@example.com>",
        "smtp_to": "owner@example.com",
        "admin_alerts": "1",
        "enabled": "1",
    }
    return fields | extra


def rows(app) -> list[NotifyChannel]:
    with app.app_context():
        found = list(db.session.scalars(select(NotifyChannel).order_by(NotifyChannel.id)))
        for row in found:
            row.plain = channels.url_of(row)
        return found


def add(admin, fields):
    return admin.post_form(PAGE, fields, page=PAGE)


@pytest.mark.parametrize("who", ["anonymous", "person"])
def test_only_admins_reach_the_pages(app, who):
    client = app.test_client()
    accounts = Accounts(app, client)
    accounts.owner()
    if who == "person":
        accounts.create("friend")
        accounts.login("friend", PASSWORD)
    for path in (PAGE, PAGE + "/log", PAGE + "/1/edit"):
        response = client.get(path)
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response.location
        else:
            assert response.status_code == 403
    for path in (PAGE, PAGE + "/1", PAGE + "/1/delete", PAGE + "/1/test", PAGE + "/email"):
        data = {"csrf_token": client.token("/")} if who == "person" else {}
        response = client.post(path, data=url_form("json://127.0.0.1/x") | data)
        assert response.status_code in ((403,) if who == "person" else (302, 400)), path
    assert rows(app) == []


def test_the_admin_sees_the_page_in_the_admin_menu(admin):
    html = admin.get("/admin/status").get_data(as_text=True)
    assert f'href="{PAGE}"' in html and "Notifications" in html
    page = admin.get(PAGE).get_data(as_text=True)
    assert "No channels yet" in page and "Add email over SMTP" in page and "discord://" in page


def test_a_raw_url_channel_is_stored_encrypted_and_never_shown(app, admin, hook):
    url = f"json://user:{SECRET_TOKEN}@127.0.0.1:{hook.port}/hook?-X-Token={SECRET_TOKEN}"
    response = add(admin, url_form(url))
    assert response.status_code == 302
    (row,) = rows(app)
    assert row.plain == url and SECRET_TOKEN not in row.secret_url
    assert (row.kind, row.summary) == ("json", f"JSON webhook on 127.0.0.1:{hook.port}")
    for path in (PAGE, f"{PAGE}/{row.id}/edit", f"{PAGE}/log", "/admin/audit"):
        html = admin.get(path).get_data(as_text=True)
        assert SECRET_TOKEN not in html, path
    listing = admin.get(PAGE).get_data(as_text=True)
    assert "Family hook" in listing and f"JSON webhook on 127.0.0.1:{hook.port}" in listing
    with app.app_context():
        audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("notify%")))
        assert [event.target for event in audit] == ["Family hook"]


def test_an_smtp_channel_from_the_form_sends_its_test_email(app, admin, smtp):
    two = "a@example.com, b@example.com"
    response = add(admin, smtp_form(smtp.port, smtp_username="", smtp_to=two))
    assert response.status_code == 302
    (row,) = rows(app)
    assert row.kind == "mailto" and row.plain.startswith("mailto://127.0.0.1:")
    assert row.summary == f"Email via 127.0.0.1:{smtp.port} to a@example.com, b@example.com"
    answer = admin.htmx_post(f"{PAGE}/{row.id}/test", page=PAGE)
    assert answer.status_code == 200 and SENT in answer.text
    mails = smtp.wait_for(2)  # Apprise sends each address its own email
    assert {mail["Subject"] for mail in mails} == {"MediaNest test message"}
    assert "Email to me" in mails[0].get_body(("plain",)).get_content()
    received = {to for _sender, tos in smtp.envelopes for to in tos}
    assert received == {"a@example.com", "b@example.com"}
    assert SENT in admin.get(PAGE).get_data(as_text=True)


def test_an_smtp_password_is_kept_when_the_edit_leaves_it_empty(app, admin, smtp):
    fields = smtp_form(smtp.port, smtp_security="starttls", smtp_username="mailer")
    add(admin, fields | {"smtp_password": SMTP_PASSWORD})
    (row,) = rows(app)
    assert channels.smtp_fields_of(row.plain)["password"] == SMTP_PASSWORD
    edit = admin.get(f"{PAGE}/{row.id}/edit").get_data(as_text=True)
    assert SMTP_PASSWORD not in edit and 'value="mailer"' in edit and "leave empty to keep" in edit
    admin.post_form(f"{PAGE}/{row.id}", fields | {"name": "Renamed"}, page=PAGE)
    (row,) = rows(app)
    assert row.name == "Renamed"
    assert channels.smtp_fields_of(row.plain)["password"] == SMTP_PASSWORD


def test_the_stored_url_stays_when_an_edit_leaves_it_empty(app, admin):
    add(admin, url_form(f"ntfy://ntfy.example.com/{SECRET_TOKEN}"))
    (row,) = rows(app)
    response = admin.post_form(
        f"{PAGE}/{row.id}", url_form("", name="Phones", admin_alerts=""), page=PAGE
    )
    assert response.status_code == 302
    (after,) = rows(app)
    assert after.plain == row.plain and after.name == "Phones" and not after.admin_alerts
    admin.post_form(f"{PAGE}/{row.id}/enabled", {"enabled": "0"}, page=PAGE)
    assert not rows(app)[0].enabled
    admin.post_form(f"{PAGE}/{row.id}/delete", page=PAGE)
    assert rows(app) == []


def test_a_webhook_that_fails_shows_its_reason_and_tests_are_spaced(app, admin, hook):
    add(admin, url_form(f"json://127.0.0.1:{hook.port}/hook"))
    (row,) = rows(app)
    hook.fail_next(1, status=500)
    failed = admin.htmx_post(f"{PAGE}/{row.id}/test", page=PAGE)
    assert failed.status_code == 200 and "500" in failed.text and "Failed" in failed.text
    again = admin.htmx_post(f"{PAGE}/{row.id}/test", page=PAGE)
    assert "Wait 5 seconds" in again.text
    assert hook.posts == []
    (stored,) = rows(app)
    assert "500" in stored.test_result and stored.tested_at is not None


def test_a_webhook_channel_receives_its_test(app, admin, hook):
    add(admin, url_form(f"json://127.0.0.1:{hook.port}/hook"))
    (row,) = rows(app)
    response = admin.post_form(f"{PAGE}/{row.id}/test", page=PAGE)  # without htmx: a flash
    assert response.status_code == 302
    (post,) = hook.wait_for(1)
    assert post.path == "/hook" and post.json["title"] == "MediaNest test message"
    assert SENT in admin.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize(
    "fields, words",
    [
        (url_form("not a url"), "Apprise does not recognise that URL"),
        (url_form(""), "Enter an Apprise URL"),
        (url_form("json://h/x", name=""), "Give the channel a name"),
        (url_form("json://h/x", name="n" * 100_000), "Give the channel a name"),
        (url_form("json://" + "a" * 1_000_000), "too long"),
        (smtp_form(25, smtp_host="bad host!"), "SMTP server&#39;s host name"),
        (smtp_form(99999), "port from 1 to 65535"),
        (smtp_form(25, smtp_sender="nobody"), "the sender&#39;s address"),
        (smtp_form(25, smtp_to="me, you"), "email addresses"),
        (smtp_form(25, smtp_security="telnet"), "STARTTLS, SSL/TLS or none"),
    ],
)
def test_bad_input_shows_the_form_again_in_plain_words(app, admin, fields, words):
    response = add(admin, fields)
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    assert rows(app) == []


def test_a_file_in_a_text_field_and_a_missing_csrf_token_store_nothing(app, admin):
    token = admin.token(PAGE)
    data = url_form("json://h/x") | {"csrf_token": token, "url": (io.BytesIO(b"x"), "u.txt")}
    response = admin.post(PAGE, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert admin.post(PAGE, data=url_form("json://h/x")).status_code == 400
    assert rows(app) == []


@pytest.mark.parametrize("suffix", ["/edit", "", "/delete", "/test", "/enabled"])
def test_ids_past_2_to_the_63_and_unknown_ids_are_404(admin, suffix):
    for ident in (2**63, 2**64 + 5, 12345):
        path = f"{PAGE}/{ident}{suffix}"
        if suffix == "/edit":
            response = admin.get(path)
        else:
            response = admin.post_form(path, url_form("json://h/x"), page=PAGE)
        assert response.status_code == 404, path


def test_channels_from_the_environment_can_be_tested_not_changed(app, admin, hook):
    with app.app_context():
        url = f"json://127.0.0.1:{hook.port}/env"
        db.session.add(
            NotifyChannel(name="From env", kind="json", secret_url=channels.encrypt(url),
                          summary="JSON", from_environment=True)
        )  # fmt: skip
        db.session.commit()
    (row,) = rows(app)
    html = admin.get(PAGE).get_data(as_text=True)
    assert "From the environment" in html and f"{PAGE}/{row.id}/edit" not in html
    for path in (f"{PAGE}/{row.id}", f"{PAGE}/{row.id}/delete", f"{PAGE}/{row.id}/enabled"):
        admin.post_form(path, url_form("json://other/x", name="Changed"), page=PAGE)
    assert admin.get(f"{PAGE}/{row.id}/edit").status_code == 302
    (after,) = rows(app)
    assert (after.name, after.plain, after.enabled) == ("From env", url, True)
    assert SENT in admin.htmx_post(f"{PAGE}/{row.id}/test", page=PAGE).text
    hook.wait_for(1)
