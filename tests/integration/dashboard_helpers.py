"""Service states as the health job leaves them, for the dashboard's tests."""

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models.health import UP, ServiceState
from app.realtime.events import publish


def put_state(app, key: str, kind: str, label: str, state: str = UP, **fields) -> None:
    """Create or change one ServiceState row, as the health job would."""
    with app.app_context():
        row = db.session.get(ServiceState, key) or ServiceState(key=key)
        row.kind, row.label, row.state = kind, label, state
        row.since = fields.pop("since", datetime.now(UTC) - timedelta(minutes=5))
        row.checked_at = datetime.now(UTC)
        for name, value in fields.items():
            setattr(row, name, value)
        db.session.add(row)
        db.session.commit()


def drop_state(app, key: str) -> None:
    with app.app_context():
        row = db.session.get(ServiceState, key)
        if row is not None:
            db.session.delete(row)
            db.session.commit()


def announce(app, *keys: str) -> None:
    """What the health job publishes after each run (once this process's listener hears)."""
    hub = app.extensions.get("medianest.hub")
    if hub is not None:
        assert hub.listening.wait(10), "the event listener never subscribed"
    with app.app_context():
        publish({"type": "health.changed", "keys": list(keys)}, everyone=True)


def world(app) -> None:
    """Plex, Overseerr, Uptime Kuma with three monitors in two groups, and MediaNest."""
    put_state(
        app,
        "plex",
        "plex",
        "Living Room",
        public=True,
        ms=12.0,
        info={
            "version": "1.41.3",
            "counts": {"movie": 300, "show": 30, "episode": 1200, "album": 40},
            "streams": [
                {
                    "user": "alice",
                    "title": "The Office",
                    "subtitle": "S1E2 · Diversity Day",
                    "player": "Living Room TV",
                    "state": "playing",
                    "progress": 0.42,
                    "quality": "Direct play",
                },
                {
                    "user": "bob",
                    "title": "Dune",
                    "subtitle": "",
                    "player": "iPhone",
                    "state": "paused",
                    "progress": 0.1,
                    "quality": "Transcode",
                },
            ],
        },
    )
    put_state(
        app,
        "overseerr",
        "overseerr",
        "Overseerr",
        public=True,
        info={"version": "1.33.2", "pending": 3},
    )
    put_state(
        app,
        "kuma",
        "kuma",
        "Home status",
        info={
            "title": "Home status",
            "incidents": [{"title": "Router swap", "content": "Back by noon", "style": "warning"}],
            "maintenance": [
                {"title": "NAS disks", "description": "RAID rebuild", "status": "under-maintenance"}
            ],
        },
    )
    pings = [40, 42, None, 45, 41]
    for position, (mid, name, group, public) in enumerate(
        [
            (12, "Website", "Public", True),
            (13, "Mail", "Public", True),
            (14, "NAS", "Inside", False),
        ]
    ):
        put_state(
            app,
            f"kuma:{mid}",
            "monitor",
            name,
            public=public,
            position=position,
            ms=41.0,
            info={
                "monitor_id": mid,
                "group": group,
                "type": "http",
                "last_ping_at": (datetime.now(UTC) - timedelta(seconds=30)).isoformat(),
                "uptime_24": 0.9993,
                "pings": pings,
                "message": "",
            },
        )
    put_state(
        app,
        "medianest",
        "medianest",
        "MediaNest",
        public=True,
        info={
            "components": {
                "web": {"ok": True, "detail": "2 processes"},
                "workers": {"ok": True, "detail": "1 running"},
                "queue": {"ok": True, "detail": "0 waiting"},
                "disk": {"ok": True, "detail": "120.0 GB free of 500 GB"},
                "database": {"ok": True, "detail": "answering"},
                "redis": {"ok": True, "detail": "answering"},
            }
        },
    )
