"""Libraries deleted from Plex: marked removed after a whole full sync, gone for everyone, back
when Plex lists them again; a failed or partial list of libraries removes nothing."""

import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.library import plex_pages, services
from app.models import LibrarySection, MediaItem
from app.models.base import utcnow
from tests.integration import library_helpers

plex, sync_app = library_helpers.plex, library_helpers.sync_app
TV_ITEMS = 4 + 4 * 2 + 4 * 2 * 3  # shows, seasons, episodes


@pytest.fixture
def app(sync_app):
    return sync_app


@pytest.fixture
def catalog(sync_app, plex, auth):
    """Movies, TV Shows and Music synced; the newest item of all is a show; owner and a friend."""
    plex.state.add_library("Movies", "movie", count=60)
    plex.state.add_library("TV Shows", "show", count=4, seasons=2, episodes=3)
    plex.state.add_library("Music", "artist", count=3)
    with sync_app.app_context():
        assert services.full_sync()["status"] == "succeeded"
        show = db.session.scalars(select(MediaItem).where(MediaItem.type == "show")).first()
        show.added_at = utcnow()
        db.session.commit()
    auth.owner()
    auth.create("friend")
    return sync_app


def section(title: str) -> LibrarySection:
    db.session.expire_all()
    return db.session.scalars(select(LibrarySection).where(LibrarySection.title == title)).one()


def live_count(title: str) -> int:
    query = select(func.count()).where(
        MediaItem.section_id == section(title).id, MediaItem.removed_at.is_(None)
    )
    return db.session.scalar(query)


def a_show() -> MediaItem:
    db.session.expire_all()
    return db.session.scalars(
        select(MediaItem).where(MediaItem.type == "show").order_by(MediaItem.added_at.desc())
    ).first()


def cards(html: str) -> set[int]:
    return {int(k) for k in re.findall(r'href="/library/item/(\d+)"', html)}


def switch_to(auth, who: str) -> None:
    auth.client.post_form("/logout", page="/login")
    assert auth.login(who).status_code == 302


def delete_library(plex, key: str):
    """Delete a library on the server: it is no longer listed, its pages answer 404."""
    return plex.state.libraries.pop(key)


def test_a_deleted_library_is_marked_removed_and_comes_back(catalog, plex, client, auth):
    tv = delete_library(plex, "2")
    with catalog.app_context():
        result = services.full_sync()
        assert result["status"] == "succeeded", result
        assert result["libraries_removed"] == 1 and result["removed"] == TV_ITEMS
        assert (result["added"], result["updated"]) == (0, 0)
        gone = section("TV Shows")
        assert gone.removed_at is not None and gone.item_count == 0
        assert live_count("TV Shows") == 0
        assert live_count("Movies") == 60 and section("Movies").removed_at is None

        again = services.full_sync()
        assert (again["libraries_removed"], again["removed"]) == (0, 0)

    auth.login()
    page = client.get("/admin/library").text
    row = re.search(
        r'<tr[^>]*>\s*<th scope="row" data-label="Library">TV Shows</th>.*?</tr>', page, re.S
    )
    assert row and "Removed from Plex" in row.group(0) and "Hide" not in row.group(0)
    assert page.count("Removed from Plex") == 1
    assert "1 library gone from Plex" in page

    # Plex lists it again: the next sync, of any kind, reads it whole and it is back.
    plex.state.libraries["2"] = tv
    with catalog.app_context():
        back = services.recent_sync()
        assert back["status"] == "succeeded", back
        assert back["updated"] >= TV_ITEMS and back["libraries_removed"] == 0
        assert section("TV Shows").removed_at is None
        assert section("TV Shows").item_count == 4 and live_count("TV Shows") == TV_ITEMS
    assert "Removed from Plex" not in client.get("/admin/library").text


@pytest.mark.parametrize("kind", ["full", "webhook"])
def test_a_library_back_on_plex_is_read_whole_by_any_sync(catalog, plex, kind):
    tv = delete_library(plex, "2")
    with catalog.app_context():
        assert services.full_sync()["libraries_removed"] == 1
        # Plex's webhook for a library it no longer has changes nothing.
        webhook = services.recent_sync(section_key="2", kind="webhook")
        assert webhook["status"] == "failed" and "no library 2" in webhook["error"]
        assert section("TV Shows").removed_at is not None and live_count("TV Shows") == 0

        plex.state.libraries["2"] = tv
        if kind == "full":
            result = services.full_sync()
        else:
            result = services.recent_sync(section_key="2", kind="webhook")
        assert result["status"] == "succeeded", result
        assert section("TV Shows").removed_at is None
        assert section("TV Shows").item_count == 4 and live_count("TV Shows") == TV_ITEMS


def test_the_cli_reports_a_deleted_library(catalog, plex):
    with catalog.app_context():
        music = live_count("Music")
    delete_library(plex, "3")
    result = catalog.test_cli_runner().invoke(args=["medianest", "sync-library"])
    assert result.exit_code == 0, result.output
    assert f"{music} removed" in result.output
    assert "Libraries no longer on Plex, marked as removed: 1" in result.output


