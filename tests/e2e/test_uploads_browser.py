"""Uploads in the browser: a video sent in chunks, cut off halfway, resumed from where it stopped
by dropping the same file again, processed by the worker and shown Ready on its card live; and
the cards of My uploads on a wide screen and a phone, with their preview, rename and delete."""

import subprocess

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models.uploads import FAILED, IN_PLEX, PROCESSING, READY, UPLOADING, VIDEO, Upload
from app.uploads import storage
from tests.conftest import wait_for
from tests.e2e.conftest import PHONE, mark_page, same_document, screenshot, wait_until_tab_live

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 800}
CHUNK = 512 * 1024  # small chunks, so a 4 MB file takes several
SIZES = pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "390"])

# Every card state this page draws changes the <article> it replaces; collect them all.
WATCH_STATES = """
window.__states = [];
new MutationObserver(function () {
  document.querySelectorAll("#upload-cards .up-card").forEach(function (card) {
    var last = window.__states[window.__states.length - 1];
    if (last !== card.dataset.state) window.__states.push(card.dataset.state);
  });
}).observe(document.body, { childList: true, subtree: true, attributes: true });
"""


def ffmpeg(*args) -> None:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *map(str, args)], check=True, timeout=60)


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    """A 5-second clip of about 3.8 MB, noisy so it does not compress away."""
    path = tmp_path_factory.mktemp("clips") / "Garden party.mp4"
    ffmpeg(
        *("-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=5", "-f", "lavfi", "-i", "sine=d=5"),
        *("-vf", "noise=alls=30:allf=t", "-c:v", "libx264", "-preset", "ultrafast"),
        *("-b:v", "6M", "-maxrate", "6M", "-bufsize", "2M", "-pix_fmt", "yuv420p"),
        *("-c:a", "aac", "-shortest", path),
    )
    assert path.stat().st_size > 6 * CHUNK
    return path


@pytest.fixture(scope="module")
def derived(tmp_path_factory):
    """A real poster and preview clip to copy into the rows made directly."""
    folder = tmp_path_factory.mktemp("derived")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=640x360", "-frames:v", "1", folder / "poster.jpg")
    ffmpeg(
        *("-f", "lavfi", "-i", "testsrc2=s=320x180:r=15:d=2", "-c:v", "libx264"),
        *("-pix_fmt", "yuv420p", "-an", folder / "preview.mp4"),
    )
    return folder


@pytest.fixture
def app(make_app):
    return make_app(UPLOAD_CHUNK_BYTES=CHUNK)


def until(tab, predicate, timeout: float = 20):
    """wait_for, letting Playwright run its route handlers meanwhile (they run in its calls)."""
    return wait_for(lambda: tab.wait_for_timeout(50) or predicate(), timeout=timeout)


def the_upload(app) -> Upload | None:
    with app.app_context():
        row = db.session.scalars(select(Upload)).first()
        db.session.expunge_all()
        return row


def received(app, key: str) -> int:
    with app.app_context():
        return storage.received(key)


class CutOff:
    """Lets the first chunks through, then drops every later one, as a lost connection would."""

    def __init__(self, let_through: int):
        self.left, self.dropped = let_through, 0

    def __call__(self, route):
        if route.request.method != "PATCH":
            route.continue_()
        elif self.left > 0:
            self.left -= 1
            route.continue_()
        else:
            self.dropped += 1
            route.abort("connectionreset")


@SIZES
def test_an_upload_cut_off_goes_on_where_it_stopped_and_turns_ready_live(
    app, live_server, open_page, sign_in, auth, worker, video, viewport
):
    auth.owner()
    auth.create("alice")
    tab = open_page(viewport=viewport)
    sign_in(tab, "alice")
    tab.goto("/uploads")
    wait_until_tab_live(tab)
    expect(tab.locator("#upload-room")).to_contain_text("Files up to 50 GB")
    expect(tab.locator("#upload-drop")).to_have_attribute("data-chunk-size", str(CHUNK))

    cut = CutOff(let_through=3)
    tab.route("**/uploads/files/*", cut)
    tab.locator("#upload-files").set_input_files(video)
    until(tab, lambda: cut.dropped >= 1)
    row = the_upload(app)
    assert row.state == UPLOADING and row.filename == "Garden party.mp4"

    # The lid closes: the page goes, with the client still retrying the dropped chunk.
    tab.reload()
    tab.unroute("**/uploads/files/*")
    wait_until_tab_live(tab)
    first_session = received(app, row.key)
    assert first_session == 3 * CHUNK < row.size
    tab.evaluate(WATCH_STATES)
    mark_page(tab)
    tab.problems.errors.clear()  # the dropped chunks were reported; from here on nothing may be
    offsets = []
    tab.on(
        "request",
        lambda r: r.method == "PATCH" and offsets.append(int(r.headers["upload-offset"])),
    )
    tab.locator("#upload-files").set_input_files(video)

    item = tab.locator("#upload-queue .up-item")
    expect(item).to_contain_text("Uploaded; processing it now.", timeout=20_000)
    assert offsets[0] == first_session > 0, "the second session started again from the start"
    assert row.size - offsets[0] < row.size
    assert received(app, row.key) == row.size or the_upload(app).state != UPLOADING

    card = tab.locator(f"#upload-{row.key}")
    expect(card).to_have_attribute("data-state", READY, timeout=30_000)
    expect(card.locator(".up-state")).to_have_text("Ready")
    expect(card).to_contain_text("0:05")
    poster = card.locator(".up-thumb img")
    expect(poster).to_have_js_property("complete", True)
    assert poster.evaluate("img => img.naturalWidth") > 0
    states = tab.evaluate("window.__states")
    assert states[-1] == READY and len(states) > 1, f"the card did not change live: {states}"
    assert same_document(tab), "the page was reloaded"
    assert tab.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert tab.problems.errors == []


