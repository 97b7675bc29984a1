"""The lists of requests: a person's own (and those they follow), and all of them for admins."""

from dataclasses import dataclass

from sqlalchemy import case, or_, select

from app.extensions import db
from app.models import MediaRequest, RequestFollower, User
from app.paging import Page, page_number, paginate
from app.requests import states

PER_PAGE = 20
TYPES = {"movie": "Movies", "tv": "Shows"}
STATUSES = {
    "open": "Open (not yet available)",
    **{status: states.label(status) for status in (*states.PROGRESS, states.DECLINED)},
    states.FAILED: states.label(states.FAILED),
}
SORTS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "title": "Title",
    "updated": "Recently changed",
    "status": "Status",
}
STATUS_ORDER = {status: n for n, status in enumerate((*states.PROGRESS, states.FAILED, "declined"))}


@dataclass(frozen=True)
class RequestQuery:
    status: str = ""
    type: str = ""
    sort: str = "newest"
    page: int = 1

    @classmethod
    def from_args(cls, args, default_status: str = "", default_sort: str = "newest"):
        status = args.get("status", default_status)
        kind, sort = args.get("type", ""), args.get("sort", default_sort)
        return cls(
            status=status if status in STATUSES or status == "all" else default_status,
            type=kind if kind in TYPES else "",
            sort=sort if sort in SORTS else default_sort,
            page=page_number(args.get("page")),
        )

    @property
    def filtered(self) -> bool:
        return bool(self.type) or self.status not in ("", "all")


def _filter(query, rq: RequestQuery):
    if rq.status == "open":
        query = query.where(MediaRequest.status.in_(states.ACTIVE))
    elif rq.status in STATUSES:
        query = query.where(MediaRequest.status == rq.status)
    if rq.type:
        query = query.where(MediaRequest.media_type == rq.type)
    order = {
        "newest": (MediaRequest.created_at.desc(), MediaRequest.id.desc()),
        "oldest": (MediaRequest.created_at, MediaRequest.id),
        "title": (MediaRequest.title, MediaRequest.id),
        "updated": (MediaRequest.updated_at.desc(), MediaRequest.id.desc()),
        "status": (case(STATUS_ORDER, value=MediaRequest.status, else_=99), MediaRequest.id),
    }[rq.sort]
    return query.order_by(*order)


def mine(user, rq: RequestQuery) -> Page:
    """The person's requests and those they follow."""
    followed = select(RequestFollower.request_id).where(RequestFollower.user_id == user.id)
    query = select(MediaRequest).where(
        or_(MediaRequest.user_id == user.id, MediaRequest.id.in_(followed))
    )
    return paginate(_filter(query, rq), rq.page, PER_PAGE)


def everyone(rq: RequestQuery) -> Page:
    query = select(MediaRequest).join(User, User.id == MediaRequest.user_id)
    return paginate(_filter(query, rq), rq.page, PER_PAGE)


def waiting_count() -> int:
    from sqlalchemy import func

    return db.session.scalar(
        select(func.count(MediaRequest.id)).where(MediaRequest.status == states.PENDING)
    )


def followed_ids(user, requests) -> set[int]:
    ids = [r.id for r in requests if r.user_id != user.id]
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(RequestFollower.request_id).where(
                RequestFollower.user_id == user.id, RequestFollower.request_id.in_(ids)
            )
        )
    )
