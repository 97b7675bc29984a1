"""Library search: one results contract on PostgreSQL (tsvector + pg_trgm) and SQLite (FTS5).

Every word of the query must match somewhere (the last one as a prefix, for search as you
type); accents and case never matter. Hits come in tiers, best first: titles that start with
the query, titles holding every word, original titles, people and collections, then anything
else (summaries, or words spread over several fields). Within a tier, shorter titles first.
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
FUZZY_CANDIDATES = 300
FUZZY_WORD = 0.75  # how close a query word must be to a title word to count as a typo of it
FUZZY_MAX = 50

_WORD = re.compile(r"[^\W_]+")
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass
class SearchResult:
    """One page of hits, best first, and how many there are in all."""

    hits: list[MediaItem] = field(default_factory=list)
    total: int = 0
    offset: int = 0
    fuzzy: bool = False  # the hits are near matches: nothing matched exactly

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
    offset = max(0, int(offset))
    terms = words(text or "")
    if not terms or limit == 0:
        return SearchResult(offset=offset)
    backend = _Postgres() if db.engine.dialect.name == "postgresql" else _Sqlite()
    filters, params = _filters(include_hidden, types, section_ids, year_from, year_to)
    ids, total = backend.exact(terms, filters, params, limit, offset)
    fuzzy = False
    if total == 0:
        ranked = _rank_fuzzy(terms, backend.candidates(terms, filters, params))
        total = len(ranked)
        ids = ranked[offset : offset + limit]
        fuzzy = bool(ranked)
    items = {i.id: i for i in db.session.scalars(select(MediaItem).where(MediaItem.id.in_(ids)))}
    hits = [items[i] for i in ids if i in items]
    return SearchResult(hits=hits, total=total, offset=offset, fuzzy=fuzzy)


def _one_letter(terms: list[str]) -> bool:
    """A lone letter (the first key pressed) is read as the start of a title only."""
    return len(terms) == 1 and len(terms[0]) == 1


def _filters(include_hidden, types, section_ids, year_from, year_to) -> tuple[list[str], dict]:
    """SQL conditions on media_items m and library_sections s, shared by both databases."""
    where = ["m.removed_at IS NULL"]
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
    for name in ("types", "section_ids"):
        if name in params:
            statement = statement.bindparams(bindparam(name, expanding=True))
    return statement


def _page_and_total(query_sql: str, where: str, params: dict, limit: int, offset: int):
    """Ids of one page and the total (from the page's window count, or counted when past it)."""
    paged = {**params, "limit": limit, "offset": offset}
    rows = db.session.execute(_statement(query_sql, paged), paged).all()
    if rows:
        return [r[0] for r in rows], rows[0][1]
    if offset == 0:
        return [], 0
    count_sql = (
        "SELECT count(*) FROM media_items m JOIN library_sections s ON s.id = m.section_id "
        f"WHERE {where}"
    )
    return [], db.session.execute(_statement(count_sql, params), params).scalar_one()


def _rank_fuzzy(terms: list[str], candidates: list[tuple[int, str]]) -> list[int]:
    """Ids of the candidate titles every query word is close to, most similar first."""
    scored = []
    known: dict[tuple[str, str], float] = {}  # titles share words: score each pair once
    for item_id, title in candidates:
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
            scored.append((-total / len(terms), len(title or ""), title or "", item_id))
    scored.sort()
    return [row[3] for row in scored[:FUZZY_MAX]]


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
    """Weighted full-text search over the generated search_vector; trigrams for typos."""

    def _tsquery(self, terms: list[str], weight: str = "") -> tuple[str, dict]:
        parts, params = [], {}
        for n, term in enumerate(terms):
            suffix = (":*" if n == len(terms) - 1 else ":") + weight
            suffix = "" if suffix == ":" else suffix
            key = f"w{n}{weight}"
            params[key], params[key + "s"] = term, suffix
            parts.append(
                f"to_tsquery('simple', quote_literal(medianest_unaccent(:{key})) || :{key}s)"
            )
        return " && ".join(parts), params

    def exact(self, terms, filters, params, limit, offset):
        query, qparams = self._tsquery(terms)
        match = f"m.search_vector @@ ({query})"
        if _one_letter(terms):
            match = "m.title_folded LIKE :prefix"
        tiers = []
        for weight in ("A", "B", "C"):
            weighted, wparams = self._tsquery(terms, weight)
            qparams.update(wparams)
            tiers.append(f"m.search_vector @@ ({weighted})")
        qparams["prefix"] = " ".join(terms) + "%"
        query_sql = (
            "WITH q AS MATERIALIZED (SELECT m.id, m.title, CASE "
            "WHEN m.title_folded LIKE :prefix THEN 0 "
            f"WHEN {tiers[0]} THEN 1 WHEN {tiers[1]} THEN 2 WHEN {tiers[2]} THEN 3 "
            "ELSE 4 END AS tier "
            "FROM media_items m JOIN library_sections s ON s.id = m.section_id "
            f"WHERE {match} AND " + " AND ".join(filters) + ") "
            "SELECT id, count(*) OVER () FROM q "
            "ORDER BY tier, length(title), title, id LIMIT :limit OFFSET :offset"
        )
        where = f"{match} AND " + " AND ".join(filters)
        return _page_and_total(query_sql, where, {**params, **qparams}, limit, offset)

    def candidates(self, terms, filters, params):
        folded = " ".join(terms)
        db.session.execute(
            sql("SELECT set_config('pg_trgm.word_similarity_threshold', '0.4', true)")
        )
        query_sql = (
            "SELECT m.id, m.title FROM media_items m JOIN library_sections s "
            "ON s.id = m.section_id WHERE :folded <% m.title_folded AND "
            + " AND ".join(filters)
            + " ORDER BY word_similarity(:folded, m.title_folded) DESC, m.id "
            "LIMIT :cap"
        )
        all_params = {**params, "folded": folded, "cap": FUZZY_CANDIDATES}
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

    def exact(self, terms, filters, params, limit, offset):
        qparams = {
            "q": self._match(terms, "title", start=True)
            if _one_letter(terms)
            else self._match(terms),
            "q0": self._match(terms, "title", start=True),
            "q1": self._match(terms, "title"),
            "q2": self._match(terms, "original_title"),
            "q3": self._match(terms, "people collections"),
        }
        tier = "CASE " + " ".join(
            f"WHEN m.id IN (SELECT rowid FROM media_search WHERE media_search MATCH :q{n}) THEN {n}"
            for n in range(4)
        )
        query_sql = (
            "SELECT m.id, count(*) OVER () FROM media_items m "
            "JOIN library_sections s ON s.id = m.section_id "
            "WHERE m.id IN (SELECT rowid FROM media_search WHERE media_search MATCH :q) AND "
            + " AND ".join(filters)
            + f" ORDER BY {tier} ELSE 4 END, length(m.title), m.title, m.id "
            "LIMIT :limit OFFSET :offset"
        )
        where = (
            "m.id IN (SELECT rowid FROM media_search WHERE media_search MATCH :q) AND "
            + " AND ".join(filters)
        )
        return _page_and_total(query_sql, where, {**params, **qparams}, limit, offset)

    def candidates(self, terms, filters, params):
        # Titles sharing the first letters of every query word: typos past the first two or
        # three letters are caught; the Python scoring decides which are close enough.
        stems = [f'"{t[: 3 if len(t) > 4 else 2]}" *' for t in terms if len(t) >= 3]
        if not stems:
            return []
        query_sql = (
            "SELECT m.id, m.title FROM media_items m JOIN library_sections s "
            "ON s.id = m.section_id WHERE m.id IN (SELECT rowid FROM media_search "
            "WHERE media_search MATCH :q) AND " + " AND ".join(filters) + " LIMIT :cap"
        )
        all_params = {
            **params,
            "q": "{title} : (" + " AND ".join(stems) + ")",
            "cap": FUZZY_CANDIDATES,
        }
        return [tuple(r) for r in db.session.execute(_statement(query_sql, all_params), all_params)]
