"""Seed the bench's database with what a dashboard with every card reads: Plex, Overseerr,
Uptime Kuma and 20 of its monitors, MediaNest, 30 days of their health samples (minute rows for
2 days, hour rows for 28), and a few requests and downloads of the owner.

Run by bench/pages.py before gunicorn starts:  python -m bench.dashboard_seed <owner>
"""

import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from app import create_app
from app.extensions import db
from app.models import Download, MediaRequest, User
from app.models.health import DOWN, HOUR, MINUTE, UP, HealthSample, ServiceState

MONITORS = 20
GROUPS = ("Public", "Home", "Media")
BATCH = 5000


def states(now: datetime) -> list[dict]:
    since = now - timedelta(hours=3)
    stream = {
        "user": "alice",
        "title": "The Office",
        "subtitle": "S1E2 · Diversity Day",
        "player": "Living Room TV",
        "state": "playing",
        "progress": 0.42,
        "quality": "Direct play",
    }
    rows = [
        dict(
            key="plex",
            kind="plex",
            label="Living Room",
            state=UP,
            public=True,
            ms=14.0,
            info={
                "version": "1.41.3",
                "counts": {"movie": 3000, "show": 300, "episode": 12000, "album": 400},
                "streams": [stream, {**stream, "user": "bob", "state": "paused"}],
            },
        ),
        dict(
            key="overseerr",
            kind="overseerr",
            label="Overseerr",
            state=UP,
            public=True,
            ms=20.0,
            info={"version": "1.33.2", "pending": 4},
        ),
        dict(
            key="kuma",
            kind="kuma",
            label="Home status",
            state=UP,
            ms=30.0,
            info={
                "title": "Home status",
                "incidents": [
                    {"title": "Router swap", "content": "Back by noon", "style": "warning"}
                ],
                "maintenance": [
                    {
                        "title": "NAS disks",
                        "description": "RAID rebuild",
                        "status": "under-maintenance",
                    }
                ],
            },
        ),
        dict(
            key="medianest",
            kind="medianest",
            label="MediaNest",
            state=UP,
            public=True,
            info={
                "components": {
                    name: {"ok": True, "detail": "fine"}
                    for name in ("web", "workers", "queue", "disk", "database", "redis")
                }
            },
        ),
    ]
    for i in range(1, MONITORS + 1):
        pings = [40.0 + (j * 7 + i) % 23 if j % 17 else None for j in range(60)]
        rows.append(
            dict(
                key=f"kuma:{i}",
                kind="monitor",
                label=f"Monitor {i}",
                state=DOWN if i == 7 else UP,
                reason="",
                public=i % 2 == 0,
                position=i,
                ms=pings[-1],
                info={
                    "monitor_id": i,
                    "group": GROUPS[i % len(GROUPS)],
                    "type": "http",
                    "last_ping_at": (now - timedelta(seconds=20)).isoformat(),
                    "uptime_24": 0.999,
                    "pings": pings,
                    "message": "ok",
                },
            )
        )
    for row in rows:
        row.update(since=since, checked_at=now, last_ok_at=now)
    return rows


def samples(keys: list[str], now: datetime):
    """Minute rows for the last 2 days and hour rows for the 28 before, per service."""
    minute0 = now.replace(second=0, microsecond=0)
    hour0 = minute0.replace(minute=0) - timedelta(days=2)
    for key in keys:
        for m in range(2 * 1440):
            yield dict(
                service_key=key,
                resolution=MINUTE,
                bucket_at=minute0 - timedelta(minutes=m),
                checks=1,
                ups=0 if m % 997 == 0 else 1,
                ms_total=42.0,
                ms_count=1,
                ms_max=42.0,
            )
        for h in range(28 * 24):
            yield dict(
                service_key=key,
                resolution=HOUR,
                bucket_at=hour0 - timedelta(hours=h),
                checks=60,
                ups=59,
                ms_total=60 * 42.0,
                ms_count=60,
                ms_max=90.0,
            )


def main(owner: str) -> None:
    app = create_app()
    now = datetime.now(UTC)
    with app.app_context():
        rows = states(now)
        db.session.execute(insert(ServiceState), rows)
        batch = []
        for sample in samples([r["key"] for r in rows], now):
            batch.append(sample)
            if len(batch) >= BATCH:
                db.session.execute(insert(HealthSample), batch)
                batch = []
        if batch:
            db.session.execute(insert(HealthSample), batch)
        owner_id = db.session.scalar(select(User.id).where(User.username == owner))
        for i in range(8):
            at = now - timedelta(hours=i)
            db.session.add(
                MediaRequest(
                    user_id=owner_id,
                    media_type="movie",
                    tmdb_id=100 + i,
                    title=f"Film {i}",
                    status="pending",
                    created_at=at,
                )
            )
            db.session.add(
                Download(
                    user_id=owner_id,
                    source_url=f"https://youtu.be/v{i}",
                    source_key=f"youtube:video:v{i}",
                    kind="video",
                    title=f"Video {i}",
                    status="finished",
                    created_at=at,
                )
            )
        db.session.commit()


if __name__ == "__main__":
    main(sys.argv[1])
