"""A Personal Media Shows library backed by a real folder, scanned the way Plex scans one.

``PlexServerState.add_folder_library(title, folder)`` makes one. A path-scoped refresh scans just
that folder: the top folder under the location is the show, ``sYYYYeMMDDNN - Title [id].mp4``
an episode of season YYYY with index MMDDNN, and files that vanished leave with their episodes
(Plex empties the trash after a scan by default). Hidden folders are skipped, as Plex does.

Entries are (show key, season key, episode key) with 0 for the levels above, and rating keys
are ``L*10**8 + n`` (collections ``L*10**8 + 999_900 + n``), so the views find the library from
a key as they do for generated libraries. Nodes are in ``simulators.plex_folder_nodes``,
collections in ``simulators.plex_folder_collections``.
"""

import os
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from simulators.plex_folder_collections import Collection, FolderCollections
from simulators.plex_folder_nodes import FolderNodes
from simulators.plex_layout import RK_COLLECTIONS, RK_LIBRARY, key_part
from simulators.plex_words import title_sort

# The Personal Media agents (legacy and new) and the scanner Plex pairs with each.
PERSONAL_AGENTS = {
    "com.plexapp.agents.none": "Plex Series Scanner",
    "tv.plex.agents.none": "Plex TV Series",
}
VIDEO_EXTENSIONS = {".mp4", ".m4v", ".mkv", ".mov", ".webm", ".avi"}
EPISODE_NAME = re.compile(r"^s(\d{4})e(\d{2})(\d{2})(\d{2})(?: - (.*?))?(?: \[[^\]]+\])?$", re.I)


@dataclass
class Episode:
    rating_key: int
    file: str  # as Plex sees it
    title: str
    index: int  # MMDDNN
    date: str  # YYYY-MM-DD
    size: int
    mtime: int
    added_at: int
    updated_at: int


@dataclass
class Season:
    rating_key: int
    index: int  # the year
    added_at: int
    episodes: dict[int, Episode] = field(default_factory=dict)


@dataclass
class Show:
    rating_key: int
    title: str
    folder: str  # as Plex sees it
    added_at: int
    updated_at: int
    seasons: dict[int, Season] = field(default_factory=dict)


