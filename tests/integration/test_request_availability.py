"""The library sync as a source of truth: requested titles that reach Plex become available."""

from sqlalchemy import select

from app.discover.titles import Season, Title
from app.extensions import db
from app.library import tasks
from app.models import MediaItem, Notification
from app.requests import services, states
from tests.conftest import Accounts
from tests.integration import library_helpers
from tests.integration.request_helpers import person, request_row

plex, sync_app = library_helpers.plex, library_helpers.sync_app


def tmdb_of(library, index: int) -> int:
    """The tmdb:// GUID the simulated server gives this library's item (plex_items._guids)."""
    return library.number * 1_000_000 + index + 11


def show(tmdb_id: int, seasons: int) -> Title:
    numbers = tuple(Season(n, f"Season {n}", 5) for n in range(1, seasons + 1))
    return Title("tv", tmdb_id, f"Show {tmdb_id}", year=2020, seasons=numbers)


def test_a_sync_makes_requested_titles_available_and_shows_partly(sync_app, plex):
    movies = plex.state.add_library("Movies", "movie", count=2)
    shows = plex.state.add_library("TV Shows", "show", count=1, seasons=2, episodes=2)
    accounts = Accounts(sync_app, None)
    accounts.owner()
    alice_id = accounts.create("alice")
    with sync_app.app_context():
        assert tasks.full_sync()["status"] == "succeeded"
        alice = person(alice_id)
        film = Title("movie", tmdb_of(movies, 2), "Coming Soon", year=2026)
        wanted = services.create(alice, film).created
        partly = services.create(alice, show(tmdb_of(shows, 1), 3), "all").created
        whole = services.create(alice, show(tmdb_of(shows, 2), 2), ["1", "2"]).created
        untouched = services.create(alice, Title("movie", 77, "Not There")).created
        assert {wanted.status, partly.status, whole.status} == {states.PENDING}

        tasks.full_sync()  # nothing new on Plex yet: nothing moves
        assert request_row(wanted.id).status == states.PENDING

        plex.state.add_items(movies, 1)
        plex.state.add_items(shows, 2)
        assert tasks.full_sync()["status"] == "succeeded"

        wanted, partly = request_row(wanted.id), request_row(partly.id)
        whole, untouched = request_row(whole.id), request_row(untouched.id)
        item = db.session.get(MediaItem, wanted.available_item_id)
        assert wanted.status == states.AVAILABLE and item.type == "movie"
        assert wanted.events[-1].source == "library"
        assert (partly.status, partly.seasons_available) == (states.PARTIALLY_AVAILABLE, [1, 2])
        assert partly.events[-1].message == "On Plex: seasons 1–2 of seasons 1–3"
        assert (whole.status, whole.seasons_available) == (states.AVAILABLE, [1, 2])
        assert untouched.status == states.PENDING and untouched.available_item_id is None

        notes = db.session.scalars(
            select(Notification).where(Notification.user_id == alice_id).order_by(Notification.id)
        ).all()
        told = {n.title: n.link for n in notes}
        assert told["Now on Plex: Coming Soon"] == f"/library/item/{item.rating_key}"
        assert f"Partly on Plex now: Show {partly.tmdb_id}" in told

        before = len(partly.events)
        tasks.full_sync()  # a sync that finds the same again changes nothing
        assert len(request_row(partly.id).events) == before
