"""Discover answers from our database first, then TMDB; old data is shown, then refreshed."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.discover import services, tasks
from app.extensions import db, get_queue, redis_conn
from app.integrations import tmdb as client
from app.models import DiscoverList, DiscoverTitle, MediaRequest
from app.models.base import utcnow
from simulators import tmdb
from tests.conftest import Accounts, WorkerProcess, wait_for
from tests.integration import discover_helpers
from tests.integration.discover_helpers import tmdb_config

tmdb_sim = discover_helpers.tmdb_sim
MOVIE = 1_000_400


@pytest.fixture
def app(make_app, tmdb_sim):
    return make_app(**tmdb_config(tmdb_sim))


@pytest.fixture
def friend(app):
    accounts = Accounts(app, None)
    accounts.owner()
    accounts.create("friend")
    client = app.test_client()
    Accounts(app, client).login("friend")
    return client


def _age(app, model, hours: float) -> None:
    with app.app_context():
        db.session.execute(update(model).values(fetched_at=utcnow() - timedelta(hours=hours)))
        db.session.commit()


def test_the_page_asks_tmdb_once_then_answers_from_the_database(app, friend, tmdb_sim, make_app):
    assert "Popular movies" in friend.get("/discover").get_data(as_text=True)
    assert tmdb_sim.state.hits == 4  # the four rows, read side by side
    friend.get("/discover")
    restarted = make_app(**tmdb_config(tmdb_sim))  # a restart: a new app on the same database
    other = restarted.test_client()
    Accounts(restarted, other).login("friend")
    html = other.get("/discover").get_data(as_text=True)
    assert tmdb_sim.state.hits == 4 and html.count("discover-card") >= 60


def test_old_lists_are_shown_at_once_and_refreshed_by_a_worker(app, friend, tmdb_sim, monkeypatch):
    friend.get("/discover")
    _age(app, DiscoverList, hours=2)
    tmdb_sim.state.latency = 0.5  # the page must not wait for it
    response = friend.get("/discover")
    assert response.status_code == 200 and "Popular movies" in response.get_data(as_text=True)
    assert tmdb_sim.state.hits == 4
    with app.app_context():
        assert get_queue().fetch_job("discover-list-trending") is not None
    tmdb_sim.state.latency = 0
    for name, value in tmdb_config(tmdb_sim).items():
        monkeypatch.setenv(f"MEDIANEST_{name}", str(value))
    worker = WorkerProcess(app, "--burst")
    worker.process.wait(60)

    def refreshed():
        with app.app_context():
            rows = db.session.scalars(select(DiscoverList)).all()
            return all(utcnow() - r.fetched_at < timedelta(minutes=5) for r in rows)

    wait_for(refreshed)
    assert tmdb_sim.state.hits == 8


def test_a_title_page_is_stored_for_24_hours_then_refreshed_behind(app, friend, tmdb_sim):
    assert friend.get(f"/discover/movie/{MOVIE}").status_code == 200
    friend.get(f"/discover/movie/{MOVIE}")
    assert tmdb_sim.state.hits == 1
    _age(app, DiscoverTitle, hours=23)
    friend.get(f"/discover/movie/{MOVIE}")
    assert tmdb_sim.state.hits == 1
    _age(app, DiscoverTitle, hours=25)
    assert friend.get(f"/discover/movie/{MOVIE}").status_code == 200
    assert tmdb_sim.state.hits == 1
    with app.app_context():
        job = get_queue().fetch_job(f"discover-title-movie-{MOVIE}")
        assert job is not None
        assert tasks.refresh_title("movie", MOVIE)
        row = db.session.scalar(select(DiscoverTitle).where(DiscoverTitle.tmdb_id == MOVIE))
        assert utcnow() - row.fetched_at < timedelta(minutes=1)
    assert tmdb_sim.state.hits == 2


def test_a_429_is_remembered_for_everyone_and_stored_titles_stay_on_screen(
    app, friend, tmdb_sim, make_app
):
    friend.get("/discover")
    friend.get(f"/discover/movie/{MOVIE}")
    tmdb_sim.state.rate_limited = 30
    response = friend.get(f"/discover/movie/{MOVIE + 1}")
    assert response.status_code == 503
    assert "TMDB asked us to slow down" in response.get_data(as_text=True)
    hits = tmdb_sim.state.hits
    other = make_app(**tmdb_config(tmdb_sim))  # another web process or a worker
    with other.app_context():
        assert 25 <= client.backoff_left() <= 30
        assert not services.refresh_list("trending")
    assert friend.get(f"/discover/movie/{MOVIE + 2}").status_code == 503
    assert tmdb_sim.state.hits == hits  # nobody asked TMDB again while it said to wait
    _age(app, DiscoverList, hours=2)
    _age(app, DiscoverTitle, hours=30)
    page = friend.get("/discover").get_data(as_text=True)
    assert page.count("discover-card") >= 60
    title = friend.get(f"/discover/movie/{MOVIE}")
    assert title.status_code == 200 and "Poster of" in title.get_data(as_text=True)
    with app.app_context():
        assert redis_conn().ttl(client.BACKOFF_KEY) > 0


def test_searches_are_kept_for_a_day(app, friend, tmdb_sim):
    friend.get("/discover/search?q=The+Last")
    friend.get("/discover/search?q=the+last")
    friend.get("/discover/search?q=++the   LAST ")
    assert tmdb_sim.state.hits == 1
    with app.app_context():
        keys = redis_conn().keys(services.SEARCH_KEY + "*")
        assert len(keys) == 1 and 23 * 3600 < redis_conn().ttl(keys[0]) <= 24 * 3600


@pytest.mark.parametrize(
    "change, words",
    [
        ({"api_key": "wrong"}, "TMDB refused the API key; check it in Admin → Requests."),
        ({"latency": 1.5}, "TMDB did not answer within 0.5 seconds."),
        ({"down": True}, "TMDB answered HTTP 503: Service offline"),
    ],
)
def test_tmdb_problems_are_said_in_plain_words(make_app, tmdb_sim, change, words):
    for name, value in change.items():
        setattr(tmdb_sim.state, name, value)
    app = make_app(**tmdb_config(tmdb_sim, TMDB_TIMEOUT=0.5))
    accounts = Accounts(app, None)
    accounts.owner()
    client_ = app.test_client()
    accounts.login("owner", client=client_)
    html = client_.get("/discover").get_data(as_text=True)
    assert words in html
    response = client_.get(f"/discover/movie/{MOVIE}")
    assert response.status_code == 503 and words in response.get_data(as_text=True)


def test_a_v4_read_token_is_sent_as_a_bearer(make_app, tmdb_sim):
    app = make_app(**tmdb_config(tmdb_sim, TMDB_API_KEY=tmdb.DEMO_READ_TOKEN))
    with app.test_request_context():
        assert len(client.client().list_page("trending")["results"]) == 20


def test_the_daily_refresh_reads_titles_looked_at_or_requested(app, friend, tmdb_sim):
    friend.get(f"/discover/movie/{MOVIE}")
    with app.app_context():
        user_id = db.session.scalar(select(MediaRequest.user_id))  # none yet
        assert user_id is None
        from app.models import User

        friend_id = db.session.scalar(select(User.id).where(User.username == "friend"))
        db.session.add(
            MediaRequest(user_id=friend_id, media_type="tv", tmdb_id=2_000_020, title="x")
        )
        db.session.commit()
        assert tasks.titles_to_refresh() == [("tv", 2_000_020)]  # the movie is fresh
    _age(app, DiscoverTitle, hours=30)
    with app.app_context():
        assert set(tasks.titles_to_refresh()) == {("movie", MOVIE), ("tv", 2_000_020)}
        assert tasks.refresh_details() == 2
        assert tasks.titles_to_refresh() == []
