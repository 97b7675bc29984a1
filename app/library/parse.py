"""Reading Plex's library XML pages: fast, safe, and forgiving of what a server gets wrong.

Bulk scans parse the pages here rather than through plexapi, which builds a Python object per
item (about eight times slower on a large library). The C expat parser is used directly; a page
with a DOCTYPE is refused before parsing, so no entity can ever be declared or expanded.
"""

import hashlib
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.bounded import MAX_ID
from app.models.library import GUID_LENGTH, PATH_LENGTH, SUMMARY_LENGTH, TAG_LENGTH, TITLE_LENGTH

ITEM_TAGS = {"Video", "Directory", "Track", "Photo"}
TAG_KINDS = {
    "Genre": "genre",
    "Collection": "collection",
    "Director": "director",
    "Role": "actor",
    "Writer": "writer",
    "Country": "country",
}
PEOPLE_KINDS = ("director", "writer", "actor")
GUID_SCHEMES = ("tmdb", "imdb", "tvdb")
MARKUP = re.compile(r"<\s*[a-zA-Z/!]")
DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)

# What a problem is called in a run's report.
PROBLEMS = {
    "bad_xml": "Pages that were not well-formed XML (items before the fault were kept)",
    "doctype": "Pages refused because they declared a DOCTYPE",
    "bad_utf8": "Pages with bytes that are not UTF-8 (replaced)",
    "missing_key": "Items without a usable ratingKey (skipped)",
    "missing_title": "Items without a title",
    "bad_value": "Attributes with values that are not numbers or dates (left empty)",
    "long_text": "Titles or other text longer than the catalog keeps (shortened)",
    "markup": "Titles or summaries containing HTML (stored as plain text)",
    "duplicate_key": "ratingKeys that appeared more than once (later copies skipped)",
    "incomplete": "Pages with fewer items than announced (items not seen were not removed)",
    "sections_incomplete": (
        "Lists of libraries that were incomplete (no library was taken as deleted from Plex)"
    ),
    "sections_empty": "Lists of libraries that were empty (no library was taken as deleted)",
}


@dataclass
class ParsedItem:
    rating_key: int
    type: str
    title: str
    original_title: str | None
    sort_title: str | None
    summary: str | None
    year: int | None
    added_at: datetime | None
    updated_at: datetime | None
    rating: float | None
    duration: int | None
    content_rating: str | None
    thumb: str | None
    parent_rating_key: int | None
    index: int | None
    child_count: int | None
    leaf_count: int | None
    video_resolution: str | None
    section_key: str | None
    tags: list[tuple[str, str]]
    guids: list[tuple[str, str]]
    people: str | None = None
    digest: str = ""

    def row(self) -> dict:
        """The media_items columns this item sets."""
        return {name: getattr(self, name) for name in ROW_FIELDS}


ROW_FIELDS = (
    "rating_key",
    "type",
    "title",
    "original_title",
    "sort_title",
    "summary",
    "year",
    "added_at",
    "updated_at",
    "rating",
    "duration",
    "content_rating",
    "thumb",
    "parent_rating_key",
    "index",
    "child_count",
    "leaf_count",
    "video_resolution",
    "people",
    "digest",
)


@dataclass
class Page:
    """One page of a listing: its items, the announced sizes, and what was wrong with it."""

    items: list[ParsedItem] = field(default_factory=list)
    total_size: int | None = None
    size: int | None = None
    section_key: str | None = None
    problems: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)
    complete: bool = True

    def problem(self, kind: str, example: str = "") -> None:
        self.problems[kind] += 1
        if example and kind not in self.examples:
            self.examples[kind] = example[:80]


