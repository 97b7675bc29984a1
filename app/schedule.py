"""What runs on a schedule, for the RQ cron scheduler."""

from flask import Flask
from redis import Redis
from rq.cron import CronScheduler

from app.ops.tasks import run_system_check


def build_cron(app: Flask, connection: Redis) -> CronScheduler:
    """A cron scheduler with every periodic job registered."""
    cron = CronScheduler(connection=connection, logging_level=app.config["LOG_LEVEL"])
    cron.register(
        run_system_check,
        "default",
        interval=app.config["STATUS_INTERVAL_SECONDS"],
        job_timeout=120,
        result_ttl=300,
    )
    return cron
