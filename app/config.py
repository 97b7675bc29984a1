"""Configuration: class defaults, then MEDIANEST_* environment, then a test dict."""

import os
import secrets
import time
from pathlib import Path

ENV_PREFIX = "MEDIANEST_"


class Defaults:
    """Settings a self-hoster may change through MEDIANEST_<NAME> variables."""

    DATA_DIR = "./instance"
    DATABASE_URL = ""  # empty: a SQLite file in DATA_DIR
    REDIS_URL = ""  # empty: an embedded Redis on a unix socket in DATA_DIR
    SECRET_KEY = ""  # empty: generated once and kept in DATA_DIR
    MEDIA_ROOT = ""  # empty: DATA_DIR/media
    BACKUP_DIR = ""  # empty: DATA_DIR/backups
    BACKUP_PASSPHRASE = ""  # empty: the one an admin set under Admin → Backups
    HOST = "0.0.0.0"
    PORT = 8000
    DEMO = False
    PLEX_TV_URL = "https://plex.tv"
    PLEX_APP_URL = "https://app.plex.tv"
    PLEX_URL = ""
    # The address people open MediaNest at, when a proxy makes it differ from the Host header.
    PUBLIC_URL = ""
    PLEX_TOKEN = ""
    OVERSEERR_URL = ""
    OVERSEERR_API_KEY = ""
    OVERSEERR_WEBHOOK_AUTH = ""
    OVERSEERR_TIMEOUT = 10.0  # seconds to wait for one Overseerr answer
    # After this many failed calls in a row, stop calling Overseerr for this many seconds.
    OVERSEERR_BREAKER_FAILURES = 5
    OVERSEERR_BREAKER_SECONDS = 15.0
    OVERSEERR_RETRY_SECONDS = 15.0  # first retry of a delivery; doubles up to 15 minutes
    # Notifications: these seed the settings Admin → Notifications edits.
    NOTIFY_URLS = ""  # Apprise URLs, comma-separated, that receive admin alerts
    SMTP_URL = ""  # smtp:// or smtps://user:password@host:port, for email to people
    SMTP_FROM = ""  # "MediaNest <media@example.com>"
    NOTIFY_TIMEOUT = 15.0  # seconds one message may take to send
    NOTIFY_ATTEMPTS = 10  # tries before a delivery fails for good (about a day of backoff)
    NOTIFY_RETRY_SECONDS = 60.0  # first retry; doubles, at most NOTIFY_RETRY_MAX_SECONDS
    NOTIFY_RETRY_MAX_SECONDS = 4 * 3600.0
    NOTIFY_BATCH_SECONDS = 60.0  # a destination gets at most one message this often
    NOTIFY_DRAINERS = 2  # delivery jobs sending at once (each takes destination after destination)
    UPTIME_KUMA_URL = ""  # seeds Admin → Status settings
    UPTIME_KUMA_SLUG = ""
    UPTIME_KUMA_TIMEOUT = 10.0
    TMDB_API_KEY = ""
    TMDB_URL = "https://api.themoviedb.org/3"
    TMDB_IMAGE_URL = "https://image.tmdb.org/t/p"
    TMDB_TIMEOUT = 10.0
    METRICS_TOKEN = ""
    # Downloads: these seed the settings Admin → Downloads edits.
    YOUTUBE_DIR = ""  # empty: MEDIA_ROOT/youtube
    YOUTUBE_PLEX_PATH = ""  # the same folder as Plex sees it; empty: the same path
    YOUTUBE_LIBRARY = ""  # the Plex library's title or key
    # Uploads: these seed the settings Admin → Uploads edits.
    HOME_VIDEOS_DIR = ""  # empty: MEDIA_ROOT/home-videos
    HOME_VIDEOS_PLEX_PATH = ""  # the same folder as Plex sees it; empty: the same path
    HOME_VIDEOS_LIBRARY = ""  # the Plex library's title or key
    DOWNLOAD_ALLOWED_HOSTS = ""  # extra hosts, comma-separated; loopback/private only if named
    DEMO_VIDEO_URL = ""  # demo mode: the simulated video site, for the "try this" links
    DEMO_BUCKET_URL = ""  # demo mode: the simulated S3 bucket that backups are copied to
    DOWNLOAD_WORKERS = 2  # videos fetched at once by `make run` (one worker process each)
    DOWNLOAD_ATTEMPTS = 3  # tries per video before it fails for good
    DOWNLOAD_RETRY_SECONDS = 30.0  # first retry; doubles each time
    DOWNLOAD_TIMEOUT = 6 * 3600  # seconds one video may take
    DOWNLOAD_REQUEUE_SECONDS = 600  # a queued video no job took by then is queued again
    DOWNLOAD_LEASE_SECONDS = 120  # a running video's row is held this long between renewals
    DOWNLOAD_PROGRESS_SECONDS = 0.4  # at most one progress event per video this often
    PREVIEW_PAGE_SIZE = 50  # videos of a playlist listed per preview page
    PLEX_SCAN_RETRY_SECONDS = 60.0  # first retry of a Plex scan or collection; doubles
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers we trust.
    TRUSTED_PROXIES = 0
    # Force the Secure flag on cookies; it is also set on any request that arrives over HTTPS.
    SECURE_COOKIES = False
    # Failed password sign-ins: per address and name, and (looser, for shared homes) per address.
    LOGIN_RATE_LIMIT = "5 per 15 minutes"
    LOGIN_ADDRESS_RATE_LIMIT = "20 per 15 minutes"
    MIN_FREE_DISK_GB = 1.0
    MAX_QUEUE_DEPTH = 500
    # Seconds between health checks of every service (seeds the setting health.interval).
    HEALTH_INTERVAL = 60
    HEALTH_TIMEOUT = 5.0  # seconds one service may take to answer a check
    # A service failing this many checks in a row is probed only every HEALTH_BREAKER_SECONDS.
    HEALTH_BREAKER_FAILURES = 5
    HEALTH_BREAKER_SECONDS = 300
    # Admins are told once when free disk space drops under either of these.
    DISK_FULL_PERCENT = 10.0
    DISK_FULL_GB = 5.0
    LIBRARY_PAGE_SIZE = 1000  # items per page a sync reads from Plex
    LIBRARY_SYNC_TIMEOUT = 30.0  # seconds to wait for one page
    LIBRARY_RECENT_INTERVAL_SECONDS = 300  # how often recently added items are read
    LIBRARY_IMAGE_TIMEOUT = 10.0  # seconds to wait for a poster from Plex
    WEB_WORKERS = 2
    WEB_THREADS = 400
    LOG_LEVEL = "INFO"


