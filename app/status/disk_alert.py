"""Disk nearly full: admins hear once when free space runs low, and again only after it had
recovered. The mark lives in the MediaNest service's state, next to what the check found."""

import shutil
from datetime import datetime

from flask import current_app

from app.notify.outbox import emit
from app.ops import services as ops

MARK = "disk_low_since"  # in ServiceState.info of "medianest" while the incident lasts


def nearly_full(free: int, total: int) -> bool:
    """Under DISK_FULL_PERCENT (10) of the disk, or under DISK_FULL_GB (5 GB), is left."""
    percent = float(current_app.config.get("DISK_FULL_PERCENT", 10))
    least_gb = float(current_app.config.get("DISK_FULL_GB", 5))
    return free < total * percent / 100 or free < least_gb * 1024**3


def disk_room() -> dict:
    """The probe's disk component, with whether the disk is nearly full."""
    result = ops._disk_result()
    usage = shutil.disk_usage(current_app.config["MEDIA_ROOT"])
    result["nearly_full"] = nearly_full(usage.free, usage.total)
    result["percent_free"] = round(100 * usage.free / usage.total, 1) if usage.total else 0.0
    return result


def watch(state, previous: dict, info: dict, now: datetime) -> None:
    """Carry the mark from the last check; tell admins when it is set, clear it on recovery.

    A disk check that failed says nothing either way: the mark stays as it was.
    """
    components = info.get("components") if isinstance(info, dict) else None
    disk = components.get("disk") if isinstance(components, dict) else None
    since = previous.get(MARK) if isinstance(previous, dict) else None
    if isinstance(disk, dict) and "nearly_full" in disk:
        if not disk["nearly_full"]:
            since = None
        elif since is None:
            _tell_full(disk)
            since = now.isoformat()
    if since is not None:
        state.info = {**(state.info or {}), MARK: since}


def _tell_full(disk: dict) -> None:
    emit(
        "disk.full",
        f"Disk nearly full: {disk.get('detail', '')}"[:200],
        f"Only {disk.get('percent_free', 0)} % of the disk holding "
        f"{current_app.config['MEDIA_ROOT']} is free. Free some space before downloads stop.",
        level="warning",
        link="/status",
        data={"free_gb": disk.get("value"), "percent_free": disk.get("percent_free")},
        commit=False,
    )
