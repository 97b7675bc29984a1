"""flask --app app medianest backup | restore FILE [--yes]"""

import sys
from pathlib import Path

import click
from flask import current_app

from app.backups import dumps, services
from app.backups import restore as restoring
from app.backups.sealed import SealError
from app.cli import bp


def _asked(confirm: bool) -> str:
    if not sys.stdin.isatty():
        sys.exit("Set MEDIANEST_BACKUP_PASSPHRASE: there is no terminal to ask for it on.")
    return click.prompt("Backup passphrase", hide_input=True, confirmation_prompt=confirm)


@bp.cli.command("backup")
def backup() -> None:
    """Back up now, in the foreground; prints the archive's path last."""
    secret = services.passphrase() or _asked(confirm=True)
    row = services.start_now("cli")
    result = services.make(row, secret, retry=False)
    if result != "done":
        sys.exit(f"The backup failed: {row.error}")
    state = "verified" if row.verified == "verified" else f"NOT verified: {row.verify_detail}"
    click.echo(f"Backup of {row.rows:,} rows, {row.size:,} bytes, {state}.")
    click.echo(f"sha256 {row.sha256}")
    click.echo(str(services.path_of(row)))
    sys.exit(0 if row.verified == "verified" else 1)


@bp.cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace without asking.")
def restore(file: Path, yes: bool) -> None:
    """Restore a backup file over this MediaNest's database and state files."""
    try:
        secret = current_app.config.get("BACKUP_PASSPHRASE") or _asked(confirm=False)
        found = restoring.plan(file, secret)
    except (restoring.RestoreRefused, SealError) as exc:
        sys.exit(f"Nothing was replaced. {exc}")
    try:
        for line in found.lines:
            click.echo(line)
        if not yes and not click.confirm("Replace them with the backup?", default=False):
            sys.exit("Nothing was replaced.")
        restoring.apply(found)
    except (restoring.RestoreRefused, dumps.DumpError) as exc:
        sys.exit(f"{exc} The database was left as it was.")
    finally:
        restoring.done(found)
    click.echo("Restored. Start MediaNest again.")
