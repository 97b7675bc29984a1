"""Turning an event into the HTML fragment a socket sends; features register their renderers."""

from collections.abc import Callable

Renderer = Callable[[dict], str | None]
_renderers: dict[str, list[Renderer]] = {}


def renders(event_type: str) -> Callable[[Renderer], Renderer]:
    """Register a function that renders events of this type (several features may show one)."""

    def register(func: Renderer) -> Renderer:
        _renderers.setdefault(event_type, []).append(func)
        return func

    return register


def render_event(event: dict) -> str | None:
    """The out-of-band HTML for an event, or None when nothing on the page shows it."""
    parts = [renderer(event) for renderer in _renderers.get(event.get("type", ""), ())]
    html = "".join(part for part in parts if part)
    return html or None
