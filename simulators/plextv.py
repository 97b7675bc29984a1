"""A loopback plex.tv and app.plex.tv: PIN sign-in, accounts, servers and who may use them.

One WSGI app serves both hosts' paths:

- plex.tv: ``POST /api/v2/pins``, ``GET /api/v2/pins/<id>``, ``GET /api/v2/user``,
  ``GET /api/v2/resources``, ``GET /api/users`` (XML only, as plex.tv answers it). The v2 paths
  answer JSON to ``Accept: application/json`` and XML otherwise.
- app.plex.tv: ``GET /auth`` (and ``/auth/``), the page a person signs in on. It reads
  ``#?clientID=..&code=..&forwardUrl=..&context[device][product]=..`` from the URL fragment,
  offers one button per account that can sign in, and sends the browser on to ``forwardUrl``.
- app.plex.tv: ``GET /desktop/``, Plex Web's item page that "Play on Plex" opens; the demo's
  stand-in says what it was asked to open (``simulators.plex_web``).
- Simulator only: ``POST /sim/approve`` (``code`` and ``account``: an id or username), which is
  what the page calls when a person picks an account.

Fault switches on ``PlexTvState`` (``down``, ``slow_seconds``, ``garbage``, ``status_override``)
affect the plex.tv API paths only, never the sign-in page or ``/sim``. Each ``Server`` carries its
own switches for the Plex Media Server that ``simulators.plex_server`` runs from it.

The state is in ``simulators.plextv_state``; the JSON and XML shapes of the answers are in
``simulators.plextv_responses``.
"""

import html

from flask import Flask, Response, current_app, request

from simulators import plex_web
from simulators.faults import fault_response
from simulators.plextv_responses import (
    JSON_TYPE,
    XML_TYPE,
    error,
    forced_status,
    header,
    json_response,
    normalized_connection,
    pin_response,
    resources_for,
    user_response,
    users_xml,
    wants_json,
    xml_element,
    xml_response,
)
from simulators.plextv_state import Account, Pin, PlexTvState, Server, Share

__all__ = [
    "Account",
    "Pin",
    "PlexTvState",
    "Server",
    "Share",
    "create_app",
    "demo_libraries",
    "demo_state",
    "normalized_connection",
]

# plex.tv's own error codes, as its v2 API reports them.
MISSING_CLIENT_IDENTIFIER = (1000, "X-Plex-Client-Identifier is missing")
NOT_AUTHENTICATED = (1001, "User could not be authenticated")
PIN_NOT_FOUND = (1020, "Code not found or expired")


def _state() -> PlexTvState:
    return current_app.config["PLEX_TV_STATE"]


# -- the sign-in page -------------------------------------------------------------------------

_AUTH_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Plex</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #1f2326; color: #eee; margin: 0; }}
main {{ max-width: 24rem; margin: 3rem auto; padding: 1.5rem; background: #2b3035;
  border-radius: .5rem; }}
button {{ display: block; width: 100%; margin: .5rem 0; padding: .75rem; font-size: 1rem;
  border: 0; border-radius: .25rem; cursor: pointer; }}
