"""Quiet hours and digest hours: periods over midnight, timezones and DST (pure logic)."""

from datetime import UTC, datetime

import pytest

from app.models import NotifyProfile
from app.notify.prefs import digest_due_at, quiet_until


def person(start=None, end=None, zone="UTC", hour=8):
    return NotifyProfile(quiet_start=start, quiet_end=end, timezone=zone, digest_hour=hour)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    "now, expected",
    [
        (utc(2024, 5, 1, 21, 59), None),
        (utc(2024, 5, 1, 22, 0), utc(2024, 5, 2, 7, 0)),
        (utc(2024, 5, 1, 23, 30), utc(2024, 5, 2, 7, 0)),
        (utc(2024, 5, 2, 3, 0), utc(2024, 5, 2, 7, 0)),
        (utc(2024, 5, 2, 7, 0), None),
        (utc(2024, 5, 2, 12, 0), None),
    ],
)
def test_a_period_over_midnight(now, expected):
    assert quiet_until(person("22:00", "07:00"), now) == expected


def test_a_period_within_one_day():
    afternoon = person("13:00", "15:30")
    assert quiet_until(afternoon, utc(2024, 5, 1, 14, 0)) == utc(2024, 5, 1, 15, 30)
    assert quiet_until(afternoon, utc(2024, 5, 1, 16, 0)) is None
    assert quiet_until(afternoon, utc(2024, 5, 1, 12, 59)) is None


def test_no_quiet_hours_or_half_of_them():
    assert quiet_until(person(), utc(2024, 5, 1, 3, 0)) is None
    assert quiet_until(person("22:00", None), utc(2024, 5, 1, 23, 0)) is None
    assert quiet_until(person("22:00", "22:00"), utc(2024, 5, 1, 22, 0)) is None
    assert quiet_until(person("nope", "07:00"), utc(2024, 5, 1, 23, 0)) is None


def test_quiet_hours_follow_the_persons_timezone():
    berlin = person("22:00", "07:00", "Europe/Berlin")  # UTC+2 in summer
    assert quiet_until(berlin, utc(2024, 7, 1, 20, 30)) == utc(2024, 7, 2, 5, 0)
    assert quiet_until(berlin, utc(2024, 7, 1, 19, 59)) is None
    assert quiet_until(berlin, utc(2024, 7, 2, 5, 0)) is None


def test_quiet_hours_over_the_dst_changes():
    # Europe/Berlin: 31 March 2024 the clocks go 02:00 -> 03:00; 27 October 03:00 -> 02:00.
    berlin = person("22:00", "07:00", "Europe/Berlin")
    # 22:00 CET is 21:00 UTC; 07:00 CEST is 05:00 UTC: that night is an hour shorter.
    assert quiet_until(berlin, utc(2024, 3, 30, 21, 0)) == utc(2024, 3, 31, 5, 0)
    # 22:00 CEST is 20:00 UTC; 07:00 CET is 06:00 UTC: that night is an hour longer.
    assert quiet_until(berlin, utc(2024, 10, 26, 20, 0)) == utc(2024, 10, 27, 6, 0)
    assert quiet_until(berlin, utc(2024, 10, 27, 5, 59)) == utc(2024, 10, 27, 6, 0)


def test_a_period_ending_in_the_skipped_hour_still_ends():
    night = person("01:00", "02:30", "Europe/Berlin")  # 02:30 does not exist on 31 March
    ends = quiet_until(night, utc(2024, 3, 31, 0, 30))  # 01:30 CET
    assert ends is not None and utc(2024, 3, 31, 0, 30) < ends <= utc(2024, 3, 31, 1, 30)


def test_an_unknown_timezone_reads_as_utc():
    assert quiet_until(person("22:00", "07:00", "Mars/Olympus"), utc(2024, 5, 1, 23, 0)) == utc(
        2024, 5, 2, 7, 0
    )


def test_digest_hour_later_today_or_tomorrow():
    morning = person(hour=8)
    assert digest_due_at(morning, utc(2024, 5, 1, 6, 0)) == utc(2024, 5, 1, 8, 0)
    assert digest_due_at(morning, utc(2024, 5, 1, 8, 0)) == utc(2024, 5, 1, 8, 0)
    assert digest_due_at(morning, utc(2024, 5, 1, 8, 1)) == utc(2024, 5, 2, 8, 0)


def test_digest_hour_in_the_persons_timezone_and_over_dst():
    tokyo = person(zone="Asia/Tokyo", hour=7)  # UTC+9, no DST
    assert digest_due_at(tokyo, utc(2024, 5, 1, 23, 0)) == utc(2024, 5, 2, 22, 0)
    assert digest_due_at(tokyo, utc(2024, 5, 1, 21, 0)) == utc(2024, 5, 1, 22, 0)
    new_york = person(zone="America/New_York", hour=9)  # 10 March 2024 clocks go forward
    assert digest_due_at(new_york, utc(2024, 3, 9, 15, 0)) == utc(2024, 3, 10, 13, 0)
    assert digest_due_at(new_york, utc(2024, 3, 9, 13, 0)) == utc(2024, 3, 9, 14, 0)


def test_naive_now_is_read_as_utc():
    assert digest_due_at(person(hour=8), datetime(2024, 5, 1, 6, 0)) == utc(2024, 5, 1, 8, 0)
