"""Downloads in a browser: the pages with rows fit a phone and a desktop, and progress arrives
live in every open tab without a reload."""

import pytest
from playwright.sync_api import expect

from app import settings
from app.extensions import db
from app.models import Download, DownloadItem
from app.realtime.events import publish
from tests.e2e.conftest import (
    PHONE,
    csp_violations,
    mark_page,
    same_document,
    screenshot,
    sockets_open,
    wait_until_live,
    wait_until_tab_live,
)
from tests.integration import download_page_helpers
from tests.integration.download_helpers import allow
from tests.integration.download_page_helpers import a_download
from tests.integration.ytdlp_helpers import reset

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 800}
image_site, site = download_page_helpers.image_site, download_page_helpers.site
LONG = "A very long playlist title with a " + "Supercalifragilistic" * 4 + " word in it"


@pytest.fixture
def rows(app, auth, image_site):
    """alice's long playlist (done, running, failed, queued videos) and a finished video."""
    owner, alice = auth.owner(), auth.create("alice")
    with app.app_context():
        settings.put({"downloads.allowed_hosts": f"127.0.0.1:{image_site.port}"})
        playlist = a_download(
            alice,
            title=LONG,
            items=("finished", "running", "failed", "queued") * 3,
            thumbnail_url=f"{image_site.url}/thumb.png",
        )
        video = a_download(
            alice, title="One video", items=("finished",), status="finished", plex_state="done"
        )
        download = db.session.get(Download, playlist)
        download.source_url += "&index=" + "9" * 120
        running = [i.id for i in download.items if i.status == "running"]
        db.session.commit()
    return dict(owner=owner, alice=alice, playlist=playlist, video=video, running=running)


def check(tab, url: str, name: str) -> None:
    tab.problems.errors.clear()
    response = tab.goto(url)
    assert response.status == 200, url
    width = tab.viewport_size["width"]
    screenshot(tab, f"downloads-{name}-{width}")
    assert tab.evaluate("document.documentElement.scrollWidth") <= width, url
    assert tab.problems.errors == [], (url, tab.problems.errors)
    assert csp_violations(tab) == [], url


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "desktop"])
def test_the_downloads_pages_fit_the_screen(open_page, sign_in, rows, viewport):
    tab = open_page(viewport=viewport)
    sign_in(tab, "owner")
    check(tab, "/downloads?everyone=1", "list")
    expect(tab.locator(f"#dl-{rows['playlist']} img")).to_have_js_property("naturalWidth", 1)
    check(tab, f"/downloads/{rows['playlist']}", "detail")
    expect(tab.locator(".dl-item")).to_have_count(12)
    check(tab, f"/downloads/{rows['video']}", "video")
    check(tab, "/admin/downloads", "settings")
    check(tab, f"/admin/downloads/people/{rows['alice']}/limits", "limits")

    tab.goto("/downloads")
    tab.get_by_label("Addresses").fill("https://example.com/x.mp4\nfile:///etc/passwd")
    tab.get_by_role("button", name="Preview").click()
    expect(tab.locator("#preview")).to_contain_text("example.com is not a site MediaNest")
    expect(tab.locator("#preview")).to_contain_text("Only web addresses (https://)")
    screenshot(tab, f"downloads-preview-{viewport['width']}")
    assert tab.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert tab.problems.errors == []


