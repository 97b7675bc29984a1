"""Collections of a folder library: made, filled, reordered and emptied through the API.

Like Plex, a new collection lists its items by release date (``collectionSort`` 0); 1 sorts
them by title and 2 keeps the custom order that ``move`` makes.
"""

import time
import uuid
from dataclasses import dataclass, field

from simulators.plex_layout import RK_COLLECTIONS, RK_LIBRARY

SORT_RELEASE, SORT_ALPHA, SORT_CUSTOM = 0, 1, 2


@dataclass
class Collection:
    title: str
    subtype: str
    created_at: int
    updated_at: int
    members: list[int] = field(default_factory=list)  # rating keys, in custom order
    sort: int = SORT_RELEASE


class FolderCollections:
    """Collections mixed into ``FolderLibrary``; members are rating keys of its items."""

    @property
    def collection_names(self) -> tuple[str, ...]:
        return tuple(c.title for c in self.collections)

    def collection_key(self, number: int) -> str:
        return str(self.number * RK_LIBRARY + RK_COLLECTIONS + number)

    def collectable(self, rating_key) -> int | None:
        """The member a metadata key names: an episode or a show of this library."""
        found = self.locate(str(rating_key).strip())
        if found is None or found[0] != "item" or (found[2] and not found[3]):
            return None
        return int(rating_key)

    def _kind(self, member: int) -> str:
        found = self.locate(member)
        return "episode" if found and found[3] else "show"

    def member_node(self, member: int):
        return self.node(*self.locate(member)[1:])

    def collection_members(self, number: int) -> list[int]:
        """The members still in the library, in the collection's sort order."""
        collection = self.collections[number]
        members = [m for m in collection.members if self.exists(m)]
        if collection.sort == SORT_CUSTOM:
            return members
        if collection.sort == SORT_ALPHA:
            return sorted(members, key=lambda m: self.member_node(m)[1]["title"].casefold())
        return sorted(members, key=lambda m: self.member_node(m)[1].get("originallyAvailableAt"))

    def add_collection(self, title: str, members=()) -> int:
        """Make a collection of these members; return its number."""
        members = list(dict.fromkeys(members))
        if len(self.collections) >= RK_LIBRARY - RK_COLLECTIONS:
            raise ValueError("too many collections")
        subtype = self._kind(members[0]) if members else "episode"
        now = int(time.time())
        self.collections.append(Collection(title, subtype, now, now))
        number = len(self.collections) - 1
        self.add_to_collection(number, members)
        return number

    def add_to_collection(self, number: int, members) -> None:
        """Append members of the collection's type that it does not hold yet."""
        collection = self.collections[number]
        for member in members:
            if member not in collection.members and self._kind(member) == collection.subtype:
                collection.members.append(member)
        collection.updated_at = int(time.time())

    def move_in_collection(self, number: int, member: int, after: int | None) -> None:
        """Put a member right after another (first when ``after`` is None); ValueError if absent."""
        members = self.collections[number].members
        if member not in members or (after is not None and after not in members):
            raise ValueError("not in the collection")
        members.remove(member)
        members.insert(0 if after is None else members.index(after) + 1, member)
        self.collections[number].updated_at = int(time.time())

    def remove_from_collection(self, number: int, member: int) -> None:
        members = self.collections[number].members
        if member not in members:
            raise ValueError("not in the collection")
        members.remove(member)
        self.collections[number].updated_at = int(time.time())

    def set_collection_sort(self, number: int, sort: int) -> None:
        if sort not in (SORT_RELEASE, SORT_ALPHA, SORT_CUSTOM):
            raise ValueError("unknown sort")
        self.collections[number].sort = sort

    def collection_node(self, number: int):
        """Return the Directory of one collection with its member count."""
        collection = self.collections[number]
        rk = self.collection_key(number)
        attrs = {
            "ratingKey": rk,
            "key": f"/library/collections/{rk}/children",
            "guid": f"collection://{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.uuid}:{number}')}",
            "type": "collection",
            "title": collection.title,
            "subtype": collection.subtype,
            "summary": "",
            "index": 70_000 + number,
            "collectionSort": collection.sort,
            "thumb": f"/library/collections/{rk}/composite/{collection.updated_at}"
            "?width=400&height=600",
            "addedAt": collection.created_at,
            "updatedAt": collection.updated_at,
            "childCount": len(self.collection_members(number)),
        }
        return "Directory", attrs, []
