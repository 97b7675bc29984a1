"""Quotas: a rolling window, each season counted, declined and failed given back, resets told."""

from datetime import UTC, datetime, timedelta

import pytest

from app import settings
from app.extensions import db
from app.models import RequestQuota
from app.requests import decisions, quotas, services, states
from tests.integration import request_helpers
from tests.integration.request_helpers import WIRE, movie, person

known_titles, folks = request_helpers.known_titles, request_helpers.folks

# A Wednesday; a week later is the next Wednesday.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def ask(user_id, n, at=None):
    req = services.create(person(user_id), movie(n)).created
    if at is not None:
        req.created_at = at
        db.session.commit()
    return req


def test_movies_left_and_when_the_next_frees_up(app, folks):
    with app.app_context():
        settings.put({"requests.movie_limit": 3, "requests.movie_days": 7})
        alice = person(folks.alice)
        ask(folks.alice, 1, NOW - timedelta(days=8))  # outside the window: not counted
        ask(folks.alice, 2, NOW - timedelta(days=5))  # frees on Friday at 10:00
        used = quotas.usage(alice, "movie", NOW)
        assert (used.used, used.left) == (1, 2)
        assert used.next_free_at == NOW + timedelta(days=2)
        assert quotas.describe(used, NOW) == (
            "2 of 3 movies left this week; the next frees up on Friday at 10:00 UTC."
        )
        ask(folks.alice, 3, NOW - timedelta(hours=2))
        ask(folks.alice, 4, NOW - timedelta(hours=1))
        with pytest.raises(quotas.QuotaExceeded) as refused:
            quotas.check(alice, "movie", 1, NOW)
        assert str(refused.value) == (
            "You have used all your requests (3 movies a week). "
            "The next frees up on Friday at 10:00 UTC."
        )
        # One day before it frees, it says tomorrow.
        with pytest.raises(quotas.QuotaExceeded, match="tomorrow at 10:00 UTC"):
            quotas.check(alice, "movie", 1, NOW + timedelta(days=1))
        quotas.check(alice, "movie", 1, NOW + timedelta(days=2, minutes=1))


def test_declined_and_failed_requests_give_their_quota_back(app, folks):
    with app.app_context():
        settings.put({"requests.movie_limit": 2})
        first, second = ask(folks.alice, 1), ask(folks.alice, 2)
        with pytest.raises(quotas.QuotaExceeded):
            ask(folks.alice, 3)
        decisions.decline(first, "Already on the shelf", actor=person(folks.owner))
        third = ask(folks.alice, 3)
        assert third is not None
        second.status = states.FAILED
        db.session.commit()
        assert quotas.usage(person(folks.alice), "movie").left == 1


def test_each_season_counts_and_a_show_asks_for_what_fits(app, folks):
    with app.app_context():
        settings.put({"requests.season_limit": 4, "requests.season_days": 30})
        alice = person(folks.alice)
        with pytest.raises(quotas.QuotaExceeded) as refused:
            services.create(alice, WIRE, "all")
        assert str(refused.value) == (
            "You may request at most 4 seasons a month; this asks for 5. Choose fewer seasons."
        )
        services.create(alice, WIRE, ["1", "2", "3"])
        used = quotas.usage(alice, "season")
        assert (used.used, used.left) == (3, 1)
        assert used.line.startswith("1 of 4 seasons left this month; the next frees up on ")
        with pytest.raises(quotas.QuotaExceeded, match=r"You asked for 2 seasons but have 1 left"):
            services.create(alice, WIRE, ["4", "5"])


def test_a_persons_own_limit_overrides_the_default_and_admins_have_none(app, folks):
    with app.app_context():
        owner = person(folks.owner)
        quotas.set_override(
            person(folks.alice),
            {"movie_limit": 1, "movie_days": 1, "season_limit": None, "season_days": None},
            actor=owner,
        )
        assert db.session.get(RequestQuota, folks.alice).movie_limit == 1
        limits = quotas.limits_for(person(folks.alice))
        assert (limits["movie"].limit, limits["movie"].days, limits["movie"].own) == (1, 1, True)
        assert limits["season"].limit == settings.get("requests.season_limit")
        ask(folks.alice, 1)
        with pytest.raises(quotas.QuotaExceeded, match=r"\(1 movie a day\)"):
            ask(folks.alice, 2)
        ask(folks.bob, 2)  # bob follows the default
        settings.put({"requests.movie_limit": 1})
        for n in range(5, 9):
            ask(folks.owner, n)  # an admin is never held back
        assert quotas.usages(owner) is None


def test_a_zero_limit_means_no_limit(app, folks):
    with app.app_context():
        settings.put({"requests.movie_limit": 0})
        for n in range(1, 8):
            ask(folks.alice, n)
        assert quotas.usage(person(folks.alice), "movie").line == "No limit on movies."


@pytest.mark.parametrize(
    "when, text",
    [
        (NOW + timedelta(hours=3), "today at 13:00 UTC"),
        (NOW + timedelta(days=1), "tomorrow at 10:00 UTC"),
        (NOW + timedelta(days=3), "on Saturday at 10:00 UTC"),
        (NOW + timedelta(days=20), "on 22 Dec at 10:00 UTC"),
    ],
)
def test_reset_times_read_as_days(when, text):
    assert quotas.when_words(when, NOW) == text
