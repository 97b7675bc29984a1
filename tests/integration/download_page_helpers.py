"""Downloads as the pages show them: rows put in directly, and the people who own them."""

import base64
from types import SimpleNamespace

import pytest
from flask import Flask, Response
from sqlalchemy import select

from app.extensions import db
from app.models import Download, DownloadItem
from simulators import SimulatorServer

BIG = "9" * 25  # past 2^63


def a_download(user_id: int, *, title="Cooking Week", items=("queued",), **fields) -> int:
    """A playlist download with one video per status given; returns its id."""
    download = Download(
        user_id=user_id,
        source_url="https://www.youtube.com/playlist?list=PLcook",
        source_key=f"youtube:playlist:{title}",
        kind="playlist",
        title=title,
        uploader="Chef Ana",
        total_items=len(items),
        status=fields.pop("status", "running"),
        **fields,
    )
    db.session.add(download)
    db.session.flush()
    for n, status in enumerate(items, start=1):
        db.session.add(
            DownloadItem(
                download_id=download.id,
                position=n,
                extractor="youtube",
                video_id=f"vid{n:08d}",
                url=f"https://www.youtube.com/watch?v=vid{n:08d}",
                title=f"Episode {n} of {title}",
                status=status,
                duration=65 * n,
                error="This video is private." if status == "failed" else None,
            )
        )
    db.session.commit()
    return download.id


@pytest.fixture
def people(auth):
    """The owner (an admin) and two friends; ids only."""
    return SimpleNamespace(owner=auth.owner(), alice=auth.create("alice"), bob=auth.create("bob"))


@pytest.fixture
def made(app, people):
    """alice's download (bob watches nothing), and bob's."""
    with app.app_context():
        alice = a_download(people.alice, items=("finished", "running", "failed"))
        bob = a_download(people.bob, title="Bob's Garden", items=("queued",))
        alice_item = db.session.scalar(
            select(DownloadItem.id).where(DownloadItem.download_id == alice).limit(1)
        )
    return {"alice": alice, "bob": bob, "alice_item": alice_item, "big": BIG}


def sign_in_as(auth, who: str) -> None:
    if who != "anonymous":
        auth.login(who)


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def image_site():
    """A site on loopback that serves a thumbnail."""
    site = Flask("image_site")
    site.add_url_rule("/thumb.png", "thumb", lambda: Response(PNG, mimetype="image/png"))
    with SimulatorServer(site) as server:
        yield server


@pytest.fixture(scope="module")
def site():
    """The loopback video site, shared by a module's tests."""
    from tests.integration.download_helpers import started_site

    server = started_site()
    yield server
    server.stop()
