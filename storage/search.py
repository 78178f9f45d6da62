"""Full-text search with ranking and highlighted snippets, the same contract on both databases.

SQLite: FTS5 with bm25 (title weighted above text) and ``snippet()``. PostgreSQL: a stored
tsvector with a GIN index, ``ts_rank`` and ``ts_headline``. Highlights are ``**bold**`` (Markdown),
which every chat platform shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from storage.query import SearchQuery
from storage.store import Store, as_utc
from storage.values import Article, SearchHit

MARK_START, MARK_END = "**", "**"


def fts5_phrase(text: str) -> str:
    """Text as one FTS5 string: quoted, so nothing a user types is read as FTS5 syntax."""
    return '"' + text.replace('"', "") + '"'


def fts5_match(query: SearchQuery, *, any_term: bool = False) -> str:
    """An FTS5 expression: each word and phrase quoted, all of them (or, ``any_term``, any)."""
    return (" OR " if any_term else " ").join(fts5_phrase(t) for t in (*query.terms, *query.phrases))


def pg_tsquery(query: SearchQuery, *, any_term: bool = False) -> tuple[str, dict[str, Any]]:
    """A PostgreSQL tsquery expression of the words and phrases (bound as ``:t0``, ``:t1``...)."""
    pieces = []
    params: dict[str, Any] = {}
    for i, term in enumerate((*query.terms, *query.phrases)):
        params[f"t{i}"] = term
        pieces.append(f"phraseto_tsquery('english', :t{i})")
    joiner = " || " if any_term else " && "
    return joiner.join(pieces), params


def _filters(query: SearchQuery, dialect: str) -> tuple[list[str], dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if query.since is not None:
        clauses.append("a.fetched_at >= :since")
        params["since"] = query.since if dialect == "postgresql" else query.since.replace(tzinfo=None)
    if query.until is not None:
        clauses.append("a.fetched_at < :until")
        params["until"] = query.until if dialect == "postgresql" else query.until.replace(tzinfo=None)
    if query.actor:
        clauses.append(
            "a.id IN (SELECT x.article_id FROM article_actors x JOIN actor_aliases y ON y.actor_id = x.id "
            "WHERE y.key = :actor)"
        )
        params["actor"] = query.actor.lower()
    if query.source:
        clauses.append(
            "a.source_id IN (SELECT s.id FROM sources s WHERE "
            "lower(s.location) LIKE :source OR lower(coalesce(s.title, '')) LIKE :source)"
        )
        params["source"] = f"%{query.source.lower()}%"
    return clauses, params


def search(
    store: Store, query: SearchQuery, *, limit: int = 5, offset: int = 0, any_term: bool = False
) -> list[SearchHit]:
    """Best matches first. Without words, the filters alone list the newest matching articles."""
    dialect = store.dialect
    clauses, params = _filters(query, dialect)
    params.update(limit=limit, offset=offset)
    if not query.has_text:
        where = " AND ".join(clauses) or "1=1"
        sql = (
            f"SELECT a.id, a.title, a.url, a.published_at, a.fetched_at, a.story_id, a.words, "
            f"substr(a.text, 1, 200) AS snippet, 0.0 AS score FROM articles a WHERE {where} "
            f"ORDER BY a.fetched_at DESC, a.id DESC LIMIT :limit OFFSET :offset"
        )
    elif dialect == "postgresql":
        tsquery, tparams = pg_tsquery(query, any_term=any_term)
        params.update(tparams)
        where = " AND ".join(["a.search @@ q.query", *clauses])
        # Rank and page first; ts_headline (costly on long texts) runs only on the page returned.
        sql = (
            f"WITH q AS (SELECT {tsquery} AS query), ranked AS ("
            f"SELECT a.id, a.title, a.url, a.published_at, a.fetched_at, a.story_id, a.words, a.text, "
            f"ts_rank(a.search, q.query) AS score, q.query FROM articles a, q WHERE {where} "
            f"ORDER BY score DESC, a.id DESC LIMIT :limit OFFSET :offset) "
            f"SELECT id, title, url, published_at, fetched_at, story_id, words, "
            f"ts_headline('english', text, query, 'StartSel=**,StopSel=**,MaxWords=30,MinWords=12,"
            f"MaxFragments=1,FragmentDelimiter= … ') AS snippet, score "
            f"FROM ranked ORDER BY score DESC, id DESC"
        )
    else:
        params["match"] = fts5_match(query, any_term=any_term)
        # Rank and page inside FTS5 first, then read the articles and cut snippets for the page alone:
        # joining every match to its (wide) article row before ranking made a common word cost 3x the
        # bare FTS5 query at 100,000 articles. Filters become one set of ids, checked per match; the
        # unary plus keeps FTS5 from taking the set as rowid lookups (one doclist seek per id, 100x
        # slower for a common word) and makes SQLite build it once as a small in-memory index.
        where = "article_fts MATCH :match"
        if clauses:
            where += f" AND +article_fts.rowid IN (SELECT a.id FROM articles a WHERE {' AND '.join(clauses)})"
        sql = (
            "WITH page AS (SELECT article_fts.rowid AS id, bm25(article_fts, 5.0, 1.0) AS weighted "
            f"FROM article_fts WHERE {where} "
            "ORDER BY weighted, article_fts.rowid DESC LIMIT :limit OFFSET :offset) "
            "SELECT a.id, a.title, a.url, a.published_at, a.fetched_at, a.story_id, a.words, "
            f"snippet(article_fts, 1, '{MARK_START}', '{MARK_END}', '…', 24) AS snippet, -page.weighted "
            # CROSS JOIN keeps the page as the outer loop: with LIMIT a parameter, SQLite's planner
            # otherwise runs the MATCH a second time over every match and looks the page up in it.
            "FROM page CROSS JOIN article_fts ON article_fts.rowid = page.id "
            "CROSS JOIN articles a ON a.id = page.id "
            "WHERE article_fts MATCH :match ORDER BY page.weighted, a.id DESC"
        )
    with store.engine.connect() as connection:
        rows = connection.execute(text(sql), params).all()
    return [_hit(row) for row in rows]


def _hit(row: Sequence[Any]) -> SearchHit:
    article_id, title, url, published_at, fetched_at, story_id, words, snippet, score = row
    article = Article(
        id=article_id,
        title=title,
        url=url,
        source=None,
        published_at=as_utc(published_at),
        fetched_at=as_utc(fetched_at) or datetime.now(UTC),
        story_id=story_id,
        words=words,
    )
    return SearchHit(article=article, snippet=" ".join(str(snippet).split()), score=float(score))
