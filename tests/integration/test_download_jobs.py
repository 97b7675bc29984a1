"""Downloads end to end through real workers, yt-dlp and ffmpeg: what lands on disk and in rows."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.downloads import quotas, services
from app.extensions import db
from app.models import Download, DownloadWatcher, Notification, User
from tests.integration.download_helpers import (
    allow,
    files_under,
    items_of,
    person,
    settled,
    started_site,
)
from tests.integration.ytdlp_helpers import probe, reset


@pytest.fixture(scope="module")
def site():
    server = started_site()
    yield server
    server.stop()


@pytest.fixture
def ready(app, site):
    with app.app_context():
        allow(reset(site))
        yield site


def youtube_dir(app) -> Path:
    return Path(app.config["MEDIA_ROOT"]) / "youtube"


def test_a_playlist_lands_as_a_show_with_one_tagged_file_per_video(app, ready, worker):
    ann = person()
    added = services.add(ann, f"{ready.url}/feeds/top10.xml", client_token="t1")
    download = settled(added.download.id)
    assert download.status == "finished", [i.error for i in download.items]
    files = files_under(youtube_dir(app) / download.folder)
    videos = [f for f in files if f.suffix == ".mp4"]
    assert len(videos) == 4
    for video in videos:
        assert video.parent.name.startswith("Season 2025")
        assert video.name.startswith("s2025e") and video.name.endswith("].mp4")
        assert "S01E02" not in video.name
    tags = probe(str(videos[0]))["format"]["tags"]
    assert tags.get("title")
    assert {"poster.jpg", "fanart.jpg"} <= {f.name for f in files}
    assert [i.position for i in items_of(download.id)] == [1, 2, 3, 4]
    note = db.session.scalars(select(Notification).where(Notification.user_id == ann.id)).one()
    assert note.title.startswith("Downloaded:") and note.link == f"/downloads/{download.id}"


def test_a_second_person_adding_the_same_playlist_shares_it_and_videos_are_not_fetched_twice(
    app, ready, worker
):
    ann, bob = person("ann"), person("bob")
    first = services.add(ann, f"{ready.url}/feeds/pond.xml")
    second = services.add(bob, f"{ready.url}/feeds/pond.xml")
    assert second.shared and second.download.id == first.download.id
    assert db.session.get(DownloadWatcher, (first.download.id, bob.id)) is not None
    assert services.can_see(bob, first.download)
    assert settled(first.download.id).status == "finished"
    fetched = len([h for h in ready.state.hits if "/media/" in h])
    # The same videos again, from a different address (one of them alone): nothing is fetched.
    again = services.add(bob, f"{ready.url}/watch/vs000000005")
    done = settled(again.download.id)
    assert done.status == "finished" and done.items[0].reused
    assert len([h for h in ready.state.hits if "/media/" in h]) == fetched
    # Only reused videos, and still the Plex step is asked for, so the page does not wait on it.
    assert done.plex_state is not None


def test_cancel_stops_the_download_and_leaves_no_partial_file(app, ready, worker):
    ready.state.switch(throttle=8_000)
    ann = person()
    added = services.add(ann, f"{ready.url}/watch/vs000000001")

    def running():
        items = items_of(added.download.id)
        return items and items[0].status == "running" and services.live_progress([items[0].id])

    from tests.conftest import wait_for

    wait_for(running, timeout=60)
    services.cancel(ann, db.session.get(Download, added.download.id))
    download = settled(added.download.id, timeout=30)
    assert download.status == "cancelled"
    assert files_under(youtube_dir(app)) == []
    staging = youtube_dir(app) / ".medianest-partial"
    wait_for(lambda: not staging.exists() or not any(staging.iterdir()), timeout=10)


def test_a_removed_video_fails_at_once_in_words_and_a_retry_fetches_it(app, ready, worker):
    ready.state.switch(fail={"vs000000005": 404})
    ann = person()
    added = services.add(ann, f"{ready.url}/feeds/pond.xml")
    download = settled(added.download.id)
    failed = [i for i in download.items if i.status == "failed"]
    assert download.status == "partial"
    assert [(i.video_id, i.attempts) for i in failed] == [("vs000000005", 1)]
    assert "removed" in failed[0].error
    note = db.session.scalars(select(Notification).where(Notification.user_id == ann.id)).one()
    assert note.title.startswith("Partly downloaded")
    ready.state.switch(reset=True)
    assert services.retry(ann, download) == 1
    assert settled(download.id).status == "finished"
    assert len([f for f in files_under(youtube_dir(app)) if f.suffix == ".mp4"]) == 3


def test_people_cannot_change_what_others_added_and_quotas_are_told_before_they_are_hit(app, ready):
    ann, bob = person("ann", quota_downloads=3), person("bob")
    with pytest.raises(services.Refused, match="4 videos and you have 3 left"):
        services.add(ann, f"{ready.url}/feeds/top10.xml")
    added = services.add(ann, f"{ready.url}/feeds/top10.xml", items="1-3")
    assert added.download.total_items == 3
    assert quotas.quota(ann).videos_left == 0
    with pytest.raises(services.Refused, match="for today"):
        services.add(ann, f"{ready.url}/watch/vs000000008")
    with pytest.raises(services.Refused, match="Only the person"):
        services.cancel(bob, added.download)
    assert not services.can_see(bob, added.download)


def test_two_people_adding_the_same_playlist_at_the_same_moment_share_one_download(app, ready):
    import threading

    ids = [person("ann").id, person("bob").id]
    url = f"{ready.url}/feeds/top10.xml"
    services.preview(db.session.get(User, ids[0]), url)  # read once, so both adds race the insert
    start, results = threading.Barrier(2), {}

    def add(user_id):
        with app.app_context():
            user = db.session.get(User, user_id)
            start.wait()
            added = services.add(user, url)
            results[user_id] = (added.download.id, added.shared)

    threads = [threading.Thread(target=add, args=(user_id,)) for user_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len({download_id for download_id, _ in results.values()}) == 1
    assert sorted(shared for _, shared in results.values()) == [False, True]
    assert db.session.scalar(select(func.count()).select_from(Download)) == 1


def test_two_workers_ending_videos_of_one_playlist_together_end_it_once(app, ready, worker):
    from tests.conftest import WorkerProcess

    second = WorkerProcess(app)
    try:
        ann = person()
        added = services.add(ann, f"{ready.url}/feeds/top10.xml")
        download = settled(added.download.id, sweep=False)
    finally:
        second.stop()
    assert download.status == "finished"
    notes = db.session.scalars(select(Notification).where(Notification.user_id == ann.id)).all()
    assert [n.title for n in notes] == [f"Downloaded: {download.title}"]
