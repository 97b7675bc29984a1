"""Parsing Plex's library pages: the real samples, and every way a page can be wrong."""

from pathlib import Path

import pytest

from app.library.parse import describe, parse_page, parse_sections, people_by_kind

# Real Plex answers (python-plexapi's and Home Assistant's test fixtures).
SAMPLES = Path(__file__).resolve().parent / "samples"
RECENT = "pms-xml_library_sections_2_recent_show_with_episode.xml"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_the_recent_sample_gives_the_show_and_its_nested_episode():
    page = parse_page(sample(RECENT))
    assert page.complete and not page.problems and page.size == 1 and page.section_key == "2"
    by_type = {item.type: item for item in page.items}
    show, episode = by_type["show"], by_type["episode"]
    assert (show.rating_key, show.title, show.year, show.child_count, show.leaf_count) == (
        20,
        "TV Show",
        2000,
        5,
        100,
    )
    assert ("genre", "Action") in show.tags
    assert not [kind for kind, _ in show.tags if kind in ("director", "writer", "actor")]
    people = people_by_kind(show.people)
    assert people == {"director": [], "writer": [], "actor": ["Some Actor", "Another One"]}
    assert (episode.parent_rating_key, episode.index, episode.video_resolution) == (20, 5, "1080")
    assert episode.added_at.year == 2021 and episode.duration == 3421936


def test_sections_sample():
    listing = parse_sections(sample("pms-xml_library_sections.xml"))
    assert [(s["key"], s["type"]) for s in listing.sections] == [
        ("1", "movie"),
        ("2", "show"),
        ("3", "artist"),
    ]
    assert listing.complete


def _sections(head: str, *entries: str) -> bytes:
    return f"<{head}>{''.join(entries)}</{head.split()[0]}>".encode()


MOVIES_DIR = '<Directory key="1" type="movie" title="Movies"/>'
SHOWS_DIR = '<Directory key="2" type="show" title="TV Shows"/>'


@pytest.mark.parametrize(
    "data, keys, complete",
    [
        (_sections('MediaContainer size="2"', MOVIES_DIR, SHOWS_DIR), ["1", "2"], True),
        (_sections('MediaContainer size="0"'), [], True),
        # Fewer libraries than the server counted: one was lost on the way.
        (_sections('MediaContainer size="3"', MOVIES_DIR, SHOWS_DIR), ["1", "2"], False),
        # An entry without a key may be a library that still exists.
        (_sections('MediaContainer size="2"', MOVIES_DIR, '<Directory title="x"/>'), ["1"], False),
        # No count to check against, or not a library list at all.
        (_sections("MediaContainer", MOVIES_DIR), ["1"], False),
        (_sections('MediaContainer size="many"', MOVIES_DIR), ["1"], False),
        (_sections('Response size="1"', MOVIES_DIR), ["1"], False),
    ],
)
def test_a_list_of_libraries_is_complete_only_when_whole(data, keys, complete):
    listing = parse_sections(data)
    assert [s["key"] for s in listing.sections] == keys
    assert listing.complete is complete


MOVIES = b"""<?xml version="1.0" encoding="UTF-8"?>
<MediaContainer size="3" totalSize="3" offset="0" librarySectionID="1">
<Video ratingKey="9881" type="movie" title="9&#189; Weeks" originalTitle="Nine 1/2 Weeks"
 year="1986" addedAt="1560801795" updatedAt="1723182007" rating="6" duration="7011007"
 contentRating="nl/12" thumb="/library/metadata/9881/thumb/1723182007">
<Media videoResolution="1080"><Part file="x.mkv"/></Media>
<Genre tag="Drama"/><Director tag="Adrian Lyne"/><Role tag="Mickey Rourke"/>
<Guid id="imdb://tt0091635"/><Guid id="tmdb://10068"/><Guid id="plex://movie/5d77"/>
</Video>
<Video ratingKey="oops" type="movie" title="No key"/>
<Video ratingKey="12" type="movie" year="soon" title="&lt;b&gt;Bold&lt;/b&gt;"/>
</MediaContainer>"""


def test_a_page_of_movies_with_guids_and_faults():
    page = parse_page(MOVIES)
    assert page.total_size == 3 and page.complete
    movie = page.items[0]
    assert movie.title == "9½ Weeks" and movie.original_title == "Nine 1/2 Weeks"
    assert movie.guids == [("imdb", "tt0091635"), ("tmdb", "10068")]
    assert people_by_kind(movie.people) == {
        "director": ["Adrian Lyne"],
        "writer": [],
        "actor": ["Mickey Rourke"],
    }
    assert people_by_kind("Old\nStyle") == {"director": [], "writer": [], "actor": ["Old", "Style"]}
    assert [i.rating_key for i in page.items] == [9881, 12]
    assert page.items[1].title == "<b>Bold</b>" and page.items[1].year is None
    assert dict(page.problems) == {"missing_key": 1, "bad_value": 1, "markup": 1}
    report = describe(page.problems, page.examples)
    assert {p["count"] for p in report} == {1}


def test_truncated_bad_utf8_doctype_and_huge_titles_never_raise():
    cut = parse_page(MOVIES[: MOVIES.index(b"</Video>") + 40])
    assert not cut.complete and cut.problems["bad_xml"] == 1 and cut.items[0].rating_key == 9881
    broken = parse_page(MOVIES.replace(b"Weeks", b"Weeks\xff\xfe", 1))
    assert broken.problems["bad_utf8"] == 1 and broken.items[0].title.startswith("9½ Weeks")
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><MediaContainer/>'
    refused = parse_page(bomb)
    assert refused.problems["doctype"] == 1 and not refused.items
    huge = parse_page(MOVIES.replace(b'title="No key"', b'title="' + b"x" * 10_000 + b'"'))
    assert all(len(item.title) <= 500 for item in huge.items)
    assert parse_page(b"").problems["bad_xml"] == 1
    assert parse_page(b"<html>502 Bad Gateway</html>").items == []
    short = parse_page(MOVIES.replace(b'size="3"', b'size="5"'))
    assert short.problems["incomplete"] == 1 and not short.complete
