"""The Plex Media Server simulator lists its libraries like a real server."""

import xml.etree.ElementTree as ET

import requests

from simulators.plex_server import Library, PlexServerState
from tests.unit import plex_server_helpers
from tests.unit.plex_server_helpers import PAGE, TOKEN, XML, page

plex = plex_server_helpers.plex


# -- sections -----------------------------------------------------------------------------------


def test_sections_list_the_libraries_like_the_sample(plex):
    root = plex.xml("/library/sections")
    assert root.attrib["size"] == "3" and root.attrib["title1"] == "Plex Library"
    assert root.attrib["allowSync"] == "0"
    movies, shows, music = root.findall("Directory")
    assert [d.attrib["type"] for d in (movies, shows, music)] == ["movie", "show", "artist"]
    assert movies.attrib["key"] == "1" and movies.attrib["title"] == "Movies"
    for name in ("agent", "scanner", "language", "uuid", "updatedAt", "createdAt", "scannedAt"):
        assert movies.attrib[name]
    assert movies.attrib["content"] == "1" and movies.attrib["hidden"] == "0"
    assert movies.find("Location").attrib == {"id": "1", "path": "/data/movies"}


def test_sections_in_json_have_typed_values(plex):
    container = plex.json("/library/sections")
    directory = container["Directory"][0]
    assert directory["key"] == "1" and directory["allowSync"] is True
    assert isinstance(directory["updatedAt"], int) and directory["hidden"] == 0
    assert directory["Location"] == [{"id": 1, "path": "/data/movies"}]


# -- paging -------------------------------------------------------------------------------------


def test_paging_by_headers_and_by_query_gives_the_same_page(plex):
    by_headers = page(
        plex, headers={**XML, "X-Plex-Container-Start": "10", "X-Plex-Container-Size": "25"}
    )
    by_query = page(plex, **{"X-Plex-Container-Start": 10, "X-Plex-Container-Size": 25})
    assert by_headers.attrib["size"] == "25" and by_headers.attrib["offset"] == "10"
    assert by_headers.attrib["totalSize"] == "1000"
    keys = [v.attrib["ratingKey"] for v in by_headers]
    assert keys == [v.attrib["ratingKey"] for v in by_query]
    assert (
        by_headers.attrib["librarySectionID"] == "1" and by_headers.attrib["viewGroup"] == "movie"
    )


def test_pages_cover_the_library_once_in_title_order(plex):
    seen = []
    for start in range(0, 1000, 300):
        root = page(plex, **{"X-Plex-Container-Start": start, "X-Plex-Container-Size": 300})
        seen += [(v.get("titleSort") or v.get("title")).casefold() for v in root]
        assert root.attrib["totalSize"] == "1000"
    assert len(seen) == 1000 and seen == sorted(seen)
    response = plex.get("/library/sections/1/all", **{"X-Plex-Container-Size": 5})
    assert response.headers["X-Plex-Container-Total-Size"] == "1000"


def test_unpaged_all_lists_everything_and_a_zero_size_only_counts(plex):
    everything = page(plex)
    assert everything.attrib["size"] == "1000" and "totalSize" not in everything.attrib
    counted = page(plex, **{"X-Plex-Container-Start": 0, "X-Plex-Container-Size": 0})
    assert counted.attrib["size"] == "0" and counted.attrib["totalSize"] == "1000"
    assert plex.get("/library/sections/99/all").status_code == 404


def test_guids_appear_only_when_asked_for(plex):
    plain = page(plex, **{"X-Plex-Container-Size": 5})
    assert all(v.find("Guid") is None for v in plain)
    with_guids = page(plex, includeGuids=1, **{"X-Plex-Container-Size": 5})
    for video in with_guids:
        ids = [g.attrib["id"] for g in video.findall("Guid")]
        assert [i.split("://")[0] for i in ids] == ["imdb", "tmdb", "tvdb"]
        assert ids[0].startswith("imdb://tt")
    some = page(plex, includeGuids=1, **{"X-Plex-Container-Size": 300})
    tmdb = {v.find("Guid[2]").attrib["id"] for v in some}
    assert len(tmdb) == 300


