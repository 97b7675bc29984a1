"""Admin → Backups: the passphrase, the schedule and how many to keep, and the registry."""

from app import audit, settings
from app.admin.downloads_settings_services import SaveResult, whole_numbers
from app.backups import services as backups

MIN_PASSPHRASE, MAX_PASSPHRASE = 12, 1024
NUMBERS = {
    "keep_daily": ("backup.keep_daily", 1, 365),
    "keep_weekly": ("backup.keep_weekly", 0, 520),
    "keep_monthly": ("backup.keep_monthly", 0, 1200),
}


def current() -> dict:
    return {
        "enabled": bool(settings.get("backup.enabled")),
        **{name: settings.get(key) for name, (key, _low, _high) in NUMBERS.items()},
    }


def passphrase_state() -> str:
    """ "environment", "set" or "missing"."""
    if backups.passphrase_from_environment():
        return "environment"
    return "set" if settings.get("backup.passphrase") else "missing"


def save_schedule(form, *, actor) -> SaveResult:
    result, changes = SaveResult(), {}
    whole_numbers(form, result.errors, changes, NUMBERS)
    if result.errors:
        return result
    changes["backup.enabled"] = form.get("enabled") == "on"
    result.changed = settings.put(changes, actor=actor)
    return result


def save_passphrase(form, *, actor) -> SaveResult:
    result = SaveResult()
    chosen, again = form.get("passphrase"), form.get("passphrase_again")
    chosen = chosen if isinstance(chosen, str) else ""
    again = again if isinstance(again, str) else ""
    if not MIN_PASSPHRASE <= len(chosen) <= MAX_PASSPHRASE or not chosen.isprintable():
        result.errors["passphrase"] = (
            f"Use {MIN_PASSPHRASE} to {MAX_PASSPHRASE:,} characters, without control characters."
        )
    elif chosen != again:
        result.errors["passphrase_again"] = "The two passphrases differ."
    if result.errors:
        return result
    # Only the fact is audited: the value is a secret (stored encrypted, never in a backup).
    settings.put({"backup.passphrase": chosen})
    audit.record("backup.passphrase_set", actor=actor)
    result.changed = ["backup.passphrase"]
    return result
