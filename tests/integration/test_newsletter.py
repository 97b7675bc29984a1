""" "New on Plex": what each person can see that was added, daily or weekly, once."""

from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.library.mail_images import token_for
from app.models import LibrarySection, MediaItem, NotifyEvent, NotifyProfile, User
from app.notify.digest import send_newsletters
from app.schedule import build_cron

NOW = datetime(2024, 5, 10, 8, 5, tzinfo=UTC)  # a Friday, just after the 08:00 digest hour


@pytest.fixture
def world(app, auth):
    """An owner (admin), Ada and Bob; a visible Movies and Shows library and a hidden one."""
    owner, ada, bob = auth.owner(), auth.create("ada"), auth.create("bob")
    with app.app_context():
        settings.put({"instance.public_url": "https://media.example.com"})
        movies = LibrarySection(key="1", title="Movies", type="movie")
        shows = LibrarySection(key="2", title="Shows", type="show")
        secret = LibrarySection(key="3", title="Private", type="movie", hidden=True)
        db.session.add_all([movies, shows, secret])
        db.session.flush()
        poster = "/library/metadata/101/thumb/1"
        item(movies, 101, "Arrival", "movie", hours_ago=3, year=2016, thumb=poster)
        item(movies, 102, "Heat & Dust", "movie", hours_ago=20)
        item(movies, 103, "Old Film", "movie", hours_ago=24 * 9)
        item(shows, 201, "Severance", "show", hours_ago=5, thumb="/library/metadata/201/thumb/1")
        item(shows, 202, "Severance S1E1", "episode", hours_ago=5)
        item(secret, 301, "Family Holiday", "movie", hours_ago=2)
        db.session.commit()
    return {"owner": owner, "ada": ada, "bob": bob}


def item(section, key, title, kind, hours_ago, year=None, thumb=None):
    db.session.add(
        MediaItem(
            rating_key=key,
            section_id=section.id,
            type=kind,
            title=title,
            year=year,
            thumb=thumb,
            added_at=NOW - timedelta(hours=hours_ago),
        )
    )


def choose(app, uid, newsletter, hour=8, zone="UTC", sent_at=None):
    with app.app_context():
        db.session.merge(
            NotifyProfile(
                user_id=uid,
                newsletter=newsletter,
                digest_hour=hour,
                timezone=zone,
                newsletter_sent_at=sent_at,
            )
        )
        db.session.commit()


def run(app, now=NOW) -> int:
    with app.app_context():
        return send_newsletters(now)


def letters(app) -> dict[int, NotifyEvent]:
    with app.app_context():
        rows = db.session.scalars(select(NotifyEvent).where(NotifyEvent.type == "plex.new"))
        return {row.user_ids[0]: row for row in rows}


def sent_at(app, uid):
    with app.app_context():
        return db.session.get(NotifyProfile, uid).newsletter_sent_at


def test_a_daily_newsletter_lists_what_was_added_since_yesterday(app, world):
    choose(app, world["ada"], "daily")
    assert run(app) == 1
    letter = letters(app)[world["ada"]]
    html, text = letter.data["html"], letter.data["text"]
    assert letter.title == "New on Plex today: 3 titles"
    assert html.index("Movies") < html.index("Arrival") < html.index("Shows")
    assert html.index("Shows") < html.index("Severance")
    assert "Heat &amp; Dust" in html and "Heat & Dust" in text
    assert 'href="https://media.example.com/library/item/101"' in html
    # Mail clients have no session: the poster is a signed address that needs none.
    with app.app_context():
        token = token_for("/library/metadata/101/thumb/1", 150)
    assert f'src="https://media.example.com/library/mail-image/{token}"' in html
    assert "- Arrival (2016): https://media.example.com/library/item/101" in text
    assert "https://media.example.com/account/notifications" in text
    assert "Old Film" not in text, "added before the period"
    assert "S1E1" not in text, "episodes are part of their show"
    assert letter.body == text
    assert sent_at(app, world["ada"]) == NOW


def test_a_person_never_sees_hidden_libraries_and_an_admin_does(app, world):
    choose(app, world["ada"], "daily")
    choose(app, world["owner"], "daily")
    assert run(app) == 2
    sent = letters(app)
    assert "Family Holiday" not in sent[world["ada"]].data["html"]
    assert "Family Holiday" not in sent[world["ada"]].data["text"]
    assert "Family Holiday" in sent[world["owner"]].data["text"]


def test_a_weekly_newsletter_covers_the_week(app, world):
    choose(app, world["bob"], "weekly")
    run(app)
    text = letters(app)[world["bob"]].data["text"]
    assert "New on Plex this week" in text and "Old Film" not in text and "Arrival" in text
    letters_before = len(letters(app))
    # Six days later it is not due; seven days later it is, and covers only what is new.
    assert run(app, NOW + timedelta(days=6)) == 0
    assert run(app, NOW + timedelta(days=7)) == 0, "nothing was added since"
    assert len(letters(app)) == letters_before
    assert sent_at(app, world["bob"]) == NOW + timedelta(days=7)


def test_once_per_day_at_the_persons_hour(app, world):
    choose(app, world["ada"], "daily", hour=9)
    assert run(app) == 0, "before their 09:00"
    assert run(app, NOW + timedelta(hours=1)) == 1
    assert run(app, NOW + timedelta(hours=2)) == 0, "already sent today"
    with app.app_context():
        section = db.session.scalar(select(LibrarySection).where(LibrarySection.key == "1"))
        db.session.add(
            MediaItem(
                rating_key=104,
                section_id=section.id,
                type="movie",
                title="Dune",
                added_at=NOW + timedelta(hours=5),
            )
        )
        db.session.commit()
    assert run(app, NOW + timedelta(days=1, minutes=59)) == 1
    with app.app_context():
        rows = db.session.scalars(select(NotifyEvent).order_by(NotifyEvent.id)).all()
        assert [r.title for r in rows] == [
            "New on Plex today: 3 titles",
            "New on Plex today: 1 title",
        ]
        assert "Dune" in rows[1].body and "Arrival" not in rows[1].body


def test_the_hour_is_the_persons_own(app, world):
    choose(app, world["ada"], "daily", hour=8, zone="America/New_York")  # 08:00 there is 12:00 UTC
    assert run(app) == 0
    assert run(app, NOW + timedelta(hours=4)) == 1


def test_nobody_hears_when_nothing_was_added(app, world):
    choose(app, world["ada"], "daily", sent_at=NOW - timedelta(hours=1, minutes=1))
    choose(app, world["bob"], "off")
    # An hour ago is the same calendar day: not due yet.
    assert run(app) == 0
    choose(app, world["ada"], "daily", sent_at=NOW - timedelta(days=1))
    with app.app_context():
        db.session.execute(MediaItem.__table__.delete())
        db.session.commit()
    assert run(app) == 0
    assert letters(app) == {}


def test_disabled_people_get_none(app, world):
    choose(app, world["ada"], "daily")
    with app.app_context():
        db.session.get(User, world["ada"]).disabled = True
        db.session.commit()
    assert run(app) == 0 and letters(app) == {}


def test_a_second_run_at_once_sends_nothing_more(app, world):
    choose(app, world["ada"], "daily")
    assert run(app) == 1
    assert run(app) == 0
    assert len(letters(app)) == 1


def test_the_newsletter_runs_every_hour(app):
    cron = build_cron(app, Redis.from_url(app.config["REDIS_URL"]))
    (job,) = [j for j in cron._cron_jobs if j.func is send_newsletters]
    assert job.cron == "5 * * * *"
