"""The store's sentence index, as ``ask`` reads it: word statistics over every stored sentence, the
sentences that hold a question's rarer words, and the whole of a few articles.

SQLite reads FTS5's ``sentence_fts``; PostgreSQL the GIN-indexed tsvector of ``article_sentences``.
Both stem with their own English stemmer, so the words go in as typed. Ranking itself happens in
``storage.ask``, in Python, with the same formula on both databases; the database only counts and
finds, which its index does fast at any size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text

from storage.models import ArticleRow, BriefRow, SentenceRow
from storage.query import SearchQuery
from storage.search import fts5_match, fts5_phrase, pg_tsquery
from storage.store import Store
from summarizer import Brief

# A word in more sentences than this is common enough that its exact count no longer matters to its
# weight (BM25's idf is flat there), and counting further would read its whole posting list.
COUNT_CAP = 5000


@dataclass(frozen=True, slots=True)
class Hit:
    article_id: int
    position: int
    text: str


@dataclass(frozen=True, slots=True)
class StoredArticle:
    id: int
    title: str
    url: str | None
    sentences: tuple[str, ...]
    brief: Brief | None


def size(store: Store) -> int:
    """About how many sentences the store holds: the highest id, read from the primary key's end at
    no cost. Rebriefs write sentences anew, so it runs ahead of the true count, but only the logarithm
    of its ratio to a word's count weighs the word, and a count of 2 million would cost more than the
    rest of a question (SQLite counts rows one by one)."""
    with store.sessions() as session:
        return int(session.scalar(select(func.max(SentenceRow.id))) or 0)


def frequencies(store: Store, words: Sequence[str]) -> list[int]:
    """For each word, in how many sentences it occurs (at most :data:`COUNT_CAP`), in one query."""
    if not words:
        return []
    params: dict[str, Any] = {"cap": COUNT_CAP}
    parts = []
    for i, word in enumerate(words):
        if store.dialect == "postgresql":
            params[f"w{i}"] = word
            inner = (
                "SELECT 1 FROM article_sentences "
                f"WHERE search @@ phraseto_tsquery('english', :w{i}) LIMIT :cap"
            )
        else:
            params[f"w{i}"] = fts5_phrase(word)
            inner = f"SELECT 1 FROM sentence_fts WHERE sentence_fts MATCH :w{i} LIMIT :cap"
        parts.append(f"SELECT {i} AS i, (SELECT count(*) FROM ({inner}) AS c{i}) AS n")
    with store.engine.connect() as connection:
        rows = connection.execute(text(" UNION ALL ".join(parts)), params).all()
    counts: dict[int, int] = {int(i): int(n) for i, n in rows}
    return [int(counts.get(i, 0)) for i in range(len(words))]


def sentences_with(store: Store, words: Sequence[str], *, limit: int, every: bool = False) -> list[Hit]:
    """Sentences holding any of the words (``every``: all of them), the database's best-ranked first.

    Ranking scores every match, so callers pass words that are rare, or ask for ``every`` word of a
    few common ones, whose intersection is small."""
    if not words:
        return []
    query = SearchQuery(terms=tuple(words))
    if store.dialect == "postgresql":
        tsquery, params = pg_tsquery(query, any_term=not every)
        sql = (
            f"SELECT s.article_id, s.position, s.text FROM article_sentences s, (SELECT {tsquery} AS q) "
            "AS question WHERE s.search @@ question.q "
            "ORDER BY ts_rank(s.search, question.q) DESC, s.id LIMIT :limit"
        )
    else:
        params = {"match": fts5_match(query, any_term=not every)}
        sql = (
            "SELECT s.article_id, s.position, s.text FROM sentence_fts "
            "CROSS JOIN article_sentences s ON s.id = sentence_fts.rowid "
            "WHERE sentence_fts MATCH :match ORDER BY sentence_fts.rank, s.id LIMIT :limit"
        )
    params["limit"] = limit
    with store.engine.connect() as connection:
        return [Hit(a, p, t) for a, p, t in connection.execute(text(sql), params)]


def articles(store: Store, ids: Sequence[int]) -> dict[int, StoredArticle]:
    """The articles whole: title, link, every sentence in order, and the brief when there is one."""
    if not ids:
        return {}
    with store.sessions() as session:
        heads = session.execute(
            select(ArticleRow.id, ArticleRow.title, ArticleRow.url).where(ArticleRow.id.in_(ids))
        ).all()
        sentences: dict[int, list[str]] = {}
        for article_id, sentence in session.execute(
            select(SentenceRow.article_id, SentenceRow.text)
            .where(SentenceRow.article_id.in_(ids))
            .order_by(SentenceRow.article_id, SentenceRow.position)
        ):
            sentences.setdefault(article_id, []).append(sentence)
        briefs: dict[int, dict[str, Any]] = dict(
            session.execute(
                select(BriefRow.article_id, BriefRow.data).where(BriefRow.article_id.in_(ids))
            ).all()
        )
    return {
        article_id: StoredArticle(
            id=article_id,
            title=title,
            url=url,
            sentences=tuple(sentences.get(article_id, ())),
            brief=Brief.from_dict(briefs[article_id]) if article_id in briefs else None,
        )
        for article_id, title, url in heads
    }
