"""The health check of every service: probe it, keep its state, sample it, tell admins.

A failed check after an up one makes a service PENDING ("checking again"); the second failed
check in a row makes it DOWN and opens an Incident dated from the first; a check that finds it
up closes the incident. Admins hear once when an incident opens and once when it closes.
"""

import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.health import (
    DOWN,
    ERROR,
    MAINTENANCE,
    MINUTE,
    PENDING,
    UNKNOWN,
    UP,
    Incident,
    ServiceState,
)
from app.notify.outbox import emit
from app.status import disk_alert, probes
from app.status.probes import Finding
from app.status.samples import add_samples, sample_of
from app.status.views import duration_words, paused_words, when_words

log = logging.getLogger(__name__)

Probe = Callable[[], Finding | list[Finding] | None]
# The services the job checks: probe name (without "probe_") → kind and label of its row.
SERVICES = {
    "plex": ("plex", "Plex"),
    "overseerr": ("overseerr", "Overseerr"),
    "kuma": ("kuma", "Uptime Kuma"),
    "medianest": ("medianest", "MediaNest"),
}
KIND_ORDER = {"plex": 0, "overseerr": 1, "kuma": 2, "monitor": 3, "medianest": 4}
STATES = {UP, DOWN, PENDING, MAINTENANCE}
MAX_KEY, MAX_LABEL, MAX_DETAIL = 80, 200, 2000


def default_probes() -> list[Probe]:
    """The probes of every service, looked up now (so a replaced probe is the one called)."""
    return [_named(name, getattr(probes, f"probe_{name}")) for name in SERVICES]


def _named(name: str, probe: Probe) -> Probe:
    def probe_service():
        return probe()

    probe_service.__name__ = f"probe_{name}"
    return probe_service


@dataclass
class Outcome:
    """What one run of the check did."""

    keys: list[str] = field(default_factory=list)  # every key checked or removed
    removed: list[str] = field(default_factory=list)
    paused: dict[str, str] = field(default_factory=dict)  # key → "Checks paused until ..."
    opened: list[str] = field(default_factory=list)  # keys whose incident opened
    closed: list[str] = field(default_factory=list)
    crashed: list[str] = field(default_factory=list)  # keys whose probe raised
    findings: dict[str, Finding] = field(default_factory=dict)

    def touch(self, key: str) -> None:
        if key not in self.keys:
            self.keys.append(key)


def service_of(probe: Probe) -> tuple[str, str, str]:
    """The key, kind and label of the service a probe checks, from its name."""
    name = getattr(probe, "__name__", "").removeprefix("probe_") or "service"
    kind, label = SERVICES.get(name, (name, name.capitalize()))
    return name[:MAX_KEY], kind[:16], label


def check_all(probes: Iterable[Probe] | None = None, now: datetime | None = None) -> Outcome:
    """Check every service (or the given probes) once and store what was found."""
    outcome = Outcome()
    for probe in default_probes() if probes is None else probes:
        key, kind, label = service_of(probe)
        at = now or utcnow()
        state = db.session.get(ServiceState, key)
        if state is not None and state.retry_at is not None and state.retry_at > at:
            outcome.paused[key] = paused_words(state, at)
            db.session.rollback()  # hold no transaction while the other services are probed
            continue
        if state is not None:
            label, public = state.label or label, state.public
        else:
            public = False
        db.session.rollback()
        findings = _run(probe, Finding(key, kind, label, DOWN, ERROR, public=public), outcome)
        at = now or utcnow()
        if not findings:
            _remove_service(key, at, outcome)
        else:
            for finding in findings:
                apply(finding, at, outcome, breaker=finding.key == key)
            main = next((f for f in findings if f.key == key), None)
            if main is not None and main.state != DOWN:
                # The service answered: its sub-services it no longer lists are gone.
                seen = {f.key for f in findings}
                _remove_children(key, seen, at, outcome)
        # One service at a time: SQLite has one writer, and a slow probe must not hold it.
        db.session.commit()
    _reposition()
    db.session.commit()
    return outcome


