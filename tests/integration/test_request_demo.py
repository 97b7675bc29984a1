"""Demo mode's first sync leaves requests in several states for its friends to look at."""

from sqlalchemy import select

from app.extensions import db
from app.library import tasks
from app.models import MediaRequest, User
from tests.conftest import Accounts
from tests.e2e import demo_helpers
from tests.e2e.demo_helpers import demo_app
from tests.integration import discover_helpers

demo_plex, tmdb_sim = demo_helpers.demo_plex, discover_helpers.tmdb_sim


def test_the_first_demo_sync_seeds_requests_once(make_app, demo_plex, tmdb_sim, client):
    tmdb = discover_helpers.tmdb_config(tmdb_sim)
    app = demo_app(lambda **extra: make_app(**tmdb, **extra), demo_plex, synced=False)
    Accounts(app, None).owner()
    with app.app_context():
        assert tasks.full_sync()["status"] == "succeeded"
        rows = db.session.scalars(select(MediaRequest).order_by(MediaRequest.id)).all()
        states = {r.title: r.status for r in rows}
        wanted = {tmdb_sim.state.catalog.facts("movie", 1_000_420)["title"]}
        assert wanted <= set(states), "the waiting movie is a title Discover knows"
        assert sorted(states.values()) == sorted(
            ["pending", "pending", "approved", "declined", "available", "partially_available"]
        )
        askers = {db.session.get(User, r.user_id).username for r in rows}
        assert askers == {"alice", "bob"}
        available = next(r for r in rows if r.status == "available")
        assert available.available_item_id is not None
        tasks.full_sync()
        assert len(db.session.scalars(select(MediaRequest)).all()) == len(rows)


def test_outside_demo_mode_nothing_is_seeded(make_app, demo_plex):
    app = demo_app(make_app, demo_plex, demo=False, synced=False)
    Accounts(app, None).owner()
    with app.app_context():
        tasks.full_sync()
        assert db.session.scalars(select(MediaRequest)).all() == []
