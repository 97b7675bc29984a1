"""Admin → System: activity charts, the job queues and the recent application errors."""

from flask import flash, redirect, request, url_for
from flask_login import current_user
from redis.exceptions import RedisError

from app import audit
from app.admin import bp
from app.admin import system_queues as queues
from app.admin import system_services as services
from app.auth.decorators import admin_required
from app.errors import render_error
from app.htmx import render, wants_fragment


@bp.get("/system")
@admin_required
def system():
    query = services.ErrorQuery.from_args(request.args)
    # A bad reference is said in words; the search box's fragment stays a 200, as htmx and the
    # browser treat a 4xx answer as a failure of the page rather than of what was typed.
    errors, error_total = services.recent_errors(query)
    try:
        queue_views, cron, redis_error = queues.queues(), queues.cron_jobs(), None
    except RedisError as exc:
        queue_views, cron, redis_error = [], None, queues.redis_problem(exc)
    return render(
        "admin/system.html",
        block="errors",
        status_code=400 if query.error and not wants_fragment() else 200,
        charts=services.charts(),
        queues=queue_views,
        cron=cron,
        redis_error=redis_error,
        query=query,
        errors=errors,
        error_total=error_total,
        relative=services.relative,
    )


def _failed_job_action(queue: str, job_id: str, act, action: str, done: str):
    try:
        name = act(queue, job_id)
    except queues.NotThere:
        return render_error(
            404,
            f"There is no failed job “{job_id[:80]}” in the “{queue[:40]}” queue: it may have "
            "been retried or deleted already. Reload Admin → System to see the jobs as they are.",
        )
    except RedisError:
        return render_error(503, "Redis is not answering, so the job could not be changed.")
    audit.record(
        action, actor=current_user, target=f"{name or 'job'} ({job_id})", details={"queue": queue}
    )
    flash(f"{done} {name or 'the job'}.", "success")
    return redirect(url_for("admin.system", _anchor=f"queue-{queue}"))


@bp.post("/system/jobs/<queue>/<job_id>/retry")
@admin_required
def system_job_retry(queue: str, job_id: str):
    return _failed_job_action(queue, job_id, queues.retry_failed, "job.retried", "Queued again:")


@bp.post("/system/jobs/<queue>/<job_id>/delete")
@admin_required
def system_job_delete(queue: str, job_id: str):
    return _failed_job_action(queue, job_id, queues.delete_failed, "job.deleted", "Deleted:")
