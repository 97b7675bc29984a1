"""Where a video lands, as Plex's "Personal Media Shows" agent reads it.

<Channel or Playlist>/Season <YYYY>/s<YYYY>e<MMDD><NN> - <Title> [<id>].mp4: the year is the
season, month, day and a two-digit running number the episode. Names are safe on every
filesystem (Windows and SMB shares included), and titles lose the digit patterns Plex's scanner
would read as season or episode numbers.
"""

import re
import unicodedata
from pathlib import Path

MAX_NAME = 120  # characters of a title kept in a name; paths stay well under 255 bytes a part
RESERVED = frozenset(
    {
        "con",
        "prn",
        "aux",
        "nul",
        *(f"com{n}" for n in range(1, 10)),
        *(f"lpt{n}" for n in range(1, 10)),
    }
)
UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# s01e02, 1x02, ep 3, episode 4, part 5, and dates a scanner reads as air dates.
EPISODE_LIKE = re.compile(
    r"\b(?:s\d{1,4}\s*e\d{1,4}|\d{1,4}x\d{1,4}|ep(?:isode)?\.?\s*\d+|\d{4}[-.]\d{1,2}[-.]\d{1,2})\b",
    re.IGNORECASE,
)


def safe_name(text: str, fallback: str = "Untitled", limit: int = MAX_NAME) -> str:
    """A file or folder name from any text: no separators, controls, reserved names or dots at
    the end, NFC-normalised, at most `limit` characters."""
    text = unicodedata.normalize("NFC", text or "")
    text = UNSAFE.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip().strip(".").strip()
    text = text[:limit].rstrip(" .")
    if not text or text.split(".")[0].lower() in RESERVED:
        text = fallback if not text else f"_{text}"
    return text


def episode_title(title: str, limit: int = MAX_NAME) -> str:
    """A title with episode-like digit patterns defused (s01e02 → s01 e02 is still read, so the
    digits are joined by a middle dot instead)."""
    defused = EPISODE_LIKE.sub(lambda m: re.sub(r"[\s.\-x]*(\d+)", r"·\1", m.group(0)), title or "")
    return safe_name(defused, limit=limit)


def season_of(upload_date: str | None, fallback_year: int) -> int:
    if upload_date and len(upload_date) == 8 and upload_date.isdigit():
        return int(upload_date[:4])
    return fallback_year


def episode_code(upload_date: str | None, number: int, fallback: str) -> str:
    """s<YYYY>e<MMDD><NN>; a video without a date gets `fallback` (YYYYMMDD, e.g. today)."""
    day = (
        upload_date if upload_date and len(upload_date) == 8 and upload_date.isdigit() else fallback
    )
    return f"s{day[:4]}e{day[4:8]}{min(max(number, 1), 99):02d}"


def episode_path(
    show_dir: Path,
    upload_date: str | None,
    number: int,
    title: str,
    video_id: str,
    *,
    today: str,
    ext: str = "mp4",
) -> Path:
    """The file for one video. A file of this video already there keeps its name; a code another
    video already has moves to the next free running number."""
    day = upload_date if upload_date and len(upload_date) == 8 and upload_date.isdigit() else today
    season = show_dir / f"Season {day[:4]}"
    tag = f"[{safe_name(video_id, limit=64)}]"
    if season.is_dir():
        for existing in season.iterdir():
            if existing.name.endswith(f"{tag}.{ext}"):
                return existing
    taken = set()
    if season.is_dir():
        taken = {p.name[:12] for p in season.iterdir() if p.name.startswith(f"s{day[:4]}e")}
    while episode_code(day, number, today) in taken and number < 99:
        number += 1
    name = f"{episode_code(day, number, today)} - {episode_title(title)} {tag}.{ext}"
    return season / name
