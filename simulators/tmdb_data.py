"""The simulated TMDB catalog: titles made from (library number, index), as the demo Plex does.

A movie or show of the demo Plex server carries ``tmdb://<number * 1_000_000 + index + 11>``; the
same number and index here give the same title and year, so Discover can say "On Plex" about it.
Each shelf reaches past what Plex holds (titles to request), and shows have more seasons than
Plex has of them.
"""

import hashlib
import math
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from simulators.plex_words import FIRST_NAMES, GENRES, digest, make_title, person, pick

PAGE_SIZE = 20
MAX_PAGES = 500  # TMDB answers no page past 500
TODAY = date(2026, 12, 1)  # a fixed day, so "upcoming" does not move under a test

MOVIE_GENRES = {
    "Action": 28, "Adventure": 12, "Animation": 16, "Comedy": 35, "Crime": 80,
    "Documentary": 99, "Drama": 18, "Family": 10751, "Fantasy": 14, "History": 36,
    "Horror": 27, "Music": 10402, "Mystery": 9648, "Romance": 10749, "Science Fiction": 878,
    "Thriller": 53, "War": 10752, "Western": 37,
}  # fmt: skip
# TMDB's TV genres merge some of the movie ones.
TV_GENRES = {
    "Action": ("Action & Adventure", 10759), "Adventure": ("Action & Adventure", 10759),
    "Science Fiction": ("Sci-Fi & Fantasy", 10765), "Fantasy": ("Sci-Fi & Fantasy", 10765),
    "War": ("War & Politics", 10768), "History": ("Drama", 18), "Horror": ("Mystery", 9648),
    "Thriller": ("Mystery", 9648), "Romance": ("Drama", 18), "Music": ("Documentary", 99),
}  # fmt: skip


@dataclass(frozen=True)
class Shelf:
    """A run of generated titles under one library number; Plex holds the first `on_plex`."""

    kind: str  # movie | tv
    number: int
    count: int
    on_plex: int
    plex_seasons: int = 0
    upcoming: int = 0  # the last `upcoming` movies are not out yet


DEMO_SHELVES = (
    Shelf("movie", 1, 600, on_plex=300, upcoming=40),
    Shelf("tv", 2, 120, on_plex=40, plex_seasons=3),
)


def image_name(kind: str, seed: str) -> str:
    """A TMDB-like image path: a letter for the kind of picture, then a token, then .png."""
    token = hashlib.blake2b(seed.encode(), digest_size=12).hexdigest()
    return f"/{kind}{token}.png"


