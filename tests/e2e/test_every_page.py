"""Every page of the app, as the owner and as an ordinary person, on a phone and a desktop.

The walk takes its pages from the app's own URL map: each GET route without arguments, and one
page per route with arguments, built from real ids in the seeded data. A new page is walked
without anyone adding it here; a new page with arguments fails the walk until it gets its ids.
On each page nothing may scroll sideways and the console must stay free of errors. The app runs
as demo mode does, so every link out of it (Play on Plex) must land on a page that answers.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from app import settings
from app.crypto import encrypt
from app.discover.titles import Season, Title
from app.extensions import db
from app.invites import services as invites
from app.models import (
    ItemTag,
    LibrarySection,
    MediaItem,
    NotifyChannel,
    NotifyProfile,
    Subscription,
    User,
)
from app.models.backups import DONE, UPLOADED, VERIFIED, Backup
from app.models.base import utcnow
from app.models.uploads import READY, VIDEO, Upload
from app.notifications.services import notify
from app.notify.profile_email import token_hash
from app.requests import decisions
from app.requests import services as requests
from app.uploads import storage as upload_storage
from tests.conftest import Accounts
from tests.e2e import demo_helpers
from tests.e2e.conftest import DESKTOP, PHONE, csp_violations
from tests.e2e.demo_helpers import demo_app
from tests.integration import discover_helpers
from tests.integration.dashboard_helpers import put_state, world
from tests.integration.download_page_helpers import a_download

demo_plex, tmdb_sim = demo_helpers.demo_plex, discover_helpers.tmdb_sim

pytestmark = pytest.mark.browser

# Set to a folder to keep a screenshot of every page walked, to look at.
SCREENSHOTS = os.environ.get("MEDIANEST_SCREENSHOTS")
WIDE = {"width": 1366, "height": DESKTOP["height"]}

# GET routes that are not pages a person opens: the socket, files, icons, posters, and the
# status card's fragment that the dashboard polls while a check runs.
NOT_PAGES = {
    "static",
    "ops.favicon",
    "realtime.socket",
    "library.image",
    "library.mail_image",
    "discover.image",
    "downloads.thumbnail",
    "uploads.derived",  # an upload's poster, strip and preview: files, not pages
    "uploads.original",
    "admin.backups_download",  # a sealed archive: a file, not a page
}
# Answers for machines and sign-in round trips; still walked, after the pages, as they end
# with an explanation a person may land on.
LAST = ("auth.plex_callback", "auth.oidc_callback")

# What each may be refused (4xx): a sign-in round trip opened without one, an invitation to
# someone already signed in, and for a person the admin pages and the metrics.
CALLBACKS = ("/login/plex/callback", "/login/oidc/callback", "/invite/")
VERIFY_LINK = "/account/notifications/verify/"  # the friend's link: the owner is turned away
REFUSED = {
    "owner": (*CALLBACKS, VERIFY_LINK),
    "friend": (*CALLBACKS, "/admin", "/metrics", "/dashboard/checklist"),
}

VIDEO_SITES = ("https://www.youtube.com/",)
DOCS = ("https://github.com/caronc/apprise/wiki",)  # Apprise's list of URL schemes
EMAIL_TOKEN = "a-link-sent-to-the-friend"
LONG_WORD = "https://sso.example.com/application/o/medianest-" + "x" * 90 + "/"


@dataclass
class Seeded:
    owner: int
    friend: int
    movies: str
    collection: str
    items: dict[str, int]
    invite: str  # an invitation link's address
    request: int  # the friend's request for a show, declined with a long reason
    download: int  # the friend's playlist download with a long title, a video failed
    subscription: int  # the friend's subscription to a channel with a long title
    channel: int  # an admin notification channel with a long name
    upload: str  # the friend's processed upload with a long title (its key)
    backup: int  # a verified backup with a copy in the bucket, by a long name


@pytest.fixture
def app(make_app, demo_plex, tmdb_sim):
    """Demo mode's synced catalog and TMDB, two people, and the long values pages must wrap."""
    tmdb = discover_helpers.tmdb_config(tmdb_sim)
    app = demo_app(lambda **extra: make_app(**tmdb, **extra), demo_plex)
    accounts = Accounts(app, None)
    owner, friend = accounts.owner(), accounts.create("friend")
    world(app)
    put_state(
        app,
        "kuma:99",
        "monitor",
        LONG_WORD,
        "down",
        public=True,
        info={"group": "Public", "message": LONG_WORD, "pings": [1, None, 3]},
    )
    with app.app_context():
        notify([owner, friend], "Ready: " + LONG_WORD, "Body " + LONG_WORD, link="/library/")
        settings.put({"oidc.issuer": LONG_WORD, "oidc.client_id": LONG_WORD})
    return app


