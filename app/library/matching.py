"""Which TMDB titles are already on Plex: matched through the items' tmdb:// GUIDs."""

from dataclasses import dataclass

from sqlalchemy import and_, select

from app.extensions import db
from app.library.catalog import live, visible
from app.models import ItemGuid, MediaItem

# Our request words for the Plex item types they match.
PLEX_TYPE = {"movie": "movie", "tv": "show"}


@dataclass(frozen=True)
class OnPlex:
    rating_key: int
    item_id: int
    title: str
    seasons: tuple[int, ...]  # season numbers the show has on Plex (empty for movies)


def on_plex(keys, include_hidden: bool = True) -> dict[tuple[str, int], OnPlex]:
    """For (media_type, tmdb_id) pairs, the matching items on Plex; pairs not there are left out.

    One IN over the ids alone, the types checked here: a tuple IN over (type, id) pairs cost
    ~10 ms for a page of 80 cards in SQLAlchemy's statement building, this ~1 ms.
    """
    wanted = {(PLEX_TYPE[kind], str(tmdb_id)) for kind, tmdb_id in keys if kind in PLEX_TYPE}
    if not wanted:
        return {}
    query = visible(
        live()
        .join(ItemGuid, ItemGuid.item_id == MediaItem.id)
        .where(ItemGuid.scheme == "tmdb", ItemGuid.value.in_({v for _k, v in wanted}))
        .with_only_columns(
            MediaItem.id, MediaItem.rating_key, MediaItem.title, MediaItem.type, ItemGuid.value
        ),
        include_hidden,
    )
    found: dict[tuple[str, int], OnPlex] = {}
    shows: dict[int, tuple[str, int]] = {}
    for item_id, rating_key, title, kind, value in db.session.execute(query).all():
        if (kind, value) not in wanted:
            continue
        key = ("movie" if kind == "movie" else "tv", int(value))
        if key not in found:
            found[key] = OnPlex(rating_key, item_id, title, ())
            if kind == "show":
                shows[rating_key] = key
    for parent, numbers in _seasons_of(list(shows)).items():
        old = found[shows[parent]]
        found[shows[parent]] = OnPlex(old.rating_key, old.item_id, old.title, numbers)
    return found


def _seasons_of(show_keys: list[int]) -> dict[int, tuple[int, ...]]:
    """The season numbers each show has on Plex, with at least one episode."""
    if not show_keys:
        return {}
    rows = db.session.execute(
        select(MediaItem.parent_rating_key, MediaItem.index).where(
            and_(
                MediaItem.type == "season",
                MediaItem.parent_rating_key.in_(show_keys),
                MediaItem.removed_at.is_(None),
                MediaItem.leaf_count > 0,
            )
        )
    ).all()
    seasons: dict[int, list[int]] = {}
    for parent, index in rows:
        if index is not None:
            seasons.setdefault(parent, []).append(index)
    return {parent: tuple(sorted(numbers)) for parent, numbers in seasons.items()}
