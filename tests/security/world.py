"""What the access matrix requests things with: people, and alice's things to ask for by id.

alice is a person; bob is another person; the owner is the admin; ada is an admin who is not
the owner. Most of alice's things come three times: the first copy is asked for by anonymous,
bob and alice, the second by the owner and the third by ada, so an action one of them takes (a
delete) leaves the others something to act on too. What an admin does to a person, ada does to
bob and the owner to alice.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask
from redis import Redis

from app import settings
from app.crypto import encrypt
from app.discover import store
from app.downloads import thumbs
from app.extensions import db
from app.invites import services as invites
from app.library import images, mail_images
from app.library import services as library
from app.models import (
    Delivery,
    Download,
    DownloadItem,
    LibrarySection,
    MediaItem,
    MediaRequest,
    Notification,
    NotifyChannel,
    NotifyEvent,
    NotifyProfile,
    PersonTarget,
    Subscription,
    Upload,
    User,
    UserSession,
)
from app.models.base import utcnow
from app.models.library import ItemTag
from app.models.sessions import hash_session_key, new_session_key
from app.models.uploads import READY, VIDEO
from app.notify.profile_email import token_hash
from app.setup.services import create_owner
from app.uploads import storage
from tests.conftest import PASSWORD
from tests.integration.request_helpers import ARRIVAL, DUNE, WIRE, movie

ALICE, BOB, ADA, ADMIN = "alice", "bob", "ada", "owner"
OVERSEERR_SECRET = "overseerr-shared-secret"
METRICS_TOKEN = "metrics-bearer-token"
VERIFY_TOKEN = "alice-email-confirmation-token"
POSTER = "/library/metadata/101/thumb/1700000000"
TMDB_POSTER = "dune.jpg"
COLLECTION = "Dune Collection"
MOVIE = movie(1)
# Never the id of anything: an id that names nothing is a 404 for whoever may ask.
NOTHING = 987654321


@dataclass
class World:
    """URL values by name, and the copies of them that are one role's to act on."""

    values: dict = field(default_factory=dict)
    by_role: dict = field(default_factory=lambda: {ADMIN: {}, ADA: {}})
    # What flask-login keeps in each person's session cookie: their id and a live session key.
    logins: dict = field(default_factory=dict)

    def value(self, name: str, role: str):
        return self.by_role.get(role, {}).get(name, self.values[name])


def _person(username: str, role: str = "user") -> User:
    user = User(username=username, role=role)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    return user


def _request(alice: User, title) -> int:
    row = MediaRequest(
        user_id=alice.id,
        media_type=title.media_type,
        tmdb_id=title.tmdb_id,
        title=title.title,
        year=title.year,
        status="pending",
    )
    db.session.add(row)
    db.session.flush()
    return row.id


def _download(alice: User, n: int) -> tuple[int, int]:
    """A failed one-video download (so retry has work) and its video's id."""
    url = f"https://videos.example/watch/{n}"
    download = Download(
        user_id=alice.id,
        source_url=url,
        source_key=f"generic:{url}",
        kind="video",
        title=f"Clip {n}",
        status="failed",
        total_items=1,
    )
    db.session.add(download)
    db.session.flush()
    item = DownloadItem(
        download_id=download.id,
        position=1,
        extractor="generic",
        video_id=f"clip{n}",
        url=url,
        title=f"Clip {n}",
        status="failed",
        error="The site refused.",
    )
    db.session.add(item)
    db.session.flush()
    return download.id, item.id


def _subscription(alice: User, n: int) -> int:
    url = f"https://videos.example/playlist/{n}"
    row = Subscription(
        user_id=alice.id,
        source_url=url,
        source_key=f"generic:playlist:{n}",
        kind="playlist",
        title=f"Playlist {n}",
    )
    db.session.add(row)
    db.session.flush()
    return row.id


def _ready_upload(alice: User, n: int) -> str:
    """A processed upload with its original and derived files on disk."""
    row = Upload(
        key=storage.new_key(),
        user_id=alice.id,
        filename=f"Beach {n}.mp4",
        size=16,
        state=READY,
        kind=VIDEO,
        container="mp4",
        duration=1.0,
        width=64,
        height=48,
        title=f"Beach {n}",
    )
    storage.original_path(row).write_bytes(b"not really a mp4")
    for name in storage.DERIVED:
        storage.derived_path(row.key, name).write_bytes(name.encode())
    db.session.add(row)
    db.session.flush()
    return row.key


def _arriving_upload(alice: User) -> str:
    """An upload still arriving by tus: 10 bytes announced, none sent yet."""
    row = Upload(key=storage.new_key(), user_id=alice.id, filename="Arriving.mp4", size=10)
    storage.part_path(row.key).touch()
    db.session.add(row)
    db.session.flush()
    return row.key


def _login(user: User) -> str:
    """A live session row, as signing in makes, and the value the cookie holds for it."""
    key = new_session_key()
    db.session.add(UserSession(user_id=user.id, key_hash=hash_session_key(key), method="password"))
    return f"{user.id}:{key}"


def _second_session(alice: User) -> int:
    """A session of alice's on another device (ending it leaves this one signed in)."""
    row = UserSession(
        user_id=alice.id, key_hash=hash_session_key(new_session_key()), method="password"
    )
    db.session.add(row)
    db.session.flush()
    return row.id


