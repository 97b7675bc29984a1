"""Subscribing to a channel on the simulated video site, end to end with real yt-dlp, ffmpeg and
a real worker: the newest few are fetched, a second check finds nothing, a new video is fetched
and retention deletes the oldest file."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app import settings
from app.downloads import setup
from app.extensions import db
from app.models import Download, DownloadItem, Subscription, User
from app.models.downloads import FINISHED, REMOVED, SKIPPED
from simulators.video_catalog import Video
from tests.conftest import wait_for
from tests.integration.download_helpers import started_site
from tests.integration.ytdlp_helpers import reset

PAGE = "/downloads/subscriptions"
NEW_ID = "vs000000099"


@pytest.fixture(scope="module")
def video_site():
    server = started_site()
    yield server
    server.stop()


@pytest.fixture
def site(video_site):
    reset(video_site)
    added = [k for k in video_site.state.catalog.videos if k == NEW_ID]
    for video_id in added:  # a previous test's new video
        del video_site.state.catalog.videos[video_id]
    return video_site.state, video_site.url


@pytest.fixture
def app(make_app, site, tmp_path):
    app = make_app(MEDIA_ROOT=str(tmp_path / "media"))
    with app.app_context():
        settings.put({"downloads.allowed_hosts": site[1].split("//", 1)[1]})
    return app


def _sub(sub_id: int) -> Subscription:
    db.session.expire_all()
    return db.session.get(Subscription, sub_id)


def _videos(sub_id: int, status: str = FINISHED) -> dict[str, DownloadItem]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(DownloadItem)
        .join(Download)
        .where(Download.subscription_id == sub_id, DownloadItem.status == status)
    ).all()
    return {row.video_id: row for row in rows}


def _checked_since(sub_id: int, before) -> bool:
    sub = _sub(sub_id)
    return sub.last_checked_at is not None and (before is None or sub.last_checked_at > before)


def _settled(sub_id: int, want: int) -> bool:
    db.session.expire_all()
    items = db.session.scalars(
        select(DownloadItem)
        .join(Download)
        .where(Download.subscription_id == sub_id, Download.status != SKIPPED)
    ).all()
    return len(items) == want and all(i.status in (FINISHED, REMOVED, "failed") for i in items)


def _check_again(client, sub_id: int) -> None:
    before = _sub(sub_id).last_checked_at
    page = f"{PAGE}/{sub_id}"
    assert client.post_form(f"{page}/check", page=page).status_code == 302
    wait_for(lambda: _checked_since(sub_id, before), timeout=60)


def test_a_channel_subscription_fetches_the_newest_then_only_what_is_new(
    app, client, auth, worker, site
):
    state, base = site
    auth.owner()
    auth.create("alice")
    auth.login("alice")
    form = {"url": f"{base}/channel/nestcam/feed.xml", "interval": "6h", "start_with": "2"}
    form["keep_newest"] = "2"
    response = client.post_form(PAGE, form, page=PAGE)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        sub = db.session.scalars(select(Subscription)).one()
        assert sub.kind == "channel"
        wait_for(lambda: _checked_since(sub.id, None), timeout=60)
        assert _sub(sub.id).last_result == "2 new videos"
        wait_for(lambda: _settled(sub.id, 2), timeout=120)
        newest = [v.video_id for v in state.catalog.channel()[:2]]
        fetched = _videos(sub.id)
        assert sorted(fetched) == sorted(newest)
        root = setup.youtube_dir()
        for item in fetched.values():
            assert (root / item.file_path).is_file()
        # The older ones were there before the subscription: remembered, never fetched.
        assert len(_videos(sub.id, SKIPPED)) == len(state.catalog.videos) - 2

        _check_again(client, sub.id)
        assert _sub(sub.id).last_result == "Nothing new"
        assert len(_videos(sub.id)) == 2

        fresh = Video(NEW_ID, "A new nest", date.today() - timedelta(days=1), "Nest Cam")
        state.catalog.videos[fresh.video_id] = fresh
        _check_again(client, sub.id)
        assert _sub(sub.id).last_result == "1 new video"
        wait_for(lambda: _settled(sub.id, 3), timeout=120)
        # The next check's retention keeps the newest 2: the oldest file goes.
        _check_again(client, sub.id)
        kept, removed = _videos(sub.id), _videos(sub.id, REMOVED)
        assert sorted(kept) == sorted([fresh.video_id, newest[0]])
        assert list(removed) == [newest[1]]
        assert not any(Path(p).name.endswith(f"[{newest[1]}].mp4") for p in root.rglob("*.mp4"))
    page = client.get(PAGE).get_data(as_text=True)
    assert "Nothing new" in page and "Keeps the newest 2" in page


def test_a_5000_video_playlist_is_listed_in_pages_and_only_the_newest_are_fetched(
    app, client, auth, worker, site
):
    _, base = site
    auth.owner()
    auth.create("alice")
    auth.login("alice")
    form = {"url": f"{base}/feeds/big.xml", "interval": "1d", "start_with": "3"}
    assert client.post_form(PAGE, form, page=PAGE).status_code == 302
    with app.app_context():
        sub = db.session.scalars(select(Subscription)).one()
        assert sub.kind == "playlist"
        wait_for(lambda: _checked_since(sub.id, None), timeout=120)
        assert _sub(sub.id).last_result == "3 new videos"
        wait_for(lambda: _settled(sub.id, 3), timeout=120)
        assert sorted(_videos(sub.id)) == ["bg000000001", "bg000000002", "bg000000003"]
        assert len(_videos(sub.id, SKIPPED)) == 4997
        _check_again(client, sub.id)
        assert _sub(sub.id).last_result == "Nothing new"


def test_videos_over_the_quota_wait_for_a_later_check(app, client, auth, worker, site):
    state, base = site
    auth.owner()
    alice = auth.create("alice")
    with app.app_context():
        db.session.get(User, alice).quota_downloads = 1  # videos a day
        db.session.commit()
    auth.login("alice")
    form = {"url": f"{base}/channel/nestcam/feed.xml", "interval": "6h", "start_with": "3"}
    assert client.post_form(PAGE, form, page=PAGE).status_code == 302
    with app.app_context():
        sub = db.session.scalars(select(Subscription)).one()
        wait_for(lambda: _checked_since(sub.id, None), timeout=60)
        assert _sub(sub.id).last_result == "1 new video; over your quota: 2 videos wait"
        wait_for(lambda: _settled(sub.id, 1), timeout=120)
        oldest_of_three = state.catalog.channel()[2].video_id
        assert list(_videos(sub.id)) == [oldest_of_three]
        _check_again(client, sub.id)
        assert _sub(sub.id).last_result == "Over your quota: 2 videos wait"
        db.session.get(User, alice).quota_downloads = 10
        db.session.commit()
        _check_again(client, sub.id)
        assert _sub(sub.id).last_result == "2 new videos"
    assert "2 new videos" in client.get(PAGE).get_data(as_text=True)
