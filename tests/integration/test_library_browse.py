"""Browsing the library: who sees what, grids, items and collections."""

import re

import pytest
from markupsafe import escape
from sqlalchemy import select, update

from app.extensions import db
from app.library import services
from app.library.parse import people_by_kind
from app.models import ItemTag, LibrarySection, MediaItem
from app.models.base import utcnow
from tests.integration import library_helpers

plex, sync_app = library_helpers.plex, library_helpers.sync_app
TOKEN = library_helpers.TOKEN
HTMX = {"HX-Request": "true"}


@pytest.fixture
def app(sync_app):
    """The client and the accounts use the app connected to the simulated server."""
    return sync_app


@pytest.fixture
def catalog(sync_app, plex, auth):
    """Movies, TV Shows and a hidden Private library synced from the simulator; owner and a user."""
    plex.state.add_library("Movies", "movie", count=110)
    plex.state.add_library("TV Shows", "show", count=4, seasons=2, episodes=3)
    plex.state.add_library("Private", "movie", count=5)
    with sync_app.app_context():
        assert services.full_sync()["status"] == "succeeded"
        db.session.execute(
            update(LibrarySection).where(LibrarySection.title == "Private").values(hidden=True)
        )
        newest = keys("Private")["items"][0]
        newest.added_at = utcnow()  # the newest item of all is in the hidden library
        db.session.commit()
    auth.owner()
    auth.create("friend")
    return sync_app


def keys(title: str) -> dict:
    section = db.session.scalars(select(LibrarySection).where(LibrarySection.title == title)).one()
    items = db.session.scalars(
        select(MediaItem).where(MediaItem.section_id == section.id).order_by(MediaItem.rating_key)
    )
    return {"section": section.key, "items": list(items)}


def cards(html: str) -> list[int]:
    return [
        int(k) for k in re.findall(r'class="poster-card">\s*<a href="/library/item/(\d+)"', html)
    ]


def sign_in(auth, who: str):
    assert auth.login(who).status_code == 302


@pytest.mark.parametrize(
    "url",
    ["/library/", "/library/1", "/library/item/1", "/library/1/collections", "/library/image"],
)
def test_anonymous_visitors_are_sent_to_sign_in(catalog, client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("who, sees_private", [("friend", False), ("owner", True)])
def test_each_person_sees_the_libraries_they_may(catalog, client, auth, who, sees_private):
    sign_in(auth, who)
    html = client.get("/library/").get_data(as_text=True)
    assert "Movies" in html and "TV Shows" in html
    assert ("Private" in html) is sees_private
    with catalog.app_context():
        private = keys("Private")
        hidden_item = private["items"][0].rating_key
        thumb = private["items"][0].thumb
    expected = 200 if sees_private else 404
    assert client.get(f"/library/{private['section']}").status_code == expected
    assert client.get(f"/library/item/{hidden_item}").status_code == expected
    assert client.get("/library/image", query_string={"path": thumb}).status_code == expected
    dashboard = client.get("/").get_data(as_text=True)
    assert "Recently added" in dashboard
    assert (f"/library/item/{hidden_item}" in dashboard) is sees_private


def test_unknown_library_and_item_are_not_found(catalog, client, auth):
    sign_in(auth, "friend")
    assert client.get("/library/999").status_code == 404
    assert client.get("/library/item/123").status_code == 404
    assert "Not found" in client.get("/library/nope").get_data(as_text=True)


def test_grid_sorts_filters_and_pages(catalog, client, auth):
    sign_in(auth, "friend")
    with catalog.app_context():
        movies = keys("Movies")
        by_key = {i.rating_key: i for i in movies["items"]}
        genre = db.session.scalars(
            select(ItemTag.value).where(ItemTag.kind == "genre").limit(1)
        ).first()
        tagged = set(
            db.session.scalars(
                select(MediaItem.rating_key)
                .join(ItemTag, ItemTag.item_id == MediaItem.id)
                .where(ItemTag.kind == "genre", ItemTag.value == genre)
                .where(MediaItem.section_id == movies["items"][0].section_id)
            )
        )
    url = f"/library/{movies['section']}"

    # Every page in turn, as scrolling fetches them: all 110 movies once each, in year order.
    first = client.get(url, query_string={"sort": "year", "order": "asc"})
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "<html" in html and "110 movies" in html
    seen = cards(html)
    assert len(seen) == 48 and 'hx-trigger="revealed"' in html
    page = 2
    while 'hx-trigger="revealed"' in html:
        more = client.get(
            url, query_string={"sort": "year", "order": "asc", "page": page}, headers=HTMX
        )
        html = more.get_data(as_text=True)
        assert "<html" not in html and "library-results" not in html
        assert html.lstrip().startswith('<li class="poster-card">')
        seen += cards(html)
        page += 1
    assert len(seen) == len(set(seen)) == 110
    years = [by_key[k].year for k in seen]
    assert years == sorted(years)

    newest = cards(client.get(url, query_string={"sort": "added", "order": "desc"}).text)
    added = [by_key[k].added_at for k in newest]
    assert added == sorted(added, reverse=True)

    # A filter change swaps the results area only and names the view in the address.
    response = client.get(
        url, query_string={"genre": genre, "year_from": "", "x": "1"}, headers=HTMX
    )
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'class="poster-grid"' in html
    assert response.headers["HX-Push-Url"].endswith(f"?genre={genre}".replace(" ", "+"))
    assert set(cards(html)) <= tagged and cards(html)
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]

    years = sorted(i.year for i in movies["items"] if i.year)
    low, high = years[30], years[70]
    ranged = client.get(url, query_string={"year_from": low, "year_to": high}).text
    assert cards(ranged) and all(low <= by_key[k].year <= high for k in cards(ranged))


