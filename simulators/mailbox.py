"""Demo mode's mailbox: an SMTP server for email to people and a webhook for the admin channel,
with a page listing what arrived (open the "Demo mailbox" address the runner prints).
"""

import html
from datetime import UTC, datetime

from werkzeug.wrappers import Request, Response

from simulators.notify_receivers import SmtpReceiver, free_port

SHOWN = 50


# Demo mode's one SMTP receiver, on a port known before it starts (the environment names it).
SMTP = SmtpReceiver(port=free_port())
_started = []


def start_smtp() -> None:
    """Start the receiver once, however often the simulators are started in this process."""
    if not _started:
        SMTP.start()
        _started.append(True)


POSTS: list = []


def _email_rows() -> str:
    with SMTP.lock:
        messages = list(SMTP.messages)[-SHOWN:]
    rows = []
    for mail in reversed(messages):
        body = mail.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        rows.append(
            f"<article><h3>{html.escape(str(mail['Subject']))}</h3>"
            f"<p>To {html.escape(str(mail['To']))} · {html.escape(str(mail['Date'] or ''))}</p>"
            f"<pre>{html.escape(text)}</pre></article>"
        )
    return "".join(rows) or "<p>No email yet.</p>"


def _post_rows() -> str:
    rows = []
    for at, payload in reversed(POSTS[-SHOWN:]):
        title = html.escape(str(payload.get("title", ""))) if isinstance(payload, dict) else ""
        message = html.escape(str(payload.get("message", ""))) if isinstance(payload, dict) else ""
        rows.append(f"<article><h3>{title}</h3><p>{at}</p><pre>{message}</pre></article>")
    return "".join(rows) or "<p>Nothing posted yet.</p>"


def create_app():
    def app(environ, start_response):
        request = Request(environ)
        if request.method == "POST":
            payload = request.get_json(silent=True)
            POSTS.append((datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"), payload))
            del POSTS[:-SHOWN]
            return Response('{"ok": true}', mimetype="application/json")(environ, start_response)
        page = (
            "<!doctype html><meta charset=utf-8><title>Demo mailbox</title>"
            "<meta name=viewport content='width=device-width'>"
            "<style>body{font-family:sans-serif;max-width:50rem;margin:auto;padding:1rem}"
            "pre{white-space:pre-wrap}article{border-bottom:1px solid #ccc}</style>"
            "<h1>Demo mailbox</h1><p>What MediaNest sent in this demo. Reload to see more.</p>"
            f"<h2>Email to people</h2>{_email_rows()}"
            f"<h2>The admins' webhook channel</h2>{_post_rows()}"
        )
        return Response(page, mimetype="text/html")(environ, start_response)

    return app
