"""A loopback TMDB (v3 API and image host), answering as TMDB's OpenAPI description says.

simulators/specs/tmdb-api.subset.json holds the paths we use, copied verbatim from it.

Keys: a v3 key as ``?api_key=`` or a v4 read token as ``Authorization: Bearer``. Switches on the
state: ``rate_limited`` (seconds of Retry-After on a 429), ``latency`` (seconds before each
answer), ``down``. ``hits`` counts API calls (not images), for tests that expect none.
"""

import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.wrappers import Response

from simulators.tmdb_data import Catalog, page_of
from simulators.tmdb_details import credits_of, movie_details, season_details, tv_details

DEMO_API_KEY = "demo-tmdb-key"
DEMO_READ_TOKEN = "eyJhbGciOiJIUzI1NiJ9.ZGVtby10bWRiLXJlYWQtdG9rZW4.c2ltdWxhdGVk"
LANGUAGE = "en"

INVALID_KEY = (401, 7, "Invalid API key: You must be granted a valid key.")
NOT_FOUND = (404, 34, "The resource you requested could not be found.")
BAD_PAGE = (
    400,
    22,
    "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer.",
)
OFFLINE = (503, 9, "Service offline: This service is temporarily offline, try again later.")
OVER_LIMIT = (429, 25, "Your request count (41) is over the allowed limit of (40).")
NOT_ALLOWED = (405, 3, "Authentication failed: You do not have permissions to access the service.")

POSTER_SIZES = {"w92", "w154", "w185", "w342", "w500", "w780", "original"}
IMAGE_SIZES = POSTER_SIZES | {"w45", "w300", "w1280", "h632"}


@dataclass
class TmdbState:
    api_key: str = DEMO_API_KEY
    read_token: str = DEMO_READ_TOKEN
    catalog: Catalog = field(default_factory=Catalog)
    rate_limited: int = 0
    latency: float = 0.0
    down: bool = False
    hits: int = 0
    paths: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, path: str) -> None:
        with self._lock:
            self.hits += 1
            self.paths.append(path)


bp = Blueprint("tmdb", __name__)


def _state() -> TmdbState:
    return current_app.config["TMDB_STATE"]


def error(status: int, code: int, message: str) -> Response:
    body = {"success": False, "status_code": code, "status_message": message}
    return jsonify(body), status


@bp.before_request
def gatekeeper():
    state = _state()
    if request.path.startswith("/t/p/"):
        return None
    state.count(request.path)
    if state.latency:
        time.sleep(state.latency)
    if state.down:
        return error(*OFFLINE)
    key = request.args.get("api_key")
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else None
    if not ((key and key == state.api_key) or (key is None and token == state.read_token)):
        return error(*INVALID_KEY)
    if state.rate_limited:
        response, status = error(*OVER_LIMIT)
        response.headers["Retry-After"] = str(state.rate_limited)
        return response, status
    return None


def _page() -> int | None:
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 500:
        return None
    return int(raw)


def _list(keys, media_type: str | None = None, extra=None):
    """A paged list of results; keys are (kind, id) pairs; media_type set when one kind only."""
    page = _page()
    if page is None:
        return error(*BAD_PAGE)
    shown, pages, total = page_of(keys, page)
    results = [result(kind, tmdb_id, with_type=media_type is None) for kind, tmdb_id in shown]
    return jsonify(
        {
            **(extra or {}),
            "page": page,
            "results": results,
            "total_pages": pages,
            "total_results": total,
        }  # fmt: skip
    )


def result(kind: str, tmdb_id: int, with_type: bool = True) -> dict:
    """A title as lists and searches give it."""
    facts = _state().catalog.facts(kind, tmdb_id)
    item = {
        "adult": False,
        "backdrop_path": facts["backdrop"],
        "id": tmdb_id,
        "original_language": LANGUAGE,
        "overview": facts["overview"],
        "poster_path": facts["poster"],
        "genre_ids": [genre_id for genre_id, _name in facts["genres"]],
        "popularity": facts["popularity"],
        "vote_average": facts["vote_average"],
        "vote_count": facts["vote_count"],
    }
    if kind == "movie":
        item |= {"title": facts["title"], "original_title": facts["original"]}
        item |= {"release_date": facts["date"], "video": False}
    else:
        item |= {"name": facts["title"], "original_name": facts["original"]}
        item |= {"first_air_date": facts["date"], "origin_country": ["US"]}
    if with_type:
        item["media_type"] = kind
    return item


@bp.get("/3/trending/<media_type>/<time_window>")
def trending(media_type, time_window):
    if media_type not in ("all", "movie", "tv", "person") or time_window not in ("day", "week"):
        return error(*NOT_FOUND)
    if media_type == "person":
        return _list([], None)
    return _list(_state().catalog.trending(media_type, time_window))


@bp.get("/3/movie/popular")
def popular_movies():
    return _list([("movie", i) for i in _state().catalog.popular["movie"]], "movie")


