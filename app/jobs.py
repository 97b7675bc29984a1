"""Running RQ jobs inside the app: one app context per job, progress, and job metrics."""

import logging
import time

from flask import Flask
from redis.exceptions import RedisError
from rq import Worker, get_current_job
from rq.job import Job
from rq.registry import StartedJobRegistry

from app import correlation, liveness
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
            # The job logs under the id of the request that enqueued it (a scheduled job gets
            # its own), and its error, if any, is kept under the same id.
            with app.app_context(), correlation.bound(self.meta.get("correlation_id")) as ref:
                self.meta["correlation_id"] = ref
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


def job_exception_handler(app: Flask):
    """An RQ exception handler that keeps a job's error as an AppError; RQ's handling goes on."""
    from app import app_errors

    def handle(job, exc_type, exc_value, tb):
        try:
            with app.app_context():
                app_errors.record_job_error(job, exc_type, exc_value, tb)
                db.session.remove()
        except Exception:  # recording must never stop RQ from marking the job failed
            log.exception("Could not record the failure of job %s", getattr(job, "id", "?"))
        return True

    return handle


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
    """Enqueue a job by dotted name; with job_id, skip it while that job waits or runs.

    The job carries the correlation id of the request (or job) that enqueued it.
    """
    q = get_queue(queue)
    if job_id:
        existing = q.fetch_job(job_id)
        status = existing.get_status(refresh=False) if existing is not None else None
        if status == "started" and _abandoned(existing):
            _forget_started(q, job_id)
        elif status in {"queued", "started"}:
            return existing
    reference = correlation.current_id()
    if reference:
        kwargs["meta"] = {**(kwargs.get("meta") or {}), "correlation_id": reference}
    return q.enqueue(func_path, *args, job_id=job_id, **kwargs)


def _forget_started(queue, job_id: str) -> None:
    """Take an abandoned job's entries off its queue's started registry, so RQ's own cleanup
    later finds nothing to fail under the id the new job now has."""
    registry = StartedJobRegistry(queue.name, connection=queue.connection)
    entries = queue.connection.zrange(registry.key, 0, -1)
    mine = [e for e in entries if registry.parse_job_id(e) == job_id]
    if mine:
        queue.connection.zrem(registry.key, *mine)


def _abandoned(job: Job) -> bool:
    """A started job whose worker was killed on this machine (its process is gone). RQ itself
    notices only once the job's heartbeat expires, and until then the job would block its id."""
    if not job.worker_name:
        return False
    key = Worker.redis_worker_namespace_prefix + job.worker_name
    worker = Worker.find_by_key(key, connection=job.connection)
    return worker is None or liveness.gone(worker.hostname, worker.pid)


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
