"""Copying Plex's libraries into the catalog: bulk upserts, removal after a full pass.

A section is written in one transaction: a scan that fails halfway leaves that section exactly as
it was. The pages come from plex_pages, which fetches the next one while the last is written.
"""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from app.library.parse import ROW_FIELDS, Page, ParsedItem, digest
from app.library.plex_pages import PlexReader, pages
from app.library.section_rows import count_items
from app.models.base import utcnow
from app.models.library import ItemGuid, ItemTag, LibrarySection, MediaItem

log = logging.getLogger(__name__)

PAGE_SIZE = 1000
RECENT_PAGE_SIZE = 50
RECENT_MAX_PAGES = 40
# Which listings make up a library: Plex's type numbers and the item type each one returns.
PASSES = {
    "movie": ((None, "Movies"),),
    "show": (("2", "Shows"), ("3", "Seasons"), ("4", "Episodes")),
    "artist": (("8", "Artists"), ("9", "Albums"), ("10", "Tracks")),
}
TYPE_NAMES = {
    "2": "show",
    "3": "season",
    "4": "episode",
    "8": "artist",
    "9": "album",
    "10": "track",
}
TABLE = MediaItem.__table__
# On a conflict every parsed field but the key is rewritten, with the row's bookkeeping.
UPDATED_COLUMNS = (
    "section_id",
    *(f for f in ROW_FIELDS if f != "rating_key"),
    "synced_at",
    "removed_at",
)


_QUOTED = ", ".join(f'"{name}"' for name in ROW_FIELDS)
PG_STAGE = (
    "CREATE TEMPORARY TABLE media_stage ON COMMIT DROP AS "
    f"SELECT {_QUOTED} FROM media_items WITH NO DATA"
)
PG_COPY_STAGE = f"COPY media_stage ({_QUOTED}) FROM STDIN"
PG_UPSERT = (
    f"INSERT INTO media_items ({_QUOTED}, section_id, synced_at, removed_at) "
    f"SELECT {_QUOTED}, %s::integer, %s::timestamptz, NULL::timestamptz FROM media_stage "
    "ON CONFLICT (rating_key) DO UPDATE SET "
    + ", ".join(f'"{name}" = EXCLUDED."{name}"' for name in UPDATED_COLUMNS)
    + " RETURNING id, rating_key"
)


@dataclass
class Tally:
    """What a run did and what it found wrong."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    skipped: int = 0
    libraries_removed: int = 0
    added_kinds: Counter = field(default_factory=Counter)  # what `added` counts: movies, shows…
    problems: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)

    def take(self, page: Page) -> None:
        self.problems.update(page.problems)
        for kind, example in page.examples.items():
            self.examples.setdefault(kind, example)
        self.skipped += page.problems.get("missing_key", 0)

    def problem(self, kind: str, example: str = "") -> None:
        self.problems[kind] += 1
        if example:
            self.examples.setdefault(kind, example)

    def merge(self, other: "Tally", counts: bool = True) -> None:
        """Add another tally's problems, and its counts when its writes were committed."""
        if counts:
            self.added += other.added
            self.updated += other.updated
            self.removed += other.removed
            self.skipped += other.skipped
            self.libraries_removed += other.libraries_removed
            self.added_kinds.update(other.added_kinds)
        self.problems.update(other.problems)
        for kind, example in other.examples.items():
            self.examples.setdefault(kind, example)


Progress = Callable[[dict], None]


