"""Publishing events: small JSON documents on per-user, admin and everyone channels."""

import json
import logging

from redis.exceptions import RedisError

from app.extensions import redis_conn

log = logging.getLogger(__name__)

PREFIX = "medianest:events:"
ADMINS = PREFIX + "admins"
EVERYONE = PREFIX + "everyone"


def user_channel(user_id: int) -> str:
    return f"{PREFIX}user:{user_id}"


def channels_for(user_id: int, is_admin: bool) -> tuple[str, ...]:
    """The channels one signed-in person may hear."""
    own = (user_channel(user_id), EVERYONE)
    return own + (ADMINS,) if is_admin else own


def publish(event: dict, *, user_ids=(), admins: bool = False, everyone: bool = False) -> None:
    """Send an event; the database already holds the truth, so a Redis failure is only logged."""
    channels = [user_channel(uid) for uid in user_ids]
    if admins:
        channels.append(ADMINS)
    if everyone:
        channels.append(EVERYONE)
    payload = json.dumps(event, default=str)
    _send([(channel, payload) for channel in channels], event.get("type"))


def publish_each(events) -> None:
    """Send each (event, user_id) to that person, all in one round trip to Redis."""
    messages = [(user_channel(uid), json.dumps(event, default=str)) for event, uid in events]
    _send(messages, events[0][0].get("type") if events else None)


def _send(messages: list[tuple[str, str]], kind) -> None:
    if not messages:
        return
    try:
        pipe = redis_conn().pipeline(transaction=False)
        for channel, payload in messages:
            pipe.publish(channel, payload)
        pipe.execute()
    except RedisError as exc:
        log.warning("Could not publish %s: %s", kind, exc)
