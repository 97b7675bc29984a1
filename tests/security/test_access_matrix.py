"""Who may use every endpoint: anonymous, a person, another person, an admin and the owner.

Every endpoint in the app's url_map has an entry in TABLE; a new route without one fails here.
Each endpoint is asked for with real ids of alice's things (or an id that names nothing), once
per role, and each answer is judged by the entry's class (tests/security/access.py). No answer
is ever a server error.
"""

import pytest
from flask import url_for
from simple_websocket import Client as SocketClient
from simple_websocket import ConnectionClosed

from app import create_app
from app.extensions import db
from simulators import SimulatorServer, plextv
from tests.conftest import Client, LiveServer, _config, _empty_everything
from tests.integration.test_realtime import sign_in as socket_sign_in
from tests.security.access import (
    ADMINS,
    ANONYMOUS,
    CLASSES,
    DEFAULT_ARGS,
    MISSING,
    ROLES,
    SOCKET,
    Access,
    Lit,
    expected,
    order,
    problem,
    refusal_problem,
)
from tests.security.table import (
    DEAD,
    FORM_VALUES,
    TABLE,
)
from tests.security.world import (
    METRICS_TOKEN,
    build,
    empty,
)


@pytest.fixture(scope="module")
def plex_tv():
    with SimulatorServer(plextv.create_app(plextv.PlexTvState())) as server:
        yield server.url


def quick_commits(database_url: str) -> dict:
    """PostgreSQL without waiting for each commit to reach the disk: each test builds and
    empties a world, and nothing here needs to survive a crash."""
    if not database_url.startswith("postgresql"):
        return {}
    options = "-c max_parallel_workers_per_gather=0 -c synchronous_commit=off"
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": options}}}


@pytest.fixture(scope="module")
def matrix_app(services, tmp_path_factory, plex_tv):
    """One app for the whole matrix; each test empties the database behind it."""
    app = create_app(
        _config(
            tmp_path_factory.mktemp("matrix"),
            services.database_url,
            services.redis_url,
            PLEX_TV_URL=plex_tv,
            PLEX_APP_URL=plex_tv,
            PLEX_TV_TIMEOUT=2.0,
            TMDB_URL=DEAD,
            TMDB_IMAGE_URL=DEAD,
            METRICS_TOKEN=METRICS_TOKEN,
            NOTIFY_TIMEOUT=2.0,
            **quick_commits(services.database_url),
        )
    )
    app.test_client_class = Client
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    _empty_everything(services)  # and ids start from 1 again for the tests after these


@pytest.fixture
def world(matrix_app):
    yield build(matrix_app)
    empty(matrix_app)


def rules_by_endpoint(app) -> dict:
    return {r.endpoint: r for r in app.url_map.iter_rules() if r.endpoint != "static"}


def methods_of(rule) -> list[str]:
    """The methods a view answers itself (not the HEAD and OPTIONS Flask adds)."""
    methods = set(rule.methods)
    if "GET" in methods:
        methods.discard("HEAD")
    if rule.provide_automatic_options:
        methods.discard("OPTIONS")
    return sorted(methods)


def test_every_endpoint_has_an_entry(matrix_app):
    missing = sorted(set(rules_by_endpoint(matrix_app)) - set(TABLE))
    assert not missing, f"endpoints with no entry in the access matrix: {missing}"


def test_no_entry_is_for_an_endpoint_that_is_gone(matrix_app):
    stale = sorted(set(TABLE) - set(rules_by_endpoint(matrix_app)))
    assert not stale, f"access matrix entries for endpoints that no longer exist: {stale}"


def test_every_entry_has_a_known_class():
    assert {a.cls for a in TABLE.values()} <= set(CLASSES)


