"""Notification delivery benchmark: 10,000 events fanned out to 500 people, delivered once.

    .venv/bin/python -m bench.notify [--events 10000] [--people 500] [--per-event 10]
                                     [--hooks 100] [--workers 3] [--limit 600]

A throwaway MediaNest under gunicorn (bench/common.py Stack: SQLite and the embedded Redis),
500 people with a confirmed address and email on for "request available"; the first --hooks of
them also have their own webhook target (Apprise json://). Email goes to the loopback SMTP
receiver, webhooks to the loopback HTTP receiver (simulators/notify_receivers.py). Real
`worker.py` processes and the real cron scheduler (`worker.py --cron`: the sweeper every 60 s)
do the work with the default settings (NOTIFY_BATCH_SECONDS 60). Event i goes to --per-event
people in turn, so each person hears of events*per_event/people of them.

Figures: seconds from the first event until every delivery is sent, messages received, pairs
(person, event) received more than once (must be 0) or never, and the p95 of GET /health and of
the signed-in dashboard from one client, before and while it runs. JSON to stdout.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import HOST, Stack, log, percentile, raise_on_sigterm  # noqa: E402

TITLE = re.compile(r"Event (\d{5}) is on Plex")
EMIT_AT_ONCE = 100


def _probe_loop(port: int, cookie: str, commands) -> None:
    """In a process of its own, so the receivers' work in this one does not delay the client:
    /health and the signed-in dashboard in turn, back to back, until told to stop."""
    latencies: dict[str, list[float]] = {"/health": [], "/": []}
    errors = 0
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    while True:
        if commands.poll():
            command = commands.recv()
            if command == "stop":
                return
            commands.send((latencies, errors))
            latencies, errors = {"/health": [], "/": []}, 0
        for path in latencies:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn, ok = http.client.HTTPConnection(HOST, port, timeout=30), False
            latencies[path].append(time.perf_counter() - started)
            errors += not ok
        time.sleep(0.05)


class Probe:
    """One person's pages, fetched by another process; take() gives the p95 since the last."""

    def __init__(self, port: int, cookie: str):
        context = multiprocessing.get_context("spawn")
        self.commands, theirs = context.Pipe()
        self.process = context.Process(target=_probe_loop, args=(port, cookie, theirs))
        self.process.start()

    def take(self) -> dict:
        self.commands.send("take")
        latencies, errors = self.commands.recv()
        out = {}
        for path, values in latencies.items():
            ordered = sorted(values)
            out[path] = {
                "requests": len(ordered),
                "p95_ms": round(percentile(ordered, 95) * 1e3, 1),
            }
        out["errors"] = errors
        return out

    def stop(self) -> None:
        self.commands.send("stop")
        self.process.join(10)


def setup(app, smtp_url: str, hook_port: int, people: int, hooks: int) -> list[int]:
    from sqlalchemy import select

    from app import settings
    from app.crypto import encrypt
    from app.extensions import db
    from app.models import NotifyPref, PersonTarget, User

    with app.app_context():
        settings.put({"notify.smtp_url": smtp_url, "notify.smtp_from": "MediaNest <m@bench.test>"})
        users = db.session.scalars(
            select(User).where(User.username.like("bench%")).order_by(User.id).limit(people)
        ).all()
        for number, user in enumerate(users):
            user.email = f"{user.username}@bench.test"
            if number < hooks:
                url = encrypt(f"json://127.0.0.1:{hook_port}/{user.username}")
                db.session.add(
                    PersonTarget(user_id=user.id, name="hook", kind="json", secret_url=url)
                )
                db.session.add(
                    NotifyPref(
                        user_id=user.id, event_type="request.available", email=True, targets=True
                    )
                )
        db.session.commit()
        ids = [u.id for u in users]
        db.session.remove()
        return ids


def emit_all(app, people: list[int], events: int, per_event: int) -> float:
    from app.extensions import db
    from app.notify.outbox import emit

    started = time.monotonic()
    with app.app_context():
        for number in range(events):
            heard = [people[(number * per_event + k) % len(people)] for k in range(per_event)]
            title = f"Event {number:05d} is on Plex"
            emit(
                "request.available",
                title,
                "Ready to watch.",
                user_ids=heard,
                link=f"/r/{number}",
                commit=False,
            )
            if number % EMIT_AT_ONCE == EMIT_AT_ONCE - 1:
                db.session.commit()
        db.session.commit()
        db.session.remove()
    return time.monotonic() - started


