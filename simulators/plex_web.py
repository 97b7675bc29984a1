"""Plex Web's item page (app.plex.tv/desktop), as the demo's honest stand-in.

MediaNest's "Play on Plex" links to ``/desktop/#!/server/<machine>/details?key=<metadata key>``;
the real page plays the item in Plex Web. This one says which item and server it was asked for,
and that a real install would open the item there. The part after ``#`` never reaches a server,
so the page reads it and asks ``GET /sim/plex-web/item`` (simulator only) for the names.
"""

from flask import Blueprint, Response, current_app, jsonify, request

bp = Blueprint("plex_web", __name__)

METADATA_PREFIX = "/library/metadata/"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Plex Web (demo)</title>
<style>
body { font-family: system-ui, sans-serif; background: #1f2326; color: #eee; margin: 0;
  line-height: 1.5; }
main { max-width: 32rem; margin: 3rem auto; padding: 1.5rem; background: #2b3035;
  border-radius: .5rem; overflow-wrap: anywhere; }
@media (max-width: 36rem) { main { margin: 1rem; } }
h1 { font-size: 1.4rem; margin-top: 0; }
.what { font-size: 1.1rem; border-left: 4px solid #e5a00d; padding: .25rem .75rem; }
.muted { color: #b7bcc2; font-size: .9rem; }
</style>
</head>
<body>
<main>
<h1>This is the demo's Plex Web</h1>
<p class="what" id="asked">MediaNest asked Plex Web to open an item.</p>
<p>In a real install, <strong>Play on Plex</strong> opens the item here, in Plex Web on
your own Plex server, ready to play. This demo runs a simulated Plex server that has
titles and posters but no video, so there is nothing to play.</p>
<p class="muted">You can close this tab to go back to MediaNest.</p>
</main>
<script>
(function () {
  var route = location.hash.replace(/^#!?/, "");
  var match = /^\\/server\\/([^\\/?]+)\\/details\\?(.*)$/.exec(route);
  if (!match) return;
  var key = new URLSearchParams(match[2]).get("key") || "";
  var query = new URLSearchParams({server: decodeURIComponent(match[1]), key: key});
  fetch("/sim/plex-web/item?" + query).then(function (response) {
    return response.ok ? response.json() : null;
  }).then(function (found) {
    if (!found) return;
    var asked = document.getElementById("asked");
    asked.textContent = "MediaNest asked Plex Web to open \\u201c" + found.title +
      "\\u201d on the server \\u201c" + found.server + "\\u201d.";
  }).catch(function () {});
})();
</script>
</body>
</html>
"""


@bp.get("/desktop")
@bp.get("/desktop/")
def desktop() -> Response:
    return Response(_PAGE, content_type="text/html; charset=utf-8")


@bp.get("/sim/plex-web/item")
def item():
    """Name the server and the item a Play on Plex link points at (simulator only)."""
    state = current_app.config["PLEX_TV_STATE"]
    machine, key = request.args.get("server", ""), request.args.get("key", "")
    with state.lock:
        server = state.servers.get(machine)
    if server is None:
        return jsonify(error="no such server"), 404
    rating_key = key.removeprefix(METADATA_PREFIX)
    found = None
    for library in getattr(server.library, "libraries", {}).values():
        found = library.item(rating_key)
        if found is not None:
            break
    if found is None:
        return jsonify(error="no such item"), 404
    title = found.get("title", "")
    if found.get("grandparentTitle"):
        title = f"{found['grandparentTitle']}: {title}"
    return jsonify(server=server.name, title=title)
