"""Library sync against the simulated Plex server: adds, updates, removals, failures, bad data."""

import pytest
from sqlalchemy import func, select

from app.extensions import db, redis_conn
from app.library import services
from app.models import ItemGuid, ItemTag, LibrarySection, MediaItem, SyncRun
from tests.integration import library_helpers

plex, sync_app = library_helpers.plex, library_helpers.sync_app


def live_items(section_key: str | None = None) -> dict[int, MediaItem]:
    query = select(MediaItem).where(MediaItem.removed_at.is_(None))
    if section_key:
        query = query.join(LibrarySection).where(LibrarySection.key == section_key)
    return {item.rating_key: item for item in db.session.scalars(query)}


def snapshot() -> dict:
    """Everything the catalog holds, to compare before and after."""
    db.session.expire_all()
    rows = db.session.scalars(select(MediaItem))
    items = {i.rating_key: (i.title, i.removed_at, i.digest) for i in rows}
    return {
        "items": items,
        "tags": db.session.scalar(select(func.count()).select_from(ItemTag)),
        "guids": db.session.scalar(select(func.count()).select_from(ItemGuid)),
    }


def test_full_sync_adds_updates_and_removes(sync_app, plex):
    movies = plex.state.add_library("Movies", "movie", count=120)
    plex.state.add_library("TV Shows", "show", count=10, seasons=2, episodes=3)
    with sync_app.app_context():
        events = []
        result = services.full_sync(events.append)
        assert result["status"] == "succeeded", result
        assert result["added"] == 120 + 10 + 20 + 60
        assert result["removed"] == 0 and result["problems"] == []
        sections = {s.title: s for s in services.sections()}
        assert sections["Movies"].item_count == 120 and sections["TV Shows"].item_count == 10
        assert sections["Movies"].last_synced_at is not None
        items = live_items()
        episode = next(i for i in items.values() if i.type == "episode")
        season = items[episode.parent_rating_key]
        assert season.type == "season" and items[season.parent_rating_key].type == "show"
        movie = next(i for i in items.values() if i.type == "movie")
        assert movie.title and movie.added_at is not None and movie.year
        assert db.session.scalar(select(func.count()).select_from(ItemGuid)) > 0
        assert db.session.scalar(
            select(func.count()).select_from(ItemTag).where(ItemTag.kind == "genre")
        )
        assert events[-1]["type"] == "sync.progress" and events[-1]["done"] > 0

        movie_keys = sorted(i.rating_key for i in items.values() if i.type == "movie")
        gone, renamed = movie_keys[:3], movie_keys[10]
        plex.state.remove_items(movies, [str(k) for k in gone])
        plex.state.rename(movies, str(renamed), title="A New Name")
        new_keys = plex.state.add_items(movies, 5)

        again = services.full_sync()
        assert again["status"] == "succeeded", again
        assert (again["added"], again["removed"]) == (5, 3)
        assert again["updated"] >= 1
        db.session.expire_all()
        items = live_items()
        assert items[renamed].title == "A New Name"
        assert not set(gone) & set(items)
        assert {int(k) for k in new_keys} <= set(items)
        assert db.session.get(LibrarySection, sections["Movies"].id).item_count == 122
        removed = db.session.scalar(select(MediaItem).where(MediaItem.rating_key == gone[0]))
        assert removed.removed_at is not None

        unchanged = services.full_sync()
        assert (unchanged["added"], unchanged["updated"], unchanged["removed"]) == (0, 0, 0)


def test_a_page_failing_halfway_leaves_the_catalog_as_it_was(sync_app, plex):
    movies = plex.state.add_library("Movies", "movie", count=300)
    with sync_app.app_context():
        assert services.full_sync()["status"] == "succeeded"
        before = snapshot()
        keys = sorted(before["items"])
        plex.state.remove_items(movies, [str(k) for k in keys[:20]])
        plex.state.rename(movies, str(keys[30]), title="Renamed before the fault")
        plex.state.add_items(movies, 4)
        plex.state.fail_at_page = 3
        result = services.full_sync()
        assert result["status"] == "failed"
        assert "500" in result["error"]
        assert (result["added"], result["updated"], result["removed"]) == (0, 0, 0)
        assert snapshot() == before
        run = db.session.get(SyncRun, result["run"])
        assert run.status == "failed" and run.finished_at is not None and run.removed == 0

        # The next scan (the fault was a one-off) catches up.
        retry = services.full_sync()
        assert retry["status"] == "succeeded"
        assert (retry["added"], retry["removed"]) == (4, 20)


