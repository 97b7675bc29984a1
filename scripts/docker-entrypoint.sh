#!/bin/sh
# Container entrypoint: start one MediaNest service, chosen by the first argument.
#   web (default)  migrate the database, then serve with gunicorn
#   worker         run an RQ worker (further arguments go to worker.py, e.g. --burst)
#   scheduler      run the RQ cron scheduler (exactly one per installation)
#   all            everything in this one container, on SQLite and an embedded Redis
#                  unless MEDIANEST_DATABASE_URL / MEDIANEST_REDIS_URL say otherwise
# Anything else runs as a command, e.g. `flask --app app medianest create-admin`.
set -eu

cd "$(dirname "$0")/.."

role="${1:-web}"
case "$role" in
    web)
        flask --app app db upgrade
        exec gunicorn -c gunicorn.conf.py wsgi:app
        ;;
    worker)
        shift
        exec python worker.py "$@"
        ;;
    scheduler)
        exec python worker.py --cron
        ;;
    all)
        exec python -m app.runner
        ;;
    *)
        exec "$@"
        ;;
esac
