"""Command line: flask --app app medianest ..."""

import re
import sys

import click
from flask import Blueprint

from app.auth.forms import MIN_PASSWORD, USERNAME_HINT, USERNAME_PATTERN

bp = Blueprint("cli", __name__, cli_group="medianest")


@bp.cli.command("create-admin")
@click.option("--username", prompt=True, help="Login name of the new admin.")
@click.password_option(help=f"At least {MIN_PASSWORD} characters; asked for when not given.")
def create_admin(username: str, password: str) -> None:
    """Create an admin account (the owner, when there is none yet)."""
    from app import audit
    from app.auth import services as accounts
    from app.setup import services as setup

    if not (3 <= len(username) <= 32 and re.match(USERNAME_PATTERN, username)):
        sys.exit(f"A username has 3 to 32 characters. {USERNAME_HINT}")
    if len(password) < MIN_PASSWORD:
        sys.exit(f"The password needs at least {MIN_PASSWORD} characters.")
    if accounts.find_user(username) is not None:
        sys.exit(f"There is already an account called {username!r}.")
    if setup.owner_exists():
        user, kind = accounts.create_admin(username, password), "admin"
        audit.record("user.created", target=user.username, details={"role": "admin", "via": "cli"})
    else:
        user, kind = setup.create_owner(username, password, via="cli"), "owner"
    click.echo(f"Created the {kind} account {user.username!r}.")


@bp.cli.command("check")
def check() -> None:
    """Run the system check now and print each component's state."""
    from app.ops.services import latest_check, status_view
    from app.ops.tasks import run_system_check

    result = run_system_check()
    view = status_view(latest_check()) or {"components": []}
    for component in view["components"]:
        mark = "ok  " if component["ok"] else "FAIL"
        click.echo(f"{mark} {component['label']:<11} {component['detail']}")
    sys.exit(0 if result.get("healthy") else 1)


@bp.cli.command("sync-library")
def sync_library() -> None:
    """Sync every Plex library now, in the foreground; exits non-zero when it fails."""
    from app.library.services import full_sync

    def show(event: dict) -> None:
        stage = f" · {event['stage']}" if event.get("stage") else ""
        click.echo(f"{event['library']}{stage}: {event['done']}/{event['total']}")

    result = full_sync(show)
    if result["status"] == "skipped":
        click.echo(result["message"], err=True)
        sys.exit(2)
    click.echo(
        f"Sync {result['status']} in {result['seconds']:.1f} s: {result['added']} added, "
        f"{result['updated']} updated, {result['removed']} removed, {result['skipped']} skipped."
    )
    if result["libraries_removed"]:
        click.echo(f"Libraries no longer on Plex, marked as removed: {result['libraries_removed']}")
    for problem in result["problems"]:
        click.echo(f"  {problem['problem']}: {problem['count']}")
    if result["error"]:
        click.echo(f"Error: {result['error']}", err=True)
    sys.exit(0 if result["status"] == "succeeded" else 1)


from app.backups import cli as _backup_commands  # noqa: E402,F401  (registers backup, restore)
