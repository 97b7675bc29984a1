"""Admin → Notifications → Email to people: the SMTP server (masked), the sender, the public
address, and a test email to the admin's own confirmed address."""

import pytest

from app import settings
from app.extensions import db
from app.models import User
from simulators.notify_receivers import SmtpReceiver
from tests.conftest import PASSWORD, Accounts

PAGE = "/admin/notifications"
SECRET = "s3cret-mail-password"


@pytest.fixture
def admin(app):
    client = app.test_client()
    accounts = Accounts(app, client)
    accounts.owner()
    assert accounts.login().status_code == 302
    return client


@pytest.fixture
def smtp():
    with SmtpReceiver() as receiver:
        yield receiver


def stored(app) -> dict:
    with app.app_context():
        return {k: settings.get(k) for k in ("notify.smtp_url", "notify.smtp_from")} | {
            "public": settings.get("instance.public_url")
        }


def save(admin, **fields):
    data = {"smtp_url": "", "smtp_from": "", "public_url": ""} | fields
    return admin.post_form(PAGE + "/email", data, page=PAGE)


def test_settings_are_saved_and_the_password_is_never_shown(app, admin):
    url = f"smtp://mailer:{SECRET}@smtp.example.com:587"
    response = save(admin, smtp_url=url, smtp_from="MediaNest <m@example.com>",
                    public_url="https://media.example.com/")  # fmt: skip
    assert response.status_code == 302
    assert stored(app) == {
        "notify.smtp_url": url,
        "notify.smtp_from": "MediaNest <m@example.com>",
        "public": "https://media.example.com",
    }
    html = admin.get(PAGE).get_data(as_text=True)
    assert SECRET not in html and "smtp.example.com:587" in html and "Forget the stored" in html
    assert SECRET not in admin.get("/admin/audit").get_data(as_text=True)
    save(admin, smtp_from="MediaNest <m@example.com>", public_url="https://media.example.com")
    assert stored(app)["notify.smtp_url"] == url  # left empty: kept
    save(admin, clear_smtp_url="1")
    assert stored(app)["notify.smtp_url"] == ""


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"smtp_url": "ftp://host"}, "smtps://user:password@host:465"),
        ({"smtp_url": "smtp://h:99999"}, "smtps://user:password@host:465"),
        ({"smtp_url": "smtp://" + "h" * 100_000}, "smtps://user:password@host:465"),
        ({"smtp_from": "nobody"}, "the sender&#39;s address"),
        ({"public_url": "media.example.com"}, "with http:// or https://"),
        ({"public_url": "javascript:alert(1)"}, "with http:// or https://"),
        ({"public_url": "https://u:p@media.example.com"}, "without a user name"),
    ],
)
def test_bad_settings_are_refused_in_words_and_nothing_is_stored(app, admin, fields, words):
    response = save(admin, **({"smtp_from": "m@example.com"} | fields))
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    assert stored(app) == {"notify.smtp_url": "", "notify.smtp_from": "", "public": ""}


def test_a_test_email_needs_the_admins_own_address(app, admin, smtp):
    answer = admin.htmx_post(PAGE + "/email/test", page=PAGE)
    assert "no confirmed email address" in answer.text
    with app.app_context():
        owner = db.session.query(User).filter_by(username="owner").one()
        owner.email = "owner@example.com"
        db.session.commit()
    answer = admin.htmx_post(PAGE + "/email/test", page=PAGE)
    assert "Save the SMTP server" in answer.text
    save(admin, smtp_url=smtp.url, smtp_from="MediaNest <m@example.com>")
    answer = admin.htmx_post(PAGE + "/email/test", page=PAGE)
    assert answer.status_code == 200 and "Sent to owner@example.com." in answer.text
    (mail,) = smtp.wait_for(1)
    assert mail["To"] == "owner@example.com" and mail["Subject"] == "MediaNest test email"


def test_a_refusing_server_is_said_in_words(app, admin, smtp):
    with app.app_context():
        db.session.query(User).filter_by(username="owner").one().email = "owner@example.com"
        db.session.commit()
    save(admin, smtp_url=smtp.url, smtp_from="m@example.com")
    smtp.fail_next(1, code=550)
    answer = admin.htmx_post(PAGE + "/email/test", page=PAGE)
    assert "550" in answer.text and "flash-error" in answer.text


@pytest.mark.parametrize("path", [PAGE + "/email", PAGE + "/email/test"])
def test_people_cannot_change_or_use_email_settings(app, path):
    client = app.test_client()
    accounts = Accounts(app, client)
    accounts.owner()
    accounts.create("friend")
    accounts.login("friend", PASSWORD)
    response = client.post_form(path, {"smtp_url": "smtp://evil.example.com"}, page="/")
    assert response.status_code == 403
    assert stored(app)["notify.smtp_url"] == ""