class Asker:
    """One browser per role, signed in to each test's world, with its form token."""

    def __init__(self, app, role: str):
        self.role, self.client = role, app.test_client()
        self._token = self._raw = None

    def enter(self, world) -> None:
        """Sign in to this world's session row (anonymous: none), keeping the form token."""
        with self.client.session_transaction() as session:
            session.clear()
            if self._raw:
                session["csrf_token"] = self._raw
            if self.role != ANONYMOUS:
                session["_user_id"], session["_fresh"] = world.logins[self.role], True

    def token(self) -> str:
        if self._token is None:
            self.client.last_token = None
            self._token = self.client.token("/login" if self.role == ANONYMOUS else "/account")
            with self.client.session_transaction() as session:
                self._raw = session["csrf_token"]
        return self._token

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, **kwargs):
        return self.client.post(url, headers={"X-CSRFToken": self.token()}, **kwargs)

    def ask(self, method: str, url: str, access: Access, form: dict, extra: dict | None = None):
        headers = {**access.headers, **(extra or {})}
        if access.hx:
            headers["HX-Request"] = "true"
        if method not in ("GET", "HEAD", "OPTIONS"):
            headers["X-CSRFToken"] = self.token()
        body = access.body if access.body is not None else (form or None)
        return self.client.open(url, method=method, headers=headers, data=body)


@pytest.fixture(scope="module")
def browsers(matrix_app) -> dict:
    return {role: Asker(matrix_app, role) for role in ROLES}


@pytest.fixture
def askers(browsers, world) -> dict:
    """Each role's browser, signed in to this test's world."""
    for asker in browsers.values():
        asker.enter(world)
    return browsers


def url_values(rule, access: Access, world, role: str, wrong_secret: bool = False):
    """The URL arguments for this role, and whether any of them names nothing."""
    values, missing = {}, False
    for name in rule.arguments:
        source = access.args.get(name, DEFAULT_ARGS.get(name))
        assert source is not None, f"{rule.endpoint}: no value for <{name}>"
        if source is MISSING:
            values[name], missing = world.value("nothing", role), True
        elif isinstance(source, Lit):
            values[name] = str(source)
        else:
            values[name] = world.value(source, role)
        if wrong_secret and name == access.secret:
            values[name] = "not-the-secret-" + "x" * 20
    return values, missing


def build_url(app, endpoint: str, values: dict, query: dict, world, role: str) -> str:
    found = {k: (str(v) if isinstance(v, Lit) else world.value(v, role)) for k, v in query.items()}
    with app.test_request_context():
        return url_for(endpoint, **values, **found)


def form_for(access: Access, world, role: str) -> dict:
    return {k: world.value(v, role) if v in FORM_VALUES else v for k, v in access.data.items()}


# Endpoints that do not yet behave as their entry says: the entry is what is right, and the
# test fails strictly once the endpoint is fixed, so the mark is taken off then.
KNOWN_BUGS: dict[str, str] = {}  # endpoint: what is wrong, while it is (a strict xfail)
HTTP_ENTRIES = [
    pytest.param(e, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[e]))
    if e in KNOWN_BUGS
    else e
    for e in sorted(e for e, a in TABLE.items() if a.cls != SOCKET)
]


@pytest.mark.parametrize("endpoint", HTTP_ENTRIES)
def test_access(matrix_app, world, askers, endpoint):
    access = TABLE[endpoint]
    rule = rules_by_endpoint(matrix_app)[endpoint]
    problems = []
    for method in methods_of(rule):
        if access.secret or access.secret_headers:
            for role in ROLES:
                if role in ADMINS and access.admin_without_secret:
                    continue
                values, _ = url_values(rule, access, world, role, wrong_secret=True)
                url = build_url(matrix_app, endpoint, values, access.query, world, role)
                form = form_for(access, world, role)
                wrong = {name: "not-the-secret" for name in access.secret_headers}
                answer = askers[role].ask(method, url, access, form, wrong)
                why = refusal_problem(answer)
                if why:
                    problems.append(f"{method} {url} as {role} with a wrong secret: {why}")
        for role in order(access):
            values, missing = url_values(rule, access, world, role)
            url = build_url(matrix_app, endpoint, values, access.query, world, role)
            form = form_for(access, world, role)
            secret = {} if role in ADMINS and access.admin_without_secret else access.secret_headers
            answer = askers[role].ask(method, url, access, form, secret)
            why = problem(access, method, expected(access, role), answer, missing)
            if why:
                where = answer.headers.get("Location", "")
                problems.append(f"{method} {url} as {role}: {why} {where}".rstrip())
    assert not problems, "\n".join(problems)