@pytest.mark.parametrize(
    "query",
    [
        {"year_from": "abc"},
        {"year_to": "99999999999999"},
        {"page": "²"},
        {"page": "-1"},
        {"page": "999999"},
        {"sort": "drop table"},
        {"order": "sideways"},
        {"genre": "\x00"},
        {"resolution": "x" * 5000},
    ],
)
def test_odd_parameters_are_ignored(catalog, client, auth, query):
    sign_in(auth, "friend")
    with catalog.app_context():
        section = keys("Movies")["section"]
    response = client.get(f"/library/{section}", query_string=query)
    assert response.status_code == 200


def test_item_pages_show_details_children_and_escape_markup(catalog, client, auth, plex):
    sign_in(auth, "friend")
    with catalog.app_context():
        shows = keys("TV Shows")
        show = next(i for i in shows["items"] if i.type == "show")
        seasons = [i for i in shows["items"] if i.parent_rating_key == show.rating_key]
        episode = next(i for i in shows["items"] if i.parent_rating_key == seasons[0].rating_key)
        movie = keys("Movies")["items"][0]
        db.session.execute(
            update(MediaItem)
            .where(MediaItem.id == movie.id)
            .values(title='<script>alert("x")</script> & Co', duration=6_720_000)
        )
        db.session.add(ItemTag(item_id=movie.id, kind="collection", value="Boxed <Set>"))
        db.session.commit()
        machine = plex.state.machine_identifier
        tags = [
            (t.kind, t.value)
            for t in db.session.scalars(select(ItemTag).where(ItemTag.item_id == movie.id))
        ]
        show_key, season_title, episode_key = show.rating_key, seasons[0].title, episode.rating_key
        movie_key, people = movie.rating_key, people_by_kind(movie.people)

    html = client.get(f"/library/item/{movie_key}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
    assert "1 h 52 min" in html
    assert (
        f"https://app.plex.tv/desktop/#!/server/{machine}/details?key=%2Flibrary%2Fmetadata%2F"
        f"{movie_key}" in html
    )
    assert [value for kind, value in tags if kind == "genre"]
    for kind, value in tags:
        if kind == "genre":
            assert str(escape(value)) in html
    assert people["director"] and people["actor"] and "Directed by" in html and "Starring" in html
    for name in people["director"] + people["actor"][:12]:
        assert str(escape(name)) in html
    assert "Boxed &lt;Set&gt;" in html

    show_html = client.get(f"/library/item/{show_key}").get_data(as_text=True)
    assert "Seasons" in show_html and season_title in show_html
    assert f"/library/item/{episode_key}" in show_html
    episode_html = client.get(f"/library/item/{episode_key}").get_data(as_text=True)
    assert f"/library/item/{show_key}" in episode_html  # the way back up


def test_collections_list_their_members(catalog, client, auth):
    sign_in(auth, "friend")
    with catalog.app_context():
        movies = keys("Movies")
        members = movies["items"][:3]
        member_keys = {m.rating_key for m in members}
        for member in members:
            db.session.add(ItemTag(item_id=member.id, kind="collection", value="Heist & Co"))
        db.session.commit()
    section = movies["section"]
    listing = client.get(f"/library/{section}/collections").get_data(as_text=True)
    assert "Heist &amp; Co" in listing and "3 items" in listing
    page = client.get(f"/library/{section}/collections/Heist & Co").get_data(as_text=True)
    assert set(cards(page)) == member_keys
    assert client.get(f"/library/{section}/collections/Nothing here").status_code == 404


def test_removed_items_never_show(catalog, client, auth, plex):
    sign_in(auth, "owner")
    with catalog.app_context():
        movies = keys("Movies")
        gone = max(movies["items"], key=lambda i: i.added_at).rating_key
    library = next(lib for lib in plex.state.libraries.values() if lib.title == "Movies")
    plex.state.remove_items(library, [gone])
    with catalog.app_context():
        assert services.full_sync()["removed"] == 1
    assert client.get(f"/library/item/{gone}").status_code == 404
    grid = client.get(f"/library/{movies['section']}").get_data(as_text=True)
    assert "109 movies" in grid
    assert f"/library/item/{gone}" not in client.get("/").get_data(as_text=True)


def test_pages_say_when_plex_is_unreachable_and_still_render(catalog, client, auth, plex):
    sign_in(auth, "friend")
    with catalog.app_context():
        section = keys("Movies")["section"]
    assert "be reached right now" not in client.get("/library/").get_data(as_text=True)
    plex.state.down = True
    with catalog.app_context():
        assert services.full_sync()["status"] == "failed"
    html = client.get(f"/library/{section}").get_data(as_text=True)
    assert "be reached right now" in html and "110 movies" in html


def test_the_plex_token_never_reaches_the_browser(catalog, client, auth):
    sign_in(auth, "owner")
    with catalog.app_context():
        movie = keys("Movies")["items"][0].rating_key
        show = keys("TV Shows")["items"][0].rating_key
        section = keys("Movies")["section"]
    pages = [
        "/",
        "/library/",
        f"/library/{section}",
        f"/library/{section}?page=2",
        f"/library/{section}/collections",
        f"/library/item/{movie}",
        f"/library/item/{show}",
    ]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert TOKEN not in html, url
        if url not in ("/library/", f"/library/{section}/collections"):
            assert 'src="/library/image?path=' in html, url


def test_search_finds_visible_items_only(catalog, client, auth):
    with catalog.app_context():
        private = keys("Private")["items"][0]
        private_key, private_title = private.rating_key, private.title
        movie = keys("Movies")["items"][5]
        movie_key, movie_title = movie.rating_key, movie.title
    sign_in(auth, "friend")
    assert 'hx-trigger="input changed delay:300ms, search"' in client.get("/library/").text

    response = client.get("/library/search", query_string={"q": movie_title}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert movie_key in cards(html)
    assert response.headers["HX-Push-Url"].startswith("/library/search?q=")
    page = client.get("/library/search", query_string={"q": movie_title, "type": "show"}).text
    assert "<html" in page and movie_key not in cards(page)

    hidden = client.get("/library/search", query_string={"q": private_title}).text
    assert private_key not in cards(hidden)
    for odd in ["", "a", "x" * 10_000, '"(*) OR NEAR', "ünï©ødé", "\x00"]:
        assert (
            client.get("/library/search", query_string={"q": odd, "page": "²"}).status_code == 200
        )

    auth.logout()
    sign_in(auth, "owner")
    assert private_key in cards(
        client.get("/library/search", query_string={"q": private_title}).text
    )


def test_albums_list_their_tracks_and_tracks_lead_back(catalog, plex, client, auth):
    plex.state.add_library("Music", "artist", count=2)
    with catalog.app_context():
        assert services.full_sync()["status"] == "succeeded"
        album = db.session.scalars(select(MediaItem).where(MediaItem.type == "album")).first()
        tracks = db.session.scalars(
            select(MediaItem.rating_key)
            .where(MediaItem.type == "track", MediaItem.parent_rating_key == album.rating_key)
            .order_by(MediaItem.index, MediaItem.title, MediaItem.id)
        ).all()
        album_key, album_title = album.rating_key, album.title
        music = db.session.get(LibrarySection, album.section_id).key
    assert len(tracks) > 1
    sign_in(auth, "friend")
    # the grid counts what its library's tile counts: artists, not "items"
    assert "2 artists" in client.get(f"/library/{music}").text
    assert "2 artists" in client.get("/library/").text
    page = client.get(f"/library/item/{album_key}").get_data(as_text=True)
    listed = re.findall(r'<a href="/library/item/(\d+)">', page.partition("<h2>Tracks</h2>")[2])
    assert [int(k) for k in listed] == tracks
    track = client.get(f"/library/item/{tracks[0]}").get_data(as_text=True)
    assert f'<a href="/library/item/{album_key}">{escape(album_title)}</a>' in track