def _coerce(raw: str, default):
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def settings_from_env(environ=None) -> dict:
    """Return the defaults overlaid with MEDIANEST_* variables, coerced to the defaults' types."""
    environ = os.environ if environ is None else environ
    values = {}
    for name in dir(Defaults):
        if not name.isupper():
            continue
        default = getattr(Defaults, name)
        raw = environ.get(ENV_PREFIX + name)
        values[name] = default if raw in (None, "") else _coerce(raw, default)
    return values


def normalise_database_url(url: str) -> str:
    """Accept the common PostgreSQL spellings and use psycopg 3 for all of them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_secret_key(data_dir: Path) -> str:
    """Read the instance's secret key, creating it (mode 600) on first use."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of this install created it a moment ago
        time.sleep(0.1)
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def build_config(test_config: dict | None = None, environ=None) -> dict:
    """Resolve every setting and the Flask/extension keys derived from them."""
    cfg = settings_from_env(environ)
    cfg.update(test_config or {})

    data_dir = Path(cfg["DATA_DIR"]).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    cfg["DATA_DIR"] = str(data_dir)
    cfg["MEDIA_ROOT"] = str(Path(cfg["MEDIA_ROOT"] or data_dir / "media").expanduser().resolve())
    cfg["DATABASE_URL"] = normalise_database_url(
        cfg["DATABASE_URL"] or f"sqlite:///{data_dir / 'medianest.db'}"
    )
    cfg["SECRET_KEY"] = cfg["SECRET_KEY"] or load_secret_key(data_dir)

    is_sqlite = cfg["DATABASE_URL"].startswith("sqlite")
    cfg.setdefault("SQLALCHEMY_DATABASE_URI", cfg["DATABASE_URL"])
    # No parallel query workers: pages run small queries, and starting workers takes longer
    # (5-15 ms) than they save on the few cores a home server has.
    postgres_options = {"options": "-c max_parallel_workers_per_gather=0"}
    cfg.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        {"connect_args": {"timeout": 30}}
        if is_sqlite
        else {"pool_pre_ping": True, "connect_args": postgres_options},
    )
    cfg.setdefault("SESSION_COOKIE_HTTPONLY", True)
    cfg.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    cfg.setdefault("SESSION_COOKIE_NAME", "medianest_session")
    cfg.setdefault("SESSION_COOKIE_SECURE", cfg["SECURE_COOKIES"])
    cfg.setdefault("PERMANENT_SESSION_LIFETIME", 60 * 60 * 24 * 30)
    # The token lives as long as the session; a tab left open overnight must still post.
    cfg.setdefault("WTF_CSRF_TIME_LIMIT", None)
    cfg.setdefault("WTF_CSRF_HEADERS", ["X-CSRFToken"])
    cfg.setdefault("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    cfg.setdefault("PASSWORD_HASH_METHOD", "scrypt")
    cfg.setdefault("PLEX_TV_TIMEOUT", 10.0)  # seconds to wait for plex.tv's answer
    cfg.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # A Redis hiccup must not lock everyone out of the sign-in page.
    cfg.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    return cfg
