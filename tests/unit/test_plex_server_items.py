"""The Plex Media Server simulator's items change, collect, refresh and have thumbnails."""

import struct
import xml.etree.ElementTree as ET
import zlib

import requests

from tests.unit import plex_server_helpers
from tests.unit.plex_server_helpers import XML, page

plex = plex_server_helpers.plex


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
