"""The classes of vulnerability published against Overseerr/Seerr and Tautulli, tried here.

Registration without an invitation, fields a person should not set (role, owner), path
traversal in what serves files, an image proxy made to fetch other addresses, redirects off the
site and forms sent from another site. None reproduces. Stored XSS is in its own file.
"""

from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask import url_for
from sqlalchemy import func, select

from app.extensions import db
from app.models import MediaRequest, User
from tests.conftest import PASSWORD
from tests.security import test_access_matrix as matrix
from tests.security.access import ADMIN_ONLY, ANONYMOUS, OWNER_ONLY
from tests.security.peers import OFF_SITE, Recorder, changed, snapshot, unsafe_requests
from tests.security.table import TABLE
from tests.security.world import ADA, ADMIN, ALICE

matrix_app, plex_tv, world = matrix.matrix_app, matrix.plex_tv, matrix.world
browsers, askers = matrix.browsers, matrix.askers
# What a person could add to any form, hoping the server stores it as it comes.
ELEVATE = {
    "role": "admin",
    "is_admin": "1",
    "admin": "1",
    "is_owner": "1",
    "owner": "1",
    "pending": "0",
    "disabled": "0",
    "status": "approved",
    "approved": "1",
    "quota_requests": "999999",
    "quota_upload_gb": "999999",
}


def users(app) -> dict[str, tuple]:
    with app.app_context():
        found = db.session.execute(select(User.username, User.role, User.is_owner)).all()
        db.session.remove()
    return {name: (role, owner) for name, role, owner in found}


# --- Registration without an invitation (Overseerr/Seerr sign-up bypass) -------------------


def test_no_route_makes_an_account_for_someone_without_an_invitation(matrix_app, world, askers):
    before = users(matrix_app)
    nobody = askers[ANONYMOUS]
    form = {"username": "mallory", "password": PASSWORD, "confirm": PASSWORD, **ELEVATE}
    asked = 0
    for endpoint, method, url, data in unsafe_requests(matrix_app, TABLE, world, ANONYMOUS):
        if endpoint.startswith("invites."):  # with a link nobody was given
            url = url.replace(world.values["invite_token"], "made-up-invitation-token")
        nobody.ask(method, url, TABLE[endpoint], {**data, **form})
        asked += 1
    assert asked > 50
    assert users(matrix_app) == before


def test_an_invitation_for_a_person_makes_a_person_whatever_the_form_says(matrix_app, world):
    client = matrix_app.test_client()
    link = f"/invite/{world.values['invite_token']}"
    form = {"username": "newcomer", "password": PASSWORD, "confirm": PASSWORD, **ELEVATE}
    answer = client.post_form(link, form, page=link)
    assert answer.status_code == 302
    assert users(matrix_app)["newcomer"] == ("user", False)
    assert client.get("/admin/users").status_code == 403, "signed in, as a person"


def test_setup_once_done_takes_no_new_owner(matrix_app, world):
    client = matrix_app.test_client()
    form = {"username": "usurper", "password": PASSWORD, "confirm": PASSWORD}
    client.post_form("/setup", form)
    assert "usurper" not in users(matrix_app)


# --- Fields a person should not set: role, owner, approval (mass assignment) ---------------


def owners_of_everything(app) -> dict[str, set]:
    """For each table with a user_id: whose rows it holds."""
    found = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if "user_id" in table.columns and table.name != "user_sessions":
                owners = db.session.scalars(select(table.c.user_id).distinct()).all()
                found[table.name] = set(owners)
        db.session.remove()
    return found


def test_a_person_sending_admin_fields_to_every_form_stays_a_person(matrix_app, world, askers):
    alice, bob_id = askers[ALICE], world.values["bob_id"]
    before = owners_of_everything(matrix_app)
    elevate = {**ELEVATE, "user_id": str(bob_id), "owner_id": str(bob_id)}
    asked = 0
    for endpoint, method, url, data in unsafe_requests(matrix_app, TABLE, world, ALICE):
        if TABLE[endpoint].cls in (ADMIN_ONLY, OWNER_ONLY):
            continue
        alice.enter(world)  # again: some of these sign her out
        alice.ask(method, url, TABLE[endpoint], {**data, **elevate})
        asked += 1
    assert asked > 30
    assert users(matrix_app)[ALICE] == ("user", False)
    for table, owners in owners_of_everything(matrix_app).items():
        assert bob_id not in owners - before[table], f"alice made a {table} row bob's"
    with matrix_app.app_context():
        alice_row = db.session.scalars(select(User).where(User.username == ALICE)).one()
        assert alice_row.quota_requests is None and alice_row.quota_upload_gb is None
        approved = select(func.count()).where(MediaRequest.status == "approved")
        assert db.session.scalar(approved) == 0, "a request approved by its own requester"


