"""Downloads against the loopback video site: settings, people, and waiting for jobs."""

from pathlib import Path

from sqlalchemy import select

from app import settings
from app.downloads import tasks
from app.extensions import db
from app.models import Download, DownloadItem, User
from tests.conftest import wait_for
from tests.integration.ytdlp_helpers import video_site


def started_site():
    site = video_site()
    site.start()
    return site


def allow(site) -> None:
    """Let downloads reach the site, as an admin would under Admin → Downloads."""
    settings.put({"downloads.allowed_hosts": f"127.0.0.1:{site.port}"})


def person(username: str = "ann", role: str = "user", **quota) -> User:
    user = User(username=username, role=role, **quota)
    db.session.add(user)
    db.session.commit()
    return user


def items_of(download_id: int) -> list[DownloadItem]:
    db.session.expire_all()
    return db.session.scalars(
        select(DownloadItem)
        .where(DownloadItem.download_id == download_id)
        .order_by(DownloadItem.position)
    ).all()


def settled(download_id: int, timeout: float = 90, sweep: bool = True) -> Download:
    """Wait until the download has ended, sweeping as the scheduler would."""

    def ended():
        db.session.expire_all()
        download = db.session.get(Download, download_id)
        if sweep:
            tasks.sweep_downloads()
        return download if download.status not in ("queued", "running") else None

    return wait_for(ended, timeout=timeout, interval=0.5)


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and ".medianest-partial" not in p.parts)
