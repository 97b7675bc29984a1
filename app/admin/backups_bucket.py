"""Admin → Backups → Bucket: where copies go, the keys (stored encrypted), and their retention."""

import re
from urllib.parse import urlsplit

from app import settings
from app.admin.downloads_settings_services import SaveResult, whole_numbers
from app.backups import bucket as target

REGION = re.compile(r"^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$")
KEY_ID = re.compile(r"^[\x21-\x7e]{1,128}$")  # printable, no spaces
MAX_SECRET, MAX_PREFIX, MAX_URL = 256, 200, 300
NUMBERS = {
    "s3_keep_daily": ("backup.s3_keep_daily", 1, 365),
    "s3_keep_weekly": ("backup.s3_keep_weekly", 0, 520),
    "s3_keep_monthly": ("backup.s3_keep_monthly", 0, 1200),
}
TEXT = ("endpoint", "region", "bucket", "prefix", "access_key")


def current() -> dict:
    found = target.saved()
    return {
        "s3_enabled": bool(settings.get("backup.s3_enabled")),
        "endpoint": found.endpoint,
        "region": found.region,
        "bucket": found.name,
        "prefix": found.prefix,
        "access_key": found.access_key,
        "has_secret": bool(found.secret_key),
        **{name: settings.get(key) for name, (key, _low, _high) in NUMBERS.items()},
    }


def typed(form) -> dict:
    """What was typed, to show the form again beside its errors (never the secret)."""
    values = {name: _field(form, name)[:MAX_URL] for name in TEXT}
    values.update({name: _field(form, name)[:12] for name in NUMBERS})
    values["s3_enabled"] = form.get("s3_enabled") == "on"
    values["has_secret"] = bool(settings.get("backup.s3_secret_key"))
    return values


def _field(form, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def endpoint_problem(url: str) -> str | None:
    parts = urlsplit(url)
    try:
        _ = parts.port
    except ValueError:
        return "That address has a port that is not a number."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Enter the address with http:// or https://, like https://s3.eu-central-003.backblazeb2.com."
    if parts.username or parts.password or parts.query or parts.fragment:
        return "Enter the address only: no user name, password, ? or #."
    if len(url) > MAX_URL or not url.isprintable():
        return "That address is too long or has characters it cannot have."
    return None


def prefix_problem(prefix: str) -> str | None:
    if len(prefix) > MAX_PREFIX or not prefix.isprintable() or "\\" in prefix:
        return f"Use at most {MAX_PREFIX} characters, without backslashes or control characters."
    if prefix.startswith("/") or ".." in prefix.split("/"):
        return "Start the folder with a name, not /, and leave out .. parts."
    return None


def _checked(form, errors: dict) -> target.Bucket:
    """The bucket the form describes (the saved secret when none was typed), fields checked."""
    endpoint = _field(form, "endpoint").rstrip("/")
    if endpoint and (problem := endpoint_problem(endpoint)):
        errors["endpoint"] = problem
    region = _field(form, "region").lower() or "us-east-1"
    if not REGION.match(region):
        errors["region"] = "Enter a region like us-east-1 or eu-central-003."
    name = _field(form, "bucket")
    if not _bucket_name_ok(name):
        errors["bucket"] = "Enter the bucket's name: 3 to 63 lowercase letters, digits, dots or -."
    prefix = _field(form, "prefix").strip("/")
    if problem := prefix_problem(prefix):
        errors["prefix"] = problem
    access_key = _field(form, "access_key")
    if not KEY_ID.match(access_key):
        errors["access_key"] = "Paste the access key ID (no spaces)."
    secret = form.get("secret_key")
    secret = secret.strip() if isinstance(secret, str) else ""
    if len(secret) > MAX_SECRET or (secret and not KEY_ID.match(secret[:128])):
        errors["secret_key"] = "That is not a secret key: paste it again."
    secret = secret or settings.get("backup.s3_secret_key")
    if not secret and "secret_key" not in errors:
        errors["secret_key"] = "Paste the secret key that goes with the access key."
    return target.Bucket(endpoint, region, name, f"{prefix}/" if prefix else "", access_key, secret)


def _bucket_name_ok(name: str) -> bool:
    return bool(target.BUCKET_NAME.match(name)) and ".." not in name


def save(form, *, actor) -> SaveResult:
    """Check every field; store all (audited, the secret masked) or none. Switched off with
    nothing typed, only the switch and the retention are stored."""
    result, changes = SaveResult(), {}
    enabled = form.get("s3_enabled") == "on"
    whole_numbers(form, result.errors, changes, NUMBERS)
    describes = enabled or any(_field(form, name) for name in ("endpoint", "bucket", "access_key"))
    found = _checked(form, result.errors) if describes else None
    if result.errors:
        return result
    changes["backup.s3_enabled"] = enabled
    if found is not None:
        changes.update(
            {
                "backup.s3_endpoint": found.endpoint,
                "backup.s3_region": found.region,
                "backup.s3_bucket": found.name,
                "backup.s3_prefix": found.prefix,
                "backup.s3_access_key": found.access_key,
                "backup.s3_secret_key": found.secret_key,
            }
        )
    result.changed = settings.put(changes, actor=actor)
    return result


def test(form) -> tuple[dict, str | None, str | None]:
    """Errors by field, or what the bucket did with a test object: (errors, ok, failure)."""
    errors: dict = {}
    found = _checked(form, errors)
    if errors:
        return errors, None, None
    try:
        return {}, target.probe(found), None
    except target.BucketError as exc:
        return {}, None, str(exc)
