"""People browsing a running MediaNest: threads that keep asking for pages, and what they got."""

import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

# What a signed-in person opens, and the fragments those pages ask for by themselves (htmx).
PERSON_PAGES = (
    "/",
    "/library/",
    "/library/1",
    "/library/search?q=film",
    "/library/search?q=zz",
    "/library/item/1007",
    "/discover",
    "/discover/search?q=film",
    "/requests",
    "/downloads",
    "/downloads/subscriptions",
    "/uploads",
    "/notifications/",
    "/status",
    "/account",
    "/account/notifications",
)
FRAGMENTS = ("/dashboard/status", "/library/", "/downloads/subscriptions")
ADMIN_PAGES = (
    "/admin/",
    "/admin/users",
    "/admin/users/invites",
    "/admin/requests",
    "/admin/requests/settings",
    "/admin/library",
    "/admin/library/sync",
    "/admin/plex",
    "/admin/downloads",
    "/admin/uploads",
    "/admin/notifications",
    "/admin/notifications/log",
    "/admin/backups",
    "/admin/status",
    "/admin/health",
    "/admin/system",
    "/admin/audit",
    "/admin/signup",
    "/admin/oidc",
)
HTMX = {"HX-Request": "true"}


def person_round() -> list[tuple[str, dict]]:
    """One pass over a person's pages, each followed by a fragment it polls."""
    fragments = itertools.cycle(FRAGMENTS)
    visits = []
    for page in PERSON_PAGES:
        visits += [(page, {}), (next(fragments), HTMX)]
    return visits


def admin_round() -> list[tuple[str, dict]]:
    """One pass over the admin pages, with the dashboard between some of them."""
    visits = [(page, {}) for page in ADMIN_PAGES]
    return visits + [("/", {}), ("/dashboard/status", HTMX), ("/dashboard/checklist", HTMX)]


@dataclass
class Answer:
    at: float  # time.monotonic() when the answer came
    path: str
    status: int  # 0: no answer at all (refused, reset, timed out)
    seconds: float
    traceback: bool
    body: str = ""


@dataclass
class Browser:
    """One person's tab: a signed-in session going round its pages until told to stop."""

    base: str
    session: requests.Session
    visits: list
    offset: int = 0
    answers: list = field(default_factory=list)
    resets: int = 0

    def get(self, path: str, headers: dict) -> requests.Response:
        url = self.base + path
        try:
            return self.session.get(url, headers=headers, timeout=30, allow_redirects=False)
        except requests.ConnectionError as exc:
            if isinstance(exc, requests.Timeout):
                raise
            # A kept-alive connection closed as the request went out: a browser sends it again
            # once, on a new connection, and so does this tab (and counts it).
            self.resets += 1
            return self.session.get(url, headers=headers, timeout=30, allow_redirects=False)

    def ask(self, path: str, headers: dict) -> Answer:
        started = time.monotonic()
        try:
            response = self.get(path, headers)
        except requests.RequestException as exc:
            return Answer(time.monotonic(), path, 0, time.monotonic() - started, False, str(exc))
        text = response.text
        keep = text[:3000] if response.status_code >= 400 else ""
        elapsed = time.monotonic() - started
        return Answer(
            time.monotonic(), path, response.status_code, elapsed, "Traceback" in text, keep
        )

    def run(self, stop: threading.Event) -> None:
        visits = itertools.cycle(self.visits[self.offset :] + self.visits[: self.offset])
        while not stop.is_set():
            path, headers = next(visits)
            self.answers.append(self.ask(path, headers))


class Crowd:
    """Browsers running at once, each on a thread of its own."""

    def __init__(self, browsers: list[Browser]):
        self.browsers = browsers
        self.stop_event = threading.Event()
        self.threads = [
            threading.Thread(target=b.run, args=(self.stop_event,), daemon=True) for b in browsers
        ]

    def start(self) -> float:
        for thread in self.threads:
            thread.start()
        return time.monotonic()

    def stop(self) -> list[Answer]:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=60)
        return sorted((a for b in self.browsers for a in b.answers), key=lambda a: a.at)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def figures(answers: list[Answer], seconds: float) -> str:
    """Requests made, their rate, latency and how many of each status, in one line."""
    times = [a.seconds * 1000 for a in answers]
    statuses = Counter(a.status for a in answers)
    by_status = ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
    return (
        f"{len(answers)} requests in {seconds:.0f} s ({len(answers) / max(seconds, 0.001):.1f}/s), "
        f"latency p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms, "
        f"max {max(times, default=0):.0f} ms; by status {by_status}"
    )


def first_bad(answers: list[Answer]) -> str:
    """The first failing answer, described for an assertion message."""
    bad = next((a for a in answers if a.status >= 500 or a.status == 0 or a.traceback), None)
    return "" if bad is None else f"{bad.status} on {bad.path}: {bad.body[:1500]}"


def seed_library(films: int) -> None:
    """A Movies library (key "1") of numbered films, for the library and search pages."""
    from app.extensions import db
    from app.models import LibrarySection, MediaItem

    section = LibrarySection(key="1", title="Movies", type="movie", item_count=films)
    db.session.add(section)
    db.session.flush()
    for n in range(1, films + 1):
        title = f"Film {n}"
        db.session.add(
            MediaItem(
                rating_key=1000 + n,
                section_id=section.id,
                type="movie",
                title=title,
                year=2000 + n % 25,
            )
        )
    db.session.commit()


def drain(process) -> list[str]:
    """Read a process's output as it comes, so a full pipe never stops it; return the lines."""
    lines: list[str] = []

    def read():
        for line in process.stdout:
            lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    return lines
