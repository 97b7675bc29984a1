"""What runs on a schedule, for the RQ cron scheduler."""

from flask import Flask
from redis import Redis
from rq.cron import CronScheduler

from app.backups.services import scheduled_backup
from app.backups.services import sweep as sweep_backups
from app.discover.tasks import refresh_details, refresh_lists
from app.downloads.subscription_tasks import check_due_subscriptions
from app.downloads.tasks import sweep_downloads
from app.library.tasks import full_sync, recent_sync
from app.notify.digest import send_newsletters
from app.notify.tasks import sweep as sweep_notifications
from app.requests.tasks import reconcile_requests, sweep_actions
from app.status.tasks import health_tick, rollup_history
from app.uploads.tasks import remove_abandoned, sweep_uploads

# How often the health tick looks whether a check is due (the interval itself is a setting).
HEALTH_TICK_SECONDS = 10


def build_cron(app: Flask, connection: Redis) -> CronScheduler:
    """A cron scheduler with every periodic job registered."""
    cron = CronScheduler(connection=connection, logging_level=app.config["LOG_LEVEL"])
    cron.register(
        health_tick, "default", interval=HEALTH_TICK_SECONDS, job_timeout=150, result_ttl=60
    )
    cron.register(rollup_history, "default", cron="17 * * * *", job_timeout=3600, result_ttl=3600)
    cron.register(
        recent_sync,
        "default",
        interval=app.config["LIBRARY_RECENT_INTERVAL_SECONDS"],
        job_timeout=600,
        result_ttl=3600,
    )
    cron.register(sweep_actions, "default", interval=15, job_timeout=60, result_ttl=60)
    cron.register(sweep_downloads, "default", interval=15, job_timeout=120, result_ttl=60)
    cron.register(reconcile_requests, "default", interval=300, job_timeout=240, result_ttl=600)
    cron.register(full_sync, "default", cron="30 3 * * *", job_timeout=4 * 3600, result_ttl=86400)
    cron.register(refresh_lists, "default", cron="7 * * * *", job_timeout=300, result_ttl=3600)
    cron.register(refresh_details, "default", cron="50 4 * * *", job_timeout=3600, result_ttl=86400)
    cron.register(check_due_subscriptions, "default", interval=60, job_timeout=120, result_ttl=300)
    cron.register(send_newsletters, "default", cron="5 * * * *", job_timeout=900, result_ttl=3600)
    cron.register(sweep_uploads, "default", interval=30, job_timeout=60, result_ttl=60)
    cron.register(remove_abandoned, "default", cron="41 * * * *", job_timeout=300, result_ttl=3600)
    # Notifications: unfanned events, due retries and batches, claims of killed workers.
    # Every 10 s: a destination's batching window (60 s) ends at most this long before it sends.
    cron.register(sweep_notifications, "default", interval=10, job_timeout=120, result_ttl=60)
    cron.register(scheduled_backup, "default", cron="0 2 * * *", job_timeout=300, result_ttl=86400)
    cron.register(sweep_backups, "default", interval=60, job_timeout=60, result_ttl=60)
    return cron