def parse_page(data: bytes, want_type: str | None = None) -> Page:
    """Parse one MediaContainer page of items; never raises on bad input."""
    page = Page()
    if DOCTYPE.search(data):
        page.problem("doctype")
        page.complete = False
        return page
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        page.problem("bad_utf8")
        data = data.decode("utf-8", "replace").encode("utf-8")
    parser = ET.XMLPullParser(events=("start", "end"))
    parser.feed(data)
    fault = None
    try:
        parser.close()
    except ET.ParseError as exc:  # a page cut short: no error until the end
        fault = exc
    depth = top_level = 0
    parents: list[ET.Element] = []
    try:
        for event, elem in parser.read_events():
            if event == "start":
                depth += 1
                if depth == 1:
                    _container(page, elem.attrib)
                parents.append(elem)
                continue
            depth -= 1
            parents.pop()
            if elem.tag in ITEM_TAGS and depth >= 1:
                parent_attrs = parents[-1].attrib if depth > 1 else {}
                item = parse_item(elem, page, parent_attrs)
                if item is not None and (want_type is None or item.type == want_type):
                    page.items.append(item)
                if depth == 1:
                    top_level += 1
                    elem.clear()
    except ET.ParseError as exc:  # a fault mid-page, queued behind the events before it
        fault = exc
    if fault is not None:
        page.problem("bad_xml", str(fault))
        page.complete = False
    if page.complete and page.size is not None and top_level < page.size:
        page.problem("incomplete")
        page.complete = False
    return page


def _container(page: Page, attrs) -> None:
    page.total_size = _int(attrs.get("totalSize"))
    page.size = _int(attrs.get("size"))
    page.section_key = attrs.get("librarySectionID")


def parse_item(elem: ET.Element, page: Page, parent_attrs=None) -> ParsedItem | None:
    """One item element as a ParsedItem, or None (counted) when it has no usable ratingKey."""
    a = elem.attrib
    rating_key = _int(a.get("ratingKey"))
    if rating_key is None or rating_key <= 0 or rating_key > 2**31 - 1:
        page.problem("missing_key", a.get("ratingKey", "") or a.get("title", ""))
        return None
    title = a.get("title")
    if not title:
        page.problem("missing_title", str(rating_key))
        title = f"Untitled ({rating_key})"
    tags: list[tuple[str, str]] = []
    guids: list[tuple[str, str]] = []
    resolution = None
    for child in elem:
        tag = child.tag
        kind = TAG_KINDS.get(tag)
        if kind is not None:
            value = child.get("tag")
            if value:
                tags.append((kind, _text(value, TAG_LENGTH, page)))
        elif tag == "Guid":
            scheme, _, value = (child.get("id") or "").partition("://")
            if scheme in GUID_SCHEMES and value:
                guids.append((scheme, _text(value, GUID_LENGTH, page)))
        elif tag == "Media" and resolution is None:
            resolution = (child.get("videoResolution") or "")[:16] or None
    summary = a.get("summary") or None
    if summary and MARKUP.search(summary):
        page.problem("markup", str(rating_key))
    if MARKUP.search(title):
        page.problem("markup", str(rating_key))
    thumb = a.get("thumb") or None
    if thumb and len(thumb) > PATH_LENGTH:
        page.problem("long_text", f"thumb of {rating_key}")
        thumb = None  # a shortened path would point nowhere
    section = a.get("librarySectionID") or (parent_attrs or {}).get("librarySectionID")
    item = ParsedItem(
        rating_key=rating_key,
        type=(a.get("type") or "unknown")[:16],
        title=_text(title, TITLE_LENGTH, page),
        original_title=_opt_text(a.get("originalTitle"), TITLE_LENGTH, page),
        sort_title=_opt_text(a.get("titleSort"), TITLE_LENGTH, page),
        summary=_opt_text(summary, SUMMARY_LENGTH, page),
        year=_number(a, "year", page),
        added_at=_time(a, "addedAt", page),
        updated_at=_time(a, "updatedAt", page),
        rating=_float(a, page),
        duration=_number(a, "duration", page),
        content_rating=_opt_text(a.get("contentRating"), 64, page),
        thumb=thumb,
        parent_rating_key=_number(a, "parentRatingKey", page),
        index=_number(a, "index", page),
        child_count=_number(a, "childCount", page),
        leaf_count=_number(a, "leafCount", page),
        video_resolution=resolution,
        section_key=section,
        tags=tags,
        guids=guids,
    )
    item.people = _people(tags)
    item.tags = [(kind, value) for kind, value in tags if kind not in PEOPLE_KINDS]
    item.digest = digest(item)
    return item


