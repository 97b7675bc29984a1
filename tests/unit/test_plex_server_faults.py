"""The Plex Media Server simulator misbehaves on demand and stays fast when large."""

import json
import time
import xml.etree.ElementTree as ET

import pytest

from simulators.plex_server import PlexServerState, create_app
from tests.unit import plex_server_helpers
from tests.unit.plex_server_helpers import JSON, PAGE, TOKEN, XML, page

plex = plex_server_helpers.plex


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


# -- speed -----------------------------------------------------------------------------------------


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
