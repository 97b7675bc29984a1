"""The WSGI entry point for gunicorn: wsgi:app."""

import sys

from app import create_app
from app.database import SchemaBehind, require_current_schema

app = create_app()
try:
    require_current_schema(app)
except SchemaBehind as exc:
    sys.stderr.write(f"MediaNest cannot start: {exc}\n")
    raise SystemExit(3) from None

with app.app_context():
    from app.admin.plex_services import provision_from_environment

    problem = provision_from_environment()
    from app.admin.requests_settings_services import provision_from_environment as requests_env

    requests_env()
    from app.admin.status_settings_services import provision_from_environment as kuma_env

    kuma_env()
    from app.notify.setup import provision_from_environment as notify_env

    notify_env()
    from app.backups.demo import seed_bucket

    seed_bucket()
if problem:
    sys.stderr.write(f"MediaNest could not set up Plex from MEDIANEST_PLEX_URL: {problem}\n")
