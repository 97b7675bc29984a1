"""Pure helpers for what outsiders send: JSON bounds, ids, usernames, device names."""

import pytest

from app.auth.devices import describe
from app.auth.usernames import clean_username, skeleton, visible
from app.bounded import PayloadError, load_json, nesting_depth, parse_id


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert nesting_depth('{"a": "[[[[{{{{\\"]]]"}') == 1
    assert nesting_depth('[[["x"]], {"y": [1]}]') == 3


def test_json_past_its_bounds_is_refused_with_a_reason():
    with pytest.raises(PayloadError, match="nested deeper"):
        load_json("[" * 40 + "]" * 40)
    with pytest.raises(PayloadError, match="larger than"):
        load_json('"' + "x" * 300_000 + '"')
    with pytest.raises(PayloadError, match="not JSON"):
        load_json("{nope")
    assert load_json('{"event": "library.new"}') == {"event": "library.new"}


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12", 12),
        (12, 12),
        (" 7 ", 7),
        ("0", None),
        ("-3", None),
        ("²", None),
        ("١٢٣", None),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        (True, None),
        (None, None),
        ("1e3", None),
    ],
)
def test_ids_are_ascii_digits_that_fit_the_database(raw, expected):
    assert parse_id(raw) == expected


def test_names_lose_what_cannot_be_seen_and_keep_the_local_rules():
    assert visible("a\u202eb\u200bc\x07") == "abc"
    assert clean_username("  .alice.  ") == "alice"
    assert clean_username("ab") == "ab-user" and clean_username("") == "user"
    assert skeleton("0wner") == skeleton("OWNER") == "owner"
    assert skeleton("rnary") == skeleton("mary")


@pytest.mark.parametrize(
    "agent, name",
    [
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 "
            "Safari/537.36 Edg/131.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) Gecko/20100101 Firefox/133.0",
            "Firefox on macOS",
        ),
        ("curl/8.5", "Unknown browser"),
        (None, "Unknown browser"),
    ],
)
def test_devices_are_named_as_people_know_them(agent, name):
    assert describe(agent) == name
