"""Downloads pages say only what is so: admins' limits, left-out videos, why a video waits."""

from app.extensions import db
from app.models import Download, DownloadItem, Subscription
from app.models.base import utcnow
from tests.integration import download_page_helpers
from tests.integration.download_page_helpers import a_download
from tests.integration.test_request_pages import text

people = download_page_helpers.people


def test_an_admin_is_not_shown_limits_they_are_not_held_to(app, client, auth, people):
    with app.app_context():
        a_download(people.owner, items=("finished",) * 30, status="finished")
    auth.login()
    page = text(client.get("/downloads"))
    assert "30 videos today · 0.0 GB kept · admins have no download limits" in page
    assert "of 20 videos today" not in page
    limits = text(client.get(f"/admin/downloads/people/{people.owner}/limits"))
    assert "admins have no download limits" in limits


def test_a_friend_still_sees_their_limits(app, client, auth, people):
    with app.app_context():
        a_download(people.alice, items=("queued",) * 3)
    auth.login("alice")
    assert "3 of 20 videos today · 0.0 of 50 GB" in text(client.get("/downloads"))


def _left_out(user_id: int) -> tuple[int, int]:
    """A subscription and its record of three older videos it did not fetch."""
    sub = Subscription(
        user_id=user_id,
        source_url="https://www.youtube.com/@nest/videos",
        source_key="youtube:channel:@nest",
        kind="channel",
        title="Nest Cam",
        next_check_at=utcnow(),
    )
    db.session.add(sub)
    db.session.flush()
    marker = Download(
        user_id=user_id,
        source_url=sub.source_url,
        source_key=sub.source_key,
        kind="channel",
        title="Nest Cam: there before the subscription, not downloaded",
        status="skipped",
        total_items=0,
        subscription_id=sub.id,
    )
    marker.items = [
        DownloadItem(position=n, extractor="youtube", video_id=f"v{n}", url="u", status="skipped")
        for n in (1, 2, 3)
    ]
    got = Download(
        user_id=user_id,
        source_url=sub.source_url,
        source_key=sub.source_key,
        kind="channel",
        title="Nest Cam",
        status="finished",
        total_items=1,
        subscription_id=sub.id,
    )
    got.items = [
        DownloadItem(position=1, extractor="youtube", video_id="v9", url="u", status="finished")
    ]
    db.session.add_all([marker, got])
    db.session.commit()
    return sub.id, marker.id


def test_videos_left_out_by_a_subscription_are_counted_plainly(app, client, auth, people):
    with app.app_context():
        sub_id, marker_id = _left_out(people.alice)
    auth.login("alice")
    page = text(client.get(f"/downloads/{marker_id}"))
    assert "3 videos left out, none downloaded" in page and "of 0 videos" not in page
    sub_page = text(client.get(f"/downloads/subscriptions/{sub_id}"))
    assert "1 video · just now · Done" in sub_page and "finished" not in sub_page


def test_a_video_between_attempts_says_why_and_a_cancelled_one_says_it_once(
    app, client, auth, people
):
    with app.app_context():
        download_id = a_download(people.alice, items=("queued", "cancelled"))
        first, second = db.session.get(Download, download_id).items
        first.error = "The network failed. Trying again in 30 seconds."
        second.error = "Cancelled."
        db.session.commit()
    auth.login("alice")
    page = text(client.get(f"/downloads/{download_id}"))
    assert "Waiting" in page and "The network failed. Trying again in 30 seconds." in page
    assert "Cancelled Retry Cancelled." not in page and "Cancelled." not in page
