"""MediaNest's Plex library actions against the simulated Plex: checks, scans, collections."""

import pytest

from app.integrations import plex_library
from app.integrations.plex_server import PlexServerError
from simulators import SimulatorServer
from simulators.plex_server import PlexServerState, create_app
from tests.unit.test_plex_folder_library import video

TOKEN = "tok"


@pytest.fixture
def plex(tmp_path):
    folder = tmp_path / "youtube"
    folder.mkdir()
    state = PlexServerState(tokens={TOKEN})
    state.add_library("TV Shows", "show", count=2)
    library = state.add_folder_library("YouTube", folder, plex_path="/data/youtube")
    state.add_library("Films", "movie", count=2)
    state.add_folder_library("Home Videos", tmp_path / "home", agent="tv.plex.agents.none")
    with SimulatorServer(create_app(state)) as server:
        yield state, server.url, library, folder


def test_the_library_is_found_by_title_or_key_and_checked(plex):
    _state, url, _library, _folder = plex
    assert plex_library.find_section(url, TOKEN, "youtube") == plex_library.SectionCheck(
        "2", "YouTube", True, None
    )
    assert plex_library.find_section(url, TOKEN, " 4 ").ok  # the new Personal Media agent
    films = plex_library.find_section(url, TOKEN, "Films")
    assert not films.ok and films.hint.startswith("“Films” is a Movies library.")
    tv = plex_library.find_section(url, TOKEN, "1")
    assert not tv.ok and "uses the Plex TV Series agent" in tv.hint
    assert tv.hint.endswith(plex_library.HINT)
    with pytest.raises(PlexServerError, match="no library called “Cartoons”.*“YouTube”"):
        plex_library.find_section(url, TOKEN, "Cartoons")
    shows = plex_library.show_sections(url, TOKEN)
    assert [(s.title, s.ok) for s in shows] == [
        ("TV Shows", False),
        ("YouTube", True),
        ("Home Videos", True),
    ]


def test_failures_are_plain_words(plex):
    state, url, _library, _folder = plex
    with pytest.raises(PlexServerError, match="did not accept the token"):
        plex_library.show_sections(url, "wrong")
    with pytest.raises(PlexServerError, match="no library with the key 9"):
        plex_library.scan_folder(url, TOKEN, "9", "/data/youtube/A")
    state.down = True
    with pytest.raises(PlexServerError, match=f"could not reach the Plex server at {url}"):
        plex_library.scan_folder(url, TOKEN, "2", "/data/youtube/A")


def test_a_scan_of_the_folder_as_plex_sees_it_finds_its_episodes(plex):
    state, url, _library, folder = plex
    video(folder / "Channel (2020)", "Season 2024/s2024e010101 - One [id-1].mp4")
    video(folder / "Channel (2020)", "Season 2024/s2024e010201 - Two [id_2].mp4")
    video(folder / "Channel", "Season 2024/s2024e010101 - Elsewhere [id-3].mp4")
    assert plex_library.episodes_in(url, TOKEN, "2", "/data/youtube/Channel (2020)") == (None, {})
    plex_library.scan_folder(url, TOKEN, "2", "/data/youtube/Channel (2020)")
    assert state.refreshes[-1] == ("2", "/data/youtube/Channel (2020)")
    show, episodes = plex_library.episodes_in(url, TOKEN, "2", "/data/youtube/Channel (2020)")
    assert show and set(episodes) == {"id-1", "id_2"}
    plex_library.scan_folder(url, TOKEN, "2", "/data/youtube/Channel")
    other, found = plex_library.episodes_in(url, TOKEN, "2", "/data/youtube/Channel")
    assert other != show and set(found) == {"id-3"}


def members(library) -> list[str]:
    return [library.member_node(m)[1]["title"] for m in library.collection_members(0)]


def test_a_collection_is_made_then_kept_to_exactly_the_keys_in_order(plex):
    state, url, library, folder = plex
    for n in range(1, 6):
        video(folder / "Show", f"Season 2024/s2024e01{n:02d}01 - Ep {n} [v{n}].mp4")
    plex_library.scan_folder(url, TOKEN, "2", "/data/youtube/Show")
    _show, keys = plex_library.episodes_in(url, TOKEN, "2", "/data/youtube/Show")
    wanted = [keys["v3"], keys["v1"], keys["v2"]]
    made = plex_library.sync_collection(url, TOKEN, "2", "Mix", wanted, None)
    assert members(library) == ["Ep 3", "Ep 1", "Ep 2"]

    wanted = [keys["v5"], keys["v2"], keys["v3"], keys["v4"]]
    assert plex_library.sync_collection(url, TOKEN, "2", "Mix", wanted, made) == made
    assert members(library) == ["Ep 5", "Ep 2", "Ep 3", "Ep 4"]
    # An answer lost after the collection was made: the next try finds it by its title.
    assert plex_library.sync_collection(url, TOKEN, "2", "Mix", wanted, None) == made
    assert library.collection_names == ("Mix",)
    # Another playlist of the same name gets a collection of its own.
    other = plex_library.sync_collection(url, TOKEN, "2", "Mix", [keys["v1"]], None)
    assert other != made and library.collection_names == ("Mix", "Mix")
    with pytest.raises(PlexServerError, match="no episodes"):
        plex_library.sync_collection(url, TOKEN, "2", "Mix", [], made)
