"""The parts of the dashboard every viewer of one audience shares, rendered once per process.

The service cards (per audience: admins or everyone else) are kept as HTML in process memory.
They are dropped when this process's event listener hears that they changed (health.changed),
and after CACHE_SECONDS in any case, so a process whose listener lost Redis is never more than
that behind.
"""

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy import select

from app.dashboard import cards
from app.extensions import db
from app.library import catalog
from app.models.health import ServiceState
from app.status import history

CACHE_SECONDS = 10.0
KEY = "medianest.dashboard"
ADMINS, PEOPLE = True, False
UPTIME_WINDOW = timedelta(hours=24)
KUMA_KINDS = ("kuma", "monitor")
_FIRST_TAG = re.compile(r"<[a-zA-Z][a-zA-Z0-9-]*")
RECENT_EVENTS = 32  # live renders remembered per process, one per (event, audience)


@dataclass
class Board:
    """One audience's cards, rendered: the whole list, each card alone, and Kuma's banner."""

    keys: tuple[tuple[str, str], ...]  # (key, group) in order: cards coming, going or moving
    html: Markup
    cards: dict[str, Markup]
    banner: Markup


@dataclass
class _Entry:
    value: object
    expires: float


@dataclass
class Shared:
    """A small TTL cache whose entries an event can drop; a build that raced a drop is not kept."""

    ttl: float
    generation: int = 0
    entries: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, name, build):
        now = time.monotonic()
        with self.lock:
            entry, generation = self.entries.get(name), self.generation
        if entry is not None and entry.expires > now:
            return entry.value
        value = build()
        with self.lock:
            if self.generation == generation:
                self.entries[name] = _Entry(value, now + self.ttl)
        return value

    def drop(self) -> None:
        with self.lock:
            self.generation += 1
            self.entries.clear()


class Dashboard:
    """This app's shared parts, and what live renders need to know about the last boards."""

    def __init__(self, ttl: float):
        self.boards = Shared(ttl)
        self.lock = threading.Lock()
        # The keys of the last board built per audience, kept past the TTL: an event compares
        # against them to tell whether cards came or went.
        self.last_keys: dict[bool, tuple] = {}
        # Per event heard: the last keys as they were before it, and its renders per audience.
        self.events: OrderedDict[int, tuple[dict, dict, dict]] = OrderedDict()

    def health_changed(self, event: dict) -> None:
        """Called by the listener thread before any socket renders the event."""
        with self.lock:
            before = dict(self.last_keys)
            self.events[id(event)] = (event, before, {})
            while len(self.events) > RECENT_EVENTS:
                self.events.popitem(last=False)
        self.boards.drop()

    def remembered(self, event: dict) -> tuple[dict | None, dict]:
        with self.lock:
            found = self.events.get(id(event))
            if found is None or found[0] is not event:
                found = (event, None, {})
                self.events[id(event)] = found
                while len(self.events) > RECENT_EVENTS:
                    self.events.popitem(last=False)
            return found[1], found[2]


def dashboard() -> Dashboard:
    """This app's shared dashboard state; the first call asks the event listener to keep it."""
    found = current_app.extensions.get(KEY)
    if found is None:
        from app.realtime.routes import get_hub

        made = Dashboard(current_app.config.get("DASHBOARD_CACHE_SECONDS", CACHE_SECONDS))
        found = current_app.extensions.setdefault(KEY, made)
        if found is made:
            hub = get_hub()
            hub.watch("health.changed", made.health_changed)
    return found


def _timeout(state: ServiceState) -> float:
    config = current_app.config
    name = "UPTIME_KUMA_TIMEOUT" if state.kind in KUMA_KINDS else "HEALTH_TIMEOUT"
    return float(config.get(name) or 5)


def build_cards(admin: bool, only: str | None = None) -> tuple[list, list]:
    """Every card this audience sees (or only one), in order, from one read of the states."""
    query = select(ServiceState)
    if only is not None:
        query = query.where(ServiceState.key == only)
    states = cards.ordered(list(db.session.scalars(query)))
    now = datetime.now(UTC)
    shown = [s for s in states if cards.may_see(s, admin)]
    built = [cards.build(s, admin, now, _timeout(s)) for s in shown]
    if only in (None, "medianest") and not any(c.kind == "medianest" for c in built):
        built.append(cards.placeholder_medianest(admin))
    uptime_keys = [c.key for c in built if c.kind not in KUMA_KINDS and c.state != cards.UNKNOWN]
    if uptime_keys:
        shares = history.uptime(uptime_keys, now - UPTIME_WINDOW)
        for card in built:
            if card.key in shares:
                card.uptime = cards.percent(shares[card.key])
    sees_monitors = any(c.kind == "monitor" for c in built)
    kuma = next((s for s in states if s.key == "kuma"), None)
    return built, cards.notices(kuma) if sees_monitors else []


def one_card(key: str, admin: bool, **context) -> str:
    """One card read now, not from the cache (after "Check now", while the check runs)."""
    built, _ = build_cards(admin, only=key)
    card = next((c for c in built if c.key == key), None)
    if card is None:
        return ""
    return render_template("dashboard/_service_card.html", card=card, admin=admin, **context)


def render_board(admin: bool) -> Board:
    built, notices = build_cards(admin)
    one = {
        c.key: Markup(
            render_template("dashboard/_service_card.html", card=c, admin=admin, oob=False)
        )
        for c in built
    }
    html = render_template("dashboard/_services.html", built=built, rendered=one, oob=False)
    banner = render_template("dashboard/_kuma_banner.html", notices=notices, oob=False)
    layout = tuple((c.key, c.group) for c in built)
    return Board(layout, Markup(html), one, Markup(banner))


def board(admin: bool) -> Board:
    """This audience's cards, rendered at most once per change (or per CACHE_SECONDS)."""
    shared = dashboard()

    def build() -> Board:
        made = render_board(admin)
        with shared.lock:
            shared.last_keys[admin] = made.keys
        return made

    return shared.boards.get(admin, build)


def recently_added(admin: bool) -> Markup:
    """The "Recently added" row for admins (hidden libraries too) or for everyone else.

    Read each time, not cached: a library hidden or removed must leave it at once."""
    items = catalog.recently_added(include_hidden=admin)
    return Markup(render_template("library/_recently_added.html", recently_added=items))


def oob(html: Markup) -> str:
    """The same fragment, marked to be swapped by its id (the cached copy is not)."""
    text = str(html).lstrip()
    match = _FIRST_TAG.match(text)
    if match is None:
        return ""
    return text[: match.end()] + ' hx-swap-oob="true"' + text[match.end() :]


def live_update(event: dict, admin: bool) -> str | None:
    """The changed cards for this audience (the whole list when cards came or went), once per
    event and audience however many sockets hear it."""
    shared = dashboard()
    before, renders = shared.remembered(event)
    if admin in renders:
        return renders[admin]
    try:
        current = board(admin)
    finally:
        db.session.remove()  # the socket waits for its next event holding no connection
    keys = event.get("keys")
    changed = [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else None
    if before is None or before.get(admin) != current.keys or changed is None:
        html = oob(current.html) + oob(current.banner)
    else:
        html = "".join(oob(current.cards[k]) for k in changed if k in current.cards)
        if "kuma" in changed:  # Kuma's own row holds its incidents and maintenance
            html += oob(current.banner)
    renders[admin] = html or None
    return renders[admin]
