"""A pushed fragment lands where the page shows its widget, and is dropped quietly elsewhere."""

import pytest
from playwright.sync_api import expect

from app.notifications.services import notify
from app.realtime import fragments
from app.realtime.events import publish
from tests.e2e.conftest import csp_violations, mark_page, same_document

pytestmark = pytest.mark.browser

SYNC_PROGRESS = {"type": "sync.progress", "run": 1, "library": "Movies", "done": 5, "total": 10}


@pytest.fixture
def two_widgets():
    """One socket message for two widgets: the bell (on every page) and the sync bar."""

    def render(event: dict) -> str:
        return (
            '<section id="sync-progress" hx-swap-oob="true"><p>Bar</p></section>'
            '<a id="bell" href="/notifications/" class="bell" hx-swap-oob="true">'
            f"{event['text']}</a>"
        )

    fragments.renders("test.two-widgets")(render)
    yield
    fragments._renderers.pop("test.two-widgets", None)


def toast_arrives(app, tab, owner_id, title) -> None:
    """Events reach a socket in order, so once this toast shows, the earlier ones were handled."""
    with app.app_context():
        notify([owner_id], title, "")
    expect(tab.locator("#toasts .toast", has_text=title)).to_have_count(1)


def test_a_fragment_for_a_widget_the_page_lacks_is_ignored(app, auth, open_page, sign_in):
    owner_id = auth.owner()
    tab = open_page()
    sign_in(tab)
    expect(tab.locator("#sync-progress")).to_have_count(0)
    mark_page(tab)

    with app.app_context():
        publish(SYNC_PROGRESS, admins=True)
    toast_arrives(app, tab, owner_id, "After the sync bar")
    expect(tab.locator("#sync-progress")).to_have_count(0)
    assert tab.problems.errors == [], tab.problems.errors
    assert same_document(tab) and csp_violations(tab) == []


def test_of_two_widgets_in_one_message_the_one_on_the_page_updates(
    app, auth, open_page, sign_in, two_widgets
):
    owner_id = auth.owner()
    tab = open_page()
    sign_in(tab)
    with app.app_context():
        publish({"type": "test.two-widgets", "text": "Bell from the socket"}, user_ids=[owner_id])
    expect(tab.locator("#bell")).to_have_text("Bell from the socket")
    expect(tab.locator("#sync-progress")).to_have_count(0)
    assert tab.problems.errors == [], tab.problems.errors


def test_the_page_with_the_sync_bar_still_updates(app, auth, open_page, sign_in):
    auth.owner()
    tab = open_page()
    sign_in(tab)
    # Through the links, so the page's socket stays open (htmx swaps the body's content only).
    mark_page(tab)
    tab.get_by_role("link", name="Admin", exact=True).click()
    tab.locator("nav.subnav").get_by_role("link", name="Library").click()
    bar = tab.locator("#sync-progress")
    expect(bar).to_contain_text("No sync is running.")

    with app.app_context():
        publish(SYNC_PROGRESS, admins=True)
    expect(bar).to_contain_text("Syncing Movies")
    expect(bar).to_contain_text("5 of 10 items")
    expect(bar.locator("progress")).to_have_attribute("value", "5")
    assert same_document(tab)
    assert tab.problems.errors == [], tab.problems.errors
