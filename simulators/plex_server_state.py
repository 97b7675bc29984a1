"""A standalone loopback Plex Media Server: who it is, its tokens, libraries and switches."""

import secrets
import threading
import time
from dataclasses import dataclass, field

from simulators.plex_folder import FolderLibrary
from simulators.plex_layout import MAX_TOP_ITEMS
from simulators.plex_library import Library

DEFAULT_VERSION = "1.41.3.9314-a0bfb8370"


def new_machine_identifier() -> str:
    """Return a machine identifier shaped like Plex's: 40 hex digits."""
    return secrets.token_hex(20)


@dataclass
class PlexServerState:
    """A standalone server: who it is, which tokens it accepts, and how it misbehaves."""

    machine_identifier: str = field(default_factory=new_machine_identifier)
    name: str = "Plex Media Server"
    version: str = DEFAULT_VERSION
    tokens: set[str] = field(default_factory=set)
    my_plex_username: str = ""
    claimed: bool = True
    platform: str = "Linux"
    platform_version: str = "6.1.0"
    updated_at: int = field(default_factory=lambda: int(time.time()))
    down: bool = False
    slow_seconds: float = 0.0
    garbage: bool = False
    status_override: int | None = None

    libraries: dict[str, Library | FolderLibrary] = field(default_factory=dict)
    # Plex scans in the background: a refresh of a folder library is done this much later.
    scan_delay: float = 0.0
    # Library switches: a 500 for one page of /all (once, or always), and broken pages.
    fail_at_page: int | None = None
    fail_always: bool = False
    malformed: str | None = None
    # What the server saw: path-scoped scans asked for, and /all page requests.
    refreshes: list[tuple[str, str | None]] = field(default_factory=list)
    page_requests: int = 0
    # Who is playing now (simulators.plex_sessions.PlaySession), and "missing" / "garbage".
    sessions: list = field(default_factory=list)
    sessions_fault: str | None = None
    _failed_pages: set = field(default_factory=set, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def accepts(self, token: str | None) -> bool:
        """Say whether this token may read the server."""
        return bool(token) and token in self.tokens

    def add_library(
        self, title: str, type: str, count: int = 0, seasons: int = 2, episodes: int = 5
    ) -> Library:
        """Add a library of ``count`` generated items: "movie", "show" or "artist"."""
        key = str(len(self.libraries) + 1)
        library = Library(
            key,
            title,
            type,
            count,
            seasons=seasons,
            episodes=episodes,
            created_at=1_429_510_140 + int(key) * 86_400,
            location_id=int(key),
        )
        self.libraries[key] = library
        if count >= 10_000:
            # Sort a big library ahead of its first page, as a real server has it indexed.
            threading.Thread(target=library.order, daemon=True).start()
        return library

    def add_folder_library(
        self, title: str, folder, agent: str = "com.plexapp.agents.none", plex_path: str = ""
    ) -> FolderLibrary:
        """Add a show library backed by a real folder (seen by Plex at ``plex_path``)."""
        key = str(len(self.libraries) + 1)
        library = FolderLibrary(
            key, title, folder, location=plex_path, agent=agent, location_id=int(key)
        )
        self.libraries[key] = library
        return library

    def start_scan(self, library: FolderLibrary, path: str | None) -> None:
        """Scan now, or ``scan_delay`` seconds from now in the background as Plex does."""
        if self.scan_delay <= 0:
            library.scan(path)
            return
        library.refreshing = True

        def scan():
            try:
                library.scan(path)
            finally:
                library.refreshing = False

        timer = threading.Timer(self.scan_delay, scan)
        timer.daemon = True
        timer.start()

    def add_items(self, library: Library, count: int) -> list[str]:
        """Add ``count`` new items, added now; return their rating keys."""
        now = int(time.time())
        start = library.total
        if start + count > MAX_TOP_ITEMS:
            raise ValueError("a library holds at most 999,900 items")
        for index in range(start, start + count):
            library.added_at[index] = now
        library.total = start + count
        library.changed()
        return [library.rating_key(index) for index in range(start, start + count)]

    def remove_items(self, library: Library, rating_keys) -> None:
        """Take items out of the library, as when their files are deleted."""
        for rating_key in rating_keys:
            found = library.locate(rating_key)
            if found is not None and found[0] == "item" and not found[2]:
                library.removed.add(found[1])
        library.changed()

    def rename(self, library: Library, rating_key, title: str) -> None:
        """Give an item a new title; its updatedAt (and thumb URL) move to now."""
        found = library.locate(rating_key)
        if found is None or found[0] != "item" or found[2]:
            raise KeyError(rating_key)
        updated = max(int(time.time()), library.updated_at_of(found[1]) + 1)
        library.renamed[found[1]] = (title, updated)
        library.changed(renamed=found[1])

    def page_fails(self, page: int) -> bool:
        """Count a page request and say whether it is the page that answers 500."""
        with self._lock:
            self.page_requests += 1
            if self.fail_at_page is None or page != self.fail_at_page:
                return False
            if self.fail_always:
                return True
            if page in self._failed_pages:
                return False
            self._failed_pages.add(page)
            return True