def test_an_admin_who_is_not_the_owner_cannot_make_herself_the_owner(matrix_app, world, askers):
    ada = askers[ADA]
    for endpoint, method, url, data in unsafe_requests(matrix_app, TABLE, world, ADA):
        ada.enter(world)
        ada.ask(method, url, TABLE[endpoint], {**data, **ELEVATE, "role": "owner"})
    found = users(matrix_app)
    assert [name for name, (_, owner) in found.items() if owner] == [ADMIN]
    assert found[ADA][1] is False


def test_a_person_cannot_approve_or_answer_for_their_own_request(matrix_app, world, askers):
    alice, request_id = askers[ALICE], world.values["request_id"]
    for action in ("approve", "available", "seasons", "retry"):
        answer = alice.post(f"/admin/requests/{request_id}/{action}", data={"status": "approved"})
        assert answer.status_code == 403, action
    bulk = {"ids": str(request_id), "action": "approve"}
    assert alice.post("/admin/requests/bulk", data=bulk).status_code == 403
    with matrix_app.app_context():
        assert db.session.get(MediaRequest, request_id).status == "pending"


# --- Path traversal in what serves files (Tautulli) -----------------------------------------

SECRET_TEXT = "the-secret-beside-the-data-folder"


def traversals(secret) -> list[str]:
    """A path to the secret file in each of the ways a file route has been fooled."""
    up = "../" * 12 + str(secret).lstrip("/")
    return [
        up,
        "../secret.txt",
        "../../secret.txt",
        quote(up, safe=""),
        up.replace("../", "%2e%2e%2f"),
        up.replace("../", "%252e%252e%252f"),
        up.replace("../", "..%2f"),
        up.replace("../", "..%c0%af"),
        up.replace("/", "\\"),
        up.replace("/", "%5c"),
        str(secret),
        quote(str(secret), safe=""),
        "//" + str(secret).lstrip("/"),
        "....//" * 12 + str(secret).lstrip("/"),
        up + "%00.jpg",
        up + "\x00.jpg",
        "secret.txt",
    ]


FILE_ROUTES = [
    "/static/{}",
    "/static/css/{}",
    "/uploads/{}",
    "/uploads/{}/original",
    "/uploads/{}/poster.jpg",
    "/discover/image/w342/{}",
    "/discover/image/{}/dune.jpg",
    "/library/image?path={}",
    "/library/image?path=/library/metadata/101/thumb/{}",
    "/library/mail-image/{}",
    "/downloads/thumbnail/{}",
    "/admin/backups/{}/download",
    "/favicon.ico/{}",
]


@pytest.fixture
def secrets(matrix_app):
    """The secret beside the data folder, and one inside it that no route is for."""
    data = Path(matrix_app.config["DATA_DIR"])
    paths = [data.parent / "secret.txt", data / "secret.txt"]
    for path in paths:
        path.write_text(SECRET_TEXT)
    yield [str(path) for path in paths]
    for path in paths:
        path.unlink()


def test_no_file_route_serves_a_file_from_outside_its_folder(world, askers, secrets):
    asked = 0
    for secret in secrets:
        for attack in traversals(secret):
            for route in FILE_ROUTES:
                url = route.format(attack)
                for role in (ANONYMOUS, ALICE, ADMIN):
                    answer = askers[role].get(url)
                    assert SECRET_TEXT.encode() not in answer.get_data(), (role, url)
                    assert answer.status_code < 500, (role, url)
                    asked += 1
    assert asked > 500
    # The same routes do serve what they are for: the test would see a leaked file.
    assert askers[ADMIN].get("/static/vendor/VERSIONS").status_code == 200


# --- The image proxies fetch only their own kind of image (SSRF) ---------------------------

PROXY_ATTACKS = [
    "{url}/x.png",
    "//127.0.0.1:{port}/x.png",
    "/library/metadata/101/thumb/1@127.0.0.1:{port}",
    "@127.0.0.1:{port}/x.png",
    "127.0.0.1:{port}",
    "http://[::1]:{port}/",
    "http://2130706433:{port}/",
    "http://0x7f.0.0.1:{port}/",
    "file:///etc/passwd",
    "/photo/:/transcode?url={url}/x.png",
    "/library/metadata/101/thumb/1?url={url}/x.png",
    "/library/metadata/101/thumb/1/../../../../{url}",
    "/library/metadata/101/thumb/1\r\nHost: 127.0.0.1:{port}",
]


@pytest.fixture
def recorder(matrix_app, world):
    """A loopback server standing in as Plex and TMDB's image host, counting what it is asked."""
    from app import settings

    with Recorder() as server:
        old = matrix_app.config["TMDB_IMAGE_URL"]
        matrix_app.config["TMDB_IMAGE_URL"] = server.url
        with matrix_app.app_context():
            settings.put({"plex.server_url": server.url, "plex.owner_token": "owner-token"})
        try:
            yield server
        finally:
            matrix_app.config["TMDB_IMAGE_URL"] = old


