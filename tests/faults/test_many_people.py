"""200 people signed in at once, each going round every page a person sees (and the fragments
those pages poll) while a few admins go round the admin pages, for two minutes on two gunicorn
web processes and a worker: no page fails, no stack trace, no one is told to slow down.

MEDIANEST_LOAD_SECONDS shortens (or lengthens) the two minutes.
"""

import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import insert
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import User
from app.models.users import ROLE_ADMIN, ROLE_USER
from tests.conftest import PASSWORD, Accounts, WorkerProcess
from tests.faults.browsing import (
    Browser,
    Crowd,
    admin_round,
    drain,
    figures,
    first_bad,
    person_round,
    seed_library,
)
from tests.integration.test_realtime import sign_in
from tests.integration.test_scale_out import start_web, stop_web

PEOPLE = 200
ADMINS = 4  # the owner and three more, among the 200
SECONDS = float(os.environ.get("MEDIANEST_LOAD_SECONDS", "120"))


@pytest.fixture
def people(app) -> list[tuple[str, str]]:
    """The owner, a small library, and everyone else in one insert with one cheap (but real)
    password hash for all; each person's name and role."""
    Accounts(app, None).owner()
    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    rows = [
        {
            "username": f"person{n:03}",
            "password_hash": hashed,
            "role": ROLE_ADMIN if n < ADMINS - 1 else ROLE_USER,
        }
        for n in range(PEOPLE - 1)
    ]
    with app.app_context():
        seed_library(200)
        db.session.execute(insert(User), rows)
        db.session.commit()
        db.session.remove()
    return [("owner", ROLE_ADMIN)] + [(row["username"], row["role"]) for row in rows]


@pytest.fixture
def cluster(app, people):
    """Two web processes and a worker on the test database and Redis, their output drained."""
    webs, workers = [], []
    try:
        webs = [start_web(app), start_web(app)]
        workers = [WorkerProcess(app)]
        logs = [drain(web.process) for web in webs]
        workers[0].wait_until_registered(timeout=30)
        yield webs, logs
    finally:
        for web in webs:
            stop_web(web)
        for worker in workers:
            worker.stop()


def browsers(webs, people) -> list[Browser]:
    """Each person signed in on one of the web processes, half on each, as a load balancer would."""

    def open_tab(n: int) -> Browser:
        name, role = people[n]
        web = webs[n % len(webs)]
        visits = admin_round() if role == ROLE_ADMIN else person_round()
        return Browser(web.url, sign_in(web, name), visits, offset=n % len(visits))

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(open_tab, range(len(people))))


def test_two_hundred_people_browsing_for_two_minutes_see_no_failure(people, cluster):
    webs, logs = cluster
    signing_in = time.monotonic()
    crowd = Crowd(browsers(webs, people))
    signed_in = time.monotonic() - signing_in
    began = crowd.start()
    try:
        time.sleep(SECONDS)
    finally:
        answers = crowd.stop()
    seconds = time.monotonic() - began
    admin_answers = [a for b in crowd.browsers if b.visits == admin_round() for a in b.answers]
    logged = sum(line.count("Traceback") for log in logs for line in log)
    complaints = [line for log in logs for line in log if "[ERROR]" in line or "[CRITICAL]" in line]
    resets = sum(b.resets for b in crowd.browsers)
    print(
        f"{PEOPLE} people ({ADMINS} admins) on {len(webs)} web processes, signed in in "
        f"{signed_in:.1f} s: {figures(answers, seconds)}; admin pages "
        f"{dict(Counter(a.status for a in admin_answers))}; tracebacks in the web logs: {logged}; "
        f"connections reset and the request sent again: {resets}"
    )
    print("".join(complaints[:20]), end="")
    failed = [a for a in answers if a.status >= 500 or a.status == 0 or a.traceback]
    assert not failed, f"{len(failed)} failed; the first: {first_bad(failed)}"
    # Only sign-in is rate limited (failed attempts): browsing must never be told to slow down.
    limited = [a for a in answers if a.status == 429]
    assert not limited, f"{len(limited)} answers of 429, the first on {limited[0].path}"
    served = [b for b in crowd.browsers if any(a.status == 200 for a in b.answers)]
    assert len(served) == PEOPLE, f"only {len(served)} of {PEOPLE} people saw a page"
