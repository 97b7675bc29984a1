"""One page of a longer list, and text search, for any list page."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, select

from app.extensions import db


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(raw: str | None) -> int:
    """A page number from a query string; anything odd means the first page."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


def paginate(query: Select, page: int, per_page: int) -> Page:
    """Count the rows, clamp the page into range and fetch that page's rows."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)).all()
    return Page(list(items), page, pages, total)


def contains(column, text: str) -> ColumnElement[bool]:
    """column contains text, ignoring case, with % and _ taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(func.coalesce(column, "")).like(f"%{escaped}%", escape="\\")
