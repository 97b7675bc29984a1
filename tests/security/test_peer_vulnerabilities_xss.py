"""Stored XSS, as published against Overseerr and Tautulli: names and titles that are markup.

Every text someone else can choose (a Plex username or title synced in, a request's, download's
or upload's title, a notification) is stored as markup; every page that shows it shows it as
text, no link leads to `javascript:`, and the CSP would refuse an inline script anyway.
"""

import re

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import (
    Download,
    DownloadItem,
    LibrarySection,
    MediaItem,
    MediaRequest,
    Notification,
    NotifyChannel,
    PersonTarget,
    Subscription,
    Upload,
    User,
)
from tests.security import test_access_matrix as matrix
from tests.security.access import SETUP, SOCKET
from tests.security.table import TABLE
from tests.security.test_access_matrix import build_url, rules_by_endpoint, url_values
from tests.security.world import ADMIN, ALICE

matrix_app, plex_tv, world = matrix.matrix_app, matrix.plex_tv, matrix.world
browsers, askers = matrix.browsers, matrix.askers

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
MARKUP = SCRIPT + ATTRIBUTE
# How Jinja writes MARKUP as text: what a person sees is the markup, never run.
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"
LINK = "javascript:alert(1)"
# Any attribute that a browser follows or runs: a URL scheme that runs script is XSS too.
RUNS = re.compile(
    r"""(?:href|src|action|formaction|hx-get|hx-post)\s*=\s*["']?\s*javascript:""", re.I
)


def marked(word: str) -> str:
    return f"{word} {MARKUP}"


def store_markup(app, world_) -> None:
    """Every text a person or an outside service chooses, as markup."""
    v = world_.values
    with app.app_context():
        changes = [
            (User, User.id == v["bob_id"], {"username": marked("bob"), "avatar_url": LINK}),
            (LibrarySection, LibrarySection.id == v["section_id"], {"title": marked("Movies")}),
            (MediaItem, MediaItem.rating_key == v["rating_key"], {"title": marked("Dune")}),
            (MediaItem, MediaItem.rating_key == v["rating_key"], {"summary": marked("Sand")}),
            (MediaRequest, MediaRequest.user_id == v["alice_id"], {"title": marked("Asked")}),
            (Download, Download.user_id == v["alice_id"], {"title": marked("Clip")}),
            (Download, Download.user_id == v["alice_id"], {"source_url": LINK}),
            (DownloadItem, DownloadItem.id > 0, {"title": marked("Video"), "url": LINK}),
            (Subscription, Subscription.id > 0, {"title": marked("Playlist")}),
            (Upload, Upload.user_id == v["alice_id"], {"title": marked("Beach")}),
            (Upload, Upload.user_id == v["alice_id"], {"filename": marked("beach") + ".mp4"}),
            (Notification, Notification.id > 0, {"title": marked("Ready"), "body": MARKUP}),
            (NotifyChannel, NotifyChannel.id > 0, {"name": marked("Hook")}),
            (PersonTarget, PersonTarget.id > 0, {"name": marked("Phone")}),
        ]
        for model, where, values in changes:
            db.session.execute(update(model).where(where).values(**values))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def marked_world(matrix_app, world):
    store_markup(matrix_app, world)
    return world


def pages(app, world_, askers_):
    """(role, url, html) of every page and fragment anyone signed in can see."""
    rules = rules_by_endpoint(app)
    for endpoint, access in sorted(TABLE.items()):
        if access.cls in (SOCKET, SETUP) or "GET" not in rules[endpoint].methods:
            continue
        for role in (ALICE, ADMIN):
            values, _ = url_values(rules[endpoint], access, world_, role)
            url = build_url(app, endpoint, values, access.query, world_, role)
            headers = {**access.headers, **({"HX-Request": "true"} if access.hx else {})}
            askers_[role].enter(world_)
            answer = askers_[role].get(url, headers=headers)
            if answer.mimetype == "text/html":
                yield role, url, answer


def test_no_page_runs_markup_stored_by_someone_else(matrix_app, marked_world, askers):
    shown = 0
    for role, url, answer in pages(matrix_app, marked_world, askers):
        html = answer.get_data(as_text=True)
        assert SCRIPT not in html and ATTRIBUTE not in html, (role, url)
        assert not RUNS.search(html), (role, url, RUNS.search(html))
        csp = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, (role, url)
        shown += ESCAPED in html
    assert shown >= 10, "the markup was shown as text on too few pages to have been tried"


# Each thing, and a page that shows it: it is there, as the text that was stored.
WHERE_SHOWN = [
    (ADMIN, "/admin/users", "bob"),
    (ADMIN, "/admin/users/{bob_id}", "bob"),
    (ALICE, "/library/", "Movies"),
    (ALICE, "/library/item/{rating_key}", "Dune"),
    (ALICE, "/library/item/{rating_key}", "Sand"),
    (ALICE, "/library/search?q=Dune", "Dune"),
    (ALICE, "/requests", "Asked"),
    (ALICE, "/requests/{request_id}", "Asked"),
    (ADMIN, "/admin/requests", "Asked"),
    (ALICE, "/downloads", "Clip"),
    (ALICE, "/downloads/{download_id}", "Video"),
    (ALICE, "/downloads/subscriptions", "Playlist"),
    (ALICE, "/uploads", "Beach"),
    (ALICE, "/uploads/{upload_key}", "Beach"),
    (ALICE, "/notifications/", "Ready"),
    (ALICE, "/account/notifications", "Phone"),
    (ADMIN, "/admin/notifications", "Hook"),
]


@pytest.mark.parametrize("role, page, word", WHERE_SHOWN)
def test_a_stored_title_is_shown_as_text(matrix_app, marked_world, askers, role, page, word):
    askers[role].enter(marked_world)
    answer = askers[role].get(page.format(**marked_world.values))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200, page
    assert f"{word} {ESCAPED}" in html, f"{page} does not show {word}'s title as text"
    assert SCRIPT not in html and ATTRIBUTE not in html
