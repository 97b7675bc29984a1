"""Admin → Notifications in a browser: add an SMTP channel with the form, send a test, and the
pages fit a desktop and a phone without console errors."""

import pytest

from simulators.notify_receivers import SmtpReceiver
from tests.conftest import Accounts
from tests.e2e.conftest import DESKTOP, PHONE, screenshot

PAGE = "/admin/notifications"


@pytest.fixture
def smtp():
    with SmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def app(make_app):
    app = make_app()
    Accounts(app, None).owner()
    return app


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(
    ("viewport", "scheme"), [({**DESKTOP, "width": 1366}, "light"), (PHONE, "dark")]
)
def test_an_admin_adds_an_smtp_channel_and_sends_a_test(
    app, smtp, open_page, sign_in, viewport, scheme
):
    tab = open_page(viewport=viewport, color_scheme=scheme)
    sign_in(tab)
    tab.goto("/admin/status")
    tab.get_by_role("navigation", name="Admin sections").get_by_role(
        "link", name="Notifications"
    ).click()
    tab.wait_for_url("**" + PAGE)
    form = tab.locator("#add-email")
    form.get_by_label("Name").fill("Email to me")
    form.get_by_label("SMTP server").fill("127.0.0.1")
    form.get_by_label("Port").fill(str(smtp.port))
    form.get_by_label("Security").select_option("none")
    form.get_by_label("Sender", exact=True).fill("MediaNest <media@example.com>")
    form.get_by_label("Send to").fill("owner@example.com")
    form.get_by_role("button", name="Add email channel").click()
    tab.get_by_text("Channel “Email to me” added.").wait_for()
    row = tab.locator("table.notify-channels tbody tr").first
    assert f"Email via 127.0.0.1:{smtp.port} to owner@example.com" in row.inner_text()
    assert no_sideways_scroll(tab)
    row.get_by_role("button", name="Send a test to Email to me").click()
    row.locator(".notify-test .badge-ok", has_text="Sent").wait_for()
    (mail,) = smtp.wait_for(1)
    assert mail["To"] == "owner@example.com" and mail["Subject"] == "MediaNest test message"
    assert no_sideways_scroll(tab)
    screenshot(tab, f"admin-notifications-{viewport['width']}-{scheme}")
    tab.get_by_role("link", name="delivery log").click()
    tab.get_by_role("heading", name="Delivery log").wait_for()
    assert "Nothing has been sent yet." in tab.content()
    assert no_sideways_scroll(tab)
    assert tab.problems.errors == []


def test_a_bad_url_is_shown_at_its_field(app, open_page, sign_in):
    tab = open_page(viewport=PHONE)
    sign_in(tab)
    tab.goto(PAGE)
    form = tab.locator("#add-url")
    form.get_by_label("Name").fill("Hook")
    form.get_by_label("Apprise URL").fill("not a url")
    form.get_by_role("button", name="Add channel").click()
    error = tab.locator("#url-error")
    error.wait_for()
    assert "Apprise does not recognise that URL" in error.inner_text()
    assert tab.url.endswith(PAGE) and no_sideways_scroll(tab)
    assert [e for e in tab.problems.errors if "400" not in e] == []
