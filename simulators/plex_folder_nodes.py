"""How a folder library's shows, seasons and episodes look as Plex lists them.

Personal Media items have no outside ids: a legacy-agent guid is
``com.plexapp.agents.none://<hash>?lang=xn``, a new-agent one ``local://<ratingKey>``, and
``includeGuids=1`` adds no Guid children.
"""

import hashlib

from simulators.plex_layout import RK_LIBRARY


class FolderNodes:
    """The nodes of a folder library; mixed into ``FolderLibrary``, whose items they show."""

    def node(self, index: int, season: int = 0, episode: int = 0, *, detail=False, guids=False):
        """Return the (element, attributes, children) of a show, season or episode."""
        with self._lock:
            show = self.shows[index]
            if not season:
                return self._show_node(show, detail)
            found = next(s for s in show.seasons.values() if s.rating_key == season)
            if not episode:
                return self._season_node(show, found, detail)
            return self._episode_node(show, found, found.episodes[episode], detail)

    def _guid(self, rating_key: int) -> str:
        if self.agent.startswith("tv.plex."):
            return f"local://{rating_key}"
        digest = hashlib.sha1(f"{self.uuid}:{rating_key}".encode()).hexdigest()
        return f"com.plexapp.agents.none://{digest}?lang=xn"

    def _section(self, attrs: dict, detail: bool) -> None:
        if detail:
            attrs["librarySectionTitle"] = self.title
            attrs["librarySectionID"] = self.number
            attrs["librarySectionKey"] = f"/library/sections/{self.key}"

    def _show_node(self, show, detail: bool):
        rk = show.rating_key
        leaves = sum(len(s.episodes) for s in show.seasons.values())
        attrs = {
            "ratingKey": str(rk),
            "key": f"/library/metadata/{rk}/children",
            "guid": self._guid(rk),
            "type": "show",
            "title": show.title,
        }
        self._section(attrs, detail)
        attrs.update(
            summary="",
            index=1,
            thumb=f"/library/metadata/{rk}/thumb/{show.updated_at}",
            art=f"/library/metadata/{rk}/art/{show.updated_at}",
            leafCount=leaves,
            viewedLeafCount=0,
            childCount=len(show.seasons),
            addedAt=show.added_at,
            updatedAt=show.updated_at,
        )
        dates = [e.date for s in show.seasons.values() for e in s.episodes.values()]
        if dates:
            attrs["year"] = int(min(dates)[:4])
            attrs["originallyAvailableAt"] = min(dates)
        children = [("Location", {"path": show.folder}, ())] if detail else []
        return "Directory", attrs, children

    def _season_node(self, show, season, detail: bool):
        rk, parent = season.rating_key, show.rating_key
        attrs = {
            "ratingKey": str(rk),
            "key": f"/library/metadata/{rk}/children",
            "parentRatingKey": str(parent),
            "guid": self._guid(rk),
            "parentGuid": self._guid(parent),
            "type": "season",
            "title": f"Season {season.index}",
            "parentKey": f"/library/metadata/{parent}",
            "parentTitle": show.title,
        }
        self._section(attrs, detail)
        attrs.update(
            summary="",
            index=season.index,
            parentIndex=1,
            thumb=f"/library/metadata/{rk}/thumb/{show.updated_at}",
            art=f"/library/metadata/{parent}/art/{show.updated_at}",
            parentThumb=f"/library/metadata/{parent}/thumb/{show.updated_at}",
            leafCount=len(season.episodes),
            viewedLeafCount=0,
            addedAt=season.added_at,
            updatedAt=show.updated_at,
        )
        return "Directory", attrs, []

    def _episode_node(self, show, season, episode, detail: bool):
        rk, season_rk, show_rk = episode.rating_key, season.rating_key, show.rating_key
        attrs = {
            "ratingKey": str(rk),
            "key": f"/library/metadata/{rk}",
            "parentRatingKey": str(season_rk),
            "grandparentRatingKey": str(show_rk),
            "guid": self._guid(rk),
            "parentGuid": self._guid(season_rk),
            "grandparentGuid": self._guid(show_rk),
            "type": "episode",
            "title": episode.title,
            "grandparentKey": f"/library/metadata/{show_rk}",
            "parentKey": f"/library/metadata/{season_rk}",
            "grandparentTitle": show.title,
            "parentTitle": f"Season {season.index}",
        }
        self._section(attrs, detail)
        attrs.update(
            summary="",
            index=episode.index,
            parentIndex=season.index,
            year=int(episode.date[:4]),
            thumb=f"/library/metadata/{rk}/thumb/{episode.updated_at}",
            art=f"/library/metadata/{show_rk}/art/{show.updated_at}",
            parentThumb=f"/library/metadata/{season_rk}/thumb/{show.updated_at}",
            grandparentThumb=f"/library/metadata/{show_rk}/thumb/{show.updated_at}",
            grandparentArt=f"/library/metadata/{show_rk}/art/{show.updated_at}",
            originallyAvailableAt=episode.date,
            addedAt=episode.added_at,
            updatedAt=episode.updated_at,
        )
        media_id = rk % RK_LIBRARY + self.number * 3_000_000
        container = episode.file.rpartition(".")[2].lower()
        part = {
            "id": media_id,
            "key": f"/library/parts/{media_id}/{episode.mtime}/file.{container}",
            "file": episode.file,
            "size": episode.size,
            "container": container,
        }
        media = ("Media", {"id": media_id, "container": container}, [("Part", part, ())])
        return "Video", attrs, [media]
