"""The catalog's rows of Plex libraries: stored from the server's list, counted, marked gone."""

from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from app.extensions import db
from app.library.parse import SectionList
from app.models.base import utcnow
from app.models.library import LibrarySection, MediaItem

if TYPE_CHECKING:
    from app.library.sync import Tally

# The item type a library's count is of: the top of its tree.
MAIN_TYPE = {"movie": "movie", "show": "show", "artist": "artist"}
TABLE = MediaItem.__table__
# A library's type in the owner's words, not Plex's.
SECTION_LABELS = {"movie": "Movies", "show": "TV shows", "artist": "Music", "photo": "Photos"}
# Each kind of item a sync counts, in a library's order (singular, plural).
ITEM_WORDS = {
    "movie": ("movie", "movies"),
    "show": ("show", "shows"),
    "season": ("season", "seasons"),
    "episode": ("episode", "episodes"),
    "artist": ("artist", "artists"),
    "album": ("album", "albums"),
    "track": ("track", "tracks"),
    "photo": ("photo", "photos"),
    "clip": ("video", "videos"),
}


def section_label(section_type: str) -> str:
    return SECTION_LABELS.get(section_type, section_type.replace("_", " ").capitalize())


def counted_words(counts: dict[str, int]) -> str:
    """'300 movies, 30 shows, 1 season': each kind of item with its count, in a library's order."""
    order = list(ITEM_WORDS)
    kinds = sorted(
        (kind for kind, count in counts.items() if count),
        key=lambda k: order.index(k) if k in order else len(order),
    )
    words = []
    for kind in kinds:
        one, many = ITEM_WORDS.get(kind, (kind, kind + "s"))
        words.append(f"{counts[kind]:,} {one if counts[kind] == 1 else many}")
    return ", ".join(words)


def item_counts() -> dict[int, str]:
    """Each library's items by kind, in words (section id -> '30 shows, 90 seasons, …')."""
    query = (
        select(TABLE.c.section_id, TABLE.c.type, func.count())
        .where(TABLE.c.removed_at.is_(None))
        .group_by(TABLE.c.section_id, TABLE.c.type)
    )
    found: dict[int, dict[str, int]] = {}
    for section_id, kind, count in db.session.execute(query):
        found.setdefault(section_id, {})[kind] = count
    return {section_id: counted_words(counts) for section_id, counts in found.items()}


def upsert_sections(conn: Connection, found: list[dict]) -> dict[str, int]:
    """Store the server's libraries (keeping each one's hidden flag); returns key -> id.

    A library marked as removed from Plex stays marked until scan_section has read it again.
    """
    table = LibrarySection.__table__
    known = {row.key: row for row in conn.execute(select(table.c.id, table.c.key))}
    for section in found:
        row = known.get(section["key"])
        if row is None:
            conn.execute(insert(table).values(hidden=False, item_count=0, **section))
        else:
            conn.execute(
                update(table)
                .where(table.c.id == row.id)
                .values(title=section["title"], type=section["type"])
            )
    return {row.key: row.id for row in conn.execute(select(table.c.id, table.c.key))}


def count_items(conn: Connection, section_id: int, section_type: str) -> int:
    query = select(func.count()).where(
        TABLE.c.section_id == section_id, TABLE.c.removed_at.is_(None)
    )
    if section_type in MAIN_TYPE:
        query = query.where(TABLE.c.type == MAIN_TYPE[section_type])
    return conn.scalar(query)


def update_counts(
    conn: Connection, found: list[dict], ids: dict[str, int], only: str | None = None
) -> None:
    """Store each library's item count (or only that of library `only`)."""
    table = LibrarySection.__table__
    for section in found:
        if only is None or section["key"] == only:
            section_id = ids[section["key"]]
            count = count_items(conn, section_id, section["type"])
            conn.execute(update(table).where(table.c.id == section_id).values(item_count=count))


def remove_missing_sections(conn: Connection, listing: SectionList, tally: "Tally") -> None:
    """Mark the libraries the server no longer lists, and their items, as removed.

    Only a complete list counts: one with unreadable entries or fewer than the server counted
    removes nothing, and neither does an empty one (more likely a server wiped or switched by
    mistake than every library deleted on purpose).
    """
    if not listing.complete:
        tally.problem("sections_incomplete")
        return
    if not listing.sections:
        tally.problem("sections_empty")
        return
    table = LibrarySection.__table__
    keys = [section["key"] for section in listing.sections]
    gone = conn.scalars(
        select(table.c.id).where(table.c.removed_at.is_(None), table.c.key.not_in(keys))
    ).all()
    now = utcnow()
    for section_id in gone:
        items = conn.execute(
            update(TABLE)
            .where(TABLE.c.section_id == section_id, TABLE.c.removed_at.is_(None))
            .values(removed_at=now)
        )
        tally.removed += items.rowcount
        tally.libraries_removed += 1
        conn.execute(
            update(table).where(table.c.id == section_id).values(removed_at=now, item_count=0)
        )
