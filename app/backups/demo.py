"""Demo mode: Admin → Backups comes with the demo bucket set up, so a backup made there is also
copied to a bucket. The bucket's address changes each run, and is set again at each start."""

from flask import current_app

from app import settings


def seed_bucket() -> list[str]:
    url = current_app.config.get("DEMO_BUCKET_URL") or ""
    if not (current_app.config.get("DEMO") and url):
        return []
    from simulators.bucket import DEMO_ACCESS_KEY, DEMO_BUCKET, DEMO_SECRET_KEY

    if settings.get("backup.s3_bucket") not in ("", DEMO_BUCKET):
        return []  # an admin chose a bucket of their own
    return settings.put(
        {
            "backup.s3_enabled": True,
            "backup.s3_endpoint": url,
            "backup.s3_bucket": DEMO_BUCKET,
            "backup.s3_access_key": DEMO_ACCESS_KEY,
            "backup.s3_secret_key": DEMO_SECRET_KEY,
        }
    )
