"""The simulated Plex's Personal Media Shows library scans a real folder as Plex would."""

import time
import xml.etree.ElementTree as ET

import pytest
import requests
from plexapi.server import PlexServer

from simulators import SimulatorServer
from simulators.plex_server import PlexServerState, create_app

TOKEN = "tok"
XML = {"X-Plex-Token": TOKEN}


def video(folder, name: str) -> None:
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200)


class Plex:
    def __init__(self, state, url, folder):
        self.state, self.url, self.folder = state, url, folder

    def call(self, method, url_path, **params):
        return requests.request(method, self.url + url_path, headers=XML, params=params, timeout=10)

    def xml(self, url_path, **params) -> ET.Element:
        response = self.call("GET", url_path, **params)
        assert response.status_code == 200, response.text
        return ET.fromstring(response.content)

    def refresh(self, path):
        assert self.call("GET", "/library/sections/2/refresh", path=path).status_code == 200

    def episodes(self) -> list[dict]:
        return [e.attrib for e in self.xml("/library/sections/2/all", type="4", includeGuids="1")]


@pytest.fixture
def plex(tmp_path):
    folder = tmp_path / "youtube"
    folder.mkdir()
    state = PlexServerState(tokens={TOKEN})
    state.add_library("TV Shows", "show", count=3)
    state.add_folder_library("YouTube", folder)
    with SimulatorServer(create_app(state)) as server:
        yield Plex(state, server.url, folder)


def test_the_library_is_listed_as_a_personal_media_show_library(plex):
    section = plex.xml("/library/sections")[1]
    assert section.attrib["type"] == "show" and section.attrib["title"] == "YouTube"
    assert section.attrib["agent"] == "com.plexapp.agents.none"
    assert section.attrib["scanner"] == "Plex Series Scanner"
    assert section[0].tag == "Location" and section[0].attrib["path"] == str(plex.folder)


def test_a_scan_makes_the_show_seasons_and_episodes_from_the_files(plex):
    show_dir = plex.folder / "Tech Talks"
    video(show_dir, "Season 2024/s2024e030501 - First talk [abc-123].mp4")
    video(show_dir, "Season 2024/s2024e030502 - Second talk [def_456].mp4")
    video(show_dir, "Season 2023/s2023e120101 - Old talk [ghi].mp4")
    video(show_dir, "poster.jpg")
    assert plex.xml("/library/sections/2/all").attrib["size"] == "0"

    plex.refresh(str(show_dir))
    (show,) = plex.xml("/library/sections/2/all", type="2")
    assert show.attrib["title"] == "Tech Talks" and show.attrib["childCount"] == "2"
    assert show.attrib["leafCount"] == "3"
    seasons = plex.xml(f"/library/metadata/{show.attrib['ratingKey']}/children")
    assert [(s.attrib["title"], s.attrib["index"]) for s in seasons] == [
        ("Season 2023", "2023"),
        ("Season 2024", "2024"),
    ]
    episodes = plex.episodes()
    assert [(e["title"], e["index"], e["parentIndex"]) for e in episodes] == [
        ("Old talk", "120101", "2023"),
        ("First talk", "30501", "2024"),
        ("Second talk", "30502", "2024"),
    ]
    assert episodes[1]["originallyAvailableAt"] == "2024-03-05"
    assert episodes[1]["grandparentRatingKey"] == show.attrib["ratingKey"]
    one = plex.xml(f"/library/metadata/{episodes[1]['ratingKey']}")[0]
    part = one.find("Media/Part").attrib
    assert part["file"] == f"{show_dir}/Season 2024/s2024e030501 - First talk [abc-123].mp4"
    assert int(part["size"]) > 200
    # plexapi reads the same tree.
    section = PlexServer(plex.url, TOKEN).library.sectionByID(2)
    assert [e.title for e in section.searchEpisodes()] == ["Old talk", "First talk", "Second talk"]


def test_a_refresh_outside_the_location_does_nothing(plex, tmp_path):
    elsewhere = tmp_path / "youtube-other"
    video(elsewhere / "Show", "Season 2024/s2024e010101 - A [a].mp4")
    video(plex.folder / "Show", "Season 2024/s2024e010101 - A [a].mp4")
    plex.refresh(str(elsewhere / "Show"))
    plex.refresh("/somewhere/else")
    assert plex.episodes() == []
    assert [path for _key, path in plex.state.refreshes] == [
        str(elsewhere / "Show"),
        "/somewhere/else",
    ]


