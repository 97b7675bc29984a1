"""Discover's pages as the owner and a friend: rows, search, title pages, and what cards say."""

import re

import pytest

from app.extensions import db
from app.models import MediaRequest, User
from tests.conftest import Accounts
from tests.e2e import demo_helpers
from tests.e2e.demo_helpers import demo_app
from tests.integration import discover_helpers
from tests.integration.discover_helpers import tmdb_config

demo_plex, tmdb_sim = demo_helpers.demo_plex, discover_helpers.tmdb_sim

ON_PLEX_MOVIE = 1_000_011  # index 0 of the demo Plex's movies
NOT_ON_PLEX_MOVIE = 1_000_400
SHOW = 2_000_012  # index 1: TMDB knows 4 seasons, the demo Plex has 3


@pytest.fixture
def app(make_app, demo_plex, tmdb_sim):
    def make(**extra):
        return make_app(**tmdb_config(tmdb_sim), **extra)

    return demo_app(make, demo_plex)


@pytest.fixture
def people(app):
    accounts = Accounts(app, None)
    return {"owner": accounts.owner(), "friend": accounts.create("friend")}


def _login(app, name):
    client = app.test_client()
    Accounts(app, client).login(name)
    return client


def _request(app, user_id, media_type, tmdb_id, status="pending", seasons=()):
    with app.app_context():
        db.session.add(
            MediaRequest(
                user_id=user_id, media_type=media_type, tmdb_id=tmdb_id, title="x",
                status=status, seasons=list(seasons),
            )
        )  # fmt: skip
        db.session.commit()


@pytest.mark.parametrize("name", ["owner", "friend"])
def test_discover_shows_four_rows_with_cards_that_say_on_plex(app, people, name):
    client = _login(app, name)
    html = client.get("/discover").get_data(as_text=True)
    for label in ("Trending this week", "Popular movies", "Popular shows", "Coming soon"):
        assert label in html
    assert html.count('class="poster-card discover-card"') >= 60
    assert "On Plex" in html
    assert "/discover/image/w342/" in html and "image.tmdb.org" not in html


def test_a_request_shows_on_cards_with_the_requester_for_admins_only(app, people, tmdb_sim):
    _request(app, people["friend"], "movie", NOT_ON_PLEX_MOVIE)
    owner, friend = _login(app, "owner"), _login(app, "friend")
    title = tmdb_sim.state.catalog.facts("movie", NOT_ON_PLEX_MOVIE)["title"]
    query = {"q": title}
    owner_html = owner.get("/discover/search", query_string=query).get_data(as_text=True)
    friend_html = friend.get("/discover/search", query_string=query).get_data(as_text=True)
    for html in (owner_html, friend_html):
        card = _card(html, NOT_ON_PLEX_MOVIE)
        assert "Requested" in card
    assert "by friend" in _card(owner_html, NOT_ON_PLEX_MOVIE)
    assert "by friend" not in _card(friend_html, NOT_ON_PLEX_MOVIE)


def _card(html: str, tmdb_id: int) -> str:
    start = rf'<li class="poster-card discover-card">\s*<a href="/discover/\w+/{tmdb_id}">'
    match = re.search(start + ".*?</li>", html, re.S)
    assert match, f"no card for {tmdb_id}"
    return match.group(0)


def test_declined_and_processing_show_on_cards(app, people, tmdb_sim):
    other = 1_000_401
    _request(app, people["friend"], "movie", NOT_ON_PLEX_MOVIE, status="declined")
    _request(app, people["owner"], "movie", other, status="processing")
    client = _login(app, "friend")
    for tmdb_id, word in ((NOT_ON_PLEX_MOVIE, "Declined"), (other, "Processing")):
        title = tmdb_sim.state.catalog.facts("movie", tmdb_id)["title"]
        html = client.get("/discover/search", query_string={"q": title}).get_data(as_text=True)
        assert word in _card(html, tmdb_id)


def test_a_show_page_lists_each_season_with_what_plex_has(app, people):
    client = _login(app, "friend")
    response = client.get(f"/discover/tv/{SHOW}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    name, badge = (
        r'<span class="season-name">(.*?)</span>',
        r'<span class="badge[^"]*">(.*?)</span>',
    )
    seasons = re.findall(name + ".*?" + badge, html, re.S)
    assert seasons == [
        ("Season 1", "On Plex"),
        ("Season 2", "On Plex"),
        ("Season 3", "On Plex"),
        ("Season 4", "Not on Plex"),
    ]
    assert "Open in the library" in html
    assert 'id="request-box"' in html
    assert "Cast" in html


def test_a_movie_page_has_facts_poster_and_the_request_box(app, people, tmdb_sim):
    client = _login(app, "friend")
    html = client.get(f"/discover/movie/{NOT_ON_PLEX_MOVIE}").get_data(as_text=True)
    facts = tmdb_sim.state.catalog.facts("movie", NOT_ON_PLEX_MOVIE)
    assert facts["title"] in html and facts["overview"] in html
    assert " min</span>" in html
    assert 'id="request-box"' in html and "Open in the library" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/discover/movie/99",
        "/discover/tv/5",
        "/discover/movie/4294967296",
        f"/discover/movie/{2**63}",
    ],
)
def test_unknown_titles_are_a_friendly_404(app, people, url):
    response = _login(app, "friend").get(url)
    assert response.status_code == 404
    assert "Discover" in response.get_data(as_text=True)


def test_live_search_answers_a_fragment_and_a_plain_get_a_page(app, people):
    client = _login(app, "friend")
    fragment = client.get("/discover/search?q=the+last", headers={"HX-Request": "true"})
    page = client.get("/discover/search?q=the+last")
    assert "<html" not in fragment.get_data(as_text=True)
    assert "The Last" in fragment.get_data(as_text=True)
    assert "<html" in page.get_data(as_text=True) and "The Last" in page.get_data(as_text=True)


def test_huge_and_odd_searches_are_answered_plainly(app, people):
    client = _login(app, "friend")
    for query in ("x" * 100_000, "\x00\x01\u202e", "%", "   ", "🎬" * 500):
        response = client.get("/discover/search", query_string={"q": query})
        assert response.status_code == 200


def test_anonymous_people_are_sent_to_sign_in(app):
    client = app.test_client()
    for url in ("/discover", "/discover/search?q=a", f"/discover/movie/{ON_PLEX_MOVIE}"):
        assert client.get(url).status_code == 302


def test_without_a_source_owner_and_friend_are_told_plainly(make_app, people_free_app):
    app = people_free_app
    accounts = Accounts(app, None)
    accounts.owner(), accounts.create("friend")
    assert "Add a TMDB key or connect Overseerr in Admin → Requests" in _login(app, "owner").get(
        "/discover"
    ).get_data(as_text=True)
    assert "Discover is not set up yet" in _login(app, "friend").get("/discover").get_data(
        as_text=True
    )


@pytest.fixture
def people_free_app(make_app):
    return make_app()


def test_users_are_real(app, people):
    with app.app_context():
        assert db.session.get(User, people["friend"]).username == "friend"
