"""What the peer-vulnerability tests share: a loopback server that counts hits, a snapshot of
every row, the attacks' payloads and a way to ask each unsafe endpoint as a role."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import select

from app.extensions import db
from tests.security.access import Access
from tests.security.test_access_matrix import build_url, form_for, methods_of, url_values

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Columns that move on any signed-in request (a session's last use), not a change anyone made.
VOLATILE = {
    ("user_sessions", "last_seen_at"),
    ("user_sessions", "ip"),
    ("user_sessions", "user_agent"),
}


class Recorder:
    """A loopback HTTP server that answers 200 with a tiny PNG and remembers every path asked."""

    def __init__(self):
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the name http.server calls)
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(b"\x89PNG recorded")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


def snapshot(app) -> dict:
    """Every row of every table, as text, but the columns any request moves."""
    rows = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE]
            found = db.session.execute(select(*columns)).all()
            rows[table.name] = sorted(tuple(map(str, row)) for row in found)
        db.session.remove()
    return rows


def changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def unsafe_requests(app, table: dict[str, Access], world, role: str):
    """(endpoint, method, url, form) for every unsafe method of every endpoint, with the
    values this role would use."""
    rules = {r.endpoint: r for r in app.url_map.iter_rules() if r.endpoint != "static"}
    for endpoint in sorted(rules):
        rule, access = rules[endpoint], table[endpoint]
        for method in sorted(set(methods_of(rule)) & UNSAFE):
            values, _ = url_values(rule, access, world, role)
            url = build_url(app, endpoint, values, access.query, world, role)
            yield endpoint, method, url, form_for(access, world, role)


# Where a redirect could be sent off the site, as browsers read a Location.
OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "\\/evil.example",
    "/\t/evil.example",
    "/%09/evil.example",
    "///evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
    "/x\r\nLocation: https://evil.example/",
    "/x\r\nSet-Cookie: evil=1",
    "/%0d%0aSet-Cookie:%20evil=1",
    "https://localhost@evil.example/",
    "http://localhost.evil.example/",
]
