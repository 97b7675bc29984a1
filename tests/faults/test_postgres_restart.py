"""PostgreSQL restarted under people browsing: while it is down pages say so (never a stack
trace), and from 5 s after it is back no page fails and every page works again.

The server restarted is a throwaway one of this test's own, never the one CI shares.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from flask_migrate import upgrade

from app.extensions import db
from tests.conftest import Accounts
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
from tests.integration.test_scale_out import free_port, start_web, stop_web

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
DOWN_SECONDS = 3.0
GRACE_SECONDS = 5.0
AFTER_SECONDS = 12.0


class ThrowawayPostgres:
    """A PostgreSQL server in a temporary folder, on a free port, that may be stopped at will."""

    def __init__(self, bin_dir: str):
        self.bin = Path(bin_dir)
        self.port = free_port()
        # Not under pytest's tmp_path: its folders are root's alone, and PostgreSQL refuses root.
        self.dir = Path(tempfile.mkdtemp(prefix="medianest-pg-"))
        self.data = self.dir / "data"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, tool: str, *args) -> None:
        command = [str(self.bin / tool), *map(str, args)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.dir, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", self.data, "-o", options, "-l", self.dir / "log", "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def postgres():
    if not BINARIES:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql")
    if os.geteuid() == 0:
        pwd.getpwnam("postgres")  # root runs the server as this user; it must exist
    server = ThrowawayPostgres(BINARIES[-1])
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def site(postgres, make_app):
    """The schema, an owner, three people and a small library on the throwaway server."""
    app = make_app(DATABASE_URL=postgres.url)
    with app.app_context():
        upgrade()
        seed_library(60)
        db.session.remove()
    accounts = Accounts(app, None)
    accounts.owner()
    for name in ("alice", "bob", "carol"):
        accounts.create(name)
    web = start_web(app)
    web.log = drain(web.process)
    try:
        yield web
    finally:
        stop_web(web)
        with app.app_context():
            db.engine.dispose()


def browsers(web) -> list[Browser]:
    """Two tabs of the owner's (the admin pages and a person's) and one of each person's."""
    # Each tab signs in on its own: requests.Session is not thread-safe.
    tabs = [
        Browser(web.url, sign_in(web, "owner"), admin_round()),
        Browser(web.url, sign_in(web, "owner"), person_round(), offset=5),
    ]
    for n, name in enumerate(("alice", "bob", "carol")):
        tabs.append(Browser(web.url, sign_in(web, name), person_round(), offset=3 * n))
    return tabs


# "fast" ends each session with a goodbye; "immediate" (a crash) leaves the pool's connections
# to find out for themselves.
@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_pages_recover_within_five_seconds_of_postgres_coming_back(postgres, site, mode):
    crowd = Crowd(browsers(site))
    began = crowd.start()
    try:
        time.sleep(3)
        went_down = time.monotonic()
        postgres.stop(mode)
        time.sleep(DOWN_SECONDS)
        postgres.start()
        back = time.monotonic()
        time.sleep(AFTER_SECONDS)
    finally:
        answers = crowd.stop()
    ended = time.monotonic()
    down = Counter(a.status for a in answers if went_down <= a.at < back)
    grace = Counter(a.status for a in answers if back <= a.at < back + GRACE_SECONDS)
    settled = [a for a in answers if a.at >= back + GRACE_SECONDS]
    first_ok = next((a.at - back for a in answers if a.at >= back and a.status == 200), None)
    ok_after = "never" if first_ok is None else f"{first_ok:.1f} s"
    late_5xx = [a for a in settled if a.status >= 500 or a.status == 0]
    print(
        f"PostgreSQL restart ({mode}): {figures(answers, ended - began)}; "
        f"down {back - went_down:.1f} s (answers {dict(down)}), "
        f"first {GRACE_SECONDS:.0f} s back {dict(grace)}; "
        f"{len(late_5xx)} 5xx after +{GRACE_SECONDS:.0f} s, first OK {ok_after} after it was back; "
        f"connections reset and sent again: {sum(b.resets for b in crowd.browsers)}"
    )
    assert not [a for a in answers if a.traceback], first_bad([a for a in answers if a.traceback])
    assert not late_5xx, first_bad(late_5xx)
    assert first_ok is not None, "no page worked again after PostgreSQL was back"
    # Meanwhile a page says what is wrong: a 503 in plain words, never a bare 500.
    failed = [a for a in answers if a.status >= 500 or a.status == 0]
    assert all(a.status == 503 for a in failed), first_bad([a for a in failed if a.status != 503])
    unclear = [a for a in failed if "<html" in a.body and "database is not answering" not in a.body]
    assert not unclear, first_bad(unclear)
    working = {a.path for a in settled if a.status == 200}
    asked = {a.path for a in settled if a.status != 302}
    assert working == asked, f"never worked again: {sorted(asked - working)}"


def test_a_page_on_an_unreachable_database_says_so(make_app):
    app = make_app(DATABASE_URL=f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 503
    assert "database is not answering" in page.text and "Traceback" not in page.text
    toast = client.get("/dashboard/status", headers={"HX-Request": "true"})
    assert toast.status_code == 503 and toast.headers["HX-Retarget"] == "#toasts"
    assert "Database not answering" in toast.text
