"""The libraries of the loopback Plex Media Server: items made on demand, rendered fast.

Every item is a pure function of (library number, index): the same library of the same size always
holds the same titles, years, people and rating keys. Nothing is stored per item except what a test
changed (an added, removed or renamed item), so a library of 100,000 items costs nothing until a
page of it is asked for.

Rating keys are plain integers below 2**31, laid out per library (library number ``L``):
``L*10**8 + index`` for top-level items (movies, shows, artists), ``L*10**8 + 999_900 + n`` for
collections, and ``L*10**8 + 10**6 + index*99 + slot`` for seasons/albums (slot ``(s-1)*(E+1)``)
and their episodes/tracks (slot ``(s-1)*(E+1) + e``).
"""

import hashlib
import json
import re
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass, field

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
ELEMENT = {
    "movie": "Video",
    "episode": "Video",
    "show": "Directory",
    "season": "Directory",
    "artist": "Directory",
    "album": "Directory",
    "collection": "Directory",
    "track": "Track",
}

ADJECTIVES = (
    "Silent Broken Golden Last Hidden Crimson Endless Little Wild Secret Frozen Distant Electric "
    "Forgotten Burning Quiet Lonely Savage Midnight Brave Velvet Hollow Iron Paper Glass Northern "
    "Bitter Gentle Restless Lucky"
).split()
NOUNS = (
    "River Empire Garden Station Kingdom Summer Harbor Road Mirror Storm Letter Island Machine "
    "Shadow Winter Dream Promise Horizon Orchard Signal Lighthouse Circus Frontier Voyage Secret "
    "Witness Heart Stranger Valley Bridge Detective Ocean Forest Theory Crown Engine"
).split()
PLACES = (
    "Paris|Tokyo|the North|Brooklyn|Mars|Lisbon|the Desert|Kraków|São Paulo|Reykjavík|the Moon|"
    "Marseille|Zürich|the Sea|Saint-Étienne|Córdoba"
).split("|")
NAMES = (
    "Amélie|Léon|Zoë|Renée|Chloé|Mañana|Señor Blue|Inès|Björn|Noémie|José|Søren|Hélène|Françoise|"
    "Götz|Anaïs"
).split("|")
ORIGINALS = (
    "Le Fabuleux Destin|Das Leben der Anderen|La Vita è Bella|El Laberinto|千と千尋|"
    "Les Intouchables|"
    "Der Himmel über Berlin|La Haine|Y Tu Mamá También|Ladri di Biciclette|Cidade de Deus|"
    "Låt den rätte komma in|Amores Perros|Det Sjunde Inseglet|Sin Nombre|La Jetée"
).split("|")
FIRST_NAMES = (
    "Anna|José|Zoë|Marcus|Ingrid|Kenji|Amara|Luca|Sofía|Omar|Hélène|Dmitri|Priya|Tomás|Freya|"
    "Malik|Chloé|Björn|Yuki|Nadia|Søren|Isabel|Kwame|Léa"
).split("|")
LAST_NAMES = (
    "Novak|García|Okafor|Lindqvist|Tanaka|Moreau|Rossi|Müller|Kowalski|Haddad|O'Brien|Nguyen|"
    "Fernández|Dubois|Sato|Andersen|Silva|Brennan|Petrov|Achebe|Núñez|Kim|Fischer|Larsen"
).split("|")
GENRES = (
    "Action|Adventure|Animation|Comedy|Crime|Documentary|Drama|Family|Fantasy|History|Horror|"
    "Music|Mystery|Romance|Science Fiction|Thriller|War|Western"
).split("|")
MUSIC_GENRES = "Rock|Pop|Jazz|Electronic|Folk|Hip-Hop|Classical|Indie|Soul|Metal".split("|")
STUDIOS = (
    "Northlight Pictures|Harbor Films|Studio Céleste|Red Lantern|Blue Fjord Media|Paper Moon|"
    "Ironwood Entertainment|Kōbō Animation|Sunset Avenue|Atlas & Finch"
).split("|")
NETWORKS = "Channel 9|Northlight TV|Streamline|Canal Étoile|BBC Two|Orbit".split("|")
COUNTRIES = (
    "United States of America|United Kingdom|France|Germany|Japan|Spain|Italy|Brazil|Sweden|"
    "South Korea|Canada|Mexico"
).split("|")
MOVIE_RATINGS = ("G", "PG", "PG-13", "R", "NR", "PG-13", "R")
SHOW_RATINGS = ("TV-Y", "TV-G", "TV-PG", "TV-14", "TV-MA", "TV-14")
SUBJECTS = (
    "A retired detective|An estranged sister|A young cartographer|An exiled prince|"
    "A small-town baker|A brilliant but reckless pilot|The crew of a cargo ship|A grieving widower|"
    "A teenage inventor|An aging jazz musician|A stubborn lighthouse keeper|A band of old friends"
).split("|")
ACTIONS = (
    "returns home to|sets out across|stumbles upon a secret in|tries to save|is drawn back into|"
    "must outwit a rival in|falls for a stranger in|uncovers a conspiracy in|"
    "races against time to reach"
).split("|")
TWISTS = (
    "Nothing is quite what it seems.|Old debts come due.|The past refuses to stay buried.|"
    "Every choice has a price.|Friendship is tested to the limit.|A storm is coming.|"
    "Some doors should stay closed."
).split("|")
TAGLINES = (
    "Some journeys never end.|Everyone has a secret.|The truth is out there somewhere.|"
    "One night changes everything.|Home is where the heart breaks.|Run.|"
    "Based on a true story. Mostly.|The adventure of a lifetime."
).split("|")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
RESOLUTIONS = ("4k", "4k", "1080", "1080", "1080", "1080", "1080", "720", "720", "sd")
VIDEO = {
    "4k": (3840, 2160, "hevc", "main 10", 24000),
    "1080": (1920, 1080, "h264", "high", 11000),
    "720": (1280, 720, "h264", "high", 4500),
    "sd": (720, 480, "mpeg4", "advanced simple", 1700),
}
COLLECTION_NAMES = {
    "movie": ("Sunday Classics", "Film Club", "Holiday Favourites", "Sci-Fi Essentials"),
    "show": ("Comfort Shows", "Miniseries", "Award Winners"),
    "artist": ("Road Trip", "Focus"),
}