def test_items_carry_real_fields_and_tags(plex):
    root = page(plex, **{"X-Plex-Container-Size": 200})
    video = root[0]
    assert video.tag == "Video" and video.attrib["type"] == "movie"
    rk = video.attrib["ratingKey"]
    assert rk.isdigit() and video.attrib["key"] == f"/library/metadata/{rk}"
    assert video.attrib["guid"].startswith("plex://movie/") and len(video.attrib["guid"]) == 37
    assert video.attrib["thumb"].startswith(f"/library/metadata/{rk}/thumb/")
    for name in ("summary", "year", "addedAt", "updatedAt", "duration", "contentRating", "rating"):
        assert video.attrib[name]
    media = video.find("Media")
    assert media.attrib["videoResolution"] in {"4k", "1080", "720", "sd"}
    assert media.find("Part").attrib["file"].startswith("/data/movies/")
    for tag in ("Genre", "Director", "Role", "Country"):
        assert video.find(tag).attrib["tag"]
    titles = [v.attrib["title"] for v in root]
    assert any(not t.isascii() for t in titles), "some titles have accents"
    assert any("originalTitle" in v.attrib for v in root)
    assert any("titleSort" in v.attrib for v in root)
    assert any(v.find("Collection") is not None for v in root)
    added = [int(v.attrib["addedAt"]) for v in root]
    assert max(added) - min(added) > 3 * 365 * 86400, "added over years"


def test_the_same_library_is_generated_the_same_way(plex):
    again = PlexServerState(tokens={TOKEN})
    movies = again.add_library("Movies", "movie", count=1000)
    assert isinstance(movies, Library) and movies.key == "1" and len(movies) == 1000
    assert movies.rating_keys() == plex.state.libraries["1"].rating_keys()
    assert movies.items()[:50] == plex.state.libraries["1"].items()[:50]
    first = page(plex, **{"X-Plex-Container-Size": 1})[0]
    assert movies.item(first.attrib["ratingKey"])["title"] == first.attrib["title"]


def test_all_sorts_and_filters_by_title(plex):
    newest = page(plex, sort="addedAt:desc", **{"X-Plex-Container-Size": 30})
    added = [int(v.attrib["addedAt"]) for v in newest]
    assert added == sorted(added, reverse=True)
    found = page(plex, title="the")
    assert 0 < int(found.attrib["size"]) < 1000
    assert all("the" in v.attrib["title"].casefold() for v in found)


def test_a_show_library_lists_shows_then_seasons_and_episodes(plex):
    shows = page(plex, "2")
    assert shows.attrib["viewGroup"] == "show" and shows.attrib["size"] == "20"
    show = shows[0]
    assert show.tag == "Directory" and show.attrib["type"] == "show"
    assert show.attrib["leafCount"] == "10" and show.attrib["childCount"] == "2"
    assert "viewedLeafCount" in show.attrib
    seasons = plex.xml(f"/library/metadata/{show.attrib['ratingKey']}/children")
    assert [s.attrib["title"] for s in seasons] == ["Season 1", "Season 2"]
    assert seasons[0].attrib["parentRatingKey"] == show.attrib["ratingKey"]
    episodes = plex.xml(f"/library/metadata/{seasons[1].attrib['ratingKey']}/children")
    assert [e.attrib["index"] for e in episodes] == ["1", "2", "3", "4", "5"]
    assert {e.attrib["grandparentTitle"] for e in episodes} == {show.attrib["title"]}
    all_episodes = page(plex, "2", type=4, includeGuids=1, **{"X-Plex-Container-Size": 3})
    assert all_episodes.attrib["totalSize"] == "200"
    assert all_episodes[0].attrib["type"] == "episode" and all_episodes[0].find("Guid") is not None


# -- JSON and auth ------------------------------------------------------------------------------


