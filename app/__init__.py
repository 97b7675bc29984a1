"""MediaNest: a self-hosted portal for a Plex server and the people who share it."""

from pathlib import Path

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.bounded import IdConverter
from app.config import build_config
from app.embedded import embedded_redis_for_command, limiter_storage_uri, start_embedded_redis
from app.extensions import csrf, db, htmx_ext, limiter, login_manager, migrate, sock

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(build_config(test_config))
    app.url_map.converters["int"] = IdConverter  # before any route is added
    if not app.config["REDIS_URL"]:
        # A `flask ...` command (built inside click's context) uses the running app's Redis or
        # stops the one it started; web and worker processes keep theirs (`make run` stops it).
        under_cli = click.get_current_context(silent=True) is not None
        start = embedded_redis_for_command if under_cli else start_embedded_redis
        app.config["REDIS_URL"] = start(app.config["DATA_DIR"])
    app.config.setdefault("RATELIMIT_STORAGE_URI", limiter_storage_uri(app.config["REDIS_URL"]))
    app.config.setdefault("SOCK_SERVER_OPTIONS", {"ping_interval": 25})
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    from app.forms import refuse_nameless_parts
    from app.uploads.chunks import allow_upload_chunks

    app.before_request(allow_upload_chunks)  # before the CSRF check, which opens the body
    app.before_request(refuse_nameless_parts)  # before the CSRF check, which fails on them
    csrf.init_app(app)
    htmx_ext.init_app(app)
    limiter.init_app(app)
    sock.init_app(app)

    from app import database, errors, forms, page_cache, security, templating
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.cli import bp as cli_bp
    from app.dashboard import bp as dashboard_bp
    from app.discover import bp as discover_bp
    from app.downloads import bp as downloads_bp
    from app.invites import bp as invites_bp
    from app.library import bp as library_bp
    from app.notifications import bp as notifications_bp
    from app.notify import bp as notify_bp
    from app.ops import bp as ops_bp
    from app.ops.metrics import init_request_metrics
    from app.realtime import bp as realtime_bp
    from app.requests import bp as requests_bp
    from app.requests.webhook import bp as overseerr_webhook_bp
    from app.setup import bp as setup_bp
    from app.status import bp as status_bp
    from app.uploads import bp as uploads_bp

    database.init_app(app)
    page_cache.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    forms.init_app(app)
    templating.init_app(app)
    init_request_metrics(app)
    from app.backups import maintenance

    maintenance.init_app(app)
    for blueprint in (
        setup_bp,
        auth_bp,
        invites_bp,
        dashboard_bp,
        notifications_bp,
        notify_bp,
        admin_bp,
        library_bp,
        discover_bp,
        requests_bp,
        downloads_bp,
        uploads_bp,
        status_bp,
        ops_bp,
        realtime_bp,
        overseerr_webhook_bp,
        cli_bp,
    ):
        app.register_blueprint(blueprint)
    return app
