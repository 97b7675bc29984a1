"""A channel that put out more videos than one check lists: the check reads further back until
it reaches a video the subscription has, so none of the new ones is skipped."""

import pytest

from app import settings
from app.downloads import subscription_tasks
from app.extensions import db
from app.models import Download, DownloadItem, Subscription
from app.models.base import utcnow
from tests.integration.download_helpers import person, started_site


@pytest.fixture
def site():
    server = started_site()
    yield server
    server.stop()


def test_a_busy_channel_is_read_back_to_the_last_video_the_subscription_has(app, site, monkeypatch):
    monkeypatch.setattr(subscription_tasks, "CHANNEL_WINDOW", 2)
    channel = site.state.catalog.channel()  # newest first
    with app.app_context():
        settings.put({"downloads.allowed_hosts": f"127.0.0.1:{site.port}"})
        ann = person("ann")
        sub = Subscription(
            user_id=ann.id,
            source_url=f"{site.url}/channel/nestcam/feed.xml",
            source_key="generic:channel:nestcam",
            kind="channel",
            title="Nest Cam",
            last_checked_at=utcnow(),
            next_check_at=utcnow(),
        )
        db.session.add(sub)
        db.session.flush()
        # The last check got the oldest video; every other one came out since.
        oldest = channel[-1]
        seen = Download(
            user_id=ann.id,
            source_url=sub.source_url,
            source_key=sub.source_key,
            kind="channel",
            status="finished",
            subscription_id=sub.id,
            total_items=1,
        )
        seen.items.append(
            DownloadItem(
                position=1,
                extractor="generic",
                video_id=oldest.video_id,
                url=f"{site.url}/watch/{oldest.video_id}",
                status="finished",
            )
        )
        db.session.add(seen)
        db.session.commit()
        subscription_tasks.check_subscription(sub.id)
        sub = db.session.get(Subscription, sub.id)
        assert sub.last_result == f"{len(channel) - 1} new videos"