def test_json_pages_mirror_the_samples(plex):
    container = plex.json("/library/sections/1/all", includeGuids=1, **PAGE)
    assert container["size"] == 100 and container["totalSize"] == 1000
    assert container["librarySectionID"] == 1 and container["allowSync"] is True
    item = container["Metadata"][0]
    assert isinstance(item["ratingKey"], str) and isinstance(item["addedAt"], int)
    assert isinstance(item["rating"], float)
    assert isinstance(item["Genre"], list) and set(item["Genre"][0]) == {"tag"}
    assert [g["id"].split("://")[0] for g in item["Guid"]] == ["imdb", "tmdb", "tvdb"]
    assert isinstance(item["UltraBlurColors"], dict)
    part = item["Media"][0]["Part"][0]
    assert isinstance(part["size"], int) and item["Media"][0]["hasVoiceActivity"] is False


def test_library_reads_need_a_token_but_identity_does_not(plex):
    assert requests.get(plex.url + "/library/sections", timeout=10).status_code == 401
    assert requests.get(plex.url + "/library/sections/1/all", timeout=10).status_code == 401
    assert requests.get(plex.url + "/identity", timeout=10).status_code == 200
    query = requests.get(plex.url + "/library/sections?X-Plex-Token=" + TOKEN, timeout=10)
    assert query.status_code == 200


def test_include_meta_describes_types_sorts_and_filters(plex):
    root = page(plex, includeMeta=1, **{"X-Plex-Container-Size": 0})
    meta = root.find("Meta")
    assert [t.attrib["type"] for t in meta.findall("Type")] == ["movie", "folder"]
    sorts = [s.attrib["key"] for s in meta.find("Type").findall("Sort")]
    assert "titleSort" in sorts and "addedAt" in sorts
    container = plex.json("/library/sections/2/all", includeMeta=1, **{"X-Plex-Container-Size": 1})
    assert [t["type"] for t in container["Meta"]["Type"]] == ["show", "season", "episode", "folder"]
    assert len(container["Metadata"]) == 1


def test_library_root_and_all_leaves(plex):
    root = plex.xml("/library")
    assert [d.attrib["key"] for d in root] == ["sections", "recentlyAdded", "onDeck"]
    show = plex.state.libraries["2"].rating_keys()[0]
    leaves = plex.xml(f"/library/metadata/{show}/allLeaves")
    assert leaves.attrib["size"] == "10" and {v.attrib["type"] for v in leaves} == {"episode"}
    missing = plex.get("/no/such/path")
    assert missing.status_code == 404 and missing.headers["Content-Type"] == "text/html"


def test_plexapi_reads_the_libraries(plex):
    from plexapi.server import PlexServer

    server = PlexServer(plex.url, TOKEN)
    assert [s.title for s in server.library.sections()] == ["Movies", "TV Shows", "Music"]
    movies = server.library.section("Movies")
    assert movies.totalSize == 1000
    first = movies.all(maxresults=5)[0]
    assert [g.id.split("://")[0] for g in first.guids] == ["imdb", "tmdb", "tvdb"]
    newest = movies.recentlyAdded(maxresults=3)
    assert [m.addedAt for m in newest] == sorted((m.addedAt for m in newest), reverse=True)
    show = server.library.section("TV Shows").all()[0]
    assert [s.title for s in show.seasons()] == ["Season 1", "Season 2"]
    assert len(show.episodes()) == 10
    collection = server.createCollection("Picks", section=movies, items=[first])
    assert collection.childCount == 1 and [i.title for i in collection.items()] == [first.title]
    movies.update(path="/data/movies/Picks")
    assert plex.state.refreshes[-1] == ("1", "/data/movies/Picks")


# -- demo mode -------------------------------------------------------------------------------------


def test_the_demo_server_has_libraries():
    from simulators import plex_server, plextv

    _state, server = plextv.demo_state()
    client = plex_server.create_app(server).test_client()
    root = ET.fromstring(
        client.get("/library/sections", headers={"X-Plex-Token": server.access_token}).data
    )
    assert [d.attrib["title"] for d in root] == [
        "Movies",
        "TV Shows",
        "Music",
        "YouTube",
        "Home Videos",
    ]
    assert client.get("/library/sections").status_code == 401
