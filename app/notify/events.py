"""Every event MediaNest tells people about: who hears it and how, unless they choose otherwise."""

from dataclasses import dataclass

IN_APP, EMAIL, TARGETS = "in_app", "email", "targets"
WAYS = (IN_APP, EMAIL, TARGETS)
# Who an event is for: the person it is about (requester, downloader, subscriber…) or admins.
PERSON, ADMINS = "person", "admins"


@dataclass(frozen=True)
class EventType:
    key: str
    label: str  # for the person's choices: "A request of mine is available"
    audience: str  # PERSON | ADMINS
    ways: frozenset  # the default ways for a person who has not chosen
    admin_only: bool = False  # only admins may choose it (service down, backup failed…)


def _type(key, label, audience, *ways, admin_only=False) -> EventType:
    return EventType(key, label, audience, frozenset(ways), admin_only)


EVENT_TYPES: dict[str, EventType] = {
    t.key: t
    for t in (
        _type("request.submitted", "Someone asked for something", ADMINS, IN_APP, admin_only=True),
        _type("request.approved", "My request was approved", PERSON, IN_APP),
        _type("request.declined", "My request was declined", PERSON, IN_APP, EMAIL),
        _type("request.available", "My request is on Plex", PERSON, IN_APP, EMAIL),
        _type("request.failed", "My request could not be sent on", PERSON, IN_APP),
        _type("download.finished", "My download is on Plex", PERSON, IN_APP),
        _type("download.failed", "My download failed", PERSON, IN_APP, EMAIL),
        _type("upload.ready", "My upload is processed or in Plex", PERSON, IN_APP),
        _type("upload.failed", "My upload failed", PERSON, IN_APP, EMAIL),
        _type("subscription.new", "A channel I follow has new videos", PERSON, IN_APP),
        _type("service.down", "A service went down", ADMINS, IN_APP, EMAIL, admin_only=True),
        _type("service.up", "A service recovered", ADMINS, IN_APP, EMAIL, admin_only=True),
        _type("signup.waiting", "A sign-up waits for approval", ADMINS, IN_APP, admin_only=True),
        _type("backup.failed", "A backup failed", ADMINS, IN_APP, EMAIL, admin_only=True),
        _type("disk.full", "Disk nearly full", ADMINS, IN_APP, EMAIL, admin_only=True),
        _type("system.alert", "Something needs an admin", ADMINS, IN_APP, admin_only=True),
        _type("account.notice", "Changes to my account", PERSON, IN_APP),
        _type("plex.new", "New on Plex (my newsletter)", PERSON, EMAIL),
    )
}


def event_type(key: str) -> EventType:
    """The type named key; an unknown key is a programming error."""
    return EVENT_TYPES[key]


def choosable(is_admin: bool) -> list[EventType]:
    """The types a person may set ways for, in the order shown."""
    return [t for t in EVENT_TYPES.values() if is_admin or not t.admin_only]


def is_verification(event) -> bool:
    """The email that confirms an address: sent to that address, which is not confirmed yet."""
    data = event.data or {}
    return bool(data.get("verify")) and isinstance(data.get("to"), str) and bool(data["to"])
