"""Browsing the library: libraries, poster grids, items, collections and the poster proxy."""

from flask import Response, abort, current_app, request, send_file, url_for
from flask_login import current_user, login_required

from app.htmx import render
from app.library import bp, catalog, images, search_query, sync_jobs
from app.paging import page_number

PLACEHOLDER = "img/poster-placeholder.svg"


@bp.context_processor
def helpers() -> dict:
    return {
        "runtime": catalog.runtime,
        "resolution_label": catalog.resolution_label,
        "sort_labels": catalog.SORT_LABELS,
    }


def _admin() -> bool:
    return bool(current_user.is_admin)


def _section_or_404(section_key: str):
    section = catalog.section(section_key, include_hidden=_admin())
    if section is None:
        abort(404)
    return section


@bp.get("/library/")
@login_required
def index():
    sections = catalog.sections(include_hidden=_admin())
    return render(
        "library/index.html",
        block="library_body",
        sections=sections,
        waiting=sync_jobs.library_waiting(bool(sections)),
        problem=catalog.server_problem(),
    )


@bp.get("/library/<section_key>")
@login_required
def section(section_key: str):
    section = _section_or_404(section_key)
    view = catalog.View.parse(request.args)
    page = page_number(request.args.get("page"))
    # The first page swaps the whole result area; later ones append their cards to the grid.
    block = "items" if page > 1 else "results"
    grid = catalog.grid(section, view, page, count=page == 1)
    response = render(
        "library/section.html",
        block=block,
        section=section,
        view=view,
        grid=grid,
        options=catalog.filter_options(section),
        next_url=url_for(
            "library.section", section_key=section.key, page=page + 1, **view.params()
        ),
        problem=catalog.server_problem(),
    )
    if page == 1:
        response.headers["HX-Push-Url"] = url_for(
            "library.section", section_key=section.key, **view.params()
        )
    return response


@bp.get("/library/<section_key>/collections")
@login_required
def collections(section_key: str):
    section = _section_or_404(section_key)
    return render(
        "library/collections.html",
        section=section,
        collections=catalog.collections(section),
        problem=catalog.server_problem(),
    )


@bp.get("/library/<section_key>/collections/<path:name>")
@login_required
def collection(section_key: str, name: str):
    section = _section_or_404(section_key)
    page = page_number(request.args.get("page"))
    grid = catalog.collection(section, name, page, count=page == 1)
    if page == 1 and not grid.items:
        abort(404)
    return render(
        "library/collection.html",
        block="items" if page > 1 else None,
        section=section,
        name=name,
        grid=grid,
        next_url=url_for("library.collection", section_key=section.key, name=name, page=page + 1),
        problem=catalog.server_problem(),
    )


@bp.get("/library/item/<int:rating_key>")
@login_required
def item(rating_key: int):
    found = catalog.item(rating_key, include_hidden=_admin())
    if found is None:
        abort(404)
    return render(
        "library/item.html",
        item=found,
        section=catalog.section_of(found),
        details=catalog.details(found),
        play_url=catalog.play_url(found.rating_key, current_app.config["PLEX_APP_URL"]),
        problem=catalog.server_problem(),
    )


def placeholder(status: int) -> Response:
    """The stand-in poster, never cached: the real one may be there next time."""
    response = send_file(
        current_app.static_folder + "/" + PLACEHOLDER, mimetype="image/svg+xml", max_age=0
    )
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/library/image")
@login_required
def image():
    allowed = images.allowed_path(request.args.get("path"))
    if allowed is None:
        return Response("Not an image path we fetch.\n", 400, mimetype="text/plain")
    path, rating_key = allowed
    if not _admin() and not catalog.image_allowed(rating_key, include_hidden=False):
        return placeholder(404)
    width = images.snap_width(request.args.get("w"))
    return image_response(lambda: images.poster(path, width), max_age=86400)


def image_response(load, max_age: int) -> Response:
    """The image load() gives, cacheable and conditional; the placeholder when there is none."""
    try:
        picture = load()
    except images.Missing:
        return placeholder(404)
    except images.Unavailable:
        return placeholder(503)
    response = Response(picture.body, 200, content_type=picture.content_type)
    response.set_etag(picture.etag)
    response.headers["Cache-Control"] = f"private, max-age={max_age}"
    return response.make_conditional(request)


@bp.get("/library/search")
@login_required
def search():
    query = search_query.SearchQuery.parse(request.args)
    page = page_number(request.args.get("page"))
    result = search_query.find(query, include_hidden=_admin(), page=page)
    response = render(
        "library/search.html",
        block="items" if page > 1 else "results",
        query=query,
        result=result,
        lines=search_query.describe(result.hits),
        # Typed into the library page's box: the results sit on that page, so link to this one.
        inline=request.args.get("inline") == "1",
        types=search_query.SEARCH_TYPES,
        sections=catalog.sections(include_hidden=_admin()),
        next_url=url_for("library.search", page=page + 1, **query.params()),
    )
    if page == 1:
        response.headers["HX-Push-Url"] = url_for("library.search", **query.params())
    return response