def fold(text: str) -> str:
    """Lower case without accents, for matching what someone typed."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class Catalog:
    """Every title of the simulated TMDB, and its lists."""

    def __init__(self, shelves=DEMO_SHELVES):
        self.shelves = tuple(shelves)
        self._trending: dict = {}

    def shelf_of(self, kind: str, tmdb_id: int) -> tuple[Shelf, int] | None:
        number, index = divmod(tmdb_id - 11, 1_000_000)
        for shelf in self.shelves:
            if shelf.kind == kind and shelf.number == number and 0 <= index < shelf.count:
                return shelf, index
        return None

    def ids(self, kind: str) -> list[int]:
        return [
            shelf.number * 1_000_000 + index + 11
            for shelf in self.shelves
            if shelf.kind == kind
            for index in range(shelf.count)
        ]

    # -- one title ------------------------------------------------------------------------

    def facts(self, kind: str, tmdb_id: int) -> dict | None:
        """The facts of a title a list shows; None when there is no such title."""
        found = self.shelf_of(kind, tmdb_id)
        if found is None:
            return None
        shelf, index = found
        b = digest(shelf.number, index)
        title, original = make_title("movie" if kind == "movie" else "show", b)
        year = 1950 + int.from_bytes(b[8:10], "big") % 75
        released = date(year, 1 + b[9] % 12, 1 + b[10] % 28)
        if kind == "movie" and index >= shelf.count - shelf.upcoming:
            released = TODAY + timedelta(days=3 + (shelf.count - index) * 2)
        names = sorted({pick(GENRES, b[21]), pick(GENRES, b[22] // 3)})
        return {
            "id": tmdb_id,
            "kind": kind,
            "index": index,
            "shelf": shelf,
            "b": b,
            "title": title,
            "original": original or title,
            "date": released.isoformat(),
            "genres": genre_pairs(kind, names),
            "popularity": round(5 + int.from_bytes(b[24:26], "big") / 40, 3),
            "vote_average": round(1 + (b[18] % 90) / 10, 1),
            "vote_count": int.from_bytes(b[26:28], "big") % 20000,
            "poster": None if index % 17 == 5 else image_name("p", f"{kind}:{tmdb_id}"),
            "backdrop": None if index % 13 == 7 else image_name("b", f"{kind}:{tmdb_id}"),
            "overview": overview(b),
        }

    def seasons(self, facts: dict) -> list[dict]:
        """A show's seasons: Plex has the first few; TMDB knows one or two more, and specials."""
        shelf, index, b = facts["shelf"], facts["index"], facts["b"]
        count = max(shelf.plex_seasons, 1) + index % 3
        start = date.fromisoformat(facts["date"])
        numbers = ([0] if index % 4 == 0 else []) + list(range(1, count + 1))
        seasons = []
        for number in numbers:
            aired = start + timedelta(days=365 * max(number - 1, 0))
            seasons.append(
                {
                    "air_date": aired.isoformat(),
                    "episode_count": 8 if number <= shelf.plex_seasons else 6 + b[number] % 6,
                    "id": facts["id"] * 100 + number,
                    "name": "Specials" if number == 0 else f"Season {number}",
                    "overview": "",
                    "poster_path": image_name("p", f"season:{facts['id']}:{number}"),
                    "season_number": number,
                    "vote_average": round((b[number + 3] % 90) / 10, 1),
                }
            )
        return seasons

    def cast(self, facts: dict) -> list[dict]:
        b = facts["b"]
        people = []
        for n in range(8):
            name = person(b[n * 2], b[n * 2 + 1] + n)
            person_id = 100_000 + b[n * 2] * 256 + b[n * 2 + 1]
            people.append(
                {
                    "adult": False,
                    "gender": 1 + (b[n] % 2),
                    "id": person_id,
                    "known_for_department": "Acting",
                    "name": name,
                    "original_name": name,
                    "popularity": round(1 + b[n + 8] / 10, 3),
                    "profile_path": None if n == 5 else image_name("c", name),
                    **({"cast_id": n + 1} if facts["kind"] == "movie" else {}),
                    "character": pick(FIRST_NAMES, b[n + 20]),
                    "credit_id": hashlib.blake2b(
                        f"{facts['id']}:{n}".encode(), digest_size=12
                    ).hexdigest(),
                    "order": n,
                }
            )
        return people

    # -- lists ----------------------------------------------------------------------------

    @cached_property
    def popular(self) -> dict[str, list[int]]:
        def by_popularity(kind):
            return sorted(self.ids(kind), key=lambda i: -self.facts(kind, i)["popularity"])

        return {"movie": by_popularity("movie"), "tv": by_popularity("tv")}

    @cached_property
    def upcoming(self) -> list[int]:
        soon = [i for i in self.ids("movie") if self.facts("movie", i)["date"] > TODAY.isoformat()]
        return sorted(soon, key=lambda i: self.facts("movie", i)["date"])

    def trending(self, kind: str, window: str) -> list[tuple[str, int]]:
        if (kind, window) not in self._trending:
            self._trending[(kind, window)] = self._trend(kind, window)
        return self._trending[(kind, window)]

    def _trend(self, kind: str, window: str) -> list[tuple[str, int]]:
        kinds = ("movie", "tv") if kind == "all" else (kind,)
        keys = [(k, i) for k in kinds for i in self.ids(k)]

        def heat(key):
            return hashlib.blake2b(f"{window}:{key[0]}:{key[1]}".encode()).digest()

        return sorted(keys, key=heat)[:1000]

    @cached_property
    def _folded(self) -> list[tuple[str, str, int, float]]:
        rows = []
        for kind in ("movie", "tv"):
            for tmdb_id in self.ids(kind):
                facts = self.facts(kind, tmdb_id)
                rows.append((fold(facts["title"]), kind, tmdb_id, facts["popularity"]))
        return rows

    def search(self, query: str, kinds=("movie", "tv")) -> list[tuple[str, int]]:
        """Titles whose name holds every word typed, the most popular first."""
        words = fold(query).split()
        if not words:
            return []
        hits = [
            (popularity, kind, tmdb_id)
            for folded, kind, tmdb_id, popularity in self._folded
            if kind in kinds and all(word in folded for word in words)
        ]
        return [(kind, tmdb_id) for _p, kind, tmdb_id in sorted(hits, reverse=True)]


def genre_pairs(kind: str, names) -> list[tuple[int, str]]:
    pairs = []
    for name in names:
        if kind == "tv" and name in TV_GENRES:
            label, genre_id = TV_GENRES[name]
        else:
            label, genre_id = name, MOVIE_GENRES[name]
        if (genre_id, label) not in pairs:
            pairs.append((genre_id, label))
    return pairs


def overview(b: bytes) -> str:
    from simulators.plex_words import ACTIONS, PLACES, SUBJECTS, TWISTS

    return (
        f"{pick(SUBJECTS, b[2] + b[3])} {pick(ACTIONS, b[6] + b[7])} {pick(PLACES, b[4] + b[5])}. "
        f"{pick(TWISTS, b[8] + b[9])}"
    )


def page_of(items: list, page: int) -> tuple[list, int, int]:
    """One page of a list, with TMDB's total_pages (at most 500) and total_results."""
    total = len(items)
    pages = min(max(math.ceil(total / PAGE_SIZE), 1), MAX_PAGES)
    start = (page - 1) * PAGE_SIZE
    return items[start : start + PAGE_SIZE], pages, total
