"""Running RQ jobs inside the app: one app context per job, progress, and job metrics."""

import logging
import time

from flask import Flask
from redis.exceptions import RedisError
from rq import get_current_job
from rq.job import Job

from app.extensions import db, get_queue, redis_conn
from app.realtime.events import publish

log = logging.getLogger(__name__)

JOB_METRICS_KEY = "medianest:metrics:jobs"
DURATION_BUCKETS = (0.1, 0.5, 1, 5, 15, 60, 300, 1800)


def job_class_for(app: Flask) -> type[Job]:
    """An RQ Job class whose jobs each run in their own app context of `app`."""

    class AppJob(Job):
        def perform(self):
            started = time.monotonic()
            outcome = "failed"
            with app.app_context():
                # The worker forked this process: never reuse the parent's pooled connections.
                db.engine.dispose(close=False)
                try:
                    result = super().perform()
                    outcome = "finished"
                    return result
                finally:
                    db.session.remove()
                    record_job_metric(self.func_name, outcome, time.monotonic() - started)

    return AppJob


def record_job_metric(func_name: str, outcome: str, seconds: float) -> None:
    """Count a finished job and its duration in Redis, so every web process can report it."""
    name = func_name.rsplit(".", 1)[-1]
    try:
        pipe = redis_conn().pipeline(transaction=False)
        pipe.hincrby(JOB_METRICS_KEY, f"count|{name}|{outcome}", 1)
        pipe.hincrbyfloat(JOB_METRICS_KEY, f"sum|{name}", seconds)
        for bound in DURATION_BUCKETS:
            if seconds <= bound:
                pipe.hincrby(JOB_METRICS_KEY, f"bucket|{name}|{bound}", 1)
        pipe.execute()
    except RedisError as exc:
        log.warning("Could not record metrics for %s: %s", name, exc)


def enqueue(func_path: str, *args, queue: str = "default", job_id: str | None = None, **kwargs):
    """Enqueue a job by dotted name; with job_id, skip it while that job waits or runs."""
    q = get_queue(queue)
    if job_id:
        existing = q.fetch_job(job_id)
        if existing is not None and existing.get_status(refresh=False) in {"queued", "started"}:
            return existing
    return q.enqueue(func_path, *args, job_id=job_id, **kwargs)


def report_progress(event: dict, **audience) -> None:
    """Record progress on the running job and publish it as an event."""
    job = get_current_job()
    if job is not None:
        job.meta["progress"] = event
        try:
            job.save_meta()
        except RedisError as exc:
            log.warning("Could not save progress of %s: %s", job.id, exc)
    publish(event, **audience)
