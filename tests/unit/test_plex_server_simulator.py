"""The Plex Media Server simulator's libraries answer like a real server's."""

import json
import struct
import time
import xml.etree.ElementTree as ET
import zlib

import pytest
import requests

from simulators import SimulatorServer
from simulators.plex_server import Library, PlexServerState, create_app

TOKEN = "tok"
XML = {"X-Plex-Token": TOKEN}
JSON = {"X-Plex-Token": TOKEN, "Accept": "application/json"}


class Plex:
    def __init__(self, state: PlexServerState, url: str):
        self.state, self.url = state, url

    def get(self, url_path, headers=XML, **params):
        return requests.get(self.url + url_path, headers=headers, params=params, timeout=30)

    def xml(self, url_path, headers=XML, **params) -> ET.Element:
        response = self.get(url_path, headers=headers, **params)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "text/xml;charset=utf-8"
        return ET.fromstring(response.content)

    def json(self, url_path, **params) -> dict:
        response = self.get(url_path, headers=JSON, **params)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "application/json"
        return response.json()["MediaContainer"]


def new_state() -> PlexServerState:
    state = PlexServerState(name="Living Room", tokens={TOKEN})
    state.add_library("Movies", "movie", count=1000)
    state.add_library("TV Shows", "show", count=20, seasons=2, episodes=5)
    state.add_library("Music", "artist", count=10)
    return state


@pytest.fixture
def plex():
    state = new_state()
    with SimulatorServer(create_app(state)) as running:
        yield Plex(state, running.url)


def page(plex, key="1", headers=XML, **params) -> ET.Element:
    return plex.xml(f"/library/sections/{key}/all", headers=headers, **params)


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


# -- changes ------------------------------------------------------------------------------------


def test_added_removed_and_renamed_items_show_up(plex):
    state, movies = plex.state, plex.state.libraries["1"]
    new = state.add_items(movies, 50)
    assert len(new) == 50 and page(plex, **{"X-Plex-Container-Size": 0}).attrib["totalSize"] == (
        "1050"
    )
    recent = plex.xml("/library/recentlyAdded", **{"X-Plex-Container-Size": 50})
    assert {v.attrib["ratingKey"] for v in recent} == set(new)
    gone = movies.rating_keys()[:3]
    state.remove_items(movies, gone)
    keys = {v.attrib["ratingKey"] for v in page(plex)}
    assert len(keys) == 1047 and not keys & set(gone)
    assert plex.get(f"/library/metadata/{gone[0]}").status_code == 404
    target = movies.rating_keys()[10]
    before = plex.xml(f"/library/metadata/{target}")[0].attrib
    state.rename(movies, target, title="Amélie Returns")
    after = plex.xml(f"/library/metadata/{target}")[0].attrib
    assert after["title"] == "Amélie Returns"
    assert int(after["updatedAt"]) > int(before["updatedAt"])
    assert after["thumb"] != before["thumb"]


def test_recently_added_is_newest_first_and_paged(plex):
    root = plex.xml("/library/recentlyAdded", **{"X-Plex-Container-Size": 40})
    added = [int(item.attrib["addedAt"]) for item in root]
    assert added == sorted(added, reverse=True) and len(added) == 40
    assert root.attrib["totalSize"] == "1030"
    assert {item.attrib["librarySectionID"] for item in root} <= {"1", "2", "3"}
    section = plex.xml("/library/sections/2/recentlyAdded", **{"X-Plex-Container-Size": 5})
    assert [d.attrib["type"] for d in section] == ["show"] * 5
    second = plex.xml(
        "/library/recentlyAdded", **{"X-Plex-Container-Start": 20, "X-Plex-Container-Size": 20}
    )
    assert [i.attrib["ratingKey"] for i in second] == [i.attrib["ratingKey"] for i in root[20:]]


# -- one item, collections, refresh -------------------------------------------------------------


def test_metadata_has_full_tags_and_guids(plex):
    rk = plex.state.libraries["1"].rating_keys()[0]
    root = plex.xml(f"/library/metadata/{rk}")
    assert root.attrib["librarySectionID"] == "1" and root.attrib["size"] == "1"
    video = root[0]
    assert video.attrib["librarySectionTitle"] == "Movies"
    assert len(video.findall("Guid")) == 3
    genre = video.find("Genre").attrib
    assert genre["filter"] == f"genre={genre['id']}"
    assert len(video.findall("Role")) > 3
    assert plex.get("/library/metadata/123").status_code == 404