def test_vanished_files_leave_on_the_next_scan_of_their_folder(plex):
    video(plex.folder / "A", "Season 2024/s2024e010101 - One [1].mp4")
    video(plex.folder / "A", "Season 2024/s2024e010102 - Two [2].mp4")
    video(plex.folder / "B", "Season 2024/s2024e020101 - Three [3].mp4")
    video(plex.folder / ".medianest-partial" / "C", "Season 2024/s2024e010101 - Part [p].mp4")
    plex.refresh(str(plex.folder))
    assert [e["title"] for e in plex.episodes()] == ["One", "Two", "Three"]

    (plex.folder / "A/Season 2024/s2024e010102 - Two [2].mp4").unlink()
    (plex.folder / "B/Season 2024/s2024e020101 - Three [3].mp4").unlink()
    plex.refresh(str(plex.folder / "A"))
    assert [e["title"] for e in plex.episodes()] == ["One", "Three"]  # B was not scanned
    plex.refresh(str(plex.folder / "B"))
    assert [s.attrib["title"] for s in plex.xml("/library/sections/2/all")] == ["A"]


def test_a_scan_can_happen_a_little_later_as_plex_scans_in_the_background(plex):
    plex.state.scan_delay = 0.5
    video(plex.folder / "Later", "Season 2025/s2025e070401 - Soon [x].mp4")
    plex.refresh(str(plex.folder / "Later"))
    assert plex.episodes() == []
    assert plex.xml("/library/sections")[1].attrib["refreshing"] == "1"
    deadline = time.monotonic() + 5
    while not plex.episodes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [e["title"] for e in plex.episodes()] == ["Soon"]


def test_an_unreachable_server_answers_503(plex):
    plex.state.down = True
    assert plex.call("GET", "/library/sections").status_code == 503


def make_collection(plex, keys) -> str:
    uri = f"server://{plex.state.machine_identifier}/com.plexapp.plugins.library"
    made = plex.call(
        "POST",
        "/library/collections",
        type="4",
        title="My Playlist",
        smart="0",
        sectionId="2",
        uri=f"{uri}/library/metadata/{','.join(keys)}",
    )
    assert made.status_code == 200, made.text
    return ET.fromstring(made.content)[0].attrib["ratingKey"]


def children(plex, rk) -> list[str]:
    return [e.attrib["title"] for e in plex.xml(f"/library/collections/{rk}/children")]


def test_collections_of_episodes_are_made_reordered_and_emptied(plex):
    for n, day in enumerate(("03", "01", "02"), start=1):
        video(plex.folder / "Show", f"Season 2024/s2024e01{day}01 - Ep {n} [v{n}].mp4")
    plex.refresh(str(plex.folder / "Show"))
    keys = {e["title"]: e["ratingKey"] for e in plex.episodes()}
    rk = make_collection(plex, [keys["Ep 1"], keys["Ep 2"]])
    (listed,) = plex.xml("/library/sections/2/collections")
    assert listed.attrib["title"] == "My Playlist" and listed.attrib["subtype"] == "episode"
    assert listed.attrib["childCount"] == "2"
    assert children(plex, rk) == ["Ep 2", "Ep 1"]  # a new collection sorts by release date

    assert plex.call("PUT", f"/library/collections/{rk}/prefs", collectionSort="2").ok
    uri = f"server://{plex.state.machine_identifier}/com.plexapp.plugins.library"
    added = plex.call(
        "PUT", f"/library/collections/{rk}/items", uri=f"{uri}/library/metadata/{keys['Ep 3']}"
    )
    assert added.status_code == 200
    assert children(plex, rk) == ["Ep 1", "Ep 2", "Ep 3"]  # custom: the order they were added
    move = f"/library/collections/{rk}/items/{keys['Ep 3']}/move"
    assert plex.call("PUT", move, after=keys["Ep 1"]).status_code == 200
    assert children(plex, rk) == ["Ep 1", "Ep 3", "Ep 2"]
    assert plex.call("PUT", move).status_code == 200
    assert children(plex, rk) == ["Ep 3", "Ep 1", "Ep 2"]
    gone = plex.call("DELETE", f"/library/collections/{rk}/children/{keys['Ep 1']}")
    assert gone.status_code == 200
    assert plex.call("DELETE", f"/library/collections/{rk}/items/{keys['Ep 2']}").ok
    assert children(plex, rk) == ["Ep 3"]


def test_collection_calls_answer_what_plex_answers_for_bad_input(plex):
    video(plex.folder / "Show", "Season 2024/s2024e010101 - Ep [v].mp4")
    plex.refresh(str(plex.folder / "Show"))
    (episode,) = plex.episodes()
    rk = make_collection(plex, [episode["ratingKey"]])
    assert plex.call("POST", "/library/collections", title="x", smart="0").status_code == 400
    assert plex.call("GET", "/library/collections/200999990/children").status_code == 404
    assert plex.call("PUT", "/library/collections/200999990/items/1/move").status_code == 404
    assert plex.call("PUT", f"/library/collections/{rk}/items/200000999/move").status_code == 400
    outsider = plex.call("DELETE", f"/library/collections/{rk}/children/200000999")
    assert outsider.status_code == 400
    assert children(plex, rk) == ["Ep"]
