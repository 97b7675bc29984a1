"""Health, readiness and metrics endpoints for load balancers and Prometheus."""

import hmac

from flask import Response, current_app, jsonify, redirect, request, url_for
from flask_login import current_user

from app.extensions import csrf, limiter
from app.ops import bp
from app.ops.metrics import render_metrics
from app.ops.services import check_database, check_redis


@bp.get("/health")
@limiter.exempt
def health():
    return jsonify(status="ok")


@bp.get("/favicon.ico")
@limiter.exempt
def favicon():
    """Browsers ask for /favicon.ico on pages that name no icon (the JSON ones here)."""
    return redirect(url_for("static", filename="img/icon.svg"), 301)


@bp.get("/ready")
@limiter.exempt
def ready():
    parts = {"database": check_database(), "redis": check_redis()}
    failing = {name: part["detail"] for name, part in parts.items() if not part["ok"]}
    if failing:
        return jsonify(status="unavailable", failing=failing), 503
    return jsonify(status="ready")


def _metrics_allowed() -> bool:
    if current_user.is_authenticated and current_user.is_admin:
        return True
    token = current_app.config["METRICS_TOKEN"]
    header = request.headers.get("Authorization", "")
    offered = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    return bool(token) and hmac.compare_digest(offered.encode(), token.encode())


@bp.get("/metrics")
@limiter.exempt
@csrf.exempt
def metrics():
    if not _metrics_allowed():
        return Response(
            "Metrics need an admin session or the MEDIANEST_METRICS_TOKEN bearer token.\n",
            status=401,
            mimetype="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    return Response(render_metrics(), mimetype="text/plain; version=0.0.4")
