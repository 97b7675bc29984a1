"""The libraries of the loopback Plex Media Server: items made on demand, rendered fast.

Every item is a pure function of (library number, index): the same library of the same size always
holds the same titles, years, people and rating keys. Nothing is stored per item except what a test
changed (an added, removed or renamed item), so a library of 100,000 items costs nothing until a
page of it is asked for.

The rating-key layout is in ``simulators.plex_layout``, the words items are made of in
``simulators.plex_words``, their nodes in ``simulators.plex_items`` and the rendering in
``simulators.plex_render``.
"""

import threading
import time
import uuid
from dataclasses import dataclass, field

from simulators.plex_items import ItemNodes
from simulators.plex_layout import (
    ADDED_FROM,
    ADDED_TO,
    CHILD_SLOTS,
    COLLECTION_EVERY,
    COLLECTION_NAMES,
    LEVELS,
    RK_CHILDREN,
    RK_COLLECTIONS,
    RK_LIBRARY,
    SECTION_FACTS,
    key_part,
)
from simulators.plex_words import digest, make_title, title_sort


@dataclass
class Library(ItemNodes):
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
    refreshing: bool = False
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
        rest = key_part(self.number, rating_key)
        if rest is None:
            return None
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
        return make_title(self.type, digest(self.number, index))[0]

    def sort_title_of(self, index: int) -> str:
        return title_sort(self.title_of(index))

    def added_at_of(self, index: int, b: bytes | None = None) -> int:
        if index in self.added_at:
            return self.added_at[index]
        b = b or digest(self.number, index)
        return ADDED_FROM + int.from_bytes(b[10:14], "big") % (ADDED_TO - ADDED_FROM)

    def updated_at_of(self, index: int, b: bytes | None = None) -> int:
        if index in self.renamed:
            return self.renamed[index][1]
        b = b or digest(self.number, index)
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

    def _custom(self, number: int) -> dict:
        first = len(COLLECTION_NAMES[self.type])
        if number < first:
            raise ValueError("generated collections cannot change")
        return self.custom[number - first][1]

    def add_to_collection(self, number: int, indexes) -> None:
        """Put more top-level items in a collection made with ``add_collection``."""
        self._custom(number).update(dict.fromkeys(indexes))

    def move_in_collection(self, number: int, index: int, after: int | None) -> None:
        """Put an item right after another (first when ``after`` is None); ValueError if absent."""
        members = list(self._custom(number))
        if index not in members or (after is not None and after not in members):
            raise ValueError("not in the collection")
        members.remove(index)
        members.insert(0 if after is None else members.index(after) + 1, index)
        self._custom(number).clear()
        self._custom(number).update(dict.fromkeys(members))

    def remove_from_collection(self, number: int, index: int) -> None:
        if self._custom(number).pop(index, False) is False:
            raise ValueError("not in the collection")

    def collectable(self, rating_key) -> int | None:
        """The member a metadata key names: a top-level item of this library."""
        found = self.locate(str(rating_key).strip())
        if found is not None and found[0] == "item" and not found[2]:
            return found[1]
        return None

    def member_node(self, index: int):
        return self.node(index)

    @property
    def agent(self) -> str:
        return SECTION_FACTS[self.type][0]

    @property
    def scanner(self) -> str:
        return SECTION_FACTS[self.type][1]

    def children_of(self, index: int, season: int = 0) -> list[tuple[int, int, int]]:
        """The seasons of a top-level item, or the episodes of one of its seasons."""
        if self.type == "movie":
            return []
        if not season:
            return [(index, s, 0) for s in range(1, self.seasons + 1)]
        return [(index, season, e) for e in range(1, self.episodes + 1)]

    def leaves_of(self, index: int, season: int = 0) -> list[tuple[int, int, int]]:
        seasons = [season] if season else range(1, self.seasons + 1)
        return [(index, s, e) for s in seasons for e in range(1, self.episodes + 1)]

    def season_entries(self) -> list[tuple[int, int]]:
        return [(i, s) for i in self.order() for s in range(1, self.seasons + 1)]

    # -- listings -------------------------------------------------------------------------------

    def _fill_keys(self) -> None:
        """Work out the sort title and addedAt of items not yet seen, one digest each."""
        keys, added = self._sort_keys, self._added_keys
        for index in range(self.total):
            if index not in keys:
                b = digest(self.number, index)
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

    def leaves(self) -> list[tuple[int, int, int]]:
        """Return every (index, season, episode) below the shows/artists, in show order."""
        return [
            (index, season, episode)
            for index in self.order()
            for season in range(1, self.seasons + 1)
            for episode in range(1, self.episodes + 1)
        ]
