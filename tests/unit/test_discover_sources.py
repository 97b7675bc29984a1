"""Reading TMDB's answers into titles: odd or hostile fields are dropped, never a crash."""

from app.discover import store
from app.discover.sources import title_from_details, title_from_result


def test_people_and_odd_ids_are_not_titles():
    assert title_from_result({"media_type": "person", "id": 5, "name": "Someone"}) is None
    for tmdb_id in ("12", 2**31, -1, None, True):
        assert title_from_result({"media_type": "movie", "id": tmdb_id, "title": "x"}) is None


def test_paths_dates_and_text_are_bounded():
    title = title_from_result(
        {
            "media_type": "movie",
            "id": 7,
            "title": "T" * 5000,
            "release_date": "２０２０-01-01",
            "poster_path": "https://evil.example/x.jpg",
            "backdrop_path": "/" + "b" * 200 + ".jpg",
            "overview": None,
        }
    )
    assert len(title.title) == 300 and title.year is None and title.overview == ""
    assert title.poster_path is None and title.backdrop_path is None


def test_details_skip_malformed_seasons_cast_and_genres():
    body = {
        "id": 9,
        "name": "Show",
        "first_air_date": "2001-02-03",
        "episode_run_time": ["x", 42],
        "genres": [{"name": "Drama"}, "Comedy"],
        "seasons": [{"season_number": "1"}, {"season_number": 2, "episode_count": "8"}, None],
        "credits": {"cast": [{"name": "A", "character": "B"}, {"character": "no name"}, 3]},
        "external_ids": {"tvdb_id": "123"},
    }
    title = title_from_details(body, "tv")
    assert (title.year, title.runtime) == (2001, 42)
    assert [s.number for s in title.seasons] == [2] and title.seasons[0].episodes == 0
    assert [c.name for c in title.cast] == ["A"] and title.genres == ("Drama",)
    assert title.tvdb_id is None


def test_a_title_survives_the_database_round_trip():
    body = {"id": 9, "title": "Film", "runtime": 101, "genres": [{"name": "War"}]}
    body["credits"] = {"cast": [{"name": "A", "character": "B", "profile_path": "/c.png"}]}
    title = title_from_details(body, "movie")
    assert store.from_data(store.to_data(title)) == title
