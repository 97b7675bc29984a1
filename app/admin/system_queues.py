"""Admin → System: the RQ queues (waiting, running, failed, scheduled) and the cron jobs."""

import copy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, cron_job_registry
from rq.cron import CronJob, CronScheduler
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.results import Result

from app.extensions import QUEUE_NAMES, redis_conn

OLDEST = 5  # waiting jobs shown per queue
SHOWN = 50  # running, failed and scheduled jobs shown per queue
TRACE_CHARS = 8000
# RQ makes uuid4 hex ids; ours are words, numbers, dashes and colons ("request-action-12").
JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")


class NotThere(LookupError):
    """The job is not (or no longer) in that queue's failed jobs."""


@dataclass
class JobRow:
    id: str
    func: str
    at: datetime | None = None  # enqueued, started, failed or due, by where it is listed
    error: str = ""  # the last line of the error
    trace: str = ""
    correlation_id: str = ""

    @property
    def short_func(self) -> str:
        return ".".join(self.func.split(".")[-2:]) if self.func else "?"


@dataclass
class QueueView:
    name: str
    queued: int = 0
    oldest: list[JobRow] = field(default_factory=list)
    running: int = 0
    started: list[JobRow] = field(default_factory=list)
    failed: int = 0
    failures: list[JobRow] = field(default_factory=list)
    scheduled: int = 0
    upcoming: list[JobRow] = field(default_factory=list)


@dataclass
class CronRow:
    name: str
    queue: str
    every: str  # in words
    last_run: datetime | None
    next_run: datetime | None
    func: str = ""


@dataclass
class CronView:
    rows: list[CronRow]
    running: bool  # a cron scheduler is alive and these times are its own
    heartbeat: datetime | None = None


def valid_queue(name: str) -> bool:
    return name in QUEUE_NAMES


def valid_job_id(job_id: str) -> bool:
    return isinstance(job_id, str) and JOB_ID.fullmatch(job_id) is not None


def _func(job: Job | None) -> str:
    if job is None:
        return ""
    try:
        return job.func_name or ""
    except Exception:  # a job whose payload cannot be read still shows up, nameless
        return ""


def _rows(connection: Redis, ids: list[str], when) -> list[JobRow]:
    jobs = Job.fetch_many(ids, connection=connection) if ids else []
    rows = []
    for job_id, job in zip(ids, jobs, strict=True):
        meta = job.meta if job is not None and isinstance(job.meta, dict) else {}
        rows.append(
            JobRow(
                id=job_id,
                func=_func(job),
                at=when(job_id, job),
                correlation_id=str(meta.get("correlation_id") or ""),
            )
        )
    return rows


def _attach_errors(connection: Redis, rows: list[JobRow]) -> None:
    """Each failed job's latest result holds its traceback: read them in one round trip."""
    pipe = connection.pipeline(transaction=False)
    for row in rows:
        pipe.xrevrange(Result.get_key(row.id), "+", "-", count=1)
    for row, found in zip(rows, pipe.execute(), strict=True):
        if not found:
            continue
        result_id, payload = found[0]
        try:
            result = Result.restore(row.id, result_id.decode(), payload, connection=connection)
        except Exception:  # a result we cannot read: say nothing rather than fail the page
            continue
        text = result.exc_string or ""
        row.trace = text[-TRACE_CHARS:]
        row.error = next((ln.strip() for ln in reversed(text.splitlines()) if ln.strip()), "")
        if row.at is None:
            row.at = result.created_at


def queue_view(connection: Redis, name: str) -> QueueView:
    """What one queue holds: counts, and the first few of each kind (never all of them)."""
    queue = Queue(name, connection=connection)
    view = QueueView(name=name, queued=queue.count)
    oldest = queue.get_job_ids(0, OLDEST)  # (offset, length)
    view.oldest = _rows(connection, oldest, lambda _id, job: job and job.enqueued_at)

    started = StartedJobRegistry(name, connection=connection)
    # Reading only: leave the expiry of abandoned jobs to the workers' own maintenance.
    view.running = started.get_job_count(cleanup=False)
    view.started = _rows(
        connection,
        started.get_job_ids(0, SHOWN - 1, cleanup=False),
        lambda _id, job: job and job.started_at,
    )

    failed = FailedJobRegistry(name, connection=connection)
    view.failed = failed.get_job_count(cleanup=False)
    # Scored by when each failure expires, so the highest scores are the newest failures.
    view.failures = _rows(
        connection,
        failed.get_job_ids(0, SHOWN - 1, desc=True, cleanup=False),
        lambda _id, job: job and job.ended_at,
    )
    _attach_errors(connection, view.failures)

    scheduled = ScheduledJobRegistry(name, connection=connection)
    view.scheduled = scheduled.get_job_count(cleanup=False)
    ids = scheduled.get_job_ids(0, SHOWN - 1, cleanup=False)
    pipe = connection.pipeline(transaction=False)
    for job_id in ids:
        pipe.zscore(scheduled.key, job_id)
    due = dict(zip(ids, pipe.execute(), strict=True)) if ids else {}
    view.upcoming = _rows(
        connection,
        ids,
        lambda job_id, _job: datetime.fromtimestamp(due[job_id], UTC) if due.get(job_id) else None,
    )
    return view


