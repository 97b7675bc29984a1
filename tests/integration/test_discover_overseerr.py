"""Without a TMDB key, Discover reads Overseerr's own discover, search and title endpoints."""

import re

import pytest
from flask import Flask, abort, jsonify, request

from app import settings
from simulators import SimulatorServer, tmdb
from tests.conftest import Accounts

KEY = "overseerr-key"
TMDB_PATHS = {
    "/api/v1/discover/trending": "/3/trending/all/week",
    "/api/v1/discover/movies": "/3/movie/popular",
    "/api/v1/discover/tv": "/3/tv/popular",
    "/api/v1/discover/movies/upcoming": "/3/movie/upcoming",
    "/api/v1/search": "/3/search/multi",
}


def camel(value):
    if isinstance(value, dict):
        return {re.sub(r"_([a-z])", lambda m: m[1].upper(), k): camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def overseerr_fixture() -> Flask:
    """Overseerr's answers in its own camelCase, with TMDB's facts from the TMDB simulator."""
    facts = tmdb.create_app().test_client()
    app = Flask(__name__)
    app.config["seen"] = []

    @app.before_request
    def key():
        app.config["seen"].append(request.full_path)
        if request.headers.get("X-Api-Key") != KEY:
            return jsonify({"status": 403, "error": "You do not have permission."}), 403
        return None

    @app.get("/api/v1/<path:rest>")
    def answer(rest):
        path = TMDB_PATHS.get(request.path)
        params = {"api_key": tmdb.DEMO_API_KEY}
        if path is None:
            if not re.fullmatch(r"(movie|tv)/(\d+)", rest):
                abort(404)
            path, params["append_to_response"] = f"/3/{rest}", "credits,external_ids"
        params |= {k: v for k, v in request.args.items() if k in ("page", "query")}
        body = facts.get(path, query_string=params)
        if body.status_code != 200:
            return jsonify({"message": "Unable to retrieve."}), body.status_code
        data = camel(body.get_json())
        for item in data.get("results", []):
            item.setdefault("mediaType", "movie" if "title" in item else "tv")
        return jsonify(data)

    return app


@pytest.fixture
def overseerr():
    app = overseerr_fixture()
    with SimulatorServer(app) as server:
        yield server.url, app.config["seen"]


@pytest.fixture
def friend(make_app, overseerr):
    app = make_app(TMDB_API_KEY="")
    with app.app_context():
        settings.put({"overseerr.url": overseerr[0], "overseerr.api_key": KEY})
    accounts = Accounts(app, None)
    accounts.owner()
    accounts.create("friend")
    client = app.test_client()
    Accounts(app, client).login("friend")
    return client


def test_rows_come_from_overseerrs_discover_endpoints(friend, overseerr):
    html = friend.get("/discover").get_data(as_text=True)
    assert html.count("discover-card") >= 60 and "Popular shows" in html
    paths = {p.split("?")[0] for p in overseerr[1]}
    assert set(TMDB_PATHS) - {"/api/v1/search"} <= paths


def test_search_sends_spaces_as_percent_20(friend, overseerr):
    html = friend.get("/discover/search?q=the+last").get_data(as_text=True)
    assert "The Last" in html
    assert any("query=the%20last" in p for p in overseerr[1])


def test_a_show_page_has_seasons_and_cast_from_overseerr(friend):
    html = friend.get("/discover/tv/2000012").get_data(as_text=True)
    assert html.count('class="season-name"') == 4 and "Cast" in html
    assert friend.get("/discover/movie/99").status_code == 404


def test_a_wrong_key_is_said_plainly(make_app, overseerr):
    app = make_app(TMDB_API_KEY="")
    with app.app_context():
        settings.put({"overseerr.url": overseerr[0] + "/api/v1/", "overseerr.api_key": "nope"})
    Accounts(app, None).owner()
    client = app.test_client()
    Accounts(app, client).login("owner")
    assert "Overseerr refused the API key" in client.get("/discover").get_data(as_text=True)