@pytest.fixture
def seeded(app) -> Seeded:
    with app.app_context():
        movies, movies_id = db.session.execute(
            select(LibrarySection.key, LibrarySection.id).where(LibrarySection.type == "movie")
        ).one()
        collection = db.session.scalar(
            select(ItemTag.value)
            .join(MediaItem, MediaItem.id == ItemTag.item_id)
            .where(ItemTag.kind == "collection", MediaItem.section_id == movies_id)
            .limit(1)
        )
        items = {}
        for kind in ("movie", "show", "season", "episode", "artist", "album", "track"):
            key = db.session.scalar(
                select(MediaItem.rating_key).where(MediaItem.type == kind).limit(1)
            )
            if key is not None:
                items[kind] = key
        owner, friend = (
            db.session.scalar(select(User.id).where(User.username == name))
            for name in ("owner", "friend")
        )
        _, token = invites.create(actor=db.session.get(User, owner), note="Cousin " + LONG_WORD)
        request_id = _a_declined_request(owner, friend)
        download_id = a_download(
            friend, title="Playlist " + LONG_WORD, items=("finished", "running", "failed")
        )
        subscription = Subscription(
            user_id=friend,
            source_url="https://www.youtube.com/@nestcam/videos",
            source_key="youtube:channel:@nestcam",
            kind="channel",
            title="Channel " + LONG_WORD,
            last_result="Found 3 new videos " + LONG_WORD,
        )
        channel = NotifyChannel(
            name=LONG_WORD[:100],  # as long as a name may be, in one word
            kind="json",
            secret_url=encrypt("json://127.0.0.1:9/hook"),
            summary="JSON webhook on 127.0.0.1",
        )
        profile = NotifyProfile(
            user_id=friend,
            email_pending="friend@example.com",
            email_token_hash=token_hash(EMAIL_TOKEN),
            email_token_at=utcnow(),
        )
        upload = Upload(
            key=upload_storage.new_key(),
            user_id=friend,
            filename="Upload " + LONG_WORD + ".mp4",
            title="Upload " + LONG_WORD,
            size=123_456_789,
            state=READY,
            kind=VIDEO,
            container="mp4",
            duration=75.0,
            width=1920,
            height=1080,
        )
        backup = Backup(
            status=DONE,
            trigger="admin",
            requested_by=LONG_WORD[:64],
            filename="medianest-20261204-020000-1.mnbackup",
            size=48_123_456,
            sha256="ab" * 32,
            database="sqlite",
            schema="0020",
            rows=1_234_567,
            verified=VERIFIED,
            verify_detail="Restored into a scratch database: 1,234,567 rows in 40 tables match.",
            bucket_status=UPLOADED,
            bucket_key="medianest/medianest-20261204-020000-1.mnbackup",
        )
        db.session.add_all([subscription, channel, profile, upload, backup])
        db.session.commit()
        subscription_id, channel_id, upload_key = subscription.id, channel.id, upload.key
        backup_id = backup.id
    assert collection and {"movie", "show", "episode"} <= items.keys()
    invite = f"/invite/{token}"
    return Seeded(
        owner,
        friend,
        movies,
        collection,
        items,
        invite,
        request_id,
        download_id,
        subscription_id,
        channel_id,
        upload_key,
        backup_id,
    )


def _a_declined_request(owner: int, friend: int) -> int:
    seasons = tuple(Season(n, f"Season {n}") for n in range(1, 4))
    show = Title("tv", 31, "Requested " + LONG_WORD, year=2024, seasons=seasons)
    req = requests.create(db.session.get(User, friend), show, "all").created
    decisions.decline(req, "Reason " + LONG_WORD, actor=db.session.get(User, owner))
    return req.id


def pages_with_ids(seeded: Seeded) -> dict[str, list[str]]:
    """One page (or one per kind of item) for each route that takes arguments."""
    return {
        "admin.user": [f"/admin/users/{seeded.owner}", f"/admin/users/{seeded.friend}"],
        "admin.user_delete_confirm": [f"/admin/users/{seeded.friend}/delete"],
        "library.section": [f"/library/{seeded.movies}"],
        "library.collections": [f"/library/{seeded.movies}/collections"],
        "library.collection": [
            f"/library/{seeded.movies}/collections/{quote(seeded.collection, safe='')}"
        ],
        "library.item": [f"/library/item/{key}" for key in seeded.items.values()],
        "invites.accept": [seeded.invite],
        # A movie on Plex, a show with seasons Plex lacks (demo ids, simulators/tmdb_data.py).
        "discover.movie": ["/discover/movie/1000011", "/discover/movie/1000400"],
        "discover.tv": ["/discover/tv/2000012"],
        "requests.detail": [f"/requests/{seeded.request}"],
        "requests.box": ["/requests/box/tv/31"],  # a fragment: opened as a page, My requests
        "requests.limits": [f"/admin/requests/people/{seeded.friend}/limits"],
        "downloads.detail": [f"/downloads/{seeded.download}"],
        "downloads.subscription": [f"/downloads/subscriptions/{seeded.subscription}"],
        "admin.download_limits": [f"/admin/downloads/people/{seeded.friend}/limits"],
        "uploads.detail": [f"/uploads/{seeded.upload}"],
        "admin.upload_limits": [f"/admin/uploads/people/{seeded.friend}/limits"],
        "admin.notifications_edit": [f"/admin/notifications/{seeded.channel}/edit"],
        "notify.account_verify": [VERIFY_LINK + EMAIL_TOKEN],
        "admin.backups_restore": [f"/admin/backups/{seeded.backup}/restore"],
    }