def queues() -> list[QueueView]:
    """Every queue MediaNest uses; raises RedisError when Redis does not answer."""
    connection = redis_conn()
    connection.ping()
    return [queue_view(connection, name) for name in QUEUE_NAMES]


def _failed_registry(queue: str) -> FailedJobRegistry:
    return FailedJobRegistry(queue, connection=redis_conn())


def _require_failed(queue: str, job_id: str) -> FailedJobRegistry:
    if not valid_queue(queue) or not valid_job_id(job_id):
        raise NotThere
    registry = _failed_registry(queue)
    if job_id not in registry:
        raise NotThere
    return registry


def retry_failed(queue: str, job_id: str) -> str:
    """Put a failed job back in its queue; returns its function's name."""
    registry = _require_failed(queue, job_id)
    connection = registry.connection
    job = Job.fetch_many([job_id], connection=connection)[0]
    if job is None:  # only its id is left: nothing to run again
        registry.remove(job_id)
        raise NotThere
    name = _func(job)
    registry.requeue(job)
    return name


def delete_failed(queue: str, job_id: str) -> str:
    """Forget a failed job and its error; returns its function's name."""
    registry = _require_failed(queue, job_id)
    job = Job.fetch_many([job_id], connection=registry.connection)[0]
    name = _func(job)
    registry.remove(job_id)
    if job is not None:
        job.delete()
    return name


def _every(job: CronJob) -> str:
    if job.cron:
        return f"cron “{job.cron}” (the scheduler's local time)"
    seconds = int(job.interval or 0)
    if seconds and seconds % 3600 == 0:
        n, unit = seconds // 3600, "hour"
    elif seconds and seconds % 60 == 0:
        n, unit = seconds // 60, "minute"
    else:
        n, unit = seconds, "second"
    return f"every {unit}" if n == 1 else f"every {n} {unit}s"


def _next_run(job: CronJob, last: datetime | None) -> datetime | None:
    """As rq computes it: croniter for a cron expression, last run + interval otherwise."""
    if job.cron:
        job.latest_enqueue_time = last
        return job.get_next_enqueue_time()
    if last is not None and job.interval:
        return last + timedelta(seconds=job.interval)
    return None  # an interval job that never ran runs as soon as the scheduler starts


def _registered(build_cron, connection: Redis) -> list[CronJob]:
    """The cron jobs app/schedule.py registers, built once per process (building them logs)."""
    app = current_app._get_current_object()
    jobs = app.extensions.get("medianest.cron_jobs")
    if jobs is None:
        jobs = app.extensions["medianest.cron_jobs"] = build_cron(app, connection).get_jobs()
    return [copy.copy(job) for job in jobs]


def cron_jobs() -> CronView:
    """The jobs of app/schedule.py with their last and next run; raises RedisError."""
    from app.schedule import build_cron

    connection = redis_conn()
    alive = CronScheduler.all(connection, cleanup=False)
    if alive:
        scheduler = max(alive, key=lambda s: s.created_at)
        rows = [
            CronRow(
                name=job.name.rsplit(".", 1)[-1],
                queue=job.queue_name,
                every=_every(job),
                last_run=job.latest_enqueue_time,
                next_run=job.next_enqueue_time if job.latest_enqueue_time or job.cron else None,
                func=job.func_name,
            )
            for job in scheduler.get_jobs()
        ]
        return CronView(rows, running=True, heartbeat=scheduler.last_heartbeat)
    # No scheduler is running: read the schedule from the code, the last runs from Redis.
    registered = _registered(build_cron, connection)
    pipe = connection.pipeline(transaction=False)
    for job in registered:
        pipe.zscore(cron_job_registry.get_registry_key(), job.name)
    rows = []
    for job, score in zip(registered, pipe.execute(), strict=True):
        last = datetime.fromtimestamp(score, UTC) if score else None
        rows.append(
            CronRow(
                name=job.name.rsplit(".", 1)[-1],
                queue=job.queue_name,
                every=_every(job),
                last_run=last,
                next_run=_next_run(job, last),
                func=job.func_name,
            )
        )
    return CronView(rows, running=False)


def redis_problem(exc: RedisError) -> str:
    """Redis's failure in words."""
    return f"Redis is not answering ({type(exc).__name__}), so the queues cannot be read."