def states(app) -> Counter:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Delivery

    with app.app_context():
        query = select(Delivery.state, func.count()).group_by(Delivery.state)
        found = Counter({state: number for state, number in db.session.execute(query)})
        db.session.remove()
    return found


def received(smtp, hook) -> tuple[Counter, int]:
    """How often each (destination, event) arrived, and the number of messages."""
    pairs: Counter = Counter()
    for mail in smtp.messages:
        text = mail["Subject"] + "\n" + mail.get_body(("plain",)).get_content()
        for number in set(TITLE.findall(text)):
            pairs[(mail["To"], number)] += 1
    for post in hook.posts:
        body = post.json or {}
        text = f"{body.get('title', '')}\n{body.get('message', '')}"
        for number in set(TITLE.findall(text)):
            pairs[(post.path, number)] += 1
    return pairs, len(smtp.messages) + len(hook.posts)


def job_times(app) -> dict:
    """Jobs run per kind, and their mean time inside the job (the fork around it not counted)."""
    from app.extensions import redis_conn
    from app.jobs import JOB_METRICS_KEY

    with app.app_context():
        raw = {k.decode(): float(v) for k, v in redis_conn().hgetall(JOB_METRICS_KEY).items()}
    out = {}
    for name in ("fan_out", "drain", "sweep"):
        runs = sum(v for k, v in raw.items() if k.startswith(f"count|{name}|"))
        mean = raw.get(f"sum|{name}", 0) / runs if runs else 0
        out[name] = {"runs": int(runs), "mean_ms": round(mean * 1000, 1)}
    return out


def start_workers(env: dict, count: int) -> list[subprocess.Popen]:
    command = [sys.executable, str(ROOT / "worker.py")]
    return [
        subprocess.Popen(
            command + extra,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for extra in [[]] * count + [["--cron"]]
    ]


def stop_workers(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, 15)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)


def run(args) -> dict:
    from app import create_app
    from simulators.notify_receivers import HookReceiver, SmtpReceiver

    with Stack(users=args.people) as stack, SmtpReceiver() as smtp, HookReceiver() as hook:
        os.environ.update(stack.env)
        app = create_app()
        people = setup(app, smtp.url, hook.port, args.people, args.hooks)
        probe = Probe(stack.port, stack.sign_in(stack.owner))
        time.sleep(args.baseline)
        before = probe.take()
        workers = start_workers(stack.env, args.workers)
        try:
            log(f"emitting {args.events} events to {args.per_event} people each…")
            started = time.monotonic()
            emit_seconds = emit_all(app, people, args.events, args.per_event)
            expected = (
                args.events * args.per_event
                + args.events * args.per_event * args.hooks // args.people
            )
            log(f"emitted in {emit_seconds:.1f} s; {expected} deliveries expected")
            said, found = 0.0, Counter()
            while time.monotonic() - started < args.limit:
                found = states(app)
                if found["sent"] >= expected:
                    break
                if time.monotonic() - said > 10:
                    said = time.monotonic()
                    log(f"{said - started:5.0f} s: {dict(found)}")
                time.sleep(1)
            seconds = time.monotonic() - started
            during = probe.take()
            jobs = job_times(app)
        finally:
            probe.stop()
            stop_workers(workers)
        time.sleep(1)
        pairs, messages = received(smtp, hook)
        return {
            "events": args.events,
            "people": args.people,
            "people_per_event": args.per_event,
            "people_with_a_webhook": args.hooks,
            "workers": args.workers,
            "deliveries_expected": expected,
            "deliveries": dict(found),
            "emit_seconds": round(emit_seconds, 1),
            "seconds_until_all_delivered": round(seconds, 1),
            "messages_received": messages,
            "emails_received": len(smtp.messages),
            "webhook_posts_received": len(hook.posts),
            "pairs_received": len(pairs),
            "pairs_received_twice": sum(1 for n in pairs.values() if n > 1),
            "job_seconds": jobs,
            "pages_before": before,
            "pages_while_delivering": during,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--per-event", type=int, default=10)
    parser.add_argument("--hooks", type=int, default=100)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--baseline", type=float, default=15, help="seconds of pages before")
    parser.add_argument("--limit", type=float, default=600, help="give up after this long")
    args = parser.parse_args()
    raise_on_sigterm()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    figure = run(args)
    print(json.dumps(figure, indent=2))
    ok = figure["deliveries"].get("sent", 0) >= figure["deliveries_expected"]
    return 0 if ok and figure["pairs_received_twice"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