def every_page(app, seeded: Seeded) -> list[str]:
    """The URL of every page, in the app's URL map order, the sign-in round trips last."""
    with_ids = pages_with_ids(seeded)
    first, last, missing = [], [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        if rule.arguments:
            if rule.endpoint not in with_ids:
                missing.append(rule.rule)
            (last if rule.endpoint in LAST else first).extend(with_ids.get(rule.endpoint, []))
        else:
            (last if rule.endpoint in LAST else first).append(rule.rule)
    assert not missing, f"pages with arguments the walk has no ids for: {missing}"
    return first + last


def own_status_only(errors: list[str], status: int) -> list[str]:
    """Drop the one line the browser logs for a page that answers with an error status."""
    if status < 400:
        return errors
    own = f"the server responded with a status of {status}"
    return [e for e in errors if own not in e]


# Boxes that hide part of what they hold sideways (a table cut at its container's edge), other
# than form fields, the rows of posters that are meant to scroll, and what is hidden for all but
# screen readers (a box a pixel wide or less).
CUT_OFF = """
() => Array.from(document.querySelectorAll("main *")).filter(el => {
  if (el.matches("input, select, textarea") || el.closest(".poster-row")) return false;
  if (el.clientWidth <= 1) return false;
  const overflow = getComputedStyle(el).overflowX;
  return overflow !== "visible" && el.scrollWidth > el.clientWidth + 1;
}).map(el => el.tagName.toLowerCase()
  + (el.className ? "." + el.className.split(" ").join(".") : "")
  + " shows " + el.clientWidth + " of " + el.scrollWidth + "px")
"""

OUTWARD_LINKS = """
els => els.map(a => a.href).filter(href => new URL(href).origin !== location.origin)
"""


def walk(tab, urls: list[str], name: str, outward=None, refused=()) -> list[str]:
    """Open each page; return what was wrong, one line per problem. Collect links out.

    A page answering 4xx is a problem unless its URL starts with one of ``refused``.
    """
    width = tab.viewport_size["width"]
    problems = []
    for url in urls:
        tab.problems.errors.clear()
        response = tab.goto(url)
        status = response.status if response else 0
        scroll_width = tab.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems.append(f"{url}: {scroll_width}px wide on a {width}px screen")
        if cut := tab.evaluate(CUT_OFF):
            problems.append(f"{url}: cut off: {cut}")
        errors = own_status_only(tab.problems.errors, status)
        if errors:
            problems.append(f"{url}: {errors}")
        if violations := csp_violations(tab):
            problems.append(f"{url}: {violations}")
        if status >= 500 or (status >= 400 and not url.startswith(tuple(refused))):
            problems.append(f"{url}: answered {status}")
        if outward is not None:
            outward.update(tab.eval_on_selector_all("a[href]", OUTWARD_LINKS))
        if SCREENSHOTS:
            slug = url.strip("/").replace("/", "_") or "dashboard"
            tab.screenshot(
                path=str(Path(SCREENSHOTS) / f"{name}-{width}-{slug}.png"), full_page=True
            )
    return problems


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "desktop"])
@pytest.mark.parametrize("username", ["owner", "friend"])
def test_every_page_fits_the_screen_without_errors(
    app, seeded, open_page, sign_in, username, viewport
):
    urls = every_page(app, seeded)
    assert "/admin/library" in urls and f"/library/{seeded.movies}" in urls
    tab = open_page(viewport=viewport)
    sign_in(tab, username)
    outward = set()
    problems = walk(tab, urls, username, outward, REFUSED[username])
    assert problems == [], "\n".join(problems)

    # Demo mode's links out go to its simulated Plex; each must answer with a page, not a 404.
    # (A subscription's link to the video site it reads is the site's own, not MediaNest's, and
    # the notification pages link to Apprise's documentation.)
    outward = {link for link in outward if not link.startswith((*VIDEO_SITES, *DOCS))}
    assert any("/desktop/#!/server/" in link for link in outward), outward
    for link in sorted(outward):
        tab.goto("about:blank")  # links that differ only after "#" would not load again
        tab.problems.errors.clear()
        response = tab.goto(link)
        assert response.status == 200, f"{link} answered {response.status}"
        assert "demo" in tab.locator("h1").inner_text(), link
        assert tab.problems.errors == [], f"{link}: {tab.problems.errors}"


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "desktop"])
def test_signed_out_pages_fit_the_screen_without_errors(app, seeded, open_page, viewport):
    tab = open_page(viewport=viewport)
    urls = ["/login", "/setup", seeded.invite, "/invite/not-a-real-link", "/nope"]
    problems = walk(tab, urls, "signed-out", refused=["/nope", "/invite/not-a-real-link"])
    assert problems == [], "\n".join(problems)