def _plural(noun: str) -> str:
    if noun.endswith("s"):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def _digest(number: int, index: int, salt: int = 0) -> bytes:
    return hashlib.blake2b(b"%d:%d:%d" % (number, index, salt), digest_size=32).digest()


def _pick(options, byte: int):
    return options[byte % len(options)]


def _name(b0: int, b1: int) -> str:
    return f"{_pick(FIRST_NAMES, b0)} {_pick(LAST_NAMES, b1)}"


def make_title(kind: str, b: bytes) -> tuple[str, str | None]:
    """Return a varied title (and sometimes an original title) for a top-level item."""
    adj, noun, noun2 = _pick(ADJECTIVES, b[1]), _pick(NOUNS, b[2]), _pick(NOUNS, b[3])
    if kind == "artist":
        pattern = b[0] % 6
        if pattern == 0:
            title = f"The {adj} {_plural(noun)}"
        elif pattern == 1:
            title = _name(b[1], b[2])
        elif pattern == 2:
            title = f"{_pick(NAMES, b[3])} & the {_plural(noun)}"
        elif pattern == 3:
            title = f"{adj} {noun}"
        elif pattern == 4:
            title = f"{noun} {noun2}"
        else:
            title = f"Les {_plural(noun)} de {_pick(PLACES, b[4])}"
        return title, None
    pattern = b[0] % 9
    if pattern == 0:
        title = f"The {adj} {noun}"
    elif pattern == 1:
        title = f"{noun} of {_pick(PLACES, b[4])}"
    elif pattern == 2:
        title = f"{adj} {noun}"
    elif pattern == 3:
        title = f"A {noun} in {_pick(PLACES, b[4])}"
    elif pattern == 4:
        title = _pick(NAMES, b[4])
    elif pattern == 5:
        title = f"{2 + b[4] % 98} {_plural(noun)}"
    elif pattern == 6:
        title = f"The Last {noun}"
    elif pattern == 7:
        title = f"{_pick(NAMES, b[4])} and the {noun}"
    else:
        title = f"An {adj} {noun2}" if adj[0] in "AEIOU" else f"{noun} & {noun2}"
    if b[5] % 12 == 0:
        title += " 2"
    elif b[5] % 12 == 1:
        title += ": Part II"
    original = _pick(ORIGINALS, b[6]) if b[7] % 8 == 0 else None
    return title, original


def slug(title: str) -> str:
    """Return Plex's slug of a title: ASCII, lower case, words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_title.lower()).strip("-")


def title_sort(title: str) -> str:
    """Return Plex's sort title: the title without a leading English article."""
    for article in ("The ", "A ", "An "):
        if title.startswith(article):
            return title[len(article) :]
    return title