@dataclass
class FolderLibrary(FolderNodes, FolderCollections):
    """A show library whose items come from scanning a real folder."""

    key: str
    title: str
    disk: Path  # the folder on this machine
    location: str = ""  # the same folder as Plex sees it
    agent: str = "com.plexapp.agents.none"
    type: str = "show"
    scanner: str = ""
    uuid: str = ""
    created_at: int = field(default_factory=lambda: int(time.time()))
    scanned_at: int = 0
    updated_at: int = 0
    location_id: int = 1
    hidden: int = 0
    refreshing: bool = False
    shows: dict[int, Show] = field(default_factory=dict, repr=False)
    collections: list[Collection] = field(default_factory=list, repr=False)
    _where: dict[int, tuple[int, int, int]] = field(default_factory=dict, repr=False)
    _next: int = field(default=1, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def __post_init__(self):
        self.number = int(self.key)
        self.disk = Path(self.disk)
        self.location = (self.location or str(self.disk)).rstrip("/") or "/"
        self.scanner = self.scanner or PERSONAL_AGENTS.get(self.agent, "Plex Series Scanner")
        self.uuid = self.uuid or str(uuid.uuid5(uuid.NAMESPACE_URL, f"medianest:folder:{self.key}"))
        self.updated_at = self.updated_at or self.created_at

    # -- scanning -------------------------------------------------------------------------------

    def covers(self, path: str | None) -> str | None:
        """The folder a refresh of ``path`` scans (as Plex sees it), or None when outside."""
        if path is None or path.rstrip("/") == self.location:
            return self.location
        path = path.rstrip("/")
        return path if path.startswith(self.location.rstrip("/") + "/") else None

    def scan(self, path: str | None = None) -> bool:
        """Scan the location, or one folder under it; False (nothing done) when outside it."""
        target = self.covers(path)
        if target is None:
            return False
        relative = target[len(self.location) :].strip("/")
        with self._lock:
            if relative:
                names = [relative.split("/")[0]]
            else:
                names = {s.title for s in self.shows.values()}
                if self.disk.is_dir():
                    names |= {p.name for p in self.disk.iterdir() if _visible_dir(p)}
            for name in sorted(names):
                self._scan_show(name, target)
            self.scanned_at = int(time.time())
            self.changed()
        return True

    def _plex_path(self, disk_path: Path) -> str:
        return self.location.rstrip("/") + "/" + disk_path.relative_to(self.disk).as_posix()

    def _scan_show(self, name: str, target: str) -> None:
        folder = self.location.rstrip("/") + "/" + name
        found = {}
        for disk_path in _video_files(self.disk / name):
            plex_path = self._plex_path(disk_path)
            if plex_path == target or plex_path.startswith(target.rstrip("/") + "/"):
                found[plex_path] = disk_path
        show = next((s for s in self.shows.values() if s.folder == folder), None)
        now = int(time.time())
        if show is not None:
            for season in list(show.seasons.values()):
                for episode in list(season.episodes.values()):
                    inside = episode.file.startswith(target.rstrip("/") + "/")
                    if (inside or episode.file == target) and episode.file not in found:
                        self._forget(episode.rating_key)
                        del season.episodes[episode.rating_key]
                        show.updated_at = now
                if not season.episodes:
                    self._forget(season.rating_key)
                    del show.seasons[season.index]
        for plex_path, disk_path in sorted(found.items()):
            show = show or self._new_show(name, folder, now)
            self._take_file(show, plex_path, disk_path, now)
        if show is not None and not show.seasons:
            self._forget(show.rating_key)
            del self.shows[show.rating_key]

    def _new_show(self, name: str, folder: str, now: int) -> Show:
        show = Show(self._new_key(), name, folder, now, now)
        self.shows[show.rating_key] = show
        self._where[show.rating_key] = (show.rating_key, 0, 0)
        return show

    def _take_file(self, show: Show, plex_path: str, disk_path: Path, now: int) -> None:
        match = EPISODE_NAME.match(disk_path.stem)
        if match is None:
            return  # the scanner cannot place a file without an sYYYYeNN code
        year, month, day, number, title = match.groups()
        stat = disk_path.stat()
        season = show.seasons.get(int(year))
        if season is None:
            season = Season(self._new_key(), int(year), now)
            show.seasons[season.index] = season
            self._where[season.rating_key] = (show.rating_key, season.rating_key, 0)
        episode = next((e for e in season.episodes.values() if e.file == plex_path), None)
        if episode is not None and (episode.size, episode.mtime) == (stat.st_size, stat.st_mtime):
            return
        if episode is None:
            key = self._new_key()
            episode = Episode(key, plex_path, "", 0, "", 0, 0, now, now)
            season.episodes[key] = episode
            self._where[key] = (show.rating_key, season.rating_key, key)
        episode.title = (title or "").strip() or disk_path.stem
        episode.index = int(f"{month}{day}{number}")
        episode.date = f"{year}-{month}-{day}"
        episode.size, episode.mtime = stat.st_size, int(stat.st_mtime)
        episode.updated_at = max(now, episode.added_at)
        show.updated_at = now

    def _new_key(self) -> int:
        if self._next >= RK_COLLECTIONS:
            raise ValueError("a folder library holds at most 999,899 items")
        self._next += 1
        return self.number * RK_LIBRARY + self._next - 1

    def _forget(self, rating_key: int) -> None:
        self._where.pop(rating_key, None)

    def changed(self, renamed=None) -> None:
        self.updated_at = max(int(time.time()), self.updated_at)

    # -- what the views ask -----------------------------------------------------------------------

    def locate(self, rating_key) -> tuple[str, int, int, int] | None:
        """Return ("item", show, season, episode) keys or ("collection", n, 0, 0), or None."""
        rest = key_part(self.number, rating_key)
        if rest is None:
            return None
        if rest >= RK_COLLECTIONS:
            number = rest - RK_COLLECTIONS
            return ("collection", number, 0, 0) if number < len(self.collections) else None
        with self._lock:
            found = self._where.get(self.number * RK_LIBRARY + rest)
        return ("item", *found) if found else None

    def exists(self, rating_key: int) -> bool:
        return int(rating_key) in self._where

    def title_of(self, index: int) -> str:
        return self.shows[index].title

    def added_at_of(self, index: int) -> int:
        return self.shows[index].added_at

    def updated_at_of(self, index: int) -> int:
        return self.shows[index].updated_at

    def order(self) -> list[int]:
        """The shows in title order."""
        with self._lock:
            shows = list(self.shows.values())
        shows.sort(key=lambda s: title_sort(s.title).casefold())
        return [s.rating_key for s in shows]

    def recent(self) -> list[int]:
        with self._lock:
            shows = list(self.shows.values())
        shows.sort(key=lambda s: (s.added_at, s.rating_key), reverse=True)
        return [s.rating_key for s in shows]

    def children_of(self, index: int, season: int = 0) -> list[tuple[int, int, int]]:
        """The seasons of a show, or the episodes of one of its seasons, in index order."""
        with self._lock:
            show = self.shows[index]
            if not season:
                return [(index, s.rating_key, 0) for _, s in sorted(show.seasons.items())]
            found = next(s for s in show.seasons.values() if s.rating_key == season)
            episodes = sorted(found.episodes.values(), key=lambda e: (e.index, e.rating_key))
            return [(index, season, e.rating_key) for e in episodes]

    def leaves_of(self, index: int, season: int = 0) -> list[tuple[int, int, int]]:
        seasons = [(index, season, 0)] if season else self.children_of(index)
        return [leaf for entry in seasons for leaf in self.children_of(index, entry[1])]

    def season_entries(self) -> list[tuple[int, int, int]]:
        return [entry for index in self.order() for entry in self.children_of(index)]

    def leaves(self) -> list[tuple[int, int, int]]:
        return [leaf for index in self.order() for leaf in self.leaves_of(index)]

    def item(self, rating_key) -> dict | None:
        found = self.locate(rating_key)
        if found is None or found[0] != "item":
            return None
        return self.node(*found[1:])[1]

    def __len__(self) -> int:
        return len(self.shows)


def _visible_dir(path: Path) -> bool:
    return path.is_dir() and not path.name.startswith(".")


def _video_files(folder: Path) -> list[Path]:
    """Video files under ``folder``, skipping hidden folders and files as Plex does."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            path = Path(root) / name
            if not name.startswith(".") and path.suffix.lower() in VIDEO_EXTENSIONS:
                found.append(path)
    return found
