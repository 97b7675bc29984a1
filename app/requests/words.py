"""How requests read on pages: template helpers."""

from app.requests import bp, states
from app.requests.services import season_words

SOURCES = {
    "overseerr": "from Overseerr",
    "webhook": "from Overseerr",
    "poll": "from Overseerr",
    "library": "seen in the Plex library",
    "delivery": "delivery to Overseerr",
}


def source_words(source: str, actor_name: str | None) -> str:
    if source == "person":
        return f"by {actor_name}" if actor_name else "by MediaNest"
    return SOURCES.get(source, "")


bp.add_app_template_global(states.label, "status_label")
bp.add_app_template_global(season_words)
bp.add_app_template_global(source_words)