@dataclass
class Library:
    """One library section and the changes made to it since it was generated."""

    key: str
    title: str
    type: str
    count: int
    seasons: int = 2
    episodes: int = 5
    uuid: str = ""
    created_at: int = 1_429_510_140
    scanned_at: int = 0
    updated_at: int = 0
    location_id: int = 1
    location: str = ""
    hidden: int = 0
    total: int = 0
    removed: set[int] = field(default_factory=set, repr=False)
    added_at: dict[int, int] = field(default_factory=dict, repr=False)
    renamed: dict[int, tuple[str, int]] = field(default_factory=dict, repr=False)
    # Collections made through the API: (title, member indexes in order, createdAt).
    custom: list[tuple[str, dict, int]] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _order: list[int] | None = field(default=None, repr=False, compare=False)
    _sort_keys: dict[int, str] = field(default_factory=dict, repr=False, compare=False)
    _added_keys: dict[int, int] = field(default_factory=dict, repr=False, compare=False)
    _recent: list[int] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.type not in LEVELS:
            raise ValueError(f"unsupported library type {self.type!r}")
        if self.type != "movie" and self.seasons * (self.episodes + 1) > CHILD_SLOTS:
            raise ValueError("seasons * (episodes + 1) must stay below 100")
        self.number = int(self.key)
        if not 1 <= self.number <= 20:
            raise ValueError("library keys run from 1 to 20")
        self.uuid = self.uuid or str(uuid.uuid5(uuid.NAMESPACE_URL, f"medianest:{self.key}"))
        self.location = self.location or f"{SECTION_FACTS[self.type][2]}"
        self.total = max(self.total, self.count)
        self.scanned_at = self.scanned_at or ADDED_TO
        self.updated_at = self.updated_at or ADDED_TO

    # -- identity of items --------------------------------------------------------------------

    def rating_key(self, index: int, season: int = 0, episode: int = 0) -> str:
        """Return the rating key of a top-level item, or of one of its seasons/episodes."""
        base = self.number * RK_LIBRARY
        if not season:
            return str(base + index)
        slot = (season - 1) * (self.episodes + 1) + episode
        return str(base + RK_CHILDREN + index * CHILD_SLOTS + slot)

    def collection_key(self, number: int) -> str:
        return str(self.number * RK_LIBRARY + RK_COLLECTIONS + number)

    def locate(self, rating_key) -> tuple[str, int, int, int] | None:
        """Return ("item", index, season, episode) or ("collection", n, 0, 0), or None."""
        try:
            rk = int(rating_key)
        except (TypeError, ValueError):
            return None
        if rk // RK_LIBRARY != self.number:
            return None
        rest = rk % RK_LIBRARY
        if rest < RK_COLLECTIONS:
            return ("item", rest, 0, 0) if self.exists(rest) else None
        if rest < RK_CHILDREN:
            number = rest - RK_COLLECTIONS
            return ("collection", number, 0, 0) if number < len(self.collection_names) else None
        if self.type == "movie":
            return None
        index, slot = divmod(rest - RK_CHILDREN, CHILD_SLOTS)
        season, episode = divmod(slot, self.episodes + 1)
        if season >= self.seasons or not self.exists(index):
            return None
        return ("item", index, season + 1, episode)

    def exists(self, index: int) -> bool:
        return 0 <= index < self.total and index not in self.removed

    # -- facts ----------------------------------------------------------------------------------

    def title_of(self, index: int) -> str:
        if index in self.renamed:
            return self.renamed[index][0]
        return make_title(self.type, _digest(self.number, index))[0]

    def sort_title_of(self, index: int) -> str:
        return title_sort(self.title_of(index))

    def added_at_of(self, index: int, b: bytes | None = None) -> int:
        if index in self.added_at:
            return self.added_at[index]
        b = b or _digest(self.number, index)
        return ADDED_FROM + int.from_bytes(b[10:14], "big") % (ADDED_TO - ADDED_FROM)

    def updated_at_of(self, index: int, b: bytes | None = None) -> int:
        if index in self.renamed:
            return self.renamed[index][1]
        b = b or _digest(self.number, index)
        added = self.added_at_of(index, b)
        return max(added, min(ADDED_TO, added + int.from_bytes(b[14:16], "big") * 600))

    @property
    def collection_names(self) -> tuple[str, ...]:
        return COLLECTION_NAMES[self.type] + tuple(title for title, _keys, _at in self.custom)

    def collections_of(self, index: int) -> list[int]:
        number = index % COLLECTION_EVERY
        found = [number] if number < len(COLLECTION_NAMES[self.type]) else []
        if self.custom:
            first = len(COLLECTION_NAMES[self.type])
            found += [first + n for n, (_t, keys, _a) in enumerate(self.custom) if index in keys]
        return found

    def collection_members(self, number: int) -> list[int]:
        first = len(COLLECTION_NAMES[self.type])
        if number >= first:
            return [i for i in self.custom[number - first][1] if self.exists(i)]
        return [i for i in self.order() if i % COLLECTION_EVERY == number]

    def add_collection(self, title: str, indexes=()) -> int:
        """Make a collection of the given top-level items; return its number."""
        if len(self.collection_names) >= RK_CHILDREN - RK_COLLECTIONS:
            raise ValueError("too many collections")
        self.custom.append((title, dict.fromkeys(indexes), int(time.time())))
        return len(self.collection_names) - 1

    def add_to_collection(self, number: int, indexes) -> None:
        """Put more top-level items in a collection made with ``add_collection``."""
        first = len(COLLECTION_NAMES[self.type])
        if number < first:
            raise ValueError("generated collections cannot change")
        self.custom[number - first][1].update(dict.fromkeys(indexes))

    # -- listings -------------------------------------------------------------------------------

    def _fill_keys(self) -> None:
        """Work out the sort title and addedAt of items not yet seen, one digest each."""
        keys, added = self._sort_keys, self._added_keys
        for index in range(self.total):
            if index not in keys:
                b = _digest(self.number, index)
                if index in self.renamed:
                    title = self.renamed[index][0]
                else:
                    title = make_title(self.type, b)[0]
                keys[index] = title_sort(title).casefold()
                added[index] = self.added_at_of(index, b)

    def _live(self) -> list[int]:
        removed = self.removed
        if not removed:
            return list(range(self.total))
        return [i for i in range(self.total) if i not in removed]

    def order(self) -> list[int]:
        """Return the live top-level indexes in Plex's default order (titleSort)."""
        with self._lock:
            if self._order is None:
                self._fill_keys()
                live = self._live()
                # Stable: equal titles stay in index order.
                live.sort(key=self._sort_keys.__getitem__)
                self._order = live
            return self._order

    def recent(self) -> list[int]:
        """Return the live top-level indexes, newest addition first."""
        with self._lock:
            if self._recent is None:
                self._fill_keys()
                live = self._live()
                live.reverse()
                # Stable on the reversed list: equal instants keep the newest index first.
                live.sort(key=self._added_keys.__getitem__, reverse=True)
                self._recent = live
            return self._recent

    def changed(self, renamed: int | None = None) -> None:
        with self._lock:
            self._sort_keys.pop(renamed, None)
            self._added_keys.pop(renamed, None)
            self._order = None
            self._recent = None
        self.updated_at = max(int(time.time()), self.updated_at)

    def __len__(self) -> int:
        return self.total - len(self.removed)

    def rating_keys(self) -> list[str]:
        """Return the rating keys of the top-level items in default order."""
        return [self.rating_key(i) for i in self.order()]

    def items(self) -> list[dict]:
        """Return the top-level items as their JSON attributes, in default order."""
        return [self.node(i)[1] for i in self.order()]

    def item(self, rating_key) -> dict | None:
        """Return one item (any level) as its JSON attributes, or None."""
        found = self.locate(rating_key)
        if found is None or found[0] != "item":
            return None
        return self.node(found[1], found[2], found[3])[1]

    # -- nodes ----------------------------------------------------------------------------------

    def node(self, index: int, season: int = 0, episode: int = 0, *, detail=False, guids=False):
        """Return the (element, attributes, children) of an item, as Plex lists it."""
        if not season:
            return self._top(index, detail, guids)
        if not episode:
            return self._season(index, season, detail, guids)
        return self._leaf(index, season, episode, detail, guids)

    def _section_attrs(self, attrs: dict, detail: bool) -> None:
        if detail:
            attrs["librarySectionTitle"] = self.title
            attrs["librarySectionID"] = self.number
            attrs["librarySectionKey"] = f"/library/sections/{self.key}"

    def _tags(self, tag: str, names, detail: bool, filter_name: str) -> list:
        children = []
        for name in names:
            if detail:
                tag_id = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=3).digest())
                attrs = {"id": tag_id, "filter": f"{filter_name}={tag_id}", "tag": name}
            else:
                attrs = {"tag": name}
            children.append((tag, attrs, ()))
        return children

    def _guids(self, kind: str, index: int, season: int = 0, episode: int = 0) -> list:
        serial = self.number * 1_000_000 + index
        if season:
            serial = int(self.rating_key(index, season, episode))
        if kind in ("artist", "album", "track"):
            mbid = uuid.uuid5(uuid.NAMESPACE_OID, f"{self.number}:{index}:{season}:{episode}")
            return [("Guid", {"id": f"mbid://{mbid}"}, ())]
        return [
            ("Guid", {"id": f"imdb://tt{serial:07d}"}, ()),
            ("Guid", {"id": f"tmdb://{serial + 11}"}, ()),
            ("Guid", {"id": f"tvdb://{serial + 70_000}"}, ()),
        ]

    @staticmethod
    def _images(title: str, thumb: str, art: str) -> list:
        return [
            ("Image", {"alt": title, "type": "coverPoster", "url": thumb}, ()),
            ("Image", {"alt": title, "type": "background", "url": art}, ()),
        ]

    @staticmethod
    def _blur(b: bytes) -> tuple:
        return (
            "UltraBlurColors",
            {
                "topLeft": b[24:27].hex(),
                "topRight": b[25:28].hex(),
                "bottomRight": b[26:29].hex(),
                "bottomLeft": b[27:30].hex(),
            },
            (),
        )

    def _media(self, rk: int, b: bytes, duration: int, path: str, video: bool) -> tuple:
        media_id = rk % RK_LIBRARY + self.number * 3_000_000
        if not video:
            part = {
                "id": media_id,
                "key": f"/library/parts/{media_id}/{ADDED_FROM + b[8] * 9973}/file.flac",
                "duration": duration,
                "file": path + ".flac",
                "size": duration * 110,
                "container": "flac",
            }
            attrs = {
                "id": media_id,
                "duration": duration,
                "bitrate": 880,
                "audioChannels": 2,
                "audioCodec": "flac",
                "container": "flac",
            }
            return ("Media", attrs, [("Part", part, ())])
        resolution = _pick(RESOLUTIONS, b[23])
        width, height, codec, profile, bitrate = VIDEO[resolution]
        bitrate += b[22] * 7
        container = "avi" if resolution == "sd" else "mkv"
        part = {
            "id": media_id,
            "key": f"/library/parts/{media_id}/{ADDED_FROM + b[8] * 9973}/file.{container}",
            "duration": duration,
            "file": f"{path}.{container}",
            "size": duration * bitrate // 8,
            "container": container,
            "indexes": "sd",
            "videoProfile": profile,
        }
        attrs = {
            "id": media_id,
            "duration": duration,
            "bitrate": bitrate,
            "width": width,
            "height": height,
            "aspectRatio": 1.78,
            "audioChannels": 6 if b[21] % 2 else 2,
            "audioCodec": "eac3" if b[21] % 3 else "ac3",
            "videoCodec": codec,
            "videoResolution": resolution,
            "container": container,
            "videoFrameRate": "24p",
            "videoProfile": profile,
            "hasVoiceActivity": False,
        }
        return ("Media", attrs, [("Part", part, ())])

    def _top(self, index: int, detail: bool, guids: bool):
        kind = self.type
        b = _digest(self.number, index)
        rk = self.number * RK_LIBRARY + index
        title, original = make_title(kind, b)
        if index in self.renamed:
            title = self.renamed[index][0]
        year = 1950 + int.from_bytes(b[8:10], "big") % 75
        if kind == "artist":
            year = None
        added = self.added_at_of(index, b)
        updated = self.updated_at_of(index, b)
        thumb = f"/library/metadata/{rk}/thumb/{updated}"
        art = f"/library/metadata/{rk}/art/{updated}"
        attrs = {"ratingKey": str(rk)}
        attrs["key"] = f"/library/metadata/{rk}" + ("" if kind == "movie" else "/children")
        attrs["guid"] = f"plex://{kind}/{b[:12].hex()}"
        attrs["slug"] = slug(title)
        if kind != "artist":
            attrs["studio"] = _pick(STUDIOS if kind == "movie" else NETWORKS, b[20])
        attrs["type"] = kind
        attrs["title"] = title
        self._section_attrs(attrs, detail)
        sort = title_sort(title)
        if sort != title:
            attrs["titleSort"] = sort
        if original:
            attrs["originalTitle"] = original
        if kind != "artist":
            ratings = MOVIE_RATINGS if kind == "movie" else SHOW_RATINGS
            attrs["contentRating"] = _pick(ratings, b[17])
        attrs["summary"] = self._summary(b)
        if kind == "show":
            attrs["index"] = 1
        if kind != "artist":
            attrs["rating"] = round(1 + (b[18] % 90) / 10, 1)
            attrs["audienceRating"] = round(1 + (b[19] % 90) / 10, 1)
            attrs["year"] = year
            attrs["tagline"] = _pick(TAGLINES, b[13] + b[14])
        attrs["thumb"] = thumb
        attrs["art"] = art
        if kind == "movie":
            duration = (4800 + int.from_bytes(b[16:18], "big") % 6000) * 1000 + b[17]
            attrs["duration"] = duration
        elif kind == "show":
            attrs["duration"] = (20 + b[16] % 40) * 60_000
        if year:
            month, day = 1 + b[9] % 12, 1 + b[10] % 28
            attrs["originallyAvailableAt"] = f"{year}-{month:02d}-{day:02d}"
        if kind != "movie":
            leaves = self.seasons * self.episodes
            attrs["leafCount"] = leaves
            attrs["viewedLeafCount"] = b[11] % (leaves + 1)
            attrs["childCount"] = self.seasons
        attrs["addedAt"] = added
        attrs["updatedAt"] = updated
        if kind == "movie":
            attrs["audienceRatingImage"] = "rottentomatoes://image.rating.upright"
            ripe = attrs["rating"] >= 6
            attrs["ratingImage"] = f"rottentomatoes://image.rating.{'ripe' if ripe else 'rotten'}"
        elif kind == "show":
            attrs["audienceRatingImage"] = "themoviedb://image.rating"
        children = []
        if kind == "movie":
            path = f"{self.location}/{title} ({year})/{title} ({year})"
            children.append(self._media(rk, b, attrs["duration"], path, True))
        children.extend(self._images(title, thumb, art))
        children.append(self._blur(b))
        genres = MUSIC_GENRES if kind == "artist" else GENRES
        names = sorted({_pick(genres, b[21]), _pick(genres, b[22] // 3)})
        children.extend(self._tags("Genre", names, detail, "genre"))
        if kind != "artist":
            children.extend(self._tags("Country", [_pick(COUNTRIES, b[12])], detail, "country"))
        if guids or detail:
            children.extend(self._guids(kind, index))
        if kind == "movie":
            children.extend(self._tags("Director", [_name(b[13], b[14])], detail, "director"))
            writers = [_name(b[15], b[16])] + ([_name(b[14], b[13])] if b[15] % 3 == 0 else [])
            children.extend(self._tags("Writer", writers, detail, "writer"))
        if kind != "artist":
            children.extend(self._roles(b, detail))
        collections = [self.collection_names[n] for n in self.collections_of(index)]
        children.extend(self._tags("Collection", collections, detail, "collection"))
        if detail and kind != "movie":
            children.append(("Location", {"path": f"{self.location}/{title}"}, ()))
        return ELEMENT[kind], attrs, children

    def _roles(self, b: bytes, detail: bool) -> list:
        count = 6 if detail else 3
        roles = []
        for n in range(count):
            name = _name(b[n * 2], b[n * 2 + 1] + n)
            if detail:
                tag_id = 100_000 + b[n * 2] * 256 + b[n * 2 + 1]
                attrs = {
                    "id": tag_id,
                    "filter": f"actor={tag_id}",
                    "tag": name,
                    "role": _pick(FIRST_NAMES, b[n + 20]),
                }
            else:
                attrs = {"tag": name}
            roles.append(("Role", attrs, ()))
        return roles

    @staticmethod
    def _summary(b: bytes) -> str:
        place = _pick(PLACES, b[4] + b[5])
        return (
            f"{_pick(SUBJECTS, b[2] + b[3])} {_pick(ACTIONS, b[6] + b[7])} {place}. "
            f"{_pick(TWISTS, b[8] + b[9])}"
        )

    def _parent_facts(self, index: int) -> tuple[str, str, int, int]:
        """Return the title, guid, addedAt and updatedAt of a top-level item."""
        b = _digest(self.number, index)
        title = self.renamed[index][0] if index in self.renamed else make_title(self.type, b)[0]
        guid = f"plex://{self.type}/{b[:12].hex()}"
        return title, guid, self.added_at_of(index, b), self.updated_at_of(index, b)

    def _season(self, index: int, season: int, detail: bool, guids: bool):
        child = LEVELS[self.type][1]
        b = _digest(self.number, index, season)
        parent_rk = self.rating_key(index)
        rk = self.rating_key(index, season)
        parent_title, parent_guid, added, parent_updated = self._parent_facts(index)
        updated = parent_updated
        if child == "season":
            title = f"Season {season}"
        else:
            title, _ = make_title("movie", b)
        attrs = {
            "ratingKey": rk,
            "key": f"/library/metadata/{rk}/children",
            "parentRatingKey": parent_rk,
            "guid": f"plex://{child}/{b[:12].hex()}",
            "parentGuid": parent_guid,
            "type": child,
            "title": title,
            "parentKey": f"/library/metadata/{parent_rk}",
            "parentTitle": parent_title,
        }
        self._section_attrs(attrs, detail)
        attrs["summary"] = "" if child == "season" else self._summary(b)
        attrs["index"] = season
        attrs["parentIndex"] = 1
        attrs["thumb"] = f"/library/metadata/{rk}/thumb/{updated}"
        attrs["art"] = f"/library/metadata/{parent_rk}/art/{parent_updated}"
        attrs["parentThumb"] = f"/library/metadata/{parent_rk}/thumb/{parent_updated}"
        if child == "album":
            attrs["year"] = 1960 + b[8] % 65
        attrs["leafCount"] = self.episodes
        attrs["viewedLeafCount"] = b[9] % (self.episodes + 1)
        attrs["addedAt"] = added
        attrs["updatedAt"] = updated
        children = [self._blur(b)]
        if guids or detail:
            children.extend(self._guids(child, index, season))
        return "Directory", attrs, children

    def _leaf(self, index: int, season: int, episode: int, detail: bool, guids: bool):
        kind = LEVELS[self.type][2]
        b = _digest(self.number, index, season * 100 + episode)
        show_rk = self.rating_key(index)
        season_rk = self.rating_key(index, season)
        rk = self.rating_key(index, season, episode)
        show_title, show_guid, added, show_updated = self._parent_facts(index)
        updated = show_updated
        sb = _digest(self.number, index, season)
        if kind == "episode":
            parent_title = f"Season {season}"
            title = f"Episode {episode}" if b[0] % 4 == 0 else make_title("movie", b)[0]
            duration = (20 + b[16] % 40) * 60_000 + b[17] * 1000
        else:
            parent_title = make_title("movie", sb)[0]
            title = f"{_pick(ADJECTIVES, b[1])} {_pick(NOUNS, b[2])}"
            duration = (150 + b[16] % 240) * 1000
        attrs = {
            "ratingKey": rk,
            "key": f"/library/metadata/{rk}",
            "parentRatingKey": season_rk,
            "grandparentRatingKey": show_rk,
            "guid": f"plex://{kind}/{b[:12].hex()}",
            "parentGuid": f"plex://{LEVELS[self.type][1]}/{sb[:12].hex()}",
            "grandparentGuid": show_guid,
            "type": kind,
            "title": title,
            "grandparentKey": f"/library/metadata/{show_rk}",
            "parentKey": f"/library/metadata/{season_rk}",
            "grandparentTitle": show_title,
            "parentTitle": parent_title,
        }
        self._section_attrs(attrs, detail)
        if kind == "episode":
            attrs["contentRating"] = _pick(SHOW_RATINGS, _digest(self.number, index)[17])
            attrs["summary"] = self._summary(b)
        attrs["index"] = episode
        attrs["parentIndex"] = season
        if kind == "episode":
            attrs["audienceRating"] = round(1 + (b[19] % 90) / 10, 1)
            year = 1990 + b[8] % 35
            attrs["year"] = year
        attrs["thumb"] = f"/library/metadata/{rk}/thumb/{updated}"
        attrs["art"] = f"/library/metadata/{show_rk}/art/{show_updated}"
        attrs["parentThumb"] = f"/library/metadata/{season_rk}/thumb/{updated}"
        attrs["grandparentThumb"] = f"/library/metadata/{show_rk}/thumb/{show_updated}"
        attrs["grandparentArt"] = f"/library/metadata/{show_rk}/art/{show_updated}"
        attrs["duration"] = duration
        if kind == "episode":
            attrs["originallyAvailableAt"] = f"{year}-{1 + b[9] % 12:02d}-{1 + b[10] % 28:02d}"
        attrs["addedAt"] = added
        attrs["updatedAt"] = updated
        path = f"{self.location}/{show_title}/{parent_title}/{episode:02d} - {title}"
        if kind == "episode":
            path = f"{self.location}/{show_title}/Season {season:02d}/S{season:02d}E{episode:02d}"
        children = [self._media(int(rk), b, duration, path, kind == "episode")]
        if kind == "episode":
            children.extend(self._images(title, attrs["thumb"], attrs["art"]))
            children.append(self._blur(b))
        if guids or detail:
            children.extend(self._guids(kind, index, season, episode))
        if kind == "episode":
            children.extend(self._tags("Director", [_name(b[13], b[14])], detail, "director"))
            children.extend(self._tags("Writer", [_name(b[15], b[16])], detail, "writer"))
        return ELEMENT[kind], attrs, children

    def leaves(self) -> list[tuple[int, int, int]]:
        """Return every (index, season, episode) below the shows/artists, in show order."""
        return [
            (index, season, episode)
            for index in self.order()
            for season in range(1, self.seasons + 1)
            for episode in range(1, self.episodes + 1)
        ]

    def collection_node(self, number: int):
        """Return the Directory of one collection with its member count and years."""
        rk = self.collection_key(number)
        members = self.collection_members(number)
        years = [1950 + int.from_bytes(_digest(self.number, i)[8:10], "big") % 75 for i in members]
        generated = len(COLLECTION_NAMES[self.type])
        if number < generated:
            created = ADDED_FROM + number * 86_400 * 97
        else:
            created = self.custom[number - generated][2]
        attrs = {
            "ratingKey": rk,
            "key": f"/library/collections/{rk}/children",
            "guid": f"collection://{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.uuid}:{number}')}",
            "type": "collection",
            "title": self.collection_names[number],
            "subtype": self.type,
            "summary": "",
            "index": 70_000 + number,
            "thumb": f"/library/collections/{rk}/composite/{created}?width=400&height=600",
            "addedAt": created,
            "updatedAt": created,
            "childCount": len(members),
        }
        if years and self.type == "movie":
            attrs["maxYear"] = max(years)
            attrs["minYear"] = min(years)
        return "Directory", attrs, []


# -- rendering ----------------------------------------------------------------------------------

# Children that Plex's JSON renders as one object rather than an array.
JSON_OBJECTS = {"UltraBlurColors"}
_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;"}
)


_SPECIAL = re.compile(r'[&<>"\n\r]')


def xml_value(value) -> str:
    """Return an attribute value as Plex writes it in XML (booleans as 1/0), escaped."""
    if type(value) is str:
        return value.translate(_ESCAPES) if _SPECIAL.search(value) else value
    if type(value) is bool:
        return "1" if value else "0"
    return str(value)


# Rendered one-attribute leaves (<Genre tag="Drama" />): the same few hundred recur on every page.
_LEAVES: dict[tuple, str] = {}


def _xml(out: list, tag: str, attrs: dict, children) -> None:
    if not children and len(attrs) == 1:
        ((name, value),) = attrs.items()
        key = (tag, name, value)
        text = _LEAVES.get(key)
        if text is None:
            text = f'<{tag} {name}="{xml_value(value)}" />\n'
            if len(_LEAVES) < 100_000:
                _LEAVES[key] = text
        out.append(text)
        return
    parts = [f"<{tag}"]
    for name, value in attrs.items():
        kind = type(value)
        if kind is str:
            if _SPECIAL.search(value):
                value = value.translate(_ESCAPES)
        elif kind is bool:
            value = "1" if value else "0"
        elif value is None:
            continue
        parts.append(f' {name}="{value}"')
    if children:
        parts.append(">\n")
        out.append("".join(parts))
        for child in children:
            _xml(out, *child)
        out.append(f"</{tag}>\n")
    else:
        parts.append(" />\n")
        out.append("".join(parts))


def render_xml(attrs: dict, children) -> str:
    """Return a MediaContainer document; ``children`` are (tag, attrs, children) tuples."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _xml(out, "MediaContainer", attrs, list(children))
    return "".join(out)


def _json(attrs: dict, children, list_key: str | None) -> dict:
    # Nodes are made fresh for each answer, so their attribute dicts are reused, not copied.
    data = attrs
    if None in data.values():
        data = {name: value for name, value in attrs.items() if value is not None}
    for tag, child_attrs, grandchildren in children:
        value = _json(child_attrs, grandchildren, None) if grandchildren else child_attrs
        if tag in JSON_OBJECTS:
            data[tag] = value
        else:
            key = list_key or tag
            if key in data:
                data[key].append(value)
            else:
                data[key] = [value]
    return data


def render_json(attrs: dict, children, list_key: str | None = None, meta=None) -> str:
    """Return ``{"MediaContainer": ...}``; items go under ``list_key`` (e.g. "Metadata")."""
    if meta is not None:
        attrs = {**attrs, "Meta": _json(meta[1], meta[2], None)}
    return json.dumps({"MediaContainer": _json(attrs, children, list_key)}, ensure_ascii=False)
