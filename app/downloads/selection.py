"""Which videos of a playlist a person chose: "all", or positions such as "1-10, 15"."""

import re

MAX_POSITION = 5000  # the most videos one download lists
PART = re.compile(r"(\d{1,5})(?:\s*-\s*(\d{1,5}))?")


class SelectionError(ValueError):
    """A choice of videos that cannot be read; the message says how to write one."""


def parse(text: str) -> str:
    """The choice in its tidy form ("all" or "1-10, 15"); raises SelectionError."""
    text = (text or "").strip().lower()
    if text in ("", "all"):
        return "all"
    if len(text) > 200:
        raise SelectionError("Choose videos with at most a few ranges, e.g. 1-10, 15.")
    parts = []
    for chunk in (c.strip() for c in text.split(",")):
        match = PART.fullmatch(chunk)
        if not match:
            raise SelectionError(
                f"“{chunk[:20]}” is not a position or a range; write e.g. 1-10, 15."
            )
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if not 1 <= low <= high <= MAX_POSITION:
            raise SelectionError(f"Positions run from 1 to {MAX_POSITION}, low to high, e.g. 1-10.")
        parts.append(f"{low}-{high}" if high != low else str(low))
    return ", ".join(parts)


def positions(selection: str, total: int) -> list[int]:
    """The chosen positions (1-based, ascending) of a playlist of `total` videos."""
    total = min(total, MAX_POSITION)
    if selection == "all":
        return list(range(1, total + 1))
    chosen: set[int] = set()
    for chunk in selection.split(","):
        low, _, high = chunk.strip().partition("-")
        chosen.update(range(int(low), min(int(high or low), total) + 1))
    return sorted(chosen)


def count(selection: str, total: int | None) -> int | None:
    """How many videos the choice names, when the playlist's size is known."""
    return None if total is None else len(positions(selection, total))