def _rewrite_sections(monkeypatch, change):
    """Let the server's list of libraries arrive changed by change(root)."""
    original = plex_pages.PlexReader.get

    def get(self, path, *args, **kwargs):
        data = original(self, path, *args, **kwargs)
        if path != "/library/sections":
            return data
        root = ET.fromstring(data)
        change(root)
        return ET.tostring(root)

    monkeypatch.setattr(plex_pages.PlexReader, "get", get)


def _drop_tv(root):
    root.remove(next(d for d in root if d.get("key") == "2"))


def _tv_without_key(root):
    del next(d for d in root if d.get("key") == "2").attrib["key"]


def _empty(root):
    for directory in list(root):
        root.remove(directory)
    root.set("size", "0")


@pytest.mark.parametrize(
    "fault, problem",
    [
        ("plex_down", None),
        ("a_library_fails", None),
        ("one_missing_from_the_count", "Lists of libraries that were incomplete"),
        ("one_without_a_key", "Lists of libraries that were incomplete"),
        ("no_libraries_at_all", "Lists of libraries that were empty"),
    ],
)
def test_a_failed_or_partial_list_removes_nothing(catalog, plex, monkeypatch, fault, problem):
    with catalog.app_context():
        before = {title: live_count(title) for title in ("Movies", "TV Shows", "Music")}
    delete_library(plex, "3")  # Music really is gone, but this sync must not conclude it
    if fault == "plex_down":
        plex.state.down = True
    elif fault == "a_library_fails":
        plex.state.fail_at_page, plex.state.fail_always = 2, True
    elif fault == "one_missing_from_the_count":
        _rewrite_sections(monkeypatch, _drop_tv)
    elif fault == "one_without_a_key":
        _rewrite_sections(monkeypatch, _tv_without_key)
    else:
        _rewrite_sections(monkeypatch, _empty)
    with catalog.app_context():
        result = services.full_sync()
        assert (result["libraries_removed"], result["removed"]) == (0, 0), result
        if problem is None:
            assert result["status"] == "failed"
        else:
            assert result["status"] == "succeeded"
            assert any(p["problem"].startswith(problem) for p in result["problems"])
        for title, count in before.items():
            assert section(title).removed_at is None, title
            assert live_count(title) == count, title

    # Once the list is whole again, the library that is really gone is removed.
    plex.state.down, plex.state.fail_at_page = False, None
    monkeypatch.undo()
    with catalog.app_context():
        result = services.full_sync()
        assert result["status"] == "succeeded" and result["libraries_removed"] == 1
        assert section("Music").removed_at is not None
        assert section("TV Shows").removed_at is None


def test_what_a_deleted_library_held_is_gone_for_everyone(catalog, plex, client, auth):
    with catalog.app_context():
        show = a_show()
        key, title, thumb = show.rating_key, show.title, show.thumb
    delete_library(plex, "2")
    for who in ("friend", "owner"):
        switch_to(auth, who)
        assert key in cards(client.get("/").text)
        assert key in cards(client.get("/library/search", query_string={"q": title}).text)
    with catalog.app_context():
        assert services.full_sync()["libraries_removed"] == 1
    for who in ("friend", "owner"):
        switch_to(auth, who)
        assert key not in cards(client.get("/").text), who
        assert client.get(f"/library/item/{key}").status_code == 404, who
        assert key not in cards(client.get("/library/search", query_string={"q": title}).text)
        assert client.get("/library/image", query_string={"path": thumb}).status_code == 404
        grid = client.get("/library/1").text
        assert "60 movies" in grid


# The next two need the catalog's and the search's queries to leave out removed libraries.


def test_a_deleted_library_is_no_longer_listed(catalog, plex, client, auth):
    tv = delete_library(plex, "2")
    with catalog.app_context():
        assert services.full_sync()["libraries_removed"] == 1
    for who in ("friend", "owner"):
        switch_to(auth, who)
        index = client.get("/library/").text
        assert "Movies" in index and "TV Shows" not in index, who
        assert client.get("/library/2").status_code == 404, who
        assert client.get("/library/2/collections").status_code == 404, who
        search = client.get("/library/search", query_string={"q": "a"}).text
        assert '<option value="2"' not in search and '<option value="1"' in search, who

    plex.state.libraries["2"] = tv
    with catalog.app_context():
        assert services.recent_sync()["status"] == "succeeded"
    assert "TV Shows" in client.get("/library/").text
    assert client.get("/library/2").status_code == 200


def test_a_library_marked_removed_hides_items_left_in_it(catalog, client, auth):
    """The library's mark alone hides it, even were an item of it left unmarked."""
    with catalog.app_context():
        show = a_show()
        key, title, thumb = show.rating_key, show.title, show.thumb
        db.session.execute(
            update(LibrarySection)
            .where(LibrarySection.id == show.section_id)
            .values(removed_at=utcnow())
        )
        db.session.commit()
    for who in ("friend", "owner"):
        switch_to(auth, who)
        assert key not in cards(client.get("/").text), who
        assert client.get(f"/library/item/{key}").status_code == 404, who
        assert key not in cards(client.get("/library/search", query_string={"q": title}).text)
    switch_to(auth, "friend")
    assert client.get("/library/image", query_string={"path": thumb}).status_code == 404
