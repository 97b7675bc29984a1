"""gunicorn settings for MediaNest: gthread workers, one thread per open WebSocket or request."""

import os
import shutil
import socket
from pathlib import Path

from app.config import settings_from_env

_settings = settings_from_env()

bind = f"{_settings['HOST']}:{_settings['PORT']}"
workers = _settings["WEB_WORKERS"]
# Each open WebSocket holds one of its worker's threads while the tab is open, and a worker
# whose threads are all held leaves the connections it accepted waiting, so threads must
# exceed the sockets one worker may get. Measured (bench/README.md, 2 cores, 500 sockets):
# 2x400 and 4x250 delivered events with the same delay within noise and 1x600 (one GIL for
# every socket) fell furthest behind; 2x400 needs ~50 MB less idle memory (PSS) than 4x250, and
# the busier of its two workers held at most 276 sockets, leaving 120+ threads for pages.
worker_class = "gthread"
threads = _settings["WEB_THREADS"]
preload_app = True
graceful_timeout = 10
keepalive = 5
errorlog = "-"
loglevel = _settings["LOG_LEVEL"].lower()
forwarded_allow_ips = "*" if _settings["TRUSTED_PROXIES"] else "127.0.0.1,::1"

# Metrics from every worker process are summed through files in a folder of this gunicorn's own
# (several may share a data folder); it must be set before prometheus_client is first imported,
# which preload_app does next. Folders of gunicorns that are gone are removed.
_metrics_root = Path(_settings["DATA_DIR"]).expanduser().resolve() / "prometheus"
_metrics_root.mkdir(parents=True, exist_ok=True)
_host = socket.gethostname()
for _old in _metrics_root.glob(f"{_host}-*"):
    if not Path("/proc", _old.name.rpartition("-")[2]).exists():
        shutil.rmtree(_old, ignore_errors=True)
_metrics_dir = _metrics_root / f"{_host}-{os.getpid()}"
_metrics_dir.mkdir(exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_dir)


def post_fork(server, worker):
    from app.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)  # never share the master's pooled connections


def post_worker_init(worker):
    from app.realtime import heartbeat
    from wsgi import app

    heartbeat.keep_beating(app)  # an idle web process still counts as alive


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