def test_progress_and_changes_reach_every_open_tab_live(app, live_server, open_page, sign_in, rows):
    item = rows["running"][0]
    listing, detail = open_page(), open_page(viewport=PHONE)
    sign_in(listing, "alice")
    listing.get_by_role("link", name="Downloads", exact=True).click()
    listing.wait_for_url(live_server.url + "/downloads")  # the dashboard lists the same downloads
    before = sockets_open(live_server)
    sign_in(detail, "alice")
    wait_until_live(live_server, more_than=before - 1)
    detail.goto(f"/downloads/{rows['playlist']}")
    for tab in (listing, detail):
        wait_until_tab_live(tab)  # each page opened its own socket: hear it before publishing
        mark_page(tab)

    with app.app_context():
        event = {"type": "download.progress", "download_id": rows["playlist"], "item_id": item}
        event.update(pct=61.2, speed=2_500_000, eta=12, status="running")
        publish(event, user_ids=[rows["alice"]])
    expect(listing.locator(f"#dl-{rows['playlist']}-progress")).to_contain_text("61% · 2.5 MB/s")
    expect(detail.locator(f"#dl-item-{item}-progress")).to_contain_text("0:12 left")
    expect(detail.locator(f"#dl-item-{item}-progress progress")).to_have_attribute("value", "61.2")

    with app.app_context():
        db.session.get(DownloadItem, item).status = "finished"
        db.session.commit()
        publish(
            {"type": "download.changed", "download_id": rows["playlist"]}, user_ids=[rows["alice"]]
        )
    expect(detail.locator(f"#dl-item-{item} .badge")).to_have_text("Done")
    expect(detail.locator(f"#dl-{rows['playlist']}-head")).to_contain_text("4 of 12 videos done")
    expect(listing.locator(f"#dl-{rows['playlist']}")).to_contain_text("4 of 12 videos")
    assert same_document(listing) and same_document(detail), "a page was reloaded"
    assert listing.problems.errors == [] and detail.problems.errors == []


def test_a_playlist_from_paste_to_done_live_in_two_tabs(
    app, live_server, open_page, sign_in, auth, site, worker
):
    auth.owner()
    auth.create("alice")
    with app.app_context():
        allow(reset(site))
    site.state.switch(throttle=60_000)  # slow enough to watch each video's bar move
    feed = f"{site.url}/feeds/top10.xml"
    tab = open_page()
    sign_in(tab, "alice")
    tab.get_by_role("link", name="Downloads", exact=True).click()
    tab.get_by_label("Addresses").fill(feed)
    tab.get_by_label("Quality").select_option("720p")
    tab.get_by_role("button", name="Preview").click()
    preview = tab.locator(".dl-preview")
    expect(preview).to_contain_text("Playlist")
    expect(preview).to_contain_text("4 videos")
    expect(preview.locator("img")).to_have_js_property("complete", True)
    assert preview.locator("img").evaluate("img => img.naturalWidth") > 0
    screenshot(tab, "downloads-flow-preview-1280")
    tab.get_by_label("Which videos").fill("1-3")
    tab.get_by_role("button", name="Download", exact=True).click()
    tab.wait_for_url("**/downloads/*")
    download_id = int(tab.url.rsplit("/", 1)[1])
    expect(tab.locator(".flash-success")).to_contain_text("Added")
    mark_page(tab)

    other = open_page(viewport=PHONE)
    before = sockets_open(live_server)
    sign_in(other, "alice")
    wait_until_live(live_server, more_than=before - 1)
    other.goto("/downloads")
    card = other.locator(f"#dl-{download_id}")
    expect(card).to_be_visible()
    mark_page(other)

    expect(tab.locator(".dl-item")).to_have_count(3, timeout=30_000)
    expect(tab.locator(".dl-item .dl-progress small").first).to_contain_text("%", timeout=30_000)
    expect(card.locator(".dl-progress small")).to_contain_text("%", timeout=30_000)
    head = tab.locator(f"#dl-{download_id}-head")
    expect(head).to_contain_text("3 of 3 videos done", timeout=90_000)
    expect(head.locator(".badge").first).to_have_text("Done")
    expect(card).to_contain_text("3 of 3 videos", timeout=10_000)
    expect(card.locator(".badge").first).to_have_text("Done")
    expect(tab.locator("#toasts .toast").first).to_contain_text("Downloaded")
    screenshot(tab, "downloads-flow-done-1280")
    assert same_document(tab) and same_document(other), "a page was reloaded"
    assert tab.problems.errors == [] and other.problems.errors == []
    assert csp_violations(tab) == [] and csp_violations(other) == []
