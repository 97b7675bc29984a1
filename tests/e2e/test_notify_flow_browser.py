"""Email end to end in a browser: the admin sets up email, a person keeps email on for "on Plex",
their request becomes available, and the email arrives once, with the link to the request."""

import time

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import MediaRequest, User
from simulators.notify_receivers import SmtpReceiver
from tests.conftest import PASSWORD, Accounts, WorkerProcess

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 800}


@pytest.fixture
def smtp():
    with SmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def app(make_app):
    app = make_app(NOTIFY_BATCH_SECONDS=1.0, NOTIFY_RETRY_SECONDS=1.0)
    accounts = Accounts(app, None)
    accounts.owner()
    alice = accounts.create("alice")
    with app.app_context():
        db.session.get(User, alice).email = "alice@example.com"  # confirmed, as Plex gives it
        req = MediaRequest(
            user_id=alice, media_type="movie", tmdb_id=438631, title="Dune", status="approved"
        )
        db.session.add(req)
        db.session.commit()
        app.config["DUNE"] = req.id
    return app


@pytest.fixture
def worker(app):
    process = WorkerProcess(app)
    process.wait_until_registered()
    yield process
    process.stop()


def test_a_request_on_plex_reaches_the_requester_by_email_once(
    app, live_server, worker, smtp, open_page, sign_in
):
    request_id = app.config["DUNE"]
    owner = open_page(viewport=WIDE)
    sign_in(owner, "owner")
    owner.goto("/admin/notifications")
    card = owner.locator("article", has=owner.get_by_role("heading", name="Email to people"))
    card.get_by_label("SMTP server").fill(smtp.url)
    card.get_by_label("From", exact=True).fill("MediaNest <media@example.com>")
    card.get_by_label("Public address of MediaNest").fill(live_server.url)
    card.get_by_role("button", name="Save email settings").click()
    expect(card.locator(".badge-ok")).to_have_text("Set up")

    alice = open_page()
    sign_in(alice, "alice", PASSWORD)
    alice.goto("/account/notifications")
    choice = alice.get_by_label("My request is on Plex: email")
    expect(choice).to_be_enabled()
    choice.check()
    alice.get_by_role("button", name="Save choices").click()
    expect(alice.get_by_label("My request is on Plex: email")).to_be_checked()

    owner.goto(f"/requests/{request_id}")
    owner.get_by_role("button", name="Mark available").click()
    expect(owner.locator(".flash-success")).to_be_visible()

    (mail,) = smtp.wait_for(1, timeout=30)
    assert mail["To"] == "alice@example.com" and "Dune" in mail["Subject"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert f"{live_server.url}/requests/{request_id}" in text
    time.sleep(3)  # a second copy would come within the batch window and a retry
    assert len(smtp.messages) == 1

    owner.goto("/admin/notifications/log")
    row = owner.locator("table.notify-log tbody tr").first
    expect(row).to_contain_text("Email to alice")
    expect(row).to_contain_text("Sent")
    assert owner.problems.errors == [] and alice.problems.errors == []