def test_plex_down_or_slow_fails_with_a_clear_error(sync_app, plex):
    plex.state.add_library("Movies", "movie", count=60)
    with sync_app.app_context():
        plex.state.down = True
        result = services.full_sync()
        assert result["status"] == "failed" and "HTTP 503" in result["error"]
        plex.state.down = False
        plex.state.slow_seconds = 3
        result = services.full_sync()
        assert result["status"] == "failed" and "did not answer" in result["error"]
        assert live_items() == {}


def test_a_second_scan_of_the_same_library_is_skipped(sync_app, plex):
    plex.state.add_library("Movies", "movie", count=60)
    with sync_app.app_context():
        redis_conn().set(services.LOCK_PREFIX + "1", "someone", ex=30)
        result = services.full_sync()
        assert result["status"] == "skipped" and "Another sync" in result["message"]
        assert db.session.scalar(select(func.count()).select_from(SyncRun)) == 0
        redis_conn().delete(services.LOCK_PREFIX + "1")
        assert services.full_sync()["status"] == "succeeded"


def test_recently_added_reads_only_what_is_new(sync_app, plex):
    movies = plex.state.add_library("Movies", "movie", count=200)
    with sync_app.app_context():
        assert services.full_sync()["status"] == "succeeded"
        guids_before = db.session.scalar(select(func.count()).select_from(ItemGuid))
        new_keys = {int(k) for k in plex.state.add_items(movies, 7)}
        requests_before = plex.state.page_requests
        result = services.recent_sync()
        assert result["status"] == "succeeded", result
        assert result["added"] == 7 and result["removed"] == 0
        # The recently-added listing carries no guids: items read again keep theirs.
        assert result["updated"] == 0
        assert db.session.scalar(select(func.count()).select_from(ItemGuid)) == guids_before
        assert new_keys <= set(live_items())
        assert plex.state.page_requests == requests_before  # no /all pages were read
        assert db.session.scalar(select(LibrarySection.item_count)) == 207
        again = services.recent_sync()
        assert (again["added"], again["updated"]) == (0, 0)


def test_the_history_keeps_one_quiet_check_not_one_every_five_minutes(sync_app, plex):
    movies = plex.state.add_library("Movies", "movie", count=20)
    with sync_app.app_context():
        services.full_sync()
        plex.state.add_items(movies, 2)
        services.recent_sync()  # found two: kept
        quiet = [services.recent_sync()["run"] for _ in range(3)]
        kinds = [(run.kind, run.added) for run in services.recent_runs()]
        assert kinds == [("recent", 0), ("recent", 2), ("full", 20)]
        assert services.recent_runs()[0].id == quiet[-1]  # the latest says when it last looked


@pytest.mark.parametrize(
    "mode, problem",
    [
        ("truncate", "not well-formed"),
        ("bad_attrs", "not numbers or dates"),
        ("huge_titles", "longer than"),
        ("html_titles", "HTML"),
        ("bad_utf8", "not UTF-8"),
        ("duplicate_keys", "more than once"),
    ],
)
def test_malformed_pages_are_counted_not_fatal(sync_app, plex, mode, problem):
    plex.state.add_library("Movies", "movie", count=120)
    with sync_app.app_context():
        assert services.full_sync()["status"] == "succeeded"
        plex.state.malformed = mode
        result = services.full_sync()
        assert result["status"] == "succeeded", result
        found = {p["problem"]: p["count"] for p in result["problems"]}
        assert any(problem in name and count > 0 for name, count in found.items()), found
        if mode == "truncate":
            assert result["removed"] == 0  # an incomplete pass removes nothing
        if mode == "duplicate_keys":
            assert result["skipped"] > 0
        items = live_items()
        assert all(len(i.title) <= 500 for i in items.values())
        if mode == "html_titles":
            assert any("<script>" in i.title for i in items.values())


def test_nothing_to_sync_before_plex_is_connected(app):
    with app.app_context():
        for result in (services.full_sync(), services.recent_sync()):
            assert result["status"] == "skipped" and "not connected" in result["message"]
        assert db.session.scalar(select(func.count()).select_from(SyncRun)) == 0
