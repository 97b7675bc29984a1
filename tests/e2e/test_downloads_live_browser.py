"""What another tab learns without a reload: a download added elsewhere, with the quota line,
and what a subscription's check found."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Subscription
from app.models.base import utcnow
from app.realtime.events import publish
from tests.e2e.conftest import PHONE, mark_page, same_document, wait_until_tab_live
from tests.integration import download_page_helpers
from tests.integration.download_helpers import allow
from tests.integration.ytdlp_helpers import reset

pytestmark = pytest.mark.browser

site = download_page_helpers.site


def test_a_download_added_in_one_tab_appears_at_the_top_of_another(
    app, open_page, sign_in, auth, site
):
    auth.owner()
    auth.create("alice")
    with app.app_context():
        allow(reset(site))
    adder, watcher = open_page(), open_page(viewport=PHONE)
    sign_in(adder, "alice")
    sign_in(watcher, "alice")
    watcher.goto("/downloads")
    wait_until_tab_live(watcher)
    expect(watcher.locator(".dl-cards .empty")).to_be_visible()
    expect(watcher.locator("#dl-quota")).to_contain_text("0 of 20 videos today")
    mark_page(watcher)

    adder.goto(f"/downloads?url={site.url}/watch/vs000000003")
    adder.get_by_role("button", name="Preview").click()
    adder.get_by_role("button", name="Download this video").click()
    adder.wait_for_url("**/downloads/*")
    download_id = int(adder.url.rsplit("/", 1)[1])

    card = watcher.locator(".dl-cards > .dl-card").first
    expect(card).to_have_attribute("id", f"dl-{download_id}")
    expect(watcher.locator(".dl-cards .empty")).to_be_hidden()
    expect(watcher.locator("#dl-quota")).to_contain_text("1 of 20 videos today")
    expect(watcher.locator(f"#dl-{download_id}")).to_have_count(1)
    assert same_document(watcher), "the page was reloaded"
    assert watcher.problems.errors == []


def test_a_subscription_row_shows_what_its_check_found_without_a_reload(
    app, open_page, sign_in, auth
):
    auth.owner()
    alice = auth.create("alice")
    with app.app_context():
        sub = Subscription(
            user_id=alice,
            source_url="https://www.youtube.com/@nestcam/videos",
            source_key="youtube:channel:UCnest",
            kind="channel",
            title="Nest Cam",
        )
        db.session.add(sub)
        db.session.commit()
        sub_id = sub.id
    tab = open_page()
    sign_in(tab, "alice")
    tab.goto("/downloads/subscriptions")
    wait_until_tab_live(tab)
    row = tab.locator(f"#subscription-{sub_id}")
    expect(row).to_contain_text("Not yet")
    mark_page(tab)
    with app.app_context():
        sub = db.session.get(Subscription, sub_id)
        sub.last_checked_at, sub.last_result = utcnow(), "2 new videos"
        db.session.commit()
        publish({"type": "subscription.changed", "subscription_id": sub_id}, user_ids=[alice])
    expect(row).to_contain_text("2 new videos")
    assert same_document(tab), "the page was reloaded"
    assert tab.problems.errors == []