def test_the_image_proxies_fetch_nothing_but_their_own_images(matrix_app, askers, recorder):
    for template in PROXY_ATTACKS:
        attack = template.format(url=recorder.url, port=recorder.port)
        for url in (
            "/library/image?path=" + quote(attack, safe=""),
            "/discover/image/w342/" + quote(attack, safe=""),
            "/discover/image/" + quote(attack, safe="") + "/dune.jpg",
        ):
            for role in (ALICE, ADMIN):
                answer = askers[role].get(url)
                assert 400 <= answer.status_code < 500, (role, url, answer.status_code)
                assert b"recorded" not in answer.get_data(), (role, url)
    assert recorder.hits == []
    # A poster of an item that is there is fetched: the recorder would have seen an attack.
    askers[ALICE].get("/discover/image/w342/arrival.jpg")
    assert recorder.hits and recorder.hits[-1] == "/w342/arrival.jpg"


# --- Redirects stay on the site -------------------------------------------------------------


def stays_on_site(app, answer) -> bool:
    """On this site, or on plex.tv's sign-in page that leads back here, as a browser reads the
    Location: tabs and newlines dropped, a backslash taken for a slash."""
    location = answer.headers.get("Location", "")
    read = location.translate({9: None, 10: None, 13: None}).replace("\\", "/").strip()
    parts = urlsplit(read)
    if not parts.netloc and not parts.scheme and not read.startswith("//"):
        return True
    plex = urlsplit(app.config["PLEX_APP_URL"])
    back = parse_qs(parts.fragment.lstrip("?")).get("forwardUrl", [""])[0]
    home = urlsplit(back).netloc == "localhost"
    return (parts.scheme, parts.netloc) == (plex.scheme, plex.netloc) and home


def signed_in_client(app, world, role):
    """A browser of its own for each ask: a sign-in on one never carries over to the next."""
    client = app.test_client()
    if role != ANONYMOUS:
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = world.logins[role], True
    return client


def redirect_asks(matrix_app, world, target):
    """(role, method, url, form) for every place that takes where to go next."""
    with matrix_app.test_request_context():
        sign_in = {"username": ADMIN, "password": PASSWORD}
        yield ANONYMOUS, "POST", url_for("auth.login", next=target), sign_in
        yield ALICE, "GET", url_for("auth.login", next=target), {}
        yield ANONYMOUS, "POST", url_for("auth.plex_start", next=target), {}
        yield ANONYMOUS, "POST", url_for("auth.oidc_start", next=target), {}
        yield ALICE, "POST", url_for("auth.logout", next=target), {}
        yield ANONYMOUS, "GET", url_for("auth.plex_callback", next=target), {}
        yield ANONYMOUS, "GET", url_for("auth.oidc_callback", next=target, state="x"), {}
        download = url_for("downloads.retry", download_id=world.values["download_id"])
        yield ALICE, "POST", download, {"next": target}
        user = url_for("admin.user_disable", user_id=world.values["bob_id"])
        yield ADMIN, "POST", user, {"next": target}


@pytest.mark.parametrize("target", OFF_SITE)
def test_no_next_address_leads_off_the_site(matrix_app, world, target):
    for role, method, url, form in redirect_asks(matrix_app, world, target):
        client = signed_in_client(matrix_app, world, role)
        if method == "POST":
            answer = client.post_form(url, form, page="/login" if role == ANONYMOUS else "/")
        else:
            answer = client.get(url)
        where = (role, method, url, answer.headers.get("Location"))
        assert answer.status_code < 500, where
        assert stays_on_site(matrix_app, answer), where
        assert "evil" not in answer.headers.get("Set-Cookie", ""), where


# --- Forms sent from another site (CSRF) -----------------------------------------------------

# Machines that prove who they are with a secret, not a cookie: no form token to ask for.
BY_SECRET = {"library.plex_webhook", "overseerr_webhook.overseerr_webhook"}


def forged(app, world, role: str, token: str | None):
    """Every unsafe endpoint asked as a page on another site could: the person's cookie, the
    form, no header a form cannot set, and no token or someone else's."""
    for endpoint, method, url, data in unsafe_requests(app, TABLE, world, role):
        if endpoint in BY_SECRET:
            continue
        client = signed_in_client(app, world, role)
        form = {**data, **({"csrf_token": token} if token else {})}
        headers = {"X-CSRFToken": token} if token else {}
        yield endpoint, client.open(url, method=method, data=form, headers=headers)


@pytest.mark.parametrize("role", [ANONYMOUS, ALICE, ADMIN])
@pytest.mark.parametrize("token", ["none", "another session's"])
def test_a_form_from_another_site_is_refused_and_changes_nothing(matrix_app, world, role, token):
    other = signed_in_client(matrix_app, world, ADA)
    stolen = other.token("/account") if token != "none" else None
    before = snapshot(matrix_app)
    asked = 0
    for endpoint, answer in forged(matrix_app, world, role, stolen):
        assert answer.status_code in (400, 403, 412), (endpoint, answer.status_code)
        asked += 1
    assert asked > 80
    assert changed(before, snapshot(matrix_app)) == []
