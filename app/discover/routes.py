"""Discover's pages: rows of posters, search, a title's page, and the poster proxy."""

from flask import Response, request, url_for
from flask_login import current_user, login_required

from app.discover import bp, images, seasons, services
from app.htmx import render
from app.library.browse import PLACEHOLDER, image_response
from app.paging import page_number
from app.requests.box import box_for

MAX_TMDB_ID = 2**31 - 1  # TMDB's ids are 32-bit; a larger one names nothing


@bp.app_template_global()
def tmdb_image(path: str | None, size: str = "w342") -> str:
    """Our proxy's address for a TMDB image path, or the placeholder when there is none."""
    if not path or images.allowed(size, path.lstrip("/")) is None:
        return url_for("static", filename=PLACEHOLDER)
    # A page draws a hundred of these: build the address once, not through url_for each time.
    return f"{request.script_root}/discover/image/{size}/{path.lstrip('/')}"


@bp.get("/discover")
@login_required
def index():
    page = services.discover_page(current_user)
    return render("discover/index.html", page=page)


@bp.get("/discover/search")
@login_required
def search():
    result = services.search(
        current_user, request.args.get("q"), page_number(request.args.get("page"))
    )
    return render("discover/search.html", block="results", result=result)


@bp.get("/discover/movie/<int:tmdb_id>")
@login_required
def movie(tmdb_id: int):
    return _title_page("movie", tmdb_id)


@bp.get("/discover/tv/<int:tmdb_id>")
@login_required
def tv(tmdb_id: int):
    return _title_page("tv", tmdb_id)


def _title_page(media_type: str, tmdb_id: int):
    if tmdb_id > MAX_TMDB_ID:
        return render("discover/missing.html", status_code=404, media_type=media_type)
    found = services.title_page(media_type, tmdb_id)
    if found.missing:
        return render("discover/missing.html", status_code=404, media_type=media_type)
    if found.not_set_up:
        return render("discover/not_set_up.html")
    if found.title is None:
        return render("discover/unavailable.html", status_code=503, problem=found.problem)
    box = box_for(current_user, found.title)
    return render(
        "discover/title.html",
        title=found.title,
        problem=found.problem,
        box=box,
        season_rows=seasons.rows(found.title, box["on_plex"], box["requested"]),
    )


@bp.get("/discover/image/<size>/<name>")
@login_required
def image(size: str, name: str):
    wanted = images.allowed(size, name)
    if wanted is None:
        return Response("Not an image we fetch.\n", 400, mimetype="text/plain")
    return image_response(lambda: images.picture(*wanted), max_age=604800)
