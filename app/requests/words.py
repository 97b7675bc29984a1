"""How requests read on pages: template helpers."""

from app.requests import bp, quotas, states
from app.requests.services import season_words

SOURCES = {
    "overseerr": "from Overseerr",
    "webhook": "from Overseerr",
    "poll": "from Overseerr",
    "library": "seen in the Plex library",
    "delivery": "delivery to Overseerr",
}


def source_words(source: str, actor_name: str | None, hidden: str | None = None) -> str:
    """Where a history line came from; `hidden` names someone the viewer may not learn of."""
    if source == "person":
        if actor_name and actor_name == hidden:
            return "by the person who asked"
        return f"by {actor_name}" if actor_name else "by MediaNest"
    return SOURCES.get(source, "")


bp.add_app_template_global(states.label, "status_label")
bp.add_app_template_global(season_words)
bp.add_app_template_global(source_words)
bp.add_app_template_global(quotas.usages, "request_usages")