def make_row(app, user_id: int, derived, **fields) -> str:
    with app.app_context():
        row = Upload(key=storage.new_key(), user_id=user_id, size=48_000_000, **fields)
        if row.state in (READY, IN_PLEX):
            row.container = "mp4"
            storage.original_path(row).write_bytes(b"original bytes")
            for name in ("poster.jpg", "preview.mp4"):
                storage.derived_path(row.key, name).write_bytes((derived / name).read_bytes())
        db.session.add(row)
        db.session.commit()
        return row.key


@pytest.fixture
def cards(app, auth, derived):
    """alice's uploads in each state a card shows, newest first on the page."""
    auth.owner()
    alice = auth.create("alice")
    ready = dict(kind=VIDEO, duration=75.0, width=1920, height=1080)
    keys = {
        "uploading": make_row(app, alice, derived, filename="Birthday cake.mov", state=UPLOADING),
        "failed": make_row(
            app,
            alice,
            derived,
            filename="notes.txt",
            state=FAILED,
            error="This is not a video, a sound or a picture we can read.",
        ),
        "processing": make_row(
            app, alice, derived, filename="Ski trip.mp4", state=PROCESSING, progress=40
        ),
        "in_plex": make_row(
            app,
            alice,
            derived,
            filename="Lake.mp4",
            title="Summer at the lake, with a title long enough to wrap on a phone",
            state=IN_PLEX,
            collection="Holidays",
            **ready,
        ),
        "ready": make_row(
            app, alice, derived, filename="Beach day.mp4", title="Beach day", state=READY, **ready
        ),
    }
    return keys


@SIZES
def test_my_uploads_show_each_state_preview_on_hover_rename_and_delete(
    app, live_server, open_page, sign_in, cards, viewport
):
    tab = open_page(viewport=viewport)
    sign_in(tab, "alice")
    tab.goto("/uploads")
    grid = tab.locator("#upload-cards")
    expect(grid.locator(".up-card")).to_have_count(5)
    words = {name: tab.locator(f"#upload-{key} .up-state") for name, key in cards.items()}
    expect(words["uploading"]).to_have_text("Uploading")
    expect(words["processing"]).to_have_text("Processing 40%")
    expect(words["failed"]).to_have_text("Failed")
    expect(tab.locator(f"#upload-{cards['failed']}")).to_contain_text("not a video")
    expect(words["in_plex"]).to_have_text("In Plex")
    expect(words["ready"]).to_have_text("Ready")
    ready = tab.locator(f"#upload-{cards['ready']}")
    expect(ready).to_contain_text("45.8 MB · 1:15 · 1920×1080")
    poster = ready.locator(".up-thumb img")
    poster.scroll_into_view_if_needed()
    expect(poster).to_have_js_property("complete", True)
    assert poster.evaluate("img => img.naturalWidth") > 0
    assert tab.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(tab, f"uploads-{viewport['width']}")
    rows = tab.evaluate("[...document.querySelectorAll('.nav-links li')].map(li => li.offsetTop)")
    assert len(set(rows)) == 1, "a person's header links do not share one row"

    clip = ready.locator("video.up-preview")
    assert clip.get_attribute("preload") == "none" and clip.evaluate("v => v.muted")
    if viewport is WIDE:
        ready.locator(".up-thumb").hover()
        expect(clip).to_have_js_property("paused", False)
        tab.locator("h1").hover()
        expect(clip).to_have_js_property("paused", True)

    ready.get_by_role("link", name="Rename Beach day").click()
    expect(tab.locator("details#manage")).to_have_attribute("open", "")
    tab.locator("#rename-title").fill("Sand castles")
    tab.get_by_role("button", name="Rename", exact=True).click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Sand castles")
    assert tab.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(tab, f"upload-detail-{viewport['width']}")

    tab.goto("/uploads")
    tab.once("dialog", lambda dialog: dialog.accept())
    tab.get_by_role("button", name="Delete Sand castles").click()
    expect(tab.locator(".flash")).to_contain_text("Deleted “Sand castles” and its files.")
    expect(grid.locator(".up-card")).to_have_count(4)
    with app.app_context():
        assert not storage.derived_path(cards["ready"], "poster.jpg").exists()
    assert tab.problems.errors == []
