"""File names Plex's Personal Media Shows agent reads, safe on every filesystem."""

import pytest

from app.downloads.layout import episode_path, episode_title, safe_name
from app.downloads.selection import SelectionError, count, parse, positions


def test_names_lose_separators_controls_and_reserved_words():
    assert safe_name('a/b\\c:d*e?"f<g>h|i') == "a b c d e f g h i"
    assert safe_name("CON") == "_CON"
    assert safe_name("  ...  ") == "Untitled"
    assert safe_name("x" * 500) == "x" * 120
    assert safe_name("tab\tand\nnewline") == "tab and newline"


def test_titles_lose_patterns_read_as_episode_numbers():
    title = episode_title("Top 10 S01E02 recap, 1x03 and ep 4 of 2024-01-02")
    for pattern in ("S01E02", "1x03", "ep 4", "2024-01-02"):
        assert pattern not in title
    assert "Top 10" in title


def test_episode_path_follows_the_layout_and_keeps_an_existing_file(tmp_path):
    path = episode_path(tmp_path, "20261203", 1, "Hello / World", "abc_DEF-123", today="20261201")
    assert path == tmp_path / "Season 2026" / "s2026e120301 - Hello World [abc_DEF-123].mp4"
    path.parent.mkdir()
    path.write_bytes(b"x")
    assert episode_path(tmp_path, "20261203", 5, "Other", "abc_DEF-123", today="x") == path
    second = episode_path(tmp_path, "20261203", 1, "Next", "zzz", today="20261201")
    assert second.name.startswith("s2026e120302 - Next")


def test_a_video_without_a_date_takes_today():
    path = episode_path(__import__("pathlib").Path("/x"), None, 2, "T", "id", today="20261201")
    assert path.as_posix() == "/x/Season 2026/s2026e120102 - T [id].mp4"


def test_selections():
    assert parse(" ALL ") == "all"
    assert parse("1-3, 7 ,9-9") == "1-3, 7, 9"
    assert positions("1-3, 7, 9", 8) == [1, 2, 3, 7]
    assert count("all", 5000) == 5000
    assert count("all", None) is None
    for bad in ("0", "3-1", "1-99999", "a", "1;2", "1-2-3", "9" * 300):
        with pytest.raises(SelectionError):
            parse(bad)
