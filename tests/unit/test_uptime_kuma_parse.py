"""Reading Kuma's status page and heartbeats: both incident shapes, hostile values bounded."""

from datetime import UTC, datetime

import pytest

from app.integrations.uptime_kuma import (
    BadAnswer,
    StatusPage,
    loads,
    monitor_id,
    parse_heartbeats,
    parse_status_page,
    parse_time,
)


def page(**extra) -> dict:
    return {
        "config": {"slug": "home", "title": "Home"},
        "publicGroupList": [
            {"id": 1, "name": "Media", "monitorList": [{"id": 1, "name": "Plex", "type": "http"}]},
            {"id": 2, "name": "Network", "monitorList": [{"id": 2, "name": "Router"}]},
        ],
        "maintenanceList": [],
        **extra,
    }


def test_a_status_page_in_words():
    found = parse_status_page(page())
    assert found.summary() == "Status page 'Home' with 2 monitors in 2 groups"
    assert [(m.id, m.name, m.group) for m in found.monitors] == [
        (1, "Plex", "Media"),
        (2, "Router", "Network"),
    ]
    assert StatusPage("Solo", monitors=found.monitors[:1], groups=["A"]).summary() == (
        "Status page 'Solo' with 1 monitor in 1 group"
    )


@pytest.mark.parametrize(
    ("extra", "titles"),
    [
        ({"incident": {"title": "Old", "content": "x", "style": "danger"}}, ["Old"]),
        ({"incident": None}, []),
        ({"incidents": [{"title": "A"}, {"title": "B"}]}, ["A", "B"]),
        ({"incidents": []}, []),
        ({"incidents": "nope", "incident": 7}, []),
    ],
)
def test_both_incident_shapes_are_read(extra, titles):
    assert [i["title"] for i in parse_status_page(page(**extra)).incidents] == titles


@pytest.mark.parametrize("value", [True, -1, 0, 1.5, "7", None, 2**63, "x", [1]])
def test_monitor_ids_that_are_not_ints_are_skipped(value):
    data = page()
    data["publicGroupList"][0]["monitorList"].append({"id": value, "name": "Bad"})
    assert [m.id for m in parse_status_page(data).monitors] == [1, 2]


def test_ids_in_heartbeat_keys_are_text_and_checked():
    assert monitor_id("12", text=True) == 12
    assert monitor_id("12") is None
    for bad in ("-1", "1e3", "9223372036854775808", "99999999999999999999", "١٢", "", "0"):
        assert monitor_id(bad, text=True) is None


def test_names_and_texts_are_trimmed():
    data = page(incidents=[{"title": "t" * 5000, "content": "c" * 50_000}])
    data["publicGroupList"][0]["monitorList"][0]["name"] = "n" * 1000
    found = parse_status_page(data)
    assert len(found.monitors[0].name) == 200
    assert len(found.incidents[0]["title"]) == 200 and len(found.incidents[0]["content"]) == 2000


@pytest.mark.parametrize("data", [None, [], "x", {"config": {}}, {"publicGroupList": {}}])
def test_a_page_of_another_shape_is_a_bad_answer(data):
    with pytest.raises(BadAnswer):
        parse_status_page(data)


def test_heartbeats_statuses_times_pings_and_uptime():
    found = parse_heartbeats(
        {
            "heartbeatList": {
                "1": [
                    {"status": 1, "time": "2026-01-02 03:04:05", "msg": "", "ping": 42},
                    {"status": 0, "time": "2026-01-02 03:05:05.123", "msg": "down", "ping": None},
                    {"status": 9, "time": "x"},
                    {"status": True, "time": "x"},
                    "junk",
                ],
                "abc": [{"status": 1}],
                "2": "nope",
            },
            "uptimeList": {"1_24": 0.5, "1_720": 0.9, "2_24": "x", "3_24": 7},
        }
    )
    assert list(found.beats) == [1]
    first, second = found.beats[1]
    assert (first.status, first.ping, first.time) == (
        1,
        42.0,
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    assert (second.status, second.ping, second.msg) == (0, None, "down")
    assert found.uptime_24 == {1: 0.5, 3: 1.0}


def test_only_the_last_100_beats_are_kept():
    beats = [{"status": 1, "time": "2026-01-02 03:04:05", "ping": n} for n in range(500)]
    found = parse_heartbeats({"heartbeatList": {"1": beats}})
    assert len(found.beats[1]) == 100 and found.beats[1][-1].ping == 499.0


@pytest.mark.parametrize("value", ["2026-13-01 00:00:00", "", 5, "x" * 100])
def test_bad_times_are_none(value):
    assert parse_time(value) is None


@pytest.mark.parametrize("body", [b"[" * 100_000, b"{", b"<html>", b"\xff\xfe"])
def test_what_is_not_json_or_nests_too_deep_is_a_bad_answer(body):
    with pytest.raises(BadAnswer):
        loads(body)