def test_collections_list_and_hold_their_items(plex):
    root = plex.xml("/library/sections/1/collections")
    assert root.attrib["librarySectionID"] == "1" and int(root.attrib["size"]) >= 2
    collection = root[0]
    assert collection.attrib["type"] == "collection" and collection.attrib["subtype"] == "movie"
    assert collection.attrib["guid"].startswith("collection://")
    rk = collection.attrib["ratingKey"]
    assert collection.attrib["key"] == f"/library/collections/{rk}/children"
    children = plex.xml(f"/library/collections/{rk}/children")
    assert children.attrib["size"] == collection.attrib["childCount"]
    for video in children:
        tags = [c.attrib["tag"] for c in video.findall("Collection")]
        assert collection.attrib["title"] in tags
    assert plex.xml(f"/library/metadata/{rk}")[0].attrib["type"] == "collection"
    as_type = page(plex, type=18)
    assert [d.attrib["ratingKey"] for d in as_type] == [d.attrib["ratingKey"] for d in root]


def test_a_collection_is_made_and_filled_through_the_api(plex):
    movies = plex.state.libraries["1"]
    first, second, third = movies.rating_keys()[:3]
    machine = plex.state.machine_identifier
    uri = f"server://{machine}/com.plexapp.plugins.library/library/metadata/{first},{second}"
    made = requests.post(
        plex.url + "/library/collections",
        params={"type": 1, "title": "Road Movies", "smart": 0, "sectionId": 1, "uri": uri},
        headers=XML,
        timeout=10,
    )
    assert made.status_code == 200
    collection = ET.fromstring(made.content)[0]
    assert collection.attrib["title"] == "Road Movies" and collection.attrib["childCount"] == "2"
    rk = collection.attrib["ratingKey"]
    added = requests.put(
        plex.url + f"/library/collections/{rk}/items",
        params={"uri": uri.replace(f"{first},{second}", third)},
        headers=XML,
        timeout=10,
    )
    assert ET.fromstring(added.content)[0].attrib["childCount"] == "3"
    items = plex.xml(f"/library/collections/{rk}/items")
    assert [v.attrib["ratingKey"] for v in items] == [first, second, third]
    assert "Road Movies" in [
        c.attrib["tag"] for c in plex.xml(f"/library/metadata/{first}")[0].findall("Collection")
    ]
    bad = requests.post(
        plex.url + "/library/collections", params={"title": "x"}, headers=XML, timeout=10
    )
    assert bad.status_code == 400


def test_a_path_scoped_refresh_is_recorded(plex):
    response = plex.get("/library/sections/2/refresh", path="/data/tv/New Show")
    assert response.status_code == 200
    assert plex.get("/library/sections/1/refresh").status_code == 200
    assert plex.state.refreshes == [("2", "/data/tv/New Show"), ("1", None)]
    assert plex.get("/library/sections/9/refresh").status_code == 404


# -- thumbnails ---------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    idat = data.index(b"IDAT")
    raw = zlib.decompress(data[idat + 4 : idat + 4 + struct.unpack(">I", data[idat - 4 : idat])[0]])
    assert len(raw) == height * (1 + 3 * width)
    return width, height


def test_thumbnails_are_real_pngs(plex):
    video = page(plex, **{"X-Plex-Container-Size": 1})[0]
    response = plex.get(video.attrib["thumb"])
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    assert png_size(response.content) == (300, 450)
    assert plex.get(video.attrib["thumb"]).content == response.content
    small = plex.get("/photo/:/transcode", url=video.attrib["thumb"], width=60, height=90)
    assert small.headers["Content-Type"] == "image/png" and png_size(small.content) == (60, 90)
    assert plex.get("/library/metadata/123/thumb/1").status_code == 404
    collection = plex.xml("/library/sections/1/collections")[0]
    poster = plex.get(collection.attrib["thumb"])
    assert poster.headers["Content-Type"] == "image/png" and png_size(poster.content) == (400, 600)
    assert requests.get(plex.url + video.attrib["thumb"], timeout=10).status_code == 401


