"""Which TMDB titles are already on Plex: matched through the items' tmdb:// GUIDs."""

from dataclasses import dataclass

from sqlalchemy import and_, select, tuple_

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
    """For (media_type, tmdb_id) pairs, the matching items on Plex; pairs not there are left out."""
    wanted = {(PLEX_TYPE[kind], str(tmdb_id)) for kind, tmdb_id in keys if kind in PLEX_TYPE}
    if not wanted:
        return {}
    query = visible(
        live()
        .join(ItemGuid, ItemGuid.item_id == MediaItem.id)
        .where(ItemGuid.scheme == "tmdb", tuple_(MediaItem.type, ItemGuid.value).in_(wanted))
        .add_columns(ItemGuid.value),
        include_hidden,
    )
    found: dict[tuple[str, int], OnPlex] = {}
    shows = {}
    for item, value in db.session.execute(query).all():
        kind = "movie" if item.type == "movie" else "tv"
        key = (kind, int(value))
        if key not in found:
            found[key] = OnPlex(item.rating_key, item.id, item.title, ())
            if kind == "tv":
                shows[item.rating_key] = key
    for parent, numbers in _seasons_of(list(shows)).items():
        key = shows[parent]
        found[key] = OnPlex(found[key].rating_key, found[key].item_id, found[key].title, numbers)
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