def _run(probe: Probe, crashed: Finding, outcome: Outcome) -> list[Finding]:
    """The probe's findings about its own service; a probe that raises found it down."""
    key = crashed.key
    try:
        result = probe()
        if result is not None and not isinstance(result, Finding | list | tuple):
            raise TypeError(f"a probe gave {type(result).__name__}, not findings")
    except Exception as exc:  # a broken probe is a failed check of its service, not a failed job
        log.exception("The check of %s failed", key)
        db.session.rollback()
        outcome.crashed.append(key)
        crashed.detail = f"The check itself failed ({type(exc).__name__})"
        return [crashed]
    if result is None:
        return []
    found = [result] if isinstance(result, Finding) else list(result)
    return [f for f in found if isinstance(f, Finding) and _belongs(f.key, key)]


def _belongs(found_key, key: str) -> bool:
    return isinstance(found_key, str) and (
        found_key == key or (found_key.startswith(key + ":") and len(found_key) <= MAX_KEY)
    )


def apply(finding: Finding, now: datetime, outcome: Outcome, breaker: bool = True) -> None:
    """Apply one Finding to its service's state: transitions, incident, sample, breaker."""
    state = db.session.get(ServiceState, finding.key)
    if state is None:
        state = ServiceState(
            key=finding.key, kind="", state=UNKNOWN, reason="", detail="", fails=0, info={}
        )
        db.session.add(state)
    state.kind = str(finding.kind or "")[:16]
    state.label = str(finding.label or finding.key)[:MAX_LABEL]
    state.public = bool(finding.public)
    previous = state.info
    state.info = _storable(finding.info) if isinstance(finding.info, dict) else {}
    state.ms = _ms(finding.ms)
    state.checked_at = now
    found = finding.state if finding.state in STATES else DOWN
    detail = str(finding.detail or "")[:MAX_DETAIL]
    if found == UP:
        _went_well(state, UP, detail, now, outcome)
    elif found == MAINTENANCE:
        _went_well(state, MAINTENANCE, detail, now, outcome)
    elif found == PENDING:
        _pending(state, finding.reason, detail, now)
    else:
        _failed(state, finding.reason or ERROR, detail, now, outcome, breaker)
    add_samples([sample_of(finding.key, now, up=found in (UP, MAINTENANCE), ms=state.ms)], MINUTE)
    if finding.key == "medianest":
        disk_alert.watch(state, previous, state.info, now)
    outcome.findings[finding.key] = finding
    outcome.touch(finding.key)


def _ms(value) -> float | None:
    try:
        ms = float(value)
    except (TypeError, ValueError):
        return None
    return round(ms, 1) if 0 <= ms < 10**9 else None


def _set_state(state: ServiceState, new: str, now: datetime) -> None:
    if state.state != new or state.since is None:
        state.since = now
    state.state = new


def _went_well(state: ServiceState, new: str, detail: str, now: datetime, outcome) -> None:
    """Up or in maintenance: no failure in a row, the breaker closes; up ends the incident."""
    _set_state(state, new, now)
    state.reason, state.detail, state.fails, state.retry_at = "", detail, 0, None
    if new == UP:
        state.last_ok_at = now
        incident = open_incident(state.key)
        if incident is not None:
            incident.ended_at = now
            _tell_back(incident, now)
            outcome.closed.append(state.key)


def _pending(state: ServiceState, reason: str, detail: str, now: datetime) -> None:
    """The monitor's own "checking again": shown as it is, never counted as a failure."""
    if state.state != DOWN:
        _set_state(state, PENDING, now)
    state.reason, state.detail = (reason or "")[:16], detail


