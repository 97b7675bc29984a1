"""How generated libraries are laid out: Plex's item types, rating keys and identifiers.

Rating keys are plain integers below 2**31, laid out per library (library number ``L``):
``L*10**8 + index`` for top-level items (movies, shows, artists), ``L*10**8 + 999_900 + n`` for
collections, and ``L*10**8 + 10**6 + index*99 + slot`` for seasons/albums (slot ``(s-1)*(E+1)``)
and their episodes/tracks (slot ``(s-1)*(E+1) + e``).
"""

RK_LIBRARY = 10**8
RK_COLLECTIONS = 999_900
RK_CHILDREN = 10**6
CHILD_SLOTS = 99
MAX_TOP_ITEMS = RK_COLLECTIONS
COLLECTION_EVERY = 23
# Items are added between these instants (2015-01-01 .. 2025-10-09), spread over the years.
ADDED_FROM = 1_420_070_400
ADDED_TO = 1_760_000_000
MEDIA_TAG_VERSION = 1726069332
LIBRARY_IDENTIFIER = "com.plexapp.plugins.library"
MEDIA_TAG_PREFIX = "/system/bundle/media/flags/"


def key_part(number: int, rating_key) -> int | None:
    """The part of a rating key below library ``number``'s base; None for another library's."""
    try:
        rk = int(rating_key)
    except (TypeError, ValueError):
        return None
    return rk % RK_LIBRARY if rk // RK_LIBRARY == number else None


# Plex's metadata type numbers, as the `type=` filter of /all takes them.
TYPE_NUMBERS = {
    "movie": 1,
    "show": 2,
    "season": 3,
    "episode": 4,
    "artist": 8,
    "album": 9,
    "track": 10,
}
# For each library type: its item types from the top down.
LEVELS = {
    "movie": ("movie",),
    "show": ("show", "season", "episode"),
    "artist": ("artist", "album", "track"),
}
SECTION_FACTS = {
    "movie": ("tv.plex.agents.movie", "Plex Movie", "/data/movies", "All Movies"),
    "show": ("tv.plex.agents.series", "Plex TV Series", "/data/tv", "All Shows"),
    "artist": ("tv.plex.agents.music", "Plex Music", "/data/music", "All Artists"),
}

COLLECTION_NAMES = {
    "movie": ("Sunday Classics", "Film Club", "Holiday Favourites", "Sci-Fi Essentials"),
    "show": ("Comfort Shows", "Miniseries", "Award Winners"),
    "artist": ("Road Trip", "Focus"),
}
