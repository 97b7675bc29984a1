"""Where a request's title comes from: the one lookup to point at Discover's catalog.

The request form sends only a media type and a TMDB id; the title, its year and its seasons
must come from our own source, never from the form.
"""

from app.discover.services import title_page
from app.discover.titles import Title

MEDIA_TYPES = ("movie", "tv")
MAX_TMDB_ID = 2**31 - 1  # the column is a 32-bit integer; TMDB's ids are far below it


def title_for(media_type: str, tmdb_id: int) -> Title | None:
    """Discover's description of the title, or None when no such title exists (or no source)."""
    if media_type not in MEDIA_TYPES or not 0 < tmdb_id <= MAX_TMDB_ID:
        return None
    return title_page(media_type, tmdb_id).title
