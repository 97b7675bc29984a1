"""What search hits say they are, whole titles before their parts, and ranges typed backwards."""

import pytest

from app.extensions import db
from app.library.search import search
from app.library.search_query import describe
from app.models import LibrarySection, MediaItem

HTMX = {"HX-Request": "true"}


@pytest.fixture
def catalog(app):
    """Music, shows and movies that share a word, so only the type tells some of them apart."""
    with app.app_context():
        sections = {
            kind: LibrarySection(key=str(n), title=title, type=kind)
            for n, (kind, title) in enumerate(
                [("movie", "Movies"), ("show", "Shows"), ("artist", "Music")], start=1
            )
        }
        db.session.add_all(sections.values())
        db.session.flush()
        rows = [
            # (rating key, library, type, title, parent, year, index)
            (1, "artist", "artist", "Harbor Lights", None, None, None),
            (2, "artist", "album", "Northern Songs", 1, 2004, 1),
            (3, "artist", "album", "Live at Sea", 1, 2010, 2),
            (4, "artist", "track", "Last Lighthouse", 2, None, 3),
            (5, "artist", "track", "Last Lighthouse", 3, None, 7),
            (6, "movie", "movie", "Lighthouse at the End of the World", None, 1971, None),
            (7, "show", "show", "Keepers of the Coast", None, 2015, None),
            (8, "show", "season", "Season 1", 7, 2015, 1),
            (9, "show", "episode", "The Lighthouse", 8, 2015, 2),
            (10, "movie", "movie", "Quiet Harbor", None, 1999, None),
            (11, "movie", "movie", "Harbor", None, 1950, None),
            (12, "movie", "movie", "Harbor Nights", None, 1962, None),
            (13, "movie", "movie", "The Old Lighthouse Keeper", None, 1980, None),
        ]
        for key, section, kind, title, parent, year, index in rows:
            db.session.add(
                MediaItem(
                    rating_key=key,
                    section_id=sections[section].id,
                    type=kind,
                    title=title,
                    parent_rating_key=parent,
                    year=year,
                    index=index,
                )
            )
        db.session.commit()
        yield {kind: section.key for kind, section in sections.items()}


@pytest.fixture
def friend(auth):
    auth.owner()
    auth.create("friend")
    assert auth.login("friend").status_code == 302


def kinds(text: str) -> list[tuple[str, str]]:
    return [(item.type, item.title) for item in search(text).hits]


def test_whole_titles_come_before_their_parts_within_a_tier(catalog):
    # Every hit holds the word in its title, and the parts' titles are the shortest.
    assert kinds("lighthouse") == [
        ("movie", "Lighthouse at the End of the World"),  # starts with it: its own tier
        ("movie", "The Old Lighthouse Keeper"),
        ("episode", "The Lighthouse"),
        ("track", "Last Lighthouse"),
        ("track", "Last Lighthouse"),
    ]
    assert kinds("last lighthouse") == [("track", "Last Lighthouse")] * 2
    assert kinds("the lighthouse")[0] == ("episode", "The Lighthouse")  # the better tier wins


def test_among_equally_close_typos_whole_titles_lead(catalog):
    result = search("lightouse")
    assert result.fuzzy
    found = [(i.type, i.title) for i in result.hits]
    lighthouses = [kind for kind, title in found if "Lighthouse" in title]
    assert lighthouses == ["movie", "movie", "episode", "track", "track"]


def test_each_hit_says_what_it_is(catalog):
    items = db.session.scalars(db.select(MediaItem).order_by(MediaItem.rating_key)).all()
    lines = describe(items)
    by_key = {item.rating_key: lines[item.id] for item in items}
    assert by_key == {
        1: "Artist",
        2: "Album · Harbor Lights · 2004",
        3: "Album · Harbor Lights · 2010",
        4: "Track · Harbor Lights — Northern Songs",
        5: "Track · Harbor Lights — Live at Sea",
        6: "Movie · 1971",
        7: "Show · 2015",
        8: "Season · Keepers of the Coast",
        9: "Episode · Keepers of the Coast S1E2",
        10: "Movie · 1999",
        11: "Movie · 1950",
        12: "Movie · 1962",
        13: "Movie · 1980",
    }
    assert describe([]) == {}


def test_a_part_whose_parents_are_gone_still_says_what_it_is(catalog):
    db.session.execute(db.delete(MediaItem).where(MediaItem.rating_key.in_([2, 8])))
    db.session.commit()
    items = db.session.scalars(db.select(MediaItem).where(MediaItem.rating_key.in_([4, 9])))
    assert sorted(describe(list(items)).values()) == ["Episode", "Track"]


def test_the_results_page_says_what_each_hit_is_and_does_not_link_to_itself(
    catalog, client, friend
):
    page = client.get("/library/search", query_string={"q": "lightouse"}).text
    assert "No exact matches for “lightouse”; showing 6 close matches." in page
    assert "Track · Harbor Lights — Live at Sea" in page
    assert "Episode · Keepers of the Coast S1E2" in page
    assert "Open the results page" not in page and "Narrow by type" not in page
    # Typed into the library page's box, the results there link to this page and its filters.
    inline = client.get(
        "/library/search", query_string={"q": "harbor", "inline": "1"}, headers=HTMX
    ).text
    assert "4 results for “harbor”." in inline
    assert 'href="/library/search?q=harbor">Narrow by type, library or year</a>' in inline
    assert (
        "inline"
        not in client.get(
            "/library/search", query_string={"q": "harbor", "inline": "1"}, headers=HTMX
        ).headers["HX-Push-Url"]
    )
    nothing = client.get("/library/search", query_string={"q": "zzzqqq", "inline": "1"}).text
    assert "No results for “zzzqqq”." in nothing and "Narrow by type" not in nothing


def test_every_page_has_the_header_search_for_signed_in_people_only(catalog, client, auth):
    auth.owner()
    assert 'class="header-search"' not in client.get("/login").text
    auth.create("friend")
    assert auth.login("friend").status_code == 302
    for url in ("/", "/library/", f"/library/{catalog['movie']}", "/library/search?q=x"):
        page = client.get(url).text
        assert 'aria-label="Search titles"' in page and 'action="/library/search"' in page, url


def test_a_backwards_year_range_is_read_forwards_and_said_so(catalog, client, friend):
    movies = f"/library/{catalog['movie']}"
    response = client.get(movies, query_string={"year_from": "1990", "year_to": "1950"})
    assert "4 movies" in response.text
    assert "from 1950 to 1990: the years were the wrong way round" in response.text
    forwards = client.get(movies, query_string={"year_from": "1950", "year_to": "1990"})
    assert "4 movies" in forwards.text and "wrong way round" not in forwards.text
    fragment = client.get(
        movies, query_string={"year_from": "1990", "year_to": "1950"}, headers=HTMX
    )
    assert fragment.headers["HX-Push-Url"] == f"{movies}?year_from=1950&year_to=1990"

    found = client.get(
        "/library/search", query_string={"q": "harbor", "year_from": "2000", "year_to": "1955"}
    ).text
    assert "2 results for “harbor”." in found
    assert "The years were the wrong way round, so these are from 1955 to 2000." in found