@bp.get("/3/tv/popular")
def popular_tv():
    return _list([("tv", i) for i in _state().catalog.popular["tv"]], "tv")


@bp.get("/3/movie/upcoming")
def upcoming():
    catalog = _state().catalog
    soon = catalog.upcoming
    dates = {"maximum": None, "minimum": None}
    if soon:
        first, last = catalog.facts("movie", soon[0]), catalog.facts("movie", soon[-1])
        dates = {"maximum": last["date"], "minimum": first["date"]}
    return _list([("movie", i) for i in soon], "movie", {"dates": dates})


@bp.get("/3/search/<kind>")
def search(kind):
    kinds = {"multi": ("movie", "tv"), "movie": ("movie",), "tv": ("tv",)}.get(kind)
    if kinds is None:
        return error(*NOT_FOUND)
    query = request.args.get("query", "")
    return _list(_state().catalog.search(query, kinds), None if kind == "multi" else kind)


def _facts_or_none(kind: str, raw: str):
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > 2**31 - 1:
        return None
    return _state().catalog.facts(kind, int(raw))


def _appended() -> set[str]:
    return {part.strip() for part in request.args.get("append_to_response", "").split(",")}


@bp.get("/3/movie/<raw_id>")
def movie(raw_id):

    facts = _facts_or_none("movie", raw_id)
    if facts is None:
        return error(*NOT_FOUND)
    return jsonify(movie_details(_state().catalog, facts, _appended()))


@bp.get("/3/tv/<raw_id>")
def tv(raw_id):

    facts = _facts_or_none("tv", raw_id)
    if facts is None:
        return error(*NOT_FOUND)
    return jsonify(tv_details(_state().catalog, facts, _appended()))


@bp.get("/3/<kind>/<raw_id>/credits")
def credits(kind, raw_id):

    facts = _facts_or_none(kind, raw_id) if kind in ("movie", "tv") else None
    if facts is None:
        return error(*NOT_FOUND)
    return jsonify(credits_of(_state().catalog, facts))


@bp.get("/3/tv/<raw_id>/season/<raw_number>")
def season(raw_id, raw_number):

    facts = _facts_or_none("tv", raw_id)
    if facts is None or not (raw_number.isascii() and raw_number.isdigit()):
        return error(*NOT_FOUND)
    found = season_details(_state().catalog, facts, int(raw_number))
    return jsonify(found) if found else error(*NOT_FOUND)


@bp.get("/t/p/<size>/<name>")
def image(size, name):
    kind, _, ext = name.partition(".")
    if size not in IMAGE_SIZES or ext != "png" or kind[:1] not in ("p", "b", "c"):
        return Response("Not Found", 404, content_type="text/plain")
    return Response(png(size, name), 200, content_type="image/png")


@lru_cache(maxsize=512)
def png(size: str, name: str) -> bytes:
    """A picture of bands of colour drawn from the file name, at the size asked for."""
    width = 1280 if size == "original" else int(size[1:])
    tall = name[1] != "b"  # backdrops are wide; posters and people are tall
    height = int(width * 1.5) if tall else int(width * 9 / 16)
    if size.startswith("h"):
        width, height = int(height * 2 / 3), int(size[1:])
    seed = zlib.crc32(name.encode())
    top = ((seed >> 16) & 255, (seed >> 8) & 255, seed & 255)
    rows = []
    for y in range(height):
        shade = y / max(height - 1, 1)
        colour = bytes(int(c * (1 - 0.6 * shade)) for c in top)
        rows.append(b"\x00" + colour * width)
    raw = zlib.compress(b"".join(rows), 6)

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def create_app(state: TmdbState | None = None) -> Flask:
    """Build the WSGI app of the simulated TMDB API and image host."""
    app = Flask(__name__)
    app.config["TMDB_STATE"] = state or TmdbState()
    app.json.sort_keys = False
    app.register_blueprint(bp)

    @app.errorhandler(404)
    def not_found(_exc):
        return error(*NOT_FOUND)

    @app.errorhandler(405)
    def not_allowed(_exc):
        return error(*NOT_ALLOWED)

    return app


def main(argv=None) -> None:
    """Serve the simulated TMDB until interrupted (for benchmarks); prints its address."""
    import argparse
    import logging

    from simulators.server import SimulatorServer
    from simulators.tmdb_data import Catalog, Shelf

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m simulators.tmdb")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--plex-movies", type=int, default=300, help="movies the Plex has")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args(argv)
    count = args.plex_movies
    shelves = (
        Shelf("movie", 1, count + 300, on_plex=count, upcoming=40),
        Shelf("tv", 2, 120, on_plex=0, plex_seasons=3),
    )
    state = TmdbState(catalog=Catalog(shelves), latency=args.latency)
    state.catalog.trending("all", "week"), state.catalog.popular, state.catalog.upcoming
    server = SimulatorServer(create_app(state), port=args.port).start()
    print(server.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
