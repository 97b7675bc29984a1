"""Library search: one results contract on PostgreSQL (tsvector + pg_trgm) and SQLite (FTS5).

Every word of the query must match somewhere (the last one as a prefix, for search as you
type); accents and case never matter. Hits come in tiers, best first: titles that start with
the query, titles holding every word, original titles, people and collections, then anything
else (summaries, or words spread over several fields). Within a tier, whole titles (movies,
shows, artists, albums) come before their parts (seasons, episodes, tracks), then shorter
titles first.
A tier is read only while the page is not full, and from at most 1,001 of its matches, so a
common word costs as little as a rare one; past 1,000 matches the count says "more than".
Only when nothing matches exactly are titles close to the query offered, most similar first,
so "godfater" still finds "The Godfather".
"""

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from sqlalchemy import bindparam, select
from sqlalchemy import text as sql

from app.extensions import db
from app.models.library import MediaItem

MAX_QUERY = 200  # characters of the query that are read; the rest is ignored
MAX_WORDS = 8
MAX_WORD = 40
MAX_LIMIT = 100
COUNT_CAP = 1000  # matches are counted up to here; past it a page says "more than 1,000"
POOL = COUNT_CAP + 1  # how many matches a bounded tier reads at most (see Tier)
FUZZY_CANDIDATES = 300
FUZZY_WORD = 0.75  # how close a query word must be to a title word to count as a typo of it
FUZZY_MAX = 50
# Parts of a whole title: within a tier they follow the movies, shows, artists and albums.
PART_TYPES = ("season", "episode", "track")
_PART = f"CASE WHEN m.type IN ({', '.join(repr(t) for t in PART_TYPES)}) THEN 1 ELSE 0 END"

_WORD = re.compile(r"[^\W_]+")
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass
class SearchResult:
    """One page of hits, best first, and how many there are in all."""

    hits: list[MediaItem] = field(default_factory=list)
    total: int = 0
    offset: int = 0
    fuzzy: bool = False  # the hits are near matches: nothing matched exactly
    capped: bool = False  # there are more than COUNT_CAP matches; total says COUNT_CAP + 1

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.hits) < self.total


def fold(value: str) -> str:
    """Lower case without accents, runs of anything but letters and digits as one space."""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NOT_WORD.sub(" ", plain).strip()


def words(value: str) -> list[str]:
    """The words of a query as the search reads them: folded, bounded in number and length."""
    found = _WORD.findall(fold(value[:MAX_QUERY]))
    return [w[:MAX_WORD] for w in found[:MAX_WORDS]]


