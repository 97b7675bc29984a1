"""One message from one or many events: a title, plain text and HTML, with links back."""

from markupsafe import Markup, escape

from app.models import NotifyEvent
from app.notify.links import absolute, base_url
from app.notify.transports import Message

BRAND = "MediaNest"


def alone(event: NotifyEvent) -> bool:
    """An event that never shares a message: the "New on Plex" newsletter (its own HTML)."""
    return bool((event.data or {}).get("html"))


def _link(event: NotifyEvent, base: str | None = None) -> str:
    return absolute(event.link, base) if event.link else ""


def _one(event: NotifyEvent) -> Message:
    link, data = _link(event), event.data or {}
    text = "\n\n".join(part for part in (event.body, link) if part)
    if data.get("html"):
        return Message(event.title, data.get("text") or text or event.title, str(data["html"]))
    html = Markup("<p><strong>{}</strong></p>").format(event.title)
    if event.body:
        html += Markup("<p>{}</p>").format(event.body)
    if link:
        html += Markup('<p><a href="{}">Open in {}</a></p>').format(link, BRAND)
    return Message(event.title, text or event.title, str(html))


def _line(event: NotifyEvent, base: str) -> str:
    head = f"- {event.title}" + (f": {event.body}" if event.body else "")
    link = _link(event, base)
    return f"{head}\n  {link}" if link else head


def _item(event: NotifyEvent, base: str):
    link = _link(event, base)
    title = Markup('<a href="{}">{}</a>').format(link, event.title) if link else escape(event.title)
    body = Markup(" – {}").format(event.body) if event.body else ""
    return Markup("<li>{}{}</li>").format(title, body)


def _many(events: list[NotifyEvent]) -> Message:
    title, base = f"{len(events)} updates from {BRAND}", base_url()
    text = "\n".join(_line(event, base) for event in events)
    items = Markup("").join(_item(event, base) for event in events)
    html = Markup("<p><strong>{}</strong></p><ul>{}</ul>").format(title, items)
    return Message(title, text, str(html))


def compose(events: list[NotifyEvent]) -> Message:
    """One event as itself; several as a list, oldest first, each with its line and link."""
    if not events:
        raise ValueError("a message needs at least one event")
    ordered = sorted(events, key=lambda event: event.id)
    return _one(ordered[0]) if len(ordered) == 1 else _many(ordered)


def plain(message: Message) -> Message:
    """The text alone, for Apprise services (chat apps show HTML as tags)."""
    return Message(message.title, message.text, None)
