"""The simulated TMDB's detail answers: /movie/{id}, /tv/{id}, credits and seasons."""

from simulators.plex_words import NETWORKS, STUDIOS, pick
from simulators.tmdb_data import TODAY, Catalog

COMPANY_LOGO = None


def _companies(b: bytes, names) -> list[dict]:
    name = pick(names, b[20])
    return [{"id": 1000 + b[20], "logo_path": COMPANY_LOGO, "name": name, "origin_country": "US"}]


def _common(facts: dict) -> dict:
    return {
        "adult": False,
        "backdrop_path": facts["backdrop"],
        "genres": [{"id": genre_id, "name": name} for genre_id, name in facts["genres"]],
        "homepage": "",
        "id": facts["id"],
        "original_language": "en",
        "overview": facts["overview"],
        "popularity": facts["popularity"],
        "poster_path": facts["poster"],
        "production_countries": [{"iso_3166_1": "US", "name": "United States of America"}],
        "spoken_languages": [{"english_name": "English", "iso_639_1": "en", "name": "English"}],
        "vote_average": facts["vote_average"],
        "vote_count": facts["vote_count"],
    }


def credits_of(catalog: Catalog, facts: dict) -> dict:
    cast = catalog.cast(facts)
    crew = [
        {
            key: value
            for key, value in {**cast[0], "department": "Directing", "job": "Director"}.items()
            if key not in ("character", "order")
        }
    ]
    return {"id": facts["id"], "cast": cast, "crew": crew}


def _external_ids(facts: dict) -> dict:
    serial = facts["id"] - 11
    ids = {"id": facts["id"], "imdb_id": f"tt{serial:07d}", "wikidata_id": None}
    ids |= {"facebook_id": None, "instagram_id": None, "twitter_id": None}
    if facts["kind"] == "tv":
        ids |= {"freebase_mid": None, "freebase_id": None, "tvdb_id": serial + 70_000}
        ids["tvrage_id"] = None
    return ids


def movie_details(catalog: Catalog, facts: dict, appended: set[str]) -> dict:
    b = facts["b"]
    released = facts["date"] <= TODAY.isoformat()
    body = _common(facts) | {
        "belongs_to_collection": None,
        "budget": int.from_bytes(b[11:13], "big") * 1000,
        "imdb_id": f"tt{facts['id'] - 11:07d}",
        "original_title": facts["original"],
        "production_companies": _companies(b, STUDIOS),
        "release_date": facts["date"],
        "revenue": int.from_bytes(b[13:16], "big") * 10 if released else 0,
        "runtime": 80 + int.from_bytes(b[16:18], "big") % 100,
        "status": "Released" if released else "Post Production",
        "tagline": "",
        "title": facts["title"],
        "video": False,
    }
    _append(catalog, facts, appended, body)
    return body


def tv_details(catalog: Catalog, facts: dict, appended: set[str]) -> dict:
    b = facts["b"]
    seasons = catalog.seasons(facts)
    numbered = [s for s in seasons if s["season_number"] > 0]
    last = numbered[-1]
    runtime = 20 + b[16] % 40
    body = _common(facts) | {
        "created_by": [],
        "episode_run_time": [runtime],
        "first_air_date": facts["date"],
        "in_production": b[5] % 3 == 0,
        "languages": ["en"],
        "last_air_date": last["air_date"],
        "last_episode_to_air": {
            "id": facts["id"] * 1000 + last["season_number"],
            "name": f"Episode {last['episode_count']}",
            "overview": "",
            "vote_average": last["vote_average"],
            "vote_count": 10,
            "air_date": last["air_date"],
            "episode_number": last["episode_count"],
            "production_code": "",
            "runtime": runtime,
            "season_number": last["season_number"],
            "show_id": facts["id"],
            "still_path": None,
        },
        "name": facts["title"],
        "next_episode_to_air": None,
        "networks": _companies(b, NETWORKS),
        "number_of_episodes": sum(s["episode_count"] for s in numbered),
        "number_of_seasons": len(numbered),
        "origin_country": ["US"],
        "original_name": facts["original"],
        "production_companies": _companies(b, STUDIOS),
        "seasons": seasons,
        "status": "Returning Series" if b[5] % 3 == 0 else "Ended",
        "tagline": "",
        "type": "Scripted",
    }
    _append(catalog, facts, appended, body)
    return body


def _append(catalog: Catalog, facts: dict, appended: set[str], body: dict) -> None:
    if "credits" in appended:
        body["credits"] = credits_of(catalog, facts)
    if "external_ids" in appended:
        body["external_ids"] = _external_ids(facts)


def season_details(catalog: Catalog, facts: dict, number: int) -> dict | None:
    found = next((s for s in catalog.seasons(facts) if s["season_number"] == number), None)
    if found is None:
        return None
    episodes = [
        {
            "air_date": found["air_date"],
            "episode_number": n,
            "episode_type": "standard",
            "id": found["id"] * 100 + n,
            "name": f"Episode {n}",
            "overview": "",
            "production_code": "",
            "runtime": 20 + facts["b"][16] % 40,
            "season_number": number,
            "show_id": facts["id"],
            "still_path": None,
            "vote_average": 0,
            "vote_count": 0,
            "crew": [],
            "guest_stars": [],
        }
        for n in range(1, found["episode_count"] + 1)
    ]
    return {
        "_id": f"{found['id']:024x}",
        "air_date": found["air_date"],
        "episodes": episodes,
        "name": found["name"],
        "networks": _companies(facts["b"], NETWORKS),
        "overview": "",
        "id": found["id"],
        "poster_path": found["poster_path"],
        "season_number": number,
        "vote_average": found["vote_average"],
    }
