"""What the request controls on a title's page show: on Plex, requested, or available to request."""

from app.discover.titles import Title
from app.library.matching import on_plex
from app.requests.lookup import states_for


def box_for(viewer, title: Title) -> dict:
    """The context templates/requests/_request_box.html renders for this person and title."""
    return {
        "title": title,
        "on_plex": on_plex([title.key], include_hidden=viewer.is_admin).get(title.key),
        "requested": states_for([title.key], viewer).get(title.key),
    }