def _failed(state, reason: str, detail: str, now: datetime, outcome, breaker: bool) -> None:
    """One failed check: pending the first time, down (with an incident) the second."""
    state.fails = (state.fails or 0) + 1
    state.reason, state.detail = str(reason)[:16], detail
    if state.fails == 1 and state.state != DOWN:
        _set_state(state, PENDING, now)
        state.since = now  # the first failed check: the incident starts here if it opens
    elif state.state != DOWN:
        started = state.since if state.state == PENDING and state.since else now
        state.state, state.since = DOWN, started
    if state.state == DOWN:
        incident = open_incident(state.key)
        if incident is None:
            incident = Incident(
                service_key=state.key,
                label=state.label,
                started_at=state.since or now,
                reason=state.reason,
                detail=detail,
            )
            db.session.add(incident)
            db.session.flush()
            outcome.opened.append(state.key)
        _tell_down(incident, now)
    config = current_app.config
    if breaker and state.fails >= config["HEALTH_BREAKER_FAILURES"]:
        state.retry_at = now + timedelta(seconds=config["HEALTH_BREAKER_SECONDS"])


def open_incident(key: str) -> Incident | None:
    """The service's incident that has not ended, if any."""
    return db.session.scalars(
        select(Incident)
        .where(Incident.service_key == key, Incident.ended_at.is_(None))
        .order_by(Incident.started_at.desc(), Incident.id.desc())
        .limit(1)
    ).first()


def _tell_down(incident: Incident, now: datetime) -> None:
    if incident.down_notified_at is not None:
        return
    incident.down_notified_at = now
    why = _lower_first(incident.detail) or "it failed two checks in a row"
    emit(
        "service.down",
        f"{incident.label} is down: {why}"[:200],
        f"Down since {when_words(incident.started_at, now)}; two checks in a row failed.",
        level="error",
        link="/status",
        commit=False,
    )


def _tell_back(incident: Incident, now: datetime) -> None:
    if incident.up_notified_at is not None or incident.down_notified_at is None:
        return  # never told it was down (it was removed meanwhile): nothing to take back
    incident.up_notified_at = now
    took = duration_words(now - incident.started_at)
    emit(
        "service.up",
        f"{incident.label} is back after {took}"[:200],
        f"Down from {when_words(incident.started_at, now)} to {when_words(now, now)}.",
        level="success",
        link="/status",
        commit=False,
    )


# Words that start a sentence about a service and stay capitalised inside one.
_NAMES = ("Plex", "Overseerr", "Seerr", "Uptime", "Kuma", "MediaNest", "Redis", "PostgreSQL")


def _lower_first(text: str) -> str:
    """'Timed out after 5 s' reads 'timed out after 5 s' after a colon; names stay as they are."""
    text = (text or "").strip().rstrip(".")
    first = text.split(" ", 1)[0]
    if not first or first.startswith(_NAMES) or not first[1:].islower():
        return text
    return text[0].lower() + text[1:]


def _remove_service(key: str, now: datetime, outcome: Outcome) -> None:
    """A service no longer set up: its row and its sub-services' rows go (history stays)."""
    rows = db.session.scalars(
        select(ServiceState).where(
            (ServiceState.key == key) | ServiceState.key.startswith(key + ":", autoescape=True)
        )
    ).all()
    for row in rows:
        _forget(row, now, outcome)


def _remove_children(key: str, seen: set[str], now: datetime, outcome: Outcome) -> None:
    rows = db.session.scalars(
        select(ServiceState).where(ServiceState.key.startswith(key + ":", autoescape=True))
    ).all()
    for row in rows:
        if row.key not in seen:
            _forget(row, now, outcome)


def _forget(row: ServiceState, now: datetime, outcome: Outcome) -> None:
    incident = open_incident(row.key)
    if incident is not None:
        incident.ended_at = now  # no longer watched: its outage ends with the watching
    db.session.delete(row)
    outcome.removed.append(row.key)
    outcome.touch(row.key)


def _reposition() -> None:
    """Order the cards by kind, then label."""
    rows = db.session.scalars(select(ServiceState)).all()
    ordered = sorted(
        rows, key=lambda r: (KIND_ORDER.get(r.kind, len(KIND_ORDER)), r.label.lower(), r.key)
    )
    for position, row in enumerate(ordered):
        if row.position != position:
            row.position = position


def _storable(value):
    """The value with NaN and infinities as None: PostgreSQL's JSON refuses them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    return value