# -- misbehaviour -------------------------------------------------------------------------------


def test_fail_at_page_answers_500_once_then_recovers(plex):
    plex.state.fail_at_page = 3
    sizes = {"X-Plex-Container-Size": 100}
    statuses = [
        plex.get("/library/sections/1/all", **sizes, **{"X-Plex-Container-Start": s}).status_code
        for s in (0, 100, 200, 200, 300)
    ]
    assert statuses == [200, 200, 500, 200, 200]
    assert plex.state.page_requests == 5
    plex.state.fail_always = True
    again = [
        plex.get("/library/sections/1/all", **sizes, **{"X-Plex-Container-Start": 200}).status_code
        for _ in range(2)
    ]
    assert again == [500, 500]


PAGE = {"X-Plex-Container-Size": 100}


def test_truncated_pages_do_not_parse(plex):
    plex.state.malformed = "truncate"
    response = plex.get("/library/sections/1/all", **PAGE)
    assert response.status_code == 200
    with pytest.raises(ET.ParseError):
        ET.fromstring(response.content)
    with pytest.raises(ValueError):
        json.loads(plex.get("/library/sections/1/all", headers=JSON, **PAGE).content)


def test_bad_attrs_pages_hold_values_of_the_wrong_kind(plex):
    plex.state.malformed = "bad_attrs"
    root = page(plex, **PAGE)
    assert any(v.get("year") == "unknown" and v.get("addedAt") == "" for v in root)
    assert any("title" not in v.attrib for v in root)


def test_huge_and_html_titles(plex):
    plex.state.malformed = "huge_titles"
    assert max(len(v.attrib["title"]) for v in page(plex, **PAGE)) >= 20_000
    plex.state.malformed = "html_titles"
    titles = [v.attrib["title"] for v in page(plex, **PAGE)]
    assert any(t.startswith("<script>") for t in titles)
    assert "<script>" not in plex.get("/library/sections/1/all", **PAGE).text


def test_bad_utf8_pages_are_not_utf8(plex):
    plex.state.malformed = "bad_utf8"
    content = plex.get("/library/sections/1/all", **PAGE).content
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")


def test_duplicate_keys_repeat_a_rating_key(plex):
    plex.state.malformed = "duplicate_keys"
    keys = [v.attrib["ratingKey"] for v in page(plex, **PAGE)]
    assert len(keys) == 100 and len(set(keys)) < 100


def test_existing_switches_still_work(plex):
    plex.state.status_override = 503
    assert plex.get("/library/sections").status_code == 503
    plex.state.status_override = None
    plex.state.garbage = True
    with pytest.raises(ET.ParseError):
        ET.fromstring(plex.get("/library/sections").content)


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


# -- demo mode and speed ------------------------------------------------------------------------


def test_the_demo_server_has_libraries():
    from simulators import plex_server, plextv

    _state, server = plextv.demo_state()
    client = plex_server.create_app(server).test_client()
    root = ET.fromstring(
        client.get("/library/sections", headers={"X-Plex-Token": server.access_token}).data
    )
    assert [d.attrib["title"] for d in root] == ["Movies", "TV Shows", "Music", "YouTube"]
    assert client.get("/library/sections").status_code == 401


def test_a_thousand_item_page_of_a_hundred_thousand_renders_fast():
    state = PlexServerState(tokens={TOKEN})
    state.add_library("Movies", "movie", count=100_000)
    client = create_app(state).test_client()
    headers = {**XML, "X-Plex-Container-Size": "1000"}
    client.get("/library/sections/1/all", headers={**XML, "X-Plex-Container-Size": "0"})
    best = None
    for start in (0, 99_000):
        # CPU time of this thread (the test client serves in it): other work on the machine
        # does not count.
        began = time.thread_time()
        response = client.get(
            f"/library/sections/1/all?includeGuids=1&X-Plex-Container-Start={start}",
            headers=headers,
        )
        elapsed = time.thread_time() - began
        best = elapsed if best is None else min(best, elapsed)
        assert response.status_code == 200
    assert ET.fromstring(response.data).attrib["size"] == "1000"
    assert best < 0.5