def search(
    text: str,
    *,
    include_hidden: bool = False,
    types: list[str] | None = None,
    section_ids: list[int] | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Find catalog items matching `text`, ranked by relevance; never raises on odd input."""
    limit = max(0, min(int(limit), MAX_LIMIT))
    offset = max(0, min(int(offset), COUNT_CAP))
    terms = words(text or "")
    if not terms or limit == 0:
        return SearchResult(offset=offset)
    backend = _Postgres() if db.engine.dialect.name == "postgresql" else _Sqlite()
    filters, params = _filters(include_hidden, types, section_ids, year_from, year_to)
    want = offset + limit
    ranked, total = _ranked(backend, terms, filters, params, want + 1)
    fuzzy = False
    if ranked and total is None:
        total = _capped_count(backend.match(terms), filters, {**params, **backend.params(terms)})
    elif not ranked:
        ranked = _rank_fuzzy(terms, backend.candidates(terms, filters, params))
        if not ranked:
            ranked = _rank_fuzzy(terms, backend.candidates(terms, filters, params, wide=True))
        total = len(ranked)
        fuzzy = bool(ranked)
    ids = ranked[offset:want]
    items = {i.id: i for i in db.session.scalars(select(MediaItem).where(MediaItem.id.in_(ids)))}
    hits = [items[i] for i in ids if i in items]
    return SearchResult(
        hits=hits, total=total, offset=offset, fuzzy=fuzzy, capped=total > COUNT_CAP
    )


@dataclass
class Tier:
    """One band of the ranking: the matches meeting `condition`, whole titles before their
    parts, then shorter titles first.

    A tier reads at most POOL of its matches (the first in `first`'s index order, else in the
    table's order) and ranks those: past a thousand matches, ranking every one of them would
    cost far more than it tells, and the page says "more than 1,000" anyway.
    """

    condition: str
    rank: str = ""  # an extra leading sort key within the tier
    first: str = ""
    whole: bool = False  # the condition implies every word matches: the match is not repeated

    def sql(self, where: str) -> str:
        """(id, how many matches the tier read) of the tier's best `:n`."""
        rank = f", {self.rank} AS rank" if self.rank else ""
        order = f"ORDER BY {self.first} " if self.first else ""
        # The part key is read from the pool's own rows: it sorts what was read, no more.
        return (
            f"SELECT id, count(*) OVER () FROM (SELECT m.id, m.title, {_PART} AS part{rank} "
            f"FROM media_items m JOIN library_sections s ON s.id = m.section_id WHERE {where} "
            f"{order}LIMIT :pool) AS tier "
            f"ORDER BY {'rank, ' if rank else ''}part, length(title), title, id LIMIT :n"
        )


def _ranked(backend, terms, filters, params, want: int) -> tuple[list[int], int | None]:
    """Up to `want` ids, best first, read tier by tier only while the page is not full.

    Also the number of matches when the tiers read tell it, else None.
    """
    params = {**params, **backend.params(terms), "pool": max(POOL, want)}
    match = backend.match(terms)
    ids: list[int] = []
    counted = 0
    tiers = backend.tiers(terms)
    for number, tier in enumerate(tiers):
        parts = [tier.condition, *filters]
        if ids:  # every earlier tier was read whole: leaving out its ids is exact and cheap
            parts.append("m.id NOT IN :seen")
        # Repeating an implied match would only make the planner think the tier is rarer.
        where = " AND ".join(parts if tier.whole else [match, *parts])
        run_params = {**params, "n": want - len(ids)} | ({"seen": list(ids)} if ids else {})
        rows = db.session.execute(_statement(tier.sql(where), run_params), run_params).all()
        ids += [row[0] for row in rows]
        counted += rows[0][1] if rows else 0
        if rows and rows[0][1] >= params["pool"]:
            return ids, COUNT_CAP + 1  # a full pool: more than the cap
        if len(ids) >= want:
            return ids, counted if number == len(tiers) - 1 else None
    return ids, len(ids)  # every match was read


def _capped_count(match: str, filters: list[str], params: dict) -> int:
    """How many items match, counted up to one past COUNT_CAP (a page says "more than")."""
    query = (
        "SELECT count(*) FROM (SELECT 1 FROM media_items m JOIN library_sections s "
        f"ON s.id = m.section_id WHERE {' AND '.join([match, *filters])} LIMIT :cap) AS hits"
    )
    run_params = {**params, "cap": COUNT_CAP + 1}
    return db.session.execute(_statement(query, run_params), run_params).scalar_one()


def _one_letter(terms: list[str]) -> bool:
    """A lone letter (the first key pressed) is read as the start of a title only."""
    return len(terms) == 1 and len(terms[0]) == 1


def _filters(include_hidden, types, section_ids, year_from, year_to) -> tuple[list[str], dict]:
    """SQL conditions on media_items m and library_sections s, shared by both databases."""
    where = ["m.removed_at IS NULL", "s.removed_at IS NULL"]
    params: dict = {}
    if not include_hidden:
        where.append("s.hidden = :visible")
        params["visible"] = False
    if types is not None:
        where.append("m.type IN :types")
        params["types"] = [str(t) for t in types] or [""]
    if section_ids is not None:
        where.append("m.section_id IN :section_ids")
        params["section_ids"] = [int(s) for s in section_ids] or [0]
    if year_from is not None:
        where.append("m.year >= :year_from")
        params["year_from"] = int(year_from)
    if year_to is not None:
        where.append("m.year <= :year_to")
        params["year_to"] = int(year_to)
    return where, params


def _statement(query: str, params: dict):
    statement = sql(query)
    for name in ("types", "section_ids", "seen"):
        if name in params:
            statement = statement.bindparams(bindparam(name, expanding=True))
    return statement


def _rank_fuzzy(terms: list[str], candidates: list[tuple[int, str, str]]) -> list[int]:
    """Ids of the candidate titles every query word is close to, most similar first.

    Among equally close titles, whole titles come before their parts.
    """
    scored = []
    known: dict[tuple[str, str], float] = {}  # titles share words: score each pair once
    for item_id, title, kind in candidates:
        title_words = set(fold(title or "").split())
        if not title_words:
            continue
        total = 0.0
        for term in terms:
            best = 0.0
            for word in title_words:
                pair = (term, word)
                if pair not in known:
                    known[pair] = _closeness(term, word)
                best = max(best, known[pair])
            if best < FUZZY_WORD:
                break
            total += best
        else:
            part = kind in PART_TYPES
            scored.append((-total / len(terms), part, len(title or ""), title or "", item_id))
    scored.sort()
    return [row[-1] for row in scored[:FUZZY_MAX]]


def _closeness(term: str, word: str) -> float:
    if word == term or (len(term) >= 3 and word.startswith(term)):
        return 1.0
    if abs(len(word) - len(term)) > 3:
        return 0.0
    matcher = SequenceMatcher(None, term, word)
    if matcher.real_quick_ratio() < FUZZY_WORD or matcher.quick_ratio() < FUZZY_WORD:
        return 0.0
    return matcher.ratio()


class _Postgres:
    """Full-text search over the weighted search_vector; titles also by their own word index."""

    @staticmethod
    def _tsquery(weight: str = "") -> str:
        return f"to_tsquery('simple', medianest_unaccent(:tsquery{weight}))"

    def params(self, terms: list[str]) -> dict:
        # Every word as a quoted lexeme (words hold letters and digits only), the last one a
        # prefix; one text per weight, so no literal colon reaches the SQL.
        quoted = [f"'{t}'" for t in terms]
        params = {"prefix": " ".join(terms) + "%"}
        for weight in ("", "B", "C"):
            parts = [f"{q}:{weight}" if weight else q for q in quoted[:-1]]
            parts.append(f"{quoted[-1]}:*{weight}")
            params[f"tsquery{weight}"] = " & ".join(parts)
        return params

    def match(self, terms: list[str]) -> str:
        if _one_letter(terms):
            return "m.title_folded LIKE :prefix"
        return f"m.search_vector @@ {self._tsquery()}"

    def tiers(self, terms: list[str]) -> list[str]:
        # Weights are not in the GIN index: testing them row by row is cheap on a pool only.
        rank = (
            f"CASE WHEN m.search_vector @@ {self._tsquery('B')} THEN 0 "
            f"WHEN m.search_vector @@ {self._tsquery('C')} THEN 1 ELSE 2 END"
        )
        return [
            # Thousands of titles may start with "the": the first in the prefix index's own
            # order are read, so it is walked, not sorted.
            Tier("m.title_folded LIKE :prefix", first="m.title_folded USING ~<~", whole=True),
            Tier(f"to_tsvector('simple', m.title_folded) @@ {self._tsquery()}"),
            Tier("TRUE", rank=rank),
        ]

    def candidates(self, terms, filters, params, wide=False):
        # The longest word finds the candidates through the trigram index (short ones such as
        # "and" share trigrams with half the catalog, so a short longest word must be closer);
        # the whole query orders them. Only when none of those is close enough is the whole
        # query the filter, which is slower but catches typos that break most trigrams.
        text = " ".join(terms)
        word = text if wide else max(terms, key=len)
        db.session.execute(
            sql("SELECT set_config('pg_trgm.word_similarity_threshold', :value, true)"),
            {"value": "0.5" if len(word) <= 4 and not wide else "0.4"},
        )
        query_sql = (
            "SELECT m.id, m.title, m.type FROM media_items m JOIN library_sections s "
            "ON s.id = m.section_id WHERE :word <% m.title_folded AND "
            + " AND ".join(filters)
            + " ORDER BY word_similarity(:text, m.title_folded) DESC, m.id "
            "LIMIT :cap"
        )
        all_params = {**params, "word": word, "text": text, "cap": FUZZY_CANDIDATES}
        return [tuple(r) for r in db.session.execute(_statement(query_sql, all_params), all_params)]


class _Sqlite:
    """FTS5 over media_search (external content on media_items), accents folded by unicode61."""

    @staticmethod
    def _match(terms: list[str], columns: str = "", start: bool = False) -> str:
        if start:
            body = '^ "' + " ".join(terms) + '" *'
        else:
            quoted = [f'"{t}"' for t in terms]
            quoted[-1] += " *"
            body = " AND ".join(quoted)
        return f"{{{columns}}} : ({body})" if columns else body

    def params(self, terms: list[str]) -> dict:
        return {
            "q": self._match(terms, "title", start=True)
            if _one_letter(terms)
            else self._match(terms),
            "q0": self._match(terms, "title", start=True),
            "q1": self._match(terms, "title"),
            "q2": self._match(terms, "original_title"),
            "q3": self._match(terms, "people collections"),
        }

    @staticmethod
    def _in(name: str) -> str:
        return f"m.id IN (SELECT rowid FROM media_search WHERE media_search MATCH :{name})"

    def match(self, terms: list[str]) -> str:
        return self._in("q")

    def tiers(self, terms: list[str]) -> list[str]:
        # A match within a column is a match: the whole query is run once, by the last tier.
        return [Tier(self._in(f"q{n}"), whole=True) for n in range(4)] + [Tier("1")]

    def candidates(self, terms, filters, params, wide=False):
        if wide:  # the stems below are as wide as FTS5 reads cheaply
            return []
        # Titles sharing the first letters of every query word: typos past the first two or
        # three letters are caught; the Python scoring decides which are close enough.
        stems = [f'"{t[: 3 if len(t) > 4 else 2]}" *' for t in terms if len(t) >= 3]
        if not stems:
            return []
        query_sql = (
            "SELECT m.id, m.title, m.type FROM media_items m JOIN library_sections s "
            "ON s.id = m.section_id WHERE m.id IN (SELECT rowid FROM media_search "
            "WHERE media_search MATCH :q) AND " + " AND ".join(filters) + " LIMIT :cap"
        )
        all_params = {
            **params,
            "q": "{title} : (" + " AND ".join(stems) + ")",
            "cap": FUZZY_CANDIDATES,
        }
        return [tuple(r) for r in db.session.execute(_statement(query_sql, all_params), all_params)]
