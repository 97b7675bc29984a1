"""Subscriptions: reading the form, choosing what is new, and what retention removes."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from app.downloads import subscription_form as subs
from app.downloads import subscription_tasks as tasks
from app.downloads.subscription_retention import beyond_retention
from app.integrations.ytdlp import Entry


@pytest.mark.parametrize(
    "raw, minutes",
    [
        ("15", 15),
        ("15m", 15),
        ("45 min", 45),
        ("6h", 360),
        ("6 hours", 360),
        (" 1 DAY ", 1440),
        ("2d", 2880),
        ("7d", 10080),
        ("168h", 10080),
    ],
)
def test_intervals_people_write_are_read(raw, minutes):
    assert subs.parse_interval(raw) == minutes


@pytest.mark.parametrize(
    "raw, words",
    [
        ("", "like 30m"),
        ("often", "like 30m"),
        ("6 weeks", "like 30m"),
        ("-5m", "like 30m"),
        ("1.5h", "like 30m"),
        ("٦h", "like 30m"),  # Arabic-Indic digits are not read as 6
        ("9" * 40, "like 30m"),
        ("999999d", "once every 7 days"),
        ("14m", "every 15 minutes"),
        ("0", "every 15 minutes"),
        ("8d", "once every 7 days"),
        ("10081", "once every 7 days"),
    ],
)
def test_intervals_out_of_range_or_not_numbers_are_refused_in_words(raw, words):
    with pytest.raises(ValueError, match=words):
        subs.parse_interval(raw)


def test_intervals_are_shown_back_the_way_they_are_typed():
    assert [subs.format_interval(m) for m in (15, 90, 360, 1440, 1500)] == [
        "15m",
        "90m",
        "6h",
        "1d",
        "25h",
    ]
    assert subs.interval_words(360) == "every 6 hours"
    assert subs.interval_words(1440) == "every day"
    assert subs.interval_words(90) == "every 90 minutes"


def test_counts_are_bounded_and_empty_keeps_all():
    read = lambda raw: subs.parse_count(raw, label="Keep", least=1, most=100)  # noqa: E731
    assert read("") is None
    assert read(" 12 ") == 12
    for bad, words in (("0", "from 1 to 100"), ("101", "from 1 to 100"), ("1e3", "whole number")):
        with pytest.raises(ValueError, match=words):
            read(bad)
    with pytest.raises(ValueError, match="whole number"):
        read("9" * 30)


def test_the_form_gives_defaults_and_errors_by_field():
    choices, errors = subs.read_choices(MultiDict({}), new=True)
    assert errors == {}
    assert choices == subs.Choices("best", 360, None, None, 5)
    choices, errors = subs.read_choices(
        MultiDict({"quality": "8k", "interval": "1m", "keep_newest": "0", "start_with": "x"}),
        new=True,
    )
    assert set(errors) == {"quality", "interval", "keep_newest", "start_with"}
    choices, errors = subs.read_choices(
        MultiDict({"quality": "720p", "interval": "1d", "keep_days": "30", "start_with": "0"}),
        new=True,
    )
    assert errors == {}
    assert choices == subs.Choices("720p", 1440, None, 30, 0)


def test_retention_reads_as_words():
    assert subs.retention_words(None, None) == "Keeps all"
    assert subs.retention_words(10, None) == "Keeps the newest 10"
    assert subs.retention_words(10, 1) == "Keeps the newest 10 and the last 1 day"


def test_the_next_check_reads_as_a_time_to_come():
    now = datetime.now(UTC)
    assert subs.due_words(now - timedelta(minutes=5)) == "due now"
    assert subs.due_words(now + timedelta(minutes=20, seconds=10)) == "in 20 minutes"
    assert subs.due_words(now + timedelta(hours=6)) == "in 6 hours"
    assert subs.due_words(now + timedelta(days=2)) == "in 2 days"


def _item(n, upload_date=None, download_id=1, finished=None):
    return SimpleNamespace(
        id=n,
        position=n,
        download_id=download_id,
        upload_date=upload_date,
        finished_at=finished or datetime(2026, 1, 1, tzinfo=UTC),
        created_at=None,
    )


def test_retention_keeps_the_newest_by_upload_date_then_position():
    items = [_item(1, "20260105"), _item(2, "20260101"), _item(3, "20260105"), _item(4, "20251231")]
    gone = beyond_retention(items, keep_newest=2, keep_days=None, today=date(2026, 1, 6))
    assert sorted(i.id for i in gone) == [2, 4]
    # The same day: the later position (a later check's download) is the newer one.
    gone = beyond_retention(items, keep_newest=1, keep_days=None, today=date(2026, 1, 6))
    assert sorted(i.id for i in gone) == [1, 2, 4]


def test_retention_by_days_and_both_together():
    items = [_item(1, "20260101"), _item(2, "20251201"), _item(3, "20251230")]
    today = date(2026, 1, 6)
    assert [i.id for i in beyond_retention(items, None, 10, today)] == [2]
    assert sorted(i.id for i in beyond_retention(items, 1, 10, today)) == [2, 3]
    assert beyond_retention(items, None, None, today) == []
    assert beyond_retention(items, 5, 365, today) == []


def test_a_video_without_an_upload_date_counts_from_the_day_it_was_fetched():
    fresh = _item(1, None, finished=datetime(2026, 1, 5, tzinfo=UTC))
    stale = _item(2, None, finished=datetime(2025, 6, 1, tzinfo=UTC))
    assert beyond_retention([fresh, stale], None, 30, date(2026, 1, 6)) == [stale]


def _entry(video_id, upload_date=None):
    return Entry(
        video_id=video_id, extractor="youtube", url=f"https://y/{video_id}", upload_date=upload_date
    )


def test_a_channel_is_new_only_above_the_newest_video_it_has():
    listed = [_entry(v) for v in ("n2", "n1", "old1", "gap", "old2")]
    known = {("youtube", "old1"), ("youtube", "old2")}
    assert [e.video_id for e in tasks.pick_new(listed, known, "channel")] == ["n2", "n1"]


def test_a_playlist_is_new_wherever_its_videos_stand_and_repeats_count_once():
    listed = [_entry(v) for v in ("a", "b", "c", "b", "d")]
    known = {("youtube", "a"), ("youtube", "c")}
    assert [e.video_id for e in tasks.pick_new(listed, known, "playlist")] == ["b", "d"]


def test_newest_first_uses_dates_when_every_entry_has_one():
    dated = [_entry("a", "20260101"), _entry("b", "20260103"), _entry("c", "20260102")]
    assert [e.video_id for e in tasks.newest_first(dated, "playlist")] == ["b", "c", "a"]
    undated = [_entry("a"), _entry("b", "20260103"), _entry("c")]
    assert [e.video_id for e in tasks.newest_first(undated, "channel")] == ["a", "b", "c"]
    assert [e.video_id for e in tasks.newest_first(undated, "playlist")] == ["c", "b", "a"]


def test_what_a_check_found_reads_in_words():
    assert tasks._found_words(3, 0) == "3 new videos"
    assert tasks._found_words(1, 0) == "1 new video"
    assert tasks._found_words(0, 0) == "Nothing new"
    assert tasks._found_words(0, 2) == "Over your quota: 2 videos wait"
    assert tasks._found_words(2, 1) == "2 new videos; over your quota: 1 video waits"