button.account {{ background: #e5a00d; color: #1f2326; font-weight: 600; }}
button#cancel {{ background: transparent; color: #ccc; border: 1px solid #666; }}
</style>
</head>
<body>
<main>
<h1>Sign in to Plex</h1>
<p><span id="product">An app</span> wants to use your Plex account.</p>
<div id="accounts">
{buttons}
</div>
<button type="button" id="cancel" data-action="cancel">Cancel</button>
<p id="message" role="status" hidden></p>
</main>
<script>
(function () {{
  var params = new URLSearchParams(location.hash.replace(/^#!?\\??/, ""));
  var code = params.get("code") || "";
  var clientID = params.get("clientID") || "";
  var forwardUrl = params.get("forwardUrl") || "";
  var product = params.get("context[device][product]");
  if (product) {{ document.getElementById("product").textContent = product; }}
  var buttons = document.querySelectorAll("button");
  function show(text) {{
    var message = document.getElementById("message");
    message.textContent = text;
    message.hidden = false;
  }}
  function busy(on) {{ buttons.forEach(function (b) {{ b.disabled = on; }}); }}
  function leave() {{
    if (/^https?:\\/\\//i.test(forwardUrl)) {{ location.assign(forwardUrl); }}
    else {{ busy(false); show("You can close this window."); }}
  }}
  document.querySelectorAll("button[data-account]").forEach(function (button) {{
    button.addEventListener("click", function () {{
      busy(true);
      fetch("/sim/approve", {{
        method: "POST",
        headers: {{"Content-Type": "application/json"}},
        body: JSON.stringify({{code: code, clientID: clientID, account: button.dataset.accountId}})
      }}).then(function (response) {{
        if (response.ok) {{ leave(); return; }}
        busy(false);
        show(response.status === 404 ? "This sign-in link has expired. Go back and try again."
                                     : "Plex could not sign you in.");
      }}).catch(function () {{ busy(false); show("Plex could not be reached."); }});
    }});
  }});
  document.getElementById("cancel").addEventListener("click", leave);
}})();
</script>
</body>
</html>
"""


def _auth_page(state: PlexTvState) -> Response:
    with state.lock:
        accounts = [a for a in state.accounts.values() if not a.home_managed]
    buttons = "\n".join(
        f'<button type="button" class="account" id="account-{html.escape(a.username)}" '
        f'data-account="{html.escape(a.username)}" data-account-id="{a.id}">'
        f"Continue as {html.escape(a.username)}</button>"
        for a in accounts
    )
    return Response(_AUTH_PAGE.format(buttons=buttons), content_type="text/html; charset=utf-8")


# -- the app ----------------------------------------------------------------------------------


def create_app(state: PlexTvState) -> Flask:
    """Build the WSGI app that answers as plex.tv and app.plex.tv from ``state``."""
    app = Flask(__name__)
    app.config["PLEX_TV_STATE"] = state
    app.register_blueprint(plex_web.bp)

    @app.before_request
    def faults():
        if request.path.startswith("/api/"):
            return fault_response(
                state,
                wants_json=wants_json(),
                error=forced_status,
                json_type=JSON_TYPE,
                xml_type=XML_TYPE,
            )
        return None

    def client_identifier_missing() -> Response | None:
        if not header("X-Plex-Client-Identifier"):
            return error(400, *MISSING_CLIENT_IDENTIFIER)
        return None

    def signed_in() -> Account | None:
        return state.account_by_token(header("X-Plex-Token"))

    @app.post("/api/v2/pins")
    def create_pin():
        if (missing := client_identifier_missing()) is not None:
            return missing
        strong = request.args.get("strong", "false").lower() in ("1", "true")
        pin = state.create_pin(
            header("X-Plex-Client-Identifier"),
            product=header("X-Plex-Product") or "0",
            strong=strong,
        )
        return pin_response(pin, 201)

    @app.get("/api/v2/pins/<pin_id>")
    def check_pin(pin_id):
        if (missing := client_identifier_missing()) is not None:
            return missing
        with state.lock:
            pin = state.pins.get(int(pin_id)) if pin_id.isdigit() else None
            if (
                pin is None
                or pin.expired
                or pin.client_identifier != header("X-Plex-Client-Identifier")
            ):
                return error(404, *PIN_NOT_FOUND, with_status=False)
            return pin_response(pin, 200)

    @app.get("/api/v2/user")
    def user():
        if (missing := client_identifier_missing()) is not None:
            return missing
        account = signed_in()
        if account is None:
            return error(401, *NOT_AUTHENTICATED)
        return user_response(state, account)

    @app.get("/api/v2/resources")
    def resources():
        if (missing := client_identifier_missing()) is not None:
            return missing
        account = signed_in()
        if account is None:
            return error(401, *NOT_AUTHENTICATED)
        devices = resources_for(state, account)
        if wants_json():
            return json_response(devices)
        root = xml_element("resources", {"size": len(devices)})
        for device in devices:
            connections = device.pop("connections")
            root.append(
                xml_element(
                    "resource",
                    device,
                    xml_element(
                        "connections", {}, *(xml_element("connection", c) for c in connections)
                    ),
                )
            )
        return xml_response(root)

    @app.get("/api/users")
    @app.get("/api/users/")
    def users():
        if (missing := client_identifier_missing()) is not None:
            return missing
        account = signed_in()
        if account is None:
            return error(401, *NOT_AUTHENTICATED)
        return xml_response(users_xml(state, account))

    @app.get("/auth")
    @app.get("/auth/")
    def auth_page():
        return _auth_page(state)

    @app.post("/sim/approve")
    def sim_approve():
        data = request.get_json(silent=True) or request.form
        code, who = str(data.get("code") or ""), str(data.get("account") or "")
        if not code or not who:
            return json_response({"error": "code and account are required"}, 400)
        account = state.accounts.get(int(who)) if who.isdigit() else state.account_by_username(who)
        if account is None:
            return json_response({"error": "no such account"}, 404)
        client = data.get("clientID")
        with state.lock:
            pin = next((p for p in state.pins.values() if p.code == code and not p.expired), None)
            if pin is None or (client and client != pin.client_identifier):
                return json_response({"error": "code not found or expired"}, 404)
            try:
                state.approve_pin(pin.id, account)
            except PermissionError as exc:
                return json_response({"error": str(exc)}, 403)
        return json_response({"approved": True, "pin": pin.id, "account": account.username})

    return app


def demo_state() -> tuple[PlexTvState, Server]:
    """Build demo mode's plex.tv: an owner, friends, a managed user and one server."""
    state = PlexTvState()
    owner = state.add_account("owner", "owner@example.com")
    friends = [state.add_account(name) for name in ("alice", "bob")]
    state.add_account("carol")
    kid = state.add_account("kid", home_managed=True, home=owner)
    server = state.add_server(owner, "Living Room")
    server.library = demo_libraries()
    server.library_count = len(server.library.libraries)
    for account in (*friends, kid):
        state.share(server, account)
    return state, server


def demo_libraries():
    """Return the libraries demo mode's server holds: movies, shows, music, YouTube and home
    videos."""
    from simulators.plex_server import PlexServerState

    library = PlexServerState(name="Living Room")
    library.add_library("Movies", "movie", count=300)
    library.add_library("TV Shows", "show", count=40, seasons=3, episodes=8)
    library.add_library("Music", "artist", count=30, seasons=2, episodes=10)
    library.add_folder_library("YouTube", demo_youtube_dir())
    library.add_folder_library("Home Videos", demo_folder("HOME_VIDEOS_DIR", "home-videos"))
    return library


def demo_youtube_dir():
    """The folder demo downloads go to, which the demo server's YouTube library scans."""
    return demo_folder("YOUTUBE_DIR", "youtube")


def demo_folder(setting: str, default: str):
    """A folder MediaNest writes to (as configured, else under the media root), made now."""
    from pathlib import Path

    from app.config import build_config

    config = build_config()
    folder = Path(config[setting] or Path(config["MEDIA_ROOT"]) / default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