def _people(tags: list[tuple[str, str]]) -> str | None:
    """Directors, writers and actors as one text: a name a line, a blank line between kinds.

    They live in the item's row only, not as tag rows: they are two thirds of all tags, and
    nothing filters by them; the search reads this column and the item page splits it.
    """
    groups = [
        "\n".join(value.replace("\n", " ") for k, value in tags if k == kind)
        for kind in PEOPLE_KINDS
    ]
    return "\n\n".join(groups) if any(groups) else None


def people_by_kind(people: str | None) -> dict[str, list[str]]:
    """The names of each kind in an item's people text (see _people)."""
    groups = (people or "").split("\n\n")
    if len(groups) != len(PEOPLE_KINDS):  # written before kinds were kept: all as actors
        groups = ["", "", people or ""]
    return {
        kind: [name for name in group.split("\n") if name]
        for kind, group in zip(PEOPLE_KINDS, groups, strict=True)
    }


def digest(item: ParsedItem) -> str:
    parts = [str(getattr(item, name)) for name in ROW_FIELDS[:-2]]
    parts.append(repr(item.tags))
    parts.append(repr(item.guids))
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()


def _text(value: str, limit: int, page: Page) -> str:
    if len(value) > limit:
        page.problem("long_text", value[:40])
        return value[:limit]
    return value


def _opt_text(value: str | None, limit: int, page: Page) -> str | None:
    return _text(value, limit, page) if value else None


def _int(raw) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if abs(value) <= MAX_ID else None  # the database holds 64-bit integers


def _number(attrs, name: str, page: Page) -> int | None:
    raw = attrs.get(name)
    if raw is None or raw == "":
        return None
    value = _int(raw)
    if value is None or not -(2**31) < value < 2**31:
        page.problem("bad_value", f"{name}={raw[:30]}")
        return None
    return value


def _float(attrs, page: Page) -> float | None:
    raw = attrs.get("rating") or attrs.get("audienceRating")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        page.problem("bad_value", f"rating={raw[:30]}")
        return None
    return value if 0 <= value <= 10 else None


def _time(attrs, name: str, page: Page) -> datetime | None:
    raw = attrs.get(name)
    if not raw:
        return None
    value = _int(raw)
    if value is None or not 0 <= value < 2**33:
        page.problem("bad_value", f"{name}={raw[:30]}")
        return None
    return datetime.fromtimestamp(value, UTC)


@dataclass
class SectionList:
    """The libraries a /library/sections answer lists, and whether it listed all of them."""

    sections: list[dict]
    # Every entry was readable and there were as many as the server's own count: only then may
    # a library missing from the list be taken as deleted.
    complete: bool


def parse_sections(data: bytes) -> SectionList:
    """The libraries in a /library/sections answer: key, title, type."""
    if DOCTYPE.search(data):
        raise ValueError("the answer declared a DOCTYPE")
    root = ET.fromstring(data.decode("utf-8", "replace"))
    sections = []
    unreadable = 0
    for elem in root:
        if elem.tag != "Directory":
            continue
        key = elem.get("key")
        if not key:
            unreadable += 1
            continue
        sections.append(
            {
                "key": key[:32],
                "title": (elem.get("title") or f"Library {key}")[:255],
                "type": (elem.get("type") or "unknown")[:16],
            }
        )
    size = _int(root.get("size"))
    complete = (
        root.tag == "MediaContainer"
        and not unreadable
        and size is not None
        and size == len(sections)
    )
    return SectionList(sections, complete)


def describe(problems: Counter, examples: dict) -> list[dict]:
    """A run's problems as the short list the history shows."""
    return [
        {
            "problem": PROBLEMS.get(kind, kind),
            "count": count,
            "example": examples.get(kind, ""),
        }
        for kind, count in sorted(problems.items())
        if count
    ]
