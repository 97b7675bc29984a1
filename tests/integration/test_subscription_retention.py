"""Scheduled checks and retention, run by a real worker: old files go, shared files stay, the
schedule moves on even when a check fails."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.downloads import setup, subscriptions
from app.extensions import db
from app.jobs import enqueue
from app.models import Download, DownloadItem, Subscription
from app.models.base import utcnow
from app.models.downloads import FINISHED, REMOVED
from tests.conftest import wait_for

# Refused before anything is fetched: the check fails in words, retention still runs.
INSIDE = "http://127.0.0.1:9/feed.xml"


def _subscription(user_id: int, title: str, **values) -> Subscription:
    values = {
        "source_url": INSIDE,
        "source_key": f"generic:{title}",
        "kind": "channel",
        "next_check_at": utcnow(),
        "last_checked_at": utcnow() - timedelta(hours=6),
        **values,
    }
    sub = Subscription(user_id=user_id, title=title, **values)
    db.session.add(sub)
    db.session.flush()
    return sub


def _video(root: Path, relative: str) -> str:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00" * 64)
    return relative


def _download(user_id, sub_id, items) -> Download:
    download = Download(
        user_id=user_id,
        source_url=INSIDE,
        source_key="generic:show",
        kind="channel",
        title="Show",
        status=FINISHED,
        subscription_id=sub_id,
    )
    download.items = [
        DownloadItem(
            position=n,
            extractor="generic",
            video_id=video_id,
            url=f"{INSIDE}#{video_id}",
            upload_date=day,
            status=FINISHED,
            file_path=path,
        )
        for n, (video_id, day, path) in enumerate(items, start=1)
    ]
    db.session.add(download)
    db.session.flush()
    return download


@pytest.fixture
def library(app, auth):
    """alice subscribes to a show keeping its newest 2 of 4 videos; bob downloaded one of the old
    ones himself (the same file); the 2025 season holds only old ones."""
    alice, bob = auth.create("alice"), auth.create("bob")
    with app.app_context():
        root = setup.youtube_dir()
        files = {
            "a": _video(root, "Show/Season 2025/s2025e0101 - A [a].mp4"),
            "b": _video(root, "Show/Season 2025/s2025e0601 - B [b].mp4"),
            "c": _video(root, "Show/Season 2026/s2026e0101 - C [c].mp4"),
            "d": _video(root, "Show/Season 2026/s2026e0201 - D [d].mp4"),
            "shared": _video(root, "Show/Season 2024/s2024e0101 - Old [old].mp4"),
        }
        sub = _subscription(alice, "Show", keep_newest=2)
        _download(
            alice,
            sub.id,
            [
                ("old", "20240101", files["shared"]),
                ("a", "20250101", files["a"]),
                ("b", "20250601", files["b"]),
                ("c", "20260101", files["c"]),
                ("d", "20260201", files["d"]),
            ],
        )
        _download(bob, None, [("old", "20240101", files["shared"])])
        db.session.commit()
        return {"sub": sub.id, "root": root, "files": files}


def _item_statuses(sub_id: int) -> dict[str, str]:
    db.session.expire_all()
    rows = db.session.execute(
        select(DownloadItem.video_id, DownloadItem.status, DownloadItem.file_path)
        .join(Download)
        .where(Download.subscription_id == sub_id)
    ).all()
    return {video_id: (status, path) for video_id, status, path in rows}


def test_a_check_keeps_the_newest_and_deletes_the_older_files(app, worker, library):
    root, files = library["root"], library["files"]
    with app.app_context():
        sub = db.session.get(Subscription, library["sub"])
        before = sub.next_check_at
        subscriptions.check_now(sub)
        wait_for(lambda: _checked(library["sub"]), timeout=30)
        sub = db.session.get(Subscription, library["sub"])
        # The address is refused, in words; the schedule still moved on by the interval.
        assert "is not a site MediaNest downloads from" in sub.last_result
        assert sub.last_new == 0
        assert sub.next_check_at >= before + timedelta(minutes=sub.interval_minutes - 1)
        states = _item_statuses(library["sub"])
    assert states["c"] == (FINISHED, files["c"]) and states["d"] == (FINISHED, files["d"])
    for gone in ("a", "b", "old"):
        assert states[gone] == (REMOVED, None)
    assert not (root / files["a"]).exists() and not (root / files["b"]).exists()
    assert not (root / "Show/Season 2025").exists()  # the emptied season folder went too
    assert (root / files["c"]).is_file() and (root / files["d"]).is_file()
    # bob's own download of the oldest video still uses that file.
    assert (root / files["shared"]).is_file()


def _checked(sub_id: int) -> bool:
    db.session.expire_all()
    sub = db.session.get(Subscription, sub_id)
    return sub.last_result is not None


def test_the_minutes_cron_checks_only_due_enabled_subscriptions(app, auth, worker):
    alice = auth.create("alice")
    with app.app_context():
        # Never checked: its first check is to start with the newest 4.
        due = _subscription(alice, "Due", last_checked_at=None, last_new=4).id
        paused = _subscription(alice, "Paused", enabled=False).id
        later = _subscription(alice, "Later", next_check_at=utcnow() + timedelta(hours=1)).id
        db.session.commit()
        enqueue("app.downloads.subscription_tasks.check_due_subscriptions")
        wait_for(lambda: _checked(due), timeout=30)
        checked = db.session.get(Subscription, due)
        assert "is not a site MediaNest downloads from" in checked.last_result
        assert checked.next_check_at > utcnow() + timedelta(hours=5)
        # The source was not read, so the next check is still the first, with the newest 4.
        assert checked.last_checked_at is None and checked.last_new == 4
        # A second run of the same check finds it not due: nothing changes.
        first = checked.next_check_at
        enqueue("app.downloads.subscription_tasks.check_subscription", due)
        enqueue("app.downloads.subscription_tasks.check_due_subscriptions")
        wait_for(lambda: not _busy(), timeout=30)
        db.session.expire_all()
        assert db.session.get(Subscription, due).next_check_at == first
        assert db.session.get(Subscription, paused).last_result is None
        assert db.session.get(Subscription, later).last_result is None


def _busy() -> bool:
    from app.extensions import get_queue

    queue = get_queue("default")
    return bool(queue.count or queue.started_job_registry.count)
