"""How a generated library's items look as Plex lists them: (element, attributes, children)."""

import hashlib
import uuid

from simulators.plex_layout import ADDED_FROM, COLLECTION_NAMES, LEVELS, RK_LIBRARY
from simulators.plex_media import media_node
from simulators.plex_words import (
    ACTIONS,
    ADJECTIVES,
    COUNTRIES,
    FIRST_NAMES,
    GENRES,
    MOVIE_RATINGS,
    MUSIC_GENRES,
    NETWORKS,
    NOUNS,
    PLACES,
    SHOW_RATINGS,
    STUDIOS,
    SUBJECTS,
    TAGLINES,
    TWISTS,
    digest,
    make_title,
    person,
    pick,
    slug,
    title_sort,
)

ELEMENT = {
    "movie": "Video",
    "episode": "Video",
    "show": "Directory",
    "season": "Directory",
    "artist": "Directory",
    "album": "Directory",
    "collection": "Directory",
    "track": "Track",
}


class ItemNodes:
    """The nodes of a library's items; mixed into ``Library``, whose facts they are made from."""

    def node(self, index: int, season: int = 0, episode: int = 0, *, detail=False, guids=False):
        """Return the (element, attributes, children) of an item, as Plex lists it."""
        if not season:
            return self._top(index, detail, guids)
        if not episode:
            return self._season(index, season, detail, guids)
        return self._leaf(index, season, episode, detail, guids)

    def _section_attrs(self, attrs: dict, detail: bool) -> None:
        if detail:
            attrs["librarySectionTitle"] = self.title
            attrs["librarySectionID"] = self.number
            attrs["librarySectionKey"] = f"/library/sections/{self.key}"

    def _tags(self, tag: str, names, detail: bool, filter_name: str) -> list:
        children = []
        for name in names:
            if detail:
                tag_id = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=3).digest())
                attrs = {"id": tag_id, "filter": f"{filter_name}={tag_id}", "tag": name}
            else:
                attrs = {"tag": name}
            children.append((tag, attrs, ()))
        return children

    def _guids(self, kind: str, index: int, season: int = 0, episode: int = 0) -> list:
        serial = self.number * 1_000_000 + index
        if season:
            serial = int(self.rating_key(index, season, episode))
        if kind in ("artist", "album", "track"):
            mbid = uuid.uuid5(uuid.NAMESPACE_OID, f"{self.number}:{index}:{season}:{episode}")
            return [("Guid", {"id": f"mbid://{mbid}"}, ())]
        return [
            ("Guid", {"id": f"imdb://tt{serial:07d}"}, ()),
            ("Guid", {"id": f"tmdb://{serial + 11}"}, ()),
            ("Guid", {"id": f"tvdb://{serial + 70_000}"}, ()),
        ]

    @staticmethod
    def _images(title: str, thumb: str, art: str) -> list:
        return [
            ("Image", {"alt": title, "type": "coverPoster", "url": thumb}, ()),
            ("Image", {"alt": title, "type": "background", "url": art}, ()),
        ]

    @staticmethod
    def _blur(b: bytes) -> tuple:
        return (
            "UltraBlurColors",
            {
                "topLeft": b[24:27].hex(),
                "topRight": b[25:28].hex(),
                "bottomRight": b[26:29].hex(),
                "bottomLeft": b[27:30].hex(),
            },
            (),
        )

    def _top(self, index: int, detail: bool, guids: bool):
        kind = self.type
        b = digest(self.number, index)
        rk = self.number * RK_LIBRARY + index
        title, original = make_title(kind, b)
        if index in self.renamed:
            title = self.renamed[index][0]
        year = 1950 + int.from_bytes(b[8:10], "big") % 75
        if kind == "artist":
            year = None
        added = self.added_at_of(index, b)
        updated = self.updated_at_of(index, b)
        thumb = f"/library/metadata/{rk}/thumb/{updated}"
        art = f"/library/metadata/{rk}/art/{updated}"
        attrs = {"ratingKey": str(rk)}
        attrs["key"] = f"/library/metadata/{rk}" + ("" if kind == "movie" else "/children")
        attrs["guid"] = f"plex://{kind}/{b[:12].hex()}"
        attrs["slug"] = slug(title)
        if kind != "artist":
            attrs["studio"] = pick(STUDIOS if kind == "movie" else NETWORKS, b[20])
        attrs["type"] = kind
        attrs["title"] = title
        self._section_attrs(attrs, detail)
        sort = title_sort(title)
        if sort != title:
            attrs["titleSort"] = sort
        if original:
            attrs["originalTitle"] = original
        if kind != "artist":
            ratings = MOVIE_RATINGS if kind == "movie" else SHOW_RATINGS
            attrs["contentRating"] = pick(ratings, b[17])
        attrs["summary"] = self._summary(b)
        if kind == "show":
            attrs["index"] = 1
        if kind != "artist":
            attrs["rating"] = round(1 + (b[18] % 90) / 10, 1)
            attrs["audienceRating"] = round(1 + (b[19] % 90) / 10, 1)
            attrs["year"] = year
            attrs["tagline"] = pick(TAGLINES, b[13] + b[14])
        attrs["thumb"] = thumb
        attrs["art"] = art
        if kind == "movie":
            duration = (4800 + int.from_bytes(b[16:18], "big") % 6000) * 1000 + b[17]
            attrs["duration"] = duration
        elif kind == "show":
            attrs["duration"] = (20 + b[16] % 40) * 60_000
        if year:
            month, day = 1 + b[9] % 12, 1 + b[10] % 28
            attrs["originallyAvailableAt"] = f"{year}-{month:02d}-{day:02d}"
        if kind != "movie":
            leaves = self.seasons * self.episodes
            attrs["leafCount"] = leaves
            attrs["viewedLeafCount"] = b[11] % (leaves + 1)
            attrs["childCount"] = self.seasons
        attrs["addedAt"] = added
        attrs["updatedAt"] = updated
        if kind == "movie":
            attrs["audienceRatingImage"] = "rottentomatoes://image.rating.upright"
            ripe = attrs["rating"] >= 6
            attrs["ratingImage"] = f"rottentomatoes://image.rating.{'ripe' if ripe else 'rotten'}"
        elif kind == "show":
            attrs["audienceRatingImage"] = "themoviedb://image.rating"
        children = []
        if kind == "movie":
            path = f"{self.location}/{title} ({year})/{title} ({year})"
            children.append(media_node(self.number, rk, b, attrs["duration"], path, True))
        children.extend(self._images(title, thumb, art))
        children.append(self._blur(b))
        genres = MUSIC_GENRES if kind == "artist" else GENRES
        names = sorted({pick(genres, b[21]), pick(genres, b[22] // 3)})
        children.extend(self._tags("Genre", names, detail, "genre"))
        if kind != "artist":
            children.extend(self._tags("Country", [pick(COUNTRIES, b[12])], detail, "country"))
        if guids or detail:
            children.extend(self._guids(kind, index))
        if kind == "movie":
            children.extend(self._tags("Director", [person(b[13], b[14])], detail, "director"))
            writers = [person(b[15], b[16])] + ([person(b[14], b[13])] if b[15] % 3 == 0 else [])
            children.extend(self._tags("Writer", writers, detail, "writer"))
        if kind != "artist":
            children.extend(self._roles(b, detail))
        collections = [self.collection_names[n] for n in self.collections_of(index)]
        children.extend(self._tags("Collection", collections, detail, "collection"))
        if detail and kind != "movie":
            children.append(("Location", {"path": f"{self.location}/{title}"}, ()))
        return ELEMENT[kind], attrs, children

    def _roles(self, b: bytes, detail: bool) -> list:
        count = 6 if detail else 3
        roles = []
        for n in range(count):
            name = person(b[n * 2], b[n * 2 + 1] + n)
            if detail:
                tag_id = 100_000 + b[n * 2] * 256 + b[n * 2 + 1]
                attrs = {
                    "id": tag_id,
                    "filter": f"actor={tag_id}",
                    "tag": name,
                    "role": pick(FIRST_NAMES, b[n + 20]),
                }
            else:
                attrs = {"tag": name}
            roles.append(("Role", attrs, ()))
        return roles

    @staticmethod
    def _summary(b: bytes) -> str:
        place = pick(PLACES, b[4] + b[5])
        return (
            f"{pick(SUBJECTS, b[2] + b[3])} {pick(ACTIONS, b[6] + b[7])} {place}. "
            f"{pick(TWISTS, b[8] + b[9])}"
        )

    def _parent_facts(self, index: int) -> tuple[str, str, int, int]:
        """Return the title, guid, addedAt and updatedAt of a top-level item."""
        b = digest(self.number, index)
        title = self.renamed[index][0] if index in self.renamed else make_title(self.type, b)[0]
        guid = f"plex://{self.type}/{b[:12].hex()}"
        return title, guid, self.added_at_of(index, b), self.updated_at_of(index, b)

    def _season(self, index: int, season: int, detail: bool, guids: bool):
        child = LEVELS[self.type][1]
        b = digest(self.number, index, season)
        parent_rk = self.rating_key(index)
        rk = self.rating_key(index, season)
        parent_title, parent_guid, added, parent_updated = self._parent_facts(index)
        updated = parent_updated
        if child == "season":
            title = f"Season {season}"
        else:
            title, _ = make_title("movie", b)
        attrs = {
            "ratingKey": rk,
            "key": f"/library/metadata/{rk}/children",
            "parentRatingKey": parent_rk,
            "guid": f"plex://{child}/{b[:12].hex()}",
            "parentGuid": parent_guid,
            "type": child,
            "title": title,
            "parentKey": f"/library/metadata/{parent_rk}",
            "parentTitle": parent_title,
        }
        self._section_attrs(attrs, detail)
        attrs["summary"] = "" if child == "season" else self._summary(b)
        attrs["index"] = season
        attrs["parentIndex"] = 1
        attrs["thumb"] = f"/library/metadata/{rk}/thumb/{updated}"
        attrs["art"] = f"/library/metadata/{parent_rk}/art/{parent_updated}"
        attrs["parentThumb"] = f"/library/metadata/{parent_rk}/thumb/{parent_updated}"
        if child == "album":
            attrs["year"] = 1960 + b[8] % 65
        attrs["leafCount"] = self.episodes
        attrs["viewedLeafCount"] = b[9] % (self.episodes + 1)
        attrs["addedAt"] = added
        attrs["updatedAt"] = updated
        children = [self._blur(b)]
        if guids or detail:
            children.extend(self._guids(child, index, season))
        return "Directory", attrs, children

    def _leaf(self, index: int, season: int, episode: int, detail: bool, guids: bool):
        kind = LEVELS[self.type][2]
        b = digest(self.number, index, season * 100 + episode)
        show_rk = self.rating_key(index)
        season_rk = self.rating_key(index, season)
        rk = self.rating_key(index, season, episode)
        show_title, show_guid, added, show_updated = self._parent_facts(index)
        updated = show_updated
        sb = digest(self.number, index, season)
        if kind == "episode":
            parent_title = f"Season {season}"
            title = f"Episode {episode}" if b[0] % 4 == 0 else make_title("movie", b)[0]
            duration = (20 + b[16] % 40) * 60_000 + b[17] * 1000
        else:
            parent_title = make_title("movie", sb)[0]
            title = f"{pick(ADJECTIVES, b[1])} {pick(NOUNS, b[2])}"
            duration = (150 + b[16] % 240) * 1000
        attrs = {
            "ratingKey": rk,
            "key": f"/library/metadata/{rk}",
            "parentRatingKey": season_rk,
            "grandparentRatingKey": show_rk,
            "guid": f"plex://{kind}/{b[:12].hex()}",
            "parentGuid": f"plex://{LEVELS[self.type][1]}/{sb[:12].hex()}",
            "grandparentGuid": show_guid,
            "type": kind,
            "title": title,
            "grandparentKey": f"/library/metadata/{show_rk}",
            "parentKey": f"/library/metadata/{season_rk}",
            "grandparentTitle": show_title,
            "parentTitle": parent_title,
        }
        self._section_attrs(attrs, detail)
        if kind == "episode":
            attrs["contentRating"] = pick(SHOW_RATINGS, digest(self.number, index)[17])
            attrs["summary"] = self._summary(b)
        attrs["index"] = episode
        attrs["parentIndex"] = season
        if kind == "episode":
            attrs["audienceRating"] = round(1 + (b[19] % 90) / 10, 1)
            year = 1990 + b[8] % 35
            attrs["year"] = year
        attrs["thumb"] = f"/library/metadata/{rk}/thumb/{updated}"
        attrs["art"] = f"/library/metadata/{show_rk}/art/{show_updated}"
        attrs["parentThumb"] = f"/library/metadata/{season_rk}/thumb/{updated}"
        attrs["grandparentThumb"] = f"/library/metadata/{show_rk}/thumb/{show_updated}"
        attrs["grandparentArt"] = f"/library/metadata/{show_rk}/art/{show_updated}"
        attrs["duration"] = duration
        if kind == "episode":
            attrs["originallyAvailableAt"] = f"{year}-{1 + b[9] % 12:02d}-{1 + b[10] % 28:02d}"
        attrs["addedAt"] = added
        attrs["updatedAt"] = updated
        path = f"{self.location}/{show_title}/{parent_title}/{episode:02d} - {title}"
        if kind == "episode":
            path = f"{self.location}/{show_title}/Season {season:02d}/S{season:02d}E{episode:02d}"
        children = [media_node(self.number, int(rk), b, duration, path, kind == "episode")]
        if kind == "episode":
            children.extend(self._images(title, attrs["thumb"], attrs["art"]))
            children.append(self._blur(b))
        if guids or detail:
            children.extend(self._guids(kind, index, season, episode))
        if kind == "episode":
            children.extend(self._tags("Director", [person(b[13], b[14])], detail, "director"))
            children.extend(self._tags("Writer", [person(b[15], b[16])], detail, "writer"))
        return ELEMENT[kind], attrs, children

    def collection_node(self, number: int):
        """Return the Directory of one collection with its member count and years."""
        rk = self.collection_key(number)
        members = self.collection_members(number)
        years = [1950 + int.from_bytes(digest(self.number, i)[8:10], "big") % 75 for i in members]
        generated = len(COLLECTION_NAMES[self.type])
        if number < generated:
            created = ADDED_FROM + number * 86_400 * 97
        else:
            created = self.custom[number - generated][2]
        attrs = {
            "ratingKey": rk,
            "key": f"/library/collections/{rk}/children",
            "guid": f"collection://{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.uuid}:{number}')}",
            "type": "collection",
            "title": self.collection_names[number],
            "subtype": self.type,
            "summary": "",
            "index": 70_000 + number,
            "thumb": f"/library/collections/{rk}/composite/{created}?width=400&height=600",
            "addedAt": created,
            "updatedAt": created,
            "childCount": len(members),
        }
        if years and self.type == "movie":
            attrs["maxYear"] = max(years)
            attrs["minYear"] = min(years)
        return "Directory", attrs, []
