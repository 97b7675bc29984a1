"""Turning an event into the HTML fragment a socket sends; features register their renderers."""

from collections.abc import Callable

Renderer = Callable[[dict], str | None]
_renderers: dict[str, Renderer] = {}


def renders(event_type: str) -> Callable[[Renderer], Renderer]:
    """Register the function that renders events of this type."""

    def register(func: Renderer) -> Renderer:
        _renderers[event_type] = func
        return func

    return register


def render_event(event: dict) -> str | None:
    """The out-of-band HTML for an event, or None when nothing on the page shows it."""
    renderer = _renderers.get(event.get("type", ""))
    return renderer(event) if renderer else None