def test_the_socket_is_for_signed_in_people_only(matrix_app, world):
    server = LiveServer(matrix_app).start()
    try:
        for role in ROLES:
            session = socket_sign_in(server, role) if role != ANONYMOUS else None
            cookie = "; ".join(f"{k}={v}" for k, v in (session.cookies.items() if session else []))
            headers = {"Origin": "http://127.0.0.1", **({"Cookie": cookie} if cookie else {})}
            socket = SocketClient.connect(f"ws://127.0.0.1:{server.port}/ws", headers=headers)
            try:
                if role == ANONYMOUS:
                    with pytest.raises(ConnectionClosed) as closed:
                        socket.receive(timeout=5)
                    assert closed.value.reason in (1008, 1005), role
                else:
                    assert socket.receive(timeout=5) == '<span id="live-state" hidden></span>'
            finally:
                try:
                    socket.close()
                except ConnectionClosed:
                    pass  # the server closed it first
    finally:
        server.stop()


def test_the_socket_address_asked_over_plain_http_is_no_server_error(askers):
    for role in ROLES:
        assert askers[role].get("/ws").status_code < 500, role


HIDDEN_LIBRARY = [
    ("library.section", {"section_key": "section_key"}),
    ("library.collections", {"section_key": "section_key"}),
    ("library.collection", {"section_key": "section_key", "name": "collection"}),
    ("library.item", {"rating_key": "rating_key"}),
    ("library.image", {"path": "poster"}),
]


def hide_the_library(app, world) -> None:
    from app.models import LibrarySection

    with app.app_context():
        db.session.get(LibrarySection, world.values["section_id"]).hidden = True
        db.session.commit()


@pytest.mark.parametrize("endpoint, names", HIDDEN_LIBRARY)
def test_a_hidden_library_is_for_admins_only(matrix_app, world, askers, endpoint, names):
    hide_the_library(matrix_app, world)
    values = {key: world.values[name] for key, name in names.items()}
    with matrix_app.test_request_context():
        url = url_for(endpoint, **values)
    for role in ROLES:
        answer = askers[role].get(url)
        if role == ANONYMOUS:
            assert answer.status_code == 302 and "/login" in answer.headers["Location"]
        else:
            assert answer.status_code == (200 if role in ADMINS else 404), (url, role)


def test_a_hidden_librarys_items_are_in_no_persons_search_or_mail(matrix_app, world, askers):
    hide_the_library(matrix_app, world)
    item = f'/library/item/{world.values["rating_key"]}"'
    with matrix_app.test_request_context():
        mail = url_for("library.mail_image", token=world.values["mail_token"])
    for role in ROLES[1:]:
        found = askers[role].get("/library/search?q=dune").get_data(as_text=True)
        assert (item in found) == (role in ADMINS), role
        assert askers[role].get(mail).status_code == 404, role
    assert askers[ANONYMOUS].get(mail).status_code == 404  # as a mail client asks: no session


def test_someone_watching_a_download_sees_it_but_may_not_change_it(matrix_app, world, askers):
    from app.models import Download, DownloadItem, DownloadWatcher

    download_id, item_id = world.values["download_id"], world.values["item_id"]
    with matrix_app.app_context():
        db.session.add(DownloadWatcher(download_id=download_id, user_id=world.values["bob_id"]))
        db.session.commit()
    bob = askers["bob"]
    assert bob.get(f"/downloads/{download_id}").status_code == 200
    for action in ("retry", "cancel"):
        for url in (f"/downloads/{download_id}/{action}", f"/downloads/items/{item_id}/{action}"):
            answer = bob.post(url, follow_redirects=True)
            assert "Only the person who added this download" in answer.get_data(as_text=True)
    with matrix_app.app_context():
        assert db.session.get(Download, download_id).status == "failed"
        assert db.session.get(DownloadItem, item_id).status == "failed"


# alice's things by the words they show, and the list pages that could show them.
LISTS = [
    ("/downloads?everyone=1", "Clip 1", True),
    ("/uploads?everyone=1", "Beach 1", True),
    ("/downloads/subscriptions", "Playlist 1", True),
    ("/requests", "Dune", False),  # My requests: an admin's own, like anyone's
    ("/notifications/", "Dune is on Plex", False),
]


@pytest.mark.parametrize("url, words, admins_see_everyone", LISTS)
def test_a_list_shows_a_person_only_their_own(askers, url, words, admins_see_everyone):
    for role in ROLES[1:]:
        html = askers[role].get(url).get_data(as_text=True)
        should = role == "alice" or (admins_see_everyone and role in ADMINS)
        assert (words in html) == should, (url, role)