class SectionWriter:
    """Writes one section's items on one connection; the caller commits or rolls back."""

    def __init__(self, conn: Connection, section_id: int, tally: Tally, seen: set[int], guids=True):
        self.conn = conn
        # False for listings that may leave the guids out (recently added): an item read
        # without any keeps those stored, rather than looking changed and losing them.
        self.guids = guids
        self.section_id = section_id
        self.tally = tally
        self.seen = seen
        self.now = utcnow()
        self.pg = conn.dialect.name == "postgresql"
        self.staged = False
        insert_fn = pg_insert if self.pg else sqlite_insert
        stmt = insert_fn(TABLE)
        self.upsert = stmt.on_conflict_do_update(
            index_elements=["rating_key"],
            set_={name: stmt.excluded[name] for name in UPDATED_COLUMNS},
        ).returning(TABLE.c.id, TABLE.c.rating_key)

    def write(self, items: list[ParsedItem]) -> None:
        """Upsert the new and changed items of one page and replace their tags and guids."""
        fresh: list[ParsedItem] = []
        for item in items:
            if item.rating_key in self.seen:
                self.tally.problem("duplicate_key", str(item.rating_key))
                self.tally.skipped += 1
                continue
            self.seen.add(item.rating_key)
            fresh.append(item)
        if not fresh:
            return
        existing = {row[1]: row for row in self._existing([i.rating_key for i in fresh])}
        if not self.guids:
            self._keep_stored_guids(fresh, existing)
        changed, changed_ids = [], []
        for item in fresh:
            old = existing.get(item.rating_key)
            if old is None:
                self.tally.added += 1
                self.tally.added_kinds[item.type] += 1
            elif old[2] != item.digest or old[3] is not None or old[4] != self.section_id:
                self.tally.updated += 1
                changed_ids.append(old[0])
            else:
                continue
            changed.append(item)
        if not changed:
            return
        if self.pg:
            self._write_postgresql(changed, changed_ids)
        else:
            self._write_generic(changed, changed_ids)

    def _keep_stored_guids(self, items: list[ParsedItem], existing: dict) -> None:
        bare = {
            existing[item.rating_key][0]: item
            for item in items
            if not item.guids and item.rating_key in existing
        }
        if not bare:
            return
        guids = ItemGuid.__table__
        query = select(guids.c.item_id, guids.c.scheme, guids.c.value).where(
            guids.c.item_id.in_(list(bare))
        )
        for item_id, scheme, value in self.conn.execute(query.order_by(guids.c.id)):
            bare[item_id].guids.append((scheme, value))
        for item in bare.values():
            if item.guids:
                item.digest = digest(item)

    def _existing(self, keys: list[int]):
        """(id, rating_key, digest, removed_at, section_id) of the items already stored."""
        if self.pg:
            return self.conn.exec_driver_sql(
                "SELECT id, rating_key, digest, removed_at, section_id FROM media_items "
                "WHERE rating_key = ANY(%s)",
                (keys,),
            ).all()
        columns = (TABLE.c.id, TABLE.c.rating_key, TABLE.c.digest)
        query = select(*columns, TABLE.c.removed_at, TABLE.c.section_id)
        return self.conn.execute(query.where(TABLE.c.rating_key.in_(keys))).all()

    def _write_generic(self, changed: list[ParsedItem], changed_ids: list[int]) -> None:
        if changed_ids:
            self.conn.execute(delete(ItemTag.__table__).where(ItemTag.item_id.in_(changed_ids)))
            self.conn.execute(delete(ItemGuid.__table__).where(ItemGuid.item_id.in_(changed_ids)))
        rows = []
        for item in changed:
            row = item.row()
            row.update(section_id=self.section_id, synced_at=self.now, removed_at=None)
            rows.append(row)
        ids = {rk: item_id for item_id, rk in self.conn.execute(self.upsert, rows)}
        tags, guids = _children(changed, ids)
        if tags[0]:
            self.conn.execute(
                insert(ItemTag.__table__),
                [{"item_id": i, "kind": k, "value": v} for i, k, v in zip(*tags, strict=True)],
            )
        if guids[0]:
            self.conn.execute(
                insert(ItemGuid.__table__),
                [{"item_id": i, "scheme": k, "value": v} for i, k, v in zip(*guids, strict=True)],
            )

    def _write_postgresql(self, changed: list[ParsedItem], changed_ids: list[int]) -> None:
        # COPY into a staging table, then one set-based upsert: no per-row statements at all.
        run = self.conn.exec_driver_sql
        if changed_ids:
            run("DELETE FROM item_tags WHERE item_id = ANY(%s)", (changed_ids,))
            run("DELETE FROM item_guids WHERE item_id = ANY(%s)", (changed_ids,))
        if not self.staged:
            run(PG_STAGE)
            self.staged = True
        else:
            run("TRUNCATE media_stage")
        cursor = self.conn.connection.driver_connection.cursor()
        with cursor.copy(PG_COPY_STAGE) as copy:
            for item in changed:
                copy.write_row(item.row().values())
        ids = {rk: item_id for item_id, rk in run(PG_UPSERT, (self.section_id, self.now))}
        tags, guids = _children(changed, ids)
        for table, kind, columns in (("item_tags", "kind", tags), ("item_guids", "scheme", guids)):
            if columns[0]:
                with cursor.copy(f"COPY {table} (item_id, {kind}, value) FROM STDIN") as copy:
                    for row in zip(*columns, strict=True):
                        copy.write_row(row)
        cursor.close()

    def remove_unseen(self) -> int:
        """Mark the section's items this pass did not see as removed."""
        present = self.conn.scalars(
            select(TABLE.c.rating_key).where(
                TABLE.c.section_id == self.section_id, TABLE.c.removed_at.is_(None)
            )
        ).all()
        gone = [rk for rk in present if rk not in self.seen]
        for start in range(0, len(gone), 500):
            chunk = gone[start : start + 500]
            self.conn.execute(
                update(TABLE).where(TABLE.c.rating_key.in_(chunk)).values(removed_at=self.now)
            )
        return len(gone)


