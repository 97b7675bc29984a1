"""What the Status page reads: the services a person may see, their history, incidents."""

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.health import ServiceState
from app.paging import Page
from app.status import history, views

INCIDENTS_PER_PAGE = 20


@dataclass
class StatusPage:
    services: list[views.ServiceView]
    incidents: Page
    range_key: str
    range_words: str
    admin: bool

    @property
    def ranges(self) -> list[tuple[str, str]]:
        return [(key, short) for key, (_, short, _) in views.RANGES.items()]

    @property
    def setup_missing(self) -> bool:
        """Only MediaNest itself is watched: nothing outside is set up yet."""
        return all(service.kind == "medianest" for service in self.services)


def visible_states(viewer, keys: list[str] | None = None) -> list[ServiceState]:
    """The services this person may see (admins: all; others: public ones), in card order."""
    query = select(ServiceState).order_by(ServiceState.position, ServiceState.key)
    if not viewer.is_admin:
        query = query.where(ServiceState.public.is_(True))
    if keys is not None:
        query = query.where(ServiceState.key.in_(keys))
    return list(db.session.scalars(query))


def service_views(states: list[ServiceState], admin: bool) -> list[views.ServiceView]:
    """Each service's state in words with its uptimes over 24 h, 7 d and 30 d."""
    now = utcnow()
    keys = [state.key for state in states]
    windows = {name: history.uptime(keys, now - span) for name, span in views.UPTIME_WINDOWS}
    return [
        views.service_view(
            state, {name: windows[name].get(state.key) for name in windows}, admin, now
        )
        for state in states
    ]


def status_page(viewer, chosen: str, page: int) -> StatusPage:
    """The whole Status page for one person: services with charts, then their incidents."""
    span, _, words = views.RANGES[chosen]
    states = visible_states(viewer)
    shown = service_views(states, viewer.is_admin)
    since = utcnow() - span
    for service in shown:
        service.chart = views.chart_of(history.latency(service.key, since), span)
    keys = None if viewer.is_admin else [state.key for state in states]
    incidents = history.incidents_page(keys, page, INCIDENTS_PER_PAGE)
    incidents.items = [views.incident_view(i, viewer.is_admin) for i in incidents.items]
    return StatusPage(shown, incidents, chosen, words, viewer.is_admin)
