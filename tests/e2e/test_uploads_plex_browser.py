"""A processed upload sent to Plex from its page: the person picks title, date and collection,
the worker places the file where Plex expects it, the simulated Plex lists the episode, and the
open page turns to "In Plex" and links to the item in our library, all without a reload."""

import shutil
import subprocess

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models.uploads import IN_PLEX, Upload
from app.uploads import storage
from tests.e2e.conftest import PHONE, mark_page, same_document, screenshot, wait_until_tab_live
from tests.integration import upload_plex_helpers as helpers
from tests.integration.upload_plex_helpers import connect, ready_upload

pytestmark = pytest.mark.browser

media, app, plex = helpers.media, helpers.app, helpers.plex


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """A 2-second clip and a poster for it."""
    folder = tmp_path_factory.mktemp("clip")
    run = ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i"]
    picture = ["testsrc2=s=320x180:r=10:d=2", "-c:v", "libx264", "-pix_fmt", "yuv420p"]
    subprocess.run([*run, *picture, str(folder / "clip.mp4")], check=True, timeout=60)
    still = ["testsrc2=s=320x180", "-frames:v", "1", str(folder / "poster.jpg")]
    subprocess.run([*run, *still], check=True, timeout=60)
    return folder


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1280", "390"])
def test_send_to_plex_from_the_page_lands_in_plex_and_links_to_our_library(
    app, live_server, open_page, sign_in, auth, plex, worker, clip, viewport
):
    auth.owner()
    alice = auth.create("alice")
    with app.app_context():
        connect(plex)
        key = ready_upload(alice, clip / "clip.mp4").key
        shutil.copy(clip / "poster.jpg", storage.derived_path(key, "poster.jpg"))
    tab = open_page(**({"viewport": viewport} if viewport else {}))
    sign_in(tab, "alice")
    tab.goto(f"/uploads/{key}")
    wait_until_tab_live(tab)
    mark_page(tab)
    plex_card = tab.locator("#plex")
    expect(plex_card.get_by_label("Title")).to_have_value("beach")

    plex_card.get_by_label("Title").fill("")
    plex_card.get_by_role("button", name="Send to Plex").click()
    expect(plex_card.locator("#plex-title-error")).to_be_visible()
    expect(plex_card.locator(".field-error")).to_have_count(1)
    assert all("400" in error for error in tab.problems.errors)  # the refused form's status
    tab.problems.errors.clear()

    plex_card.get_by_label("Title").fill("Beach day")
    plex_card.get_by_label("Date").fill("2024-07-14")
    plex_card.get_by_label("Collection").fill("Holidays")
    plex_card.get_by_role("button", name="Send to Plex").click()
    expect(tab.locator(".flash")).to_contain_text("Sending “Beach day” to Plex")
    mark_page(tab)

    expect(plex_card).to_contain_text("In Plex as “Beach day” under Holidays.", timeout=30_000)
    opener = plex_card.get_by_role("link", name="Open in library")
    expect(opener).to_be_visible(timeout=30_000)
    assert same_document(tab), "the page was reloaded"

    placed = list((plex.home / "Holidays" / "Season 2024").iterdir())
    assert [p.name[:12] for p in placed] == ["s2024e071401"]
    titles = [plex.library.node(*leaf)[1]["title"] for leaf in plex.library.leaves()]
    assert titles == ["Beach day"]
    with app.app_context():
        row = db.session.scalars(select(Upload).where(Upload.key == key)).one()
        assert row.state == IN_PLEX
    assert tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"]
    screenshot(tab, f"upload-in-plex-{tab.viewport_size['width']}")

    opener.click()
    tab.wait_for_url("**/library/item/*")
    expect(tab.locator("h1")).to_contain_text("Holidays")
    expect(tab.locator("main")).to_contain_text("Beach day")
    assert tab.problems.errors == [], tab.problems.errors