def _children(items: list[ParsedItem], ids: dict[int, int]) -> tuple[tuple, tuple]:
    """The tags and guids of these items as columns: (item ids, kinds, values)."""
    tags: tuple[list, list, list] = ([], [], [])
    guids: tuple[list, list, list] = ([], [], [])
    for item in items:
        item_id = ids[item.rating_key]
        for target, pairs in ((tags, item.tags), (guids, item.guids)):
            for kind, value in pairs:
                target[0].append(item_id)
                target[1].append(kind)
                target[2].append(value)
    return tags, guids


def scan_section(
    conn: Connection,
    reader: PlexReader,
    section: dict,
    section_id: int,
    tally: Tally,
    progress: Progress,
    page_size: int = PAGE_SIZE,
) -> None:
    """Read every listing of one library and write it; removal only when every page was whole."""
    writer = SectionWriter(conn, section_id, tally, set())
    path = f"/library/sections/{section['key']}/all"
    complete, done, total = True, 0, 0
    for plex_type, label in PASSES.get(section["type"], ((None, section["title"]),)):
        extra = {"includeGuids": "1"}
        if plex_type:
            extra["type"] = plex_type
        counted = False
        for page in pages(reader, path, extra, page_size, TYPE_NAMES.get(plex_type or "")):
            if not counted:
                total += page.total_size or 0
                counted = True
            tally.take(page)
            complete = complete and page.complete
            writer.write(page.items)
            done += page.size if page.size is not None else len(page.items)
            progress(
                {
                    "library": section["title"],
                    "stage": label,
                    "done": done,
                    "total": max(total, done),
                }
            )
    if complete:
        tally.removed += writer.remove_unseen()
    else:
        tally.problem("incomplete", section["title"])
    conn.execute(
        update(LibrarySection.__table__)
        .where(LibrarySection.__table__.c.id == section_id)
        .values(
            item_count=count_items(conn, section_id, section["type"]),
            last_synced_at=utcnow(),
            removed_at=None,
        )
    )


def newest_added(conn: Connection, section_id: int | None = None) -> datetime | None:
    query = select(func.max(TABLE.c.added_at)).where(TABLE.c.removed_at.is_(None))
    if section_id is not None:
        query = query.where(TABLE.c.section_id == section_id)
    value = conn.scalar(query)
    if value is not None and value.tzinfo is None:  # func.max skips the column's type on SQLite
        value = value.replace(tzinfo=UTC)
    return value


def scan_recent(
    conn: Connection,
    reader: PlexReader,
    section_ids: dict[str, int],
    tally: Tally,
    progress: Progress,
    only_section: str | None = None,
    page_size: int = RECENT_PAGE_SIZE,
) -> int:
    """Read recently added items back to the newest one already stored; returns items seen."""
    cutoff = newest_added(conn, section_ids.get(only_section) if only_section else None)
    path = "/library/recentlyAdded"
    extra = {"includeGuids": "1"}
    if only_section:
        path = f"/library/sections/{only_section}/recentlyAdded"
    writers: dict[int, SectionWriter] = {}
    seen: set[int] = set()
    shows: dict[int, list[int]] = {}
    done = 0
    for number, page in enumerate(pages(reader, path, extra, page_size)):
        tally.take(page)
        by_section: dict[int, list[ParsedItem]] = {}
        older = False
        for item in page.items:
            key = item.section_key or page.section_key or only_section
            if key not in section_ids:
                tally.problem("unknown_section", str(item.rating_key))
                continue
            if cutoff is not None and item.added_at is not None and item.added_at < cutoff:
                older = True
                continue
            by_section.setdefault(section_ids[key], []).append(item)
        for section_id, items in by_section.items():
            if section_id not in writers:
                writers[section_id] = SectionWriter(conn, section_id, tally, seen, guids=False)
            writers[section_id].write(items)
            shows.setdefault(section_id, []).extend(i.rating_key for i in items if i.type == "show")
        done += len(page.items)
        progress({"library": "Recently added", "stage": "", "done": done, "total": done})
        if older or number + 1 >= RECENT_MAX_PAGES:
            break
    for section_id, keys in shows.items():
        done += _scan_episodes(reader, writers[section_id], tally, keys, page_size)
    return done


def _scan_episodes(reader, writer, tally: Tally, show_keys: list[int], page_size: int) -> int:
    """The seasons and episodes of shows that had something added: Plex lists such a show as
    one recently added item, and its page in our library lists what is in it."""
    done = 0
    for key in dict.fromkeys(show_keys):
        for part in ("children", "allLeaves"):
            listing = f"/library/metadata/{key}/{part}"
            for page in pages(reader, listing, {"includeGuids": "1"}, page_size):
                tally.take(page)
                writer.write(page.items)
                done += len(page.items)
    return done
