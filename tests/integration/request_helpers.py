"""Fixtures for the request tests: titles Discover would describe, and people who ask."""

from types import SimpleNamespace

import pytest

from app.discover.titles import Season, Title
from app.extensions import db
from app.models import MediaRequest, User
from app.requests import titles

DUNE = Title("movie", 438631, "Dune", year=2021, poster_path="/dune.jpg")
ARRIVAL = Title("movie", 329865, "Arrival", year=2016)
WIRE = Title(
    "tv",
    1438,
    "The Wire",
    year=2002,
    seasons=tuple(
        Season(n, "Specials" if n == 0 else f"Season {n}", episodes=10 + n) for n in range(6)
    ),
)
KNOWN = {t.key: t for t in (DUNE, ARRIVAL, WIRE)}


def movie(n: int) -> Title:
    return Title("movie", 9000 + n, f"Movie {n}", year=2000 + n)


@pytest.fixture
def known_titles(monkeypatch):
    """Discover's lookup, answering for a few titles (and any 'Movie n' with id 9000 + n)."""
    found = dict(KNOWN)

    def lookup(media_type, tmdb_id):
        if media_type == "movie" and 9000 < tmdb_id < 10000:
            return movie(tmdb_id - 9000)
        return found.get((media_type, tmdb_id))

    monkeypatch.setattr(titles, "title_for", lookup)
    return found


@pytest.fixture
def folks(app, auth):
    """The owner (an admin), two friends and a second admin; ids only."""
    return SimpleNamespace(
        owner=auth.owner(),
        alice=auth.create("alice"),
        bob=auth.create("bob"),
        ada=auth.create("ada", role="admin"),
    )


def person(user_id: int) -> User:
    return db.session.get(User, user_id)


def request_row(request_id: int) -> MediaRequest:
    db.session.expire_all()
    return db.session.get(MediaRequest, request_id)