def _library() -> dict:
    """A visible Movies library with one film in one collection, and its poster cached."""
    section = LibrarySection(key="1", title="Movies", type="movie", item_count=1)
    db.session.add(section)
    db.session.flush()
    item = MediaItem(
        rating_key=101, section_id=section.id, type="movie", title="Dune", year=2021, thumb=POSTER
    )
    db.session.add(item)
    db.session.flush()
    db.session.add(ItemTag(item_id=item.id, kind="collection", value=COLLECTION))
    width = images.snap_width(None)
    picture = images.Image(b"\x89PNG poster", "image/png", "poster1")
    images._write_cached(images._cache_file(POSTER, width), picture)
    return {
        "section_id": section.id,
        "section_key": section.key,
        "rating_key": item.rating_key,
        "collection": COLLECTION,
        "poster": POSTER,
        "mail_token": mail_images.token_for(POSTER, width),
    }


def _tmdb_poster() -> None:
    """Discover's poster of Dune, as if fetched before: the proxy answers without TMDB."""
    from app.discover import images as tmdb_images

    size, name = tmdb_images.allowed("w342", TMDB_POSTER)
    picture = images.Image(b"\x89PNG tmdb", "image/png", "tmdb1")
    images._write_cached(tmdb_images._cache_file(size, name), picture)


def _delivery() -> int:
    event = NotifyEvent(type="request.available", title="Dune is on Plex")
    db.session.add(event)
    db.session.flush()
    row = Delivery(
        event_id=event.id,
        channel="channel",
        target_key="channel:1",
        label="Family Discord",
        state="failed",
        last_error="refused",
    )
    db.session.add(row)
    db.session.flush()
    return row.id


def _channel(n: int) -> int:
    # A port nothing listens on: a test message is refused at once, never sent anywhere.
    url = "json://127.0.0.1:9/"
    row = NotifyChannel(name=f"Hook {n}", kind="json", secret_url=encrypt(url), summary="json")
    db.session.add(row)
    db.session.flush()
    return row.id


def _spread(world: World, name: str, copies: list) -> None:
    """alice's thing three times: hers (with anonymous and bob asking), the owner's, ada's."""
    world.values[name], world.by_role[ADMIN][name], world.by_role[ADA][name] = copies


def build(app: Flask) -> World:
    """People and alice's things; the owner set up MediaNest, so every page is open."""
    with app.app_context():
        owner = create_owner(ADMIN, PASSWORD)
        alice, bob, ada = _person(ALICE), _person(BOB), _person(ADA, role="admin")
        store.save_titles([DUNE, ARRIVAL, WIRE, MOVIE], detailed=True, commit=False)
        world = World()
        v = world.values
        v["alice_id"], v["bob_id"], world.by_role[ADA]["alice_id"] = alice.id, bob.id, bob.id
        _spread(world, "request_id", [_request(alice, t) for t in (DUNE, ARRIVAL, MOVIE)])
        downloads = [_download(alice, n) for n in (1, 2, 3)]
        _spread(world, "download_id", [download for download, _ in downloads])
        _spread(world, "item_id", [item for _, item in downloads])
        _spread(world, "sub_id", [_subscription(alice, n) for n in (1, 2, 3)])
        _spread(world, "upload_key", [_ready_upload(alice, n) for n in (1, 2, 3)])
        _spread(world, "channel_id", [_channel(n) for n in (1, 2, 3)])
        v["arriving_key"] = _arriving_upload(alice)
        note = Notification(user_id=alice.id, title="Dune is on Plex")
        target = PersonTarget(
            user_id=alice.id,
            name="My phone",
            kind="json",
            secret_url=encrypt("json://127.0.0.1:9/"),
            summary="json",
        )
        db.session.add_all([note, target])
        db.session.add(
            NotifyProfile(
                user_id=alice.id,
                email_pending="alice@example.com",
                email_token_hash=token_hash(VERIFY_TOKEN),
                email_token_at=utcnow() - timedelta(minutes=5),
            )
        )
        db.session.flush()
        v["notification_id"], v["target_id"] = note.id, target.id
        v["session_id"] = _second_session(alice)
        v["verify_token"] = VERIFY_TOKEN
        v.update(_library())
        _tmdb_poster()
        v["delivery_id"] = _delivery()
        v["thumb_token"] = thumbs._signer().dumps("http://127.0.0.1:9/thumb.jpg")
        v["tmdb_id"], v["tv_id"] = DUNE.tmdb_id, WIRE.tmdb_id
        v["tmdb_poster"] = TMDB_POSTER
        db.session.commit()
        invitation, token = invites.create(actor=owner)
        v["invitation_id"], v["invite_token"] = invitation.id, token
        v["plex_secret"] = library.webhook_secret()
        settings.put({"overseerr.webhook_auth": OVERSEERR_SECRET})
        db.session.commit()
        v["nothing"] = NOTHING
        world.logins = {user.username: _login(user) for user in (owner, alice, bob, ada)}
        db.session.commit()
        return world


def empty(app: Flask) -> None:
    """Delete every row and the Redis keys, for the next test's world.

    Rows, not TRUNCATE: on PostgreSQL deleting a few rows from each table is ten times faster,
    and ids that go on counting are never mistaken for the last test's.
    """
    with app.app_context():
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        Redis.from_url(app.config["REDIS_URL"]).flushdb()
        app.extensions.pop("medianest.has_owner", None)  # the next world sets up again
