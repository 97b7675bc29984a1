"""Prometheus metrics: HTTP requests (per process), jobs and queues (from Redis, shared)."""

import os
import time

from flask import Flask, g, request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from redis.exceptions import RedisError
from rq import Queue, Worker

from app.extensions import QUEUE_NAMES, redis_conn
from app.jobs import DURATION_BUCKETS, JOB_METRICS_KEY

REQUESTS = Counter(
    "medianest_http_requests_total", "HTTP requests answered", ["method", "endpoint", "status"]
)
LATENCY = Histogram(
    "medianest_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


def _start_timer():
    g.request_started = time.perf_counter()


def _observe(response):
    started = g.pop("request_started", None)
    if started is not None and request.endpoint != "static":
        endpoint = request.endpoint or "unmatched"
        REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    return response


def init_request_metrics(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_observe)


class RedisJobCollector:
    """Job counts and durations recorded by the workers, plus live queue depth and workers."""

    def collect(self):
        connection = redis_conn()
        raw = {k.decode(): float(v) for k, v in connection.hgetall(JOB_METRICS_KEY).items()}
        counts = CounterMetricFamily(
            "medianest_jobs", "Jobs that ended, by function and outcome", labels=["job", "outcome"]
        )
        durations = HistogramMetricFamily(
            "medianest_job_duration_seconds", "Time jobs took", labels=["job"]
        )
        per_job: dict[str, float] = {}
        for key, value in raw.items():
            kind, _, rest = key.partition("|")
            if kind == "count":
                name, _, outcome = rest.partition("|")
                counts.add_metric([name, outcome], value)
                per_job[name] = per_job.get(name, 0) + value
        for name, total in per_job.items():
            buckets = [(str(b), raw.get(f"bucket|{name}|{b}", 0.0)) for b in DURATION_BUCKETS]
            buckets.append(("+Inf", total))
            durations.add_metric([name], buckets, raw.get(f"sum|{name}", 0.0))
        depth = GaugeMetricFamily("medianest_queue_depth", "Jobs waiting", labels=["queue"])
        for name in QUEUE_NAMES:
            depth.add_metric([name], Queue(name, connection=connection).count)
        workers = GaugeMetricFamily("medianest_workers", "RQ workers alive")
        workers.add_metric([], len(Worker.all(connection=connection)))
        return [counts, durations, depth, workers]


def render_metrics() -> bytes:
    """The Prometheus text for this process (or all processes in multiprocess mode) and Redis."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    output = generate_latest(registry)
    jobs = CollectorRegistry()
    jobs.register(RedisJobCollector())
    try:
        output += generate_latest(jobs)
    except RedisError:
        output += b"# Redis is unreachable: job and queue metrics are missing\n"
    return output
