"""The simulated TMDB answers in the shapes of TMDB's OpenAPI description, keys and errors too."""

import json
from functools import cache

import pytest

from simulators import tmdb
from simulators.plex_library import Library
from tests.conftest import ROOT

# The paths Discover reads, copied verbatim from TMDB's OpenAPI description (tmdb-api.json).
SPEC = ROOT / "simulators" / "specs" / "tmdb-api.subset.json"
KEY = {"api_key": tmdb.DEMO_API_KEY}
TYPES = {
    "string": (str,),
    "integer": (int, float),  # the export guessed "integer" from examples such as 7
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


@cache
def spec() -> dict:
    return json.loads(SPEC.read_text())


def schema_of(path: str) -> dict:
    answer = spec()["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    return answer["schema"]


def problems(value, schema: dict, where: str = "$") -> list[str]:
    """Where an answer strays from a schema: a missing key or a value of another type."""
    kind = schema.get("type")
    if value is None or kind is None:
        return []  # TMDB sends null for absent images and dates
    if not isinstance(value, TYPES[kind]) or (kind != "boolean" and isinstance(value, bool)):
        return [f"{where}: {type(value).__name__}, not {kind}"]
    found = []
    if kind == "object":
        for key, sub in schema.get("properties", {}).items():
            if key not in value:
                found.append(f"{where}.{key}: missing")
            else:
                found += problems(value[key], sub, f"{where}.{key}")
    elif kind == "array" and value:
        found += problems(value[0], schema.get("items", {}), f"{where}[0]")
    return found


@pytest.fixture
def client():
    return tmdb.create_app().test_client()


@pytest.mark.parametrize(
    "url, spec_path",
    [
        ("/3/trending/movie/day", "/3/trending/movie/{time_window}"),
        ("/3/trending/tv/week", "/3/trending/tv/{time_window}"),
        ("/3/movie/popular", "/3/movie/popular"),
        ("/3/tv/popular", "/3/tv/popular"),
        ("/3/movie/upcoming", "/3/movie/upcoming"),
        ("/3/search/tv?query=the&api_key=" + tmdb.DEMO_API_KEY, "/3/search/tv"),
        ("/3/movie/1000011", "/3/movie/{movie_id}"),
        ("/3/movie/1000011/credits", "/3/movie/{movie_id}/credits"),
        ("/3/tv/2000012", "/3/tv/{series_id}"),
        ("/3/tv/2000012/season/1", "/3/tv/{series_id}/season/{season_number}"),
    ],
)
def test_answers_follow_the_spec(client, url, spec_path):
    response = client.get(url, query_string=None if "?" in url else KEY)
    assert response.status_code == 200
    assert problems(response.get_json(), schema_of(spec_path)) == []


def test_multi_search_results_carry_their_media_type(client):
    body = client.get("/3/search/multi", query_string={**KEY, "query": "the"}).get_json()
    assert {r["media_type"] for r in body["results"]} <= {"movie", "tv"}
    movie = next(r for r in body["results"] if r["media_type"] == "movie")
    assert problems(movie, schema_of("/3/search/multi")["properties"]["results"]["items"]) == [
        "$.name: missing",
        "$.original_name: missing",
    ]  # the spec merges movie and show keys in one item; a movie has no name


def test_paging_counts_and_limits(client):
    first = client.get("/3/movie/popular", query_string=KEY).get_json()
    assert (first["page"], len(first["results"]), first["total_results"]) == (1, 20, 600)
    assert first["total_pages"] == 30
    last = client.get("/3/movie/popular", query_string={**KEY, "page": 31}).get_json()
    assert last["results"] == []
    for page in ("0", "501", "x", "1e3"):
        bad = client.get("/3/movie/popular", query_string={**KEY, "page": page})
        assert bad.status_code == 400 and bad.get_json()["status_code"] == 22


def test_keys_are_checked_as_tmdb_does(client):
    for headers, query in (
        ({}, {}),
        ({}, {"api_key": "nope"}),
        ({"Authorization": "Bearer x"}, {}),
    ):
        answer = client.get("/3/movie/popular", headers=headers, query_string=query)
        assert answer.status_code == 401
        assert answer.get_json() == {
            "success": False,
            "status_code": 7,
            "status_message": "Invalid API key: You must be granted a valid key.",
        }
    bearer = {"Authorization": f"Bearer {tmdb.DEMO_READ_TOKEN}"}
    assert client.get("/3/movie/popular", headers=bearer).status_code == 200


def test_unknown_ids_are_tmdbs_404(client):
    for url in ("/3/movie/99", "/3/tv/1000011", "/3/movie/99999999999", "/3/tv/2000012/season/9"):
        answer = client.get(url, query_string=KEY)
        assert answer.status_code == 404 and answer.get_json()["status_code"] == 34


def test_rate_limit_and_latency_switches():
    state = tmdb.TmdbState(rate_limited=7)
    answer = tmdb.create_app(state).test_client().get("/3/movie/popular", query_string=KEY)
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "7"
    assert answer.get_json()["status_code"] == 25


def test_titles_and_ids_match_the_demo_plex_libraries():
    movies = Library("1", "Movies", "movie", count=300)
    shows = Library("2", "TV Shows", "show", count=40, seasons=3, episodes=8)
    catalog = tmdb.TmdbState().catalog
    for library, kind in ((movies, "movie"), (shows, "tv")):
        for index in (0, 7, library.count - 1):
            _el, attrs, children = library.node(index, guids=True)
            guids = [str(c[1].get("id")) for c in children if c[0] == "Guid"]
            tmdb_id = int(next(g for g in guids if g.startswith("tmdb://"))[7:])
            facts = catalog.facts(kind, tmdb_id)
            assert (facts["title"], int(facts["date"][:4])) == (attrs["title"], attrs["year"])
    assert catalog.facts("movie", 1_000_000 + 300 + 11) is not None  # past Plex: to request
    seasons = [len(catalog.seasons(catalog.facts("tv", 2_000_011 + i))) for i in range(6)]
    assert max(seasons) > 3  # some shows have seasons the demo Plex does not


def test_posters_are_real_pictures(client):
    body = client.get("/3/movie/1000011", query_string=KEY).get_json()
    picture = client.get(f"/t/p/w342{body['poster_path']}")
    assert picture.status_code == 200 and picture.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/t/p/w9999/p0.png").status_code == 404
