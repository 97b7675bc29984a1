"""Words the Uploads pages use: states, sizes, durations, what a person may still upload."""

from dataclasses import dataclass

from app.models.uploads import (
    AUDIO,
    FAILED,
    IN_PLEX,
    PLACING,
    PROCESSING,
    READY,
    UPLOADED,
    UPLOADING,
    Upload,
)
from app.uploads import storage

STATE_WORDS = {
    UPLOADING: "Uploading",
    UPLOADED: "Waiting to be processed",
    PROCESSING: "Processing",
    READY: "Ready",
    PLACING: "On its way to Plex",
    IN_PLEX: "In Plex",
    FAILED: "Failed",
}
STATE_TONES = {
    READY: "badge-ok",
    IN_PLEX: "badge-ok",
    FAILED: "badge-bad",
    PROCESSING: "badge-busy",
    PLACING: "badge-busy",
}


def state_words(row: Upload) -> str:
    words = STATE_WORDS.get(row.state, row.state)
    if row.state == PROCESSING:
        return f"{words} {row.progress}%"
    return words


def placeholder_words(row: Upload) -> str:
    """What a card shows where its poster will be, or instead of one."""
    if row.kind == AUDIO:
        return "Sound only"
    if row.state == FAILED:
        return "No picture"
    if row.state in (UPLOADING, UPLOADED, PROCESSING):
        return "Picture once processed"
    return "No picture"


def state_tone(row: Upload) -> str:
    return STATE_TONES.get(row.state, "badge-none")


def size_words(count: int | None) -> str:
    """Sizes as the limits count them: GB of 1024³ bytes."""
    if count is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return ""


def duration_words(seconds: float | None) -> str:
    if not seconds:
        return ""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


@dataclass(frozen=True)
class Room:
    """What the upload form tells before a byte is sent."""

    max_file: int
    used: int
    limit: int | None

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)

    @property
    def line(self) -> str:
        largest = f"Files up to {self.max_file // storage.GB} GB"
        if self.limit is None:
            return f"{largest} · {size_words(self.used)} uploaded, no limit"
        return f"{largest} · {size_words(self.used)} of {size_words(self.limit)} used"


def room(user) -> Room:
    return Room(storage.max_file_bytes(), storage.used_bytes(user.id), storage.quota_bytes(user))


def has_file(row: Upload, name: str) -> bool:
    """Whether processing made this file (a poster or strip it could not make is left out)."""
    try:
        return storage.derived_path(row.key, name).is_file()
    except ValueError:
        return False
