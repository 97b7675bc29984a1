"""A processed upload goes into the simulated Plex: placed by date under its collection, scanned
folder by folder, found again by its key, and removed from Plex with the upload."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models import Notification, User
from app.models.base import utcnow
from app.models.uploads import IN_PLEX, PLACING, READY, Upload
from app.uploads import placing, storage
from tests.integration import upload_plex_helpers as helpers
from tests.integration.upload_plex_helpers import connect, ready_upload

mp4, media, app, plex = helpers.mp4, helpers.media, helpers.app, helpers.plex


@pytest.fixture
def owner(app, plex):
    with app.app_context():
        connect(plex)
        person = User(username="mum", role="user")
        db.session.add(person)
        db.session.commit()
        return person.id


def send(row: Upload, title="Beach day", when=date(2024, 7, 14), collection="Holidays") -> int:
    placing.choose(row, title, when, collection)
    db.session.commit()
    return row.id


def episodes(plex) -> dict[str, dict]:
    nodes = [plex.library.node(*leaf)[1] for leaf in plex.library.leaves()]
    return {str(n["ratingKey"]): n for n in nodes}


def test_a_ready_upload_lands_in_plex_under_its_collection_by_date(app, plex, owner, mp4):
    with app.app_context():
        upload_id = send(ready_upload(owner, mp4))
        assert placing.place_upload(upload_id) == IN_PLEX

        row = db.session.get(Upload, upload_id)
        assert row.state == IN_PLEX and row.error == ""
        assert row.plex_path == f"Holidays/Season 2024/s2024e071401 - Beach day [{row.key}].mp4"
        assert (plex.home / row.plex_path).read_bytes() == mp4.read_bytes()
        assert storage.original_path(row).exists()  # the original stays ours to download
        found = episodes(plex)[row.plex_rating_key]
        assert found["title"] == "Beach day"
        assert found["originallyAvailableAt"] == "2024-07-14"
        [(show_key, show)] = plex.library.shows.items()
        assert show.title == "Holidays" and row.plex_show_key == str(show_key)
        assert [path for _key, path in plex.state.refreshes] == [str(plex.home / "Holidays")]
        [note] = db.session.scalars(select(Notification).where(Notification.user_id == owner))
        assert (note.title, note.link) == ("In Plex: Beach day", f"/uploads/{row.key}")


def test_two_on_one_day_get_their_own_numbers_and_a_rerun_copies_nothing(app, plex, owner, mp4):
    with app.app_context():
        first = send(ready_upload(owner, mp4))
        second = send(ready_upload(owner, mp4), title="Beach day")
        assert placing.place_upload(first) == IN_PLEX
        assert placing.place_upload(second) == IN_PLEX
        assert placing.place_upload(second) == "skipped"
        files = sorted(p.name for p in (plex.home / "Holidays" / "Season 2024").iterdir())
        assert [name[:12] for name in files] == ["s2024e071401", "s2024e071402"]
        assert len(episodes(plex)) == 2


def test_a_worker_killed_after_placing_scans_the_same_file_when_the_lease_runs_out(
    app, plex, owner, mp4
):
    with app.app_context():
        row = ready_upload(owner, mp4)
        upload_id = send(row)
        row.plex_path = placing._place_file(row)  # placed, then the worker died
        row.due_at = utcnow() - timedelta(seconds=5)
        db.session.commit()
        assert placing.sweep() == 1
        assert placing.place_upload(upload_id) == IN_PLEX
        assert len(list((plex.home / "Holidays").rglob("*.mp4"))) == 1


def test_hostile_titles_and_collections_stay_one_safe_name_inside_the_folder(app, plex, owner, mp4):
    with app.app_context():
        upload_id = send(
            ready_upload(owner, mp4),
            title="../../etc/passwd [x]\x00" + "é" * 2000,
            collection="../../../tmp",
        )
        assert placing.place_upload(upload_id) == IN_PLEX
        row = db.session.get(Upload, upload_id)
        path = (plex.home / row.plex_path).resolve()
        assert plex.home.resolve() in path.parents
        assert len(path.name.encode()) < 255 and "\x00" not in row.plex_path
        assert path.name.endswith(f"[{row.key}].mp4")


def test_without_a_library_it_retries_then_goes_back_to_ready_with_the_reason(
    app, plex, owner, mp4
):
    with app.app_context():
        settings.put({"uploads.library": ""})
        upload_id = send(ready_upload(owner, mp4))
        assert placing.place_upload(upload_id) == "retry"
        row = db.session.get(Upload, upload_id)
        assert row.state == PLACING and "No Plex library is chosen" in row.error
        assert placing.place_upload(upload_id) == "skipped"  # the next try is not due yet
        for _ in range(placing.MAX_ATTEMPTS):
            row.due_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
            placing.place_upload(upload_id)
            row = db.session.get(Upload, upload_id)
        assert row.state == READY and "Upload settings" in row.error
        assert row.plex_path == "" and not any(plex.home.iterdir())
        titles = db.session.scalars(select(Notification.title).where(Notification.user_id == owner))
        assert list(titles) == ["Not in Plex: Beach day"]


def test_removing_it_from_plex_deletes_the_file_and_plex_forgets_it(app, plex, owner, mp4):
    with app.app_context():
        upload_id = send(ready_upload(owner, mp4))
        assert placing.place_upload(upload_id) == IN_PLEX
        row = db.session.get(Upload, upload_id)
        placing.remove_from_plex(row)
        db.session.commit()
        assert not any(plex.home.iterdir())  # the season and collection folders went too
        assert placing.rescan(str(plex.home / "Holidays")) == "scanned"
        assert episodes(plex) == {}


def test_our_library_picks_up_the_new_episode_and_the_upload_links_to_its_show(
    app, plex, owner, mp4
):
    from app.models import MediaItem
    from app.uploads.routes import library_key

    with app.app_context():
        upload_id = send(ready_upload(owner, mp4))
        assert placing.place_upload(upload_id) == IN_PLEX
        placing.sync_library(str(plex.library.key), upload_id)
        row = db.session.get(Upload, upload_id)
        items = {m.rating_key: m for m in db.session.scalars(select(MediaItem))}
        episode = items[int(row.plex_rating_key)]
        season = items[episode.parent_rating_key]
        assert (episode.type, episode.title) == ("episode", "Beach day")
        assert (season.type, season.parent_rating_key) == ("season", int(row.plex_show_key))
        assert library_key(row) == int(row.plex_show_key)
        assert items[library_key(row)].title == "Holidays"
