"""The ingestion store: what the bot has read, what is new, and where to find it again.

Every write is one transaction: an article, its brief, its actors and figures go in together or
not at all, and what was stored before is never touched by a failed ingest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, Select, delete, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer, sessionmaker

from storage import dedup
from storage.actor_kinds import actor_key, settle_kinds
from storage.actor_links import link_actors
from storage.documents import Document
from storage.models import (
    ActorAliasRow,
    ActorRow,
    ArticleRow,
    BriefRow,
    FigureRow,
    SentenceRow,
    SourceRow,
    StoryRow,
)
from storage.prose import not_prose
from storage.values import Article, IngestResult, StoredBrief, without_nuls
from summarizer import SUMMARIZER_VERSION, Brief, BriefWriter, EmptyText
from summarizer.clean import clean
from summarizer.sentences import split_sentences

STORY_WINDOW = timedelta(days=7)  # near-duplicates are looked for among articles this recent
MAX_STORY_CANDIDATES = 5000
REBRIEF_BATCH = 32  # articles briefed, then written, together
SAME_STORY_SHOWN = 5  # other outlets' articles listed with a brief


@dataclass
class RecentSignatures:
    """(id, SimHash, story) of the articles inside the story window, newest first; read on first use."""

    rows: list[tuple[int, int, int | None]] | None = None


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | str | None) -> datetime | None:
    """SQLite hands back naive datetimes (or text, from raw SQL); everything we stored was UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_article(row: ArticleRow, source: str | None = None) -> Article:
    return Article(
        id=row.id,
        title=row.title,
        url=row.url,
        source=source,
        published_at=as_utc(row.published_at),
        fetched_at=as_utc(row.fetched_at) or utcnow(),
        story_id=row.story_id,
        words=row.words,
    )


class Store:
    """The store over one database. Summarizer is optional: without one, articles are kept unbriefed."""

    def __init__(
        self,
        *,
        engine: Engine,
        sessions: sessionmaker[Session],
        summarizer: BriefWriter | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.sessions = sessions
        self.summarizer = summarizer
        self.clock = clock

    @property
    def lease_clock(self) -> Callable[[], datetime]:
        """Leases (digest and feed claims) are judged by one clock for every instance, the
        database's; a store given a clock of its own (tests that move time) judges them by that."""
        return self.clock if self.clock is not utcnow else self.database_time

    def database_time(self) -> datetime:
        """Now by the database server's clock (SQLite's is this machine's, which every process on
        it shares)."""
        if self.dialect == "sqlite":
            return utcnow()
        with self.engine.connect() as connection:
            value = connection.execute(select(func.now())).scalar_one()
        return as_utc(value) or utcnow()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # -- ingest -----------------------------------------------------------------------------------

    def ingest(
        self,
        documents: Iterable[Document],
        *,
        source_id: int | None = None,
        batch_size: int = 16,
        progress: Callable[[IngestResult], None] | None = None,
    ) -> list[IngestResult]:
        """Store documents, briefing them in batches through the model; one result per document, in
        the documents' order."""
        results: dict[int, IngestResult] = {}
        batch: list[tuple[int, Document]] = []
        recent = RecentSignatures()

        def done(position: int, result: IngestResult) -> None:
            results[position] = result
            if progress:
                progress(result)

        def flush() -> None:
            briefs: list[Brief | EmptyText | None]
            if self.summarizer is not None:
                briefs = list(
                    self.summarizer.brief_many(((d.text, d.title) for _, d in batch), batch_size=batch_size)
                )
            else:
                briefs = [None] * len(batch)
            for (position, document), brief in zip(batch, briefs, strict=True):
                done(position, self._store_one(recent, document, brief, source_id=source_id))
            batch.clear()

        for position, given in enumerate(documents):
            reason = not_prose(given.text)  # a binary's NULs count against it, so before they go
            document = without_nuls(given)
            if reason is not None:  # base64, code, a table, a binary: refused before the model sees it
                done(
                    position,
                    IngestResult(
                        location=document.location, error=f"{document.location}: not stored, {reason}"
                    ),
                )
                continue
            known = self._known(document)
            if known is not None:
                done(position, IngestResult(location=document.location, article=known, duplicate_of=known.id))
                continue
            batch.append((position, document))
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        return [results[position] for position in sorted(results)]

    def _known(self, document: Document) -> Article | None:
        """An already stored article with the same URL or text, found before spending the model on it."""
        url = dedup.canonical_url(document.url) if document.url else None
        digest = dedup.content_hash(clean(document.text).body)
        with self.sessions() as session:
            condition = ArticleRow.content_hash == digest
            if url:
                condition = or_(condition, ArticleRow.url == url)
            row = session.scalars(select(ArticleRow).where(condition).limit(1)).first()
            return to_article(row) if row else None

    def _store_one(
        self,
        recent: RecentSignatures,
        document: Document,
        brief: Brief | EmptyText | None,
        *,
        source_id: int | None,
    ) -> IngestResult:
        if isinstance(brief, EmptyText):
            return IngestResult(location=document.location, error=f"{document.location}: {brief}")
        if not document.text.strip():
            return IngestResult(location=document.location, error=f"{document.location}: empty")
        url = dedup.canonical_url(document.url) if document.url else None
        # What is stored is the story alone (page furniture removed), so search, snippets and answers
        # never show share widgets, and sentence numbers agree with the brief's.
        cleaned = clean(document.text)
        body = cleaned.body
        digest = dedup.content_hash(body)
        terms = dedup.content_words(body)
        signature = dedup.simhash(terms)
        title = (document.title or cleaned.title or (brief.title if brief else None) or document.location)[
            :512
        ]
        now = self.clock()
        try:
            with self.sessions.begin() as session:
                story_id, story_size = self._story_for(session, signature, set(terms), title, now, recent)
                row = ArticleRow(
                    source_id=source_id,
                    story_id=story_id,
                    url=url,
                    title=title,
                    text=body,
                    published_at=document.published_at,
                    fetched_at=now,
                    content_hash=digest,
                    simhash=signature,
                    words=len(body.split()),
                )
                session.add(row)
                session.flush()
                write_sentences(session, row.id, body)
                if brief is not None:
                    self._write_brief(session, row.id, brief, now)
                article = to_article(row, document.source)
            if recent.rows is not None:
                recent.rows.insert(0, (row.id, signature, story_id))
        except IntegrityError:
            # Another instance stored the same URL or text between our check and our insert.
            known = self._known(document)
            if known is None:
                raise
            return IngestResult(location=document.location, article=known, duplicate_of=known.id)
        return IngestResult(location=document.location, article=article, story_size=story_size)

    def _write_brief(self, session: Session, article_id: int, brief: Brief, now: datetime) -> None:
        session.execute(delete(BriefRow).where(BriefRow.article_id == article_id))
        session.execute(delete(ActorRow).where(ActorRow.article_id == article_id))
        session.execute(delete(FigureRow).where(FigureRow.article_id == article_id))
        brief = settle_kinds(session, article_id, brief)
        session.add(
            BriefRow(
                article_id=article_id,
                version=brief.version,
                algorithm=brief.algorithm,
                data=brief.to_dict(),
                created_at=now,
            )
        )
        actor_rows = [
            ActorRow(
                article_id=article_id,
                name=actor.name[:256],
                key=actor_key(actor.name),
                kind=actor.kind,
                mentions=actor.mentions,
                salience=actor.salience,
                rank=rank,
            )
            for rank, actor in enumerate(brief.actors)
        ]
        session.add_all(actor_rows)
        session.flush()  # one batched INSERT ... RETURNING gives every actor its id
        for actor, actor_row in zip(brief.actors, actor_rows, strict=True):
            keys = {actor_key(actor.name), *(actor_key(alias) for alias in actor.aliases)}
            session.add_all(ActorAliasRow(actor_id=actor_row.id, key=key) for key in keys)
        link_actors(session, article_id, now=now)  # one actor across articles (storage/actor_links.py)
        session.add_all(
            FigureRow(
                article_id=article_id,
                text=f.text[:512],
                value=f.value,
                unit=f.unit[:128],
                kind=f.kind,
                sentence=f.sentence,
                rank=rank,
            )
            for rank, f in enumerate(brief.figures)
        )

    def _story_for(
        self,
        session: Session,
        signature: int,
        terms: set[str],
        title: str,
        now: datetime,
        recent: RecentSignatures,
    ) -> tuple[int, int]:
        """The story a new article belongs to: a near-duplicate's story, or a new one.

        The recent signatures are read once per :meth:`ingest` call and kept up to date in memory, so a
        batch of 1,000 articles costs one read of them, not 1,000.
        """
        if recent.rows is None:
            since = now - STORY_WINDOW
            recent.rows = [
                (i, h, story)
                for i, h, story in session.execute(
                    select(ArticleRow.id, ArticleRow.simhash, ArticleRow.story_id)
                    .where(ArticleRow.fetched_at >= since)
                    # By fetched_at, so the index on it serves both the window and the order; ordering
                    # by id made SQLite walk the whole table (150 ms an ingest at 100,000 articles).
                    .order_by(ArticleRow.fetched_at.desc(), ArticleRow.id.desc())
                    .limit(MAX_STORY_CANDIDATES)
                )
            ]
        candidates = recent.rows
        close = sorted(
            (dedup.distance(signature, s), i, story)
            for i, s, story in candidates
            if dedup.distance(signature, s) <= dedup.NEAR_BITS
        )
        for _distance, article_id, story_id in close[:5]:
            text = session.scalar(select(ArticleRow.text).where(ArticleRow.id == article_id)) or ""
            if dedup.overlap(terms, dedup.content_words(text)) >= dedup.MIN_OVERLAP and story_id is not None:
                size = session.scalar(select(func.count()).where(ArticleRow.story_id == story_id)) or 0
                return story_id, size + 1
        story = StoryRow(title=title, created_at=now)
        session.add(story)
        session.flush()
        return story.id, 1

    def stale_briefs(self) -> list[int]:
        """Ids of the articles whose brief another summarizer version wrote, or that have none."""
        with self.sessions() as session:
            return list(session.scalars(_stale_briefs().order_by(ArticleRow.id)))

    def count_stale_briefs(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(_stale_briefs().subquery())) or 0

    def rebrief(self, *, progress: Callable[[int], None] | None = None) -> int:
        """Brief again the :meth:`stale_briefs` articles (after an upgrade); the number rebriefed.

        A batch at a time, each written in one transaction: the texts of a large store are never all
        in memory, and an interrupted run keeps what it finished (the rest stays stale for next time).
        ``progress`` gets each article id as it is done.
        """
        if self.summarizer is None:
            return 0
        stale = self.stale_briefs()
        done = 0
        for first in range(0, len(stale), REBRIEF_BATCH):
            ids = stale[first : first + REBRIEF_BATCH]
            with self.sessions() as session:
                rows = session.execute(
                    select(ArticleRow.id, ArticleRow.text, ArticleRow.title)
                    .where(ArticleRow.id.in_(ids))
                    .order_by(ArticleRow.id)
                ).all()
            briefs = list(self.summarizer.brief_many((text, title) for _, text, title in rows))
            with self.sessions.begin() as session:
                for (article_id, text, _), brief in zip(rows, briefs, strict=True):
                    if isinstance(brief, Brief):
                        # The sentence index is rebuilt with the brief, so a new splitter's positions
                        # and the brief's agree.
                        write_sentences(session, article_id, text)
                        self._write_brief(session, article_id, brief, self.clock())
                        done += 1
            for article_id, _, _ in rows:
                if progress is not None:
                    progress(article_id)
        return done

    # -- reading ----------------------------------------------------------------------------------

    def brief_of(self, article_id: int) -> StoredBrief | None:
        """The article with its brief: the stored one, or, for an article stored without (by a store
        with no summarizer), one the model writes now and that is not kept."""
        with self.sessions() as session:
            row = session.get(ArticleRow, article_id)
            if row is None:
                return None
            brief_row = session.get(BriefRow, article_id)
            source = session.get(SourceRow, row.source_id) if row.source_id else None
            article = to_article(row, source.title or source.location if source else None)
            if brief_row is not None:
                brief = Brief.from_dict(brief_row.data)
            elif self.summarizer is not None:
                brief = self.summarizer.brief(row.text, title=row.title)
            else:
                brief = Brief(title=row.title, summary=())
            return StoredBrief(article=article, brief=brief, same_story=self._same_story(session, row))

    def _same_story(self, session: Session, row: ArticleRow) -> tuple[Article, ...]:
        """The other articles of the article's story, newest first (at most :data:`SAME_STORY_SHOWN`)."""
        if row.story_id is None:
            return ()
        others = session.execute(
            select(ArticleRow, SourceRow.location, SourceRow.title)
            .outerjoin(SourceRow, SourceRow.id == ArticleRow.source_id)
            .where(ArticleRow.story_id == row.story_id, ArticleRow.id != row.id)
            .options(defer(ArticleRow.text))
            .order_by(ArticleRow.fetched_at.desc(), ArticleRow.id.desc())
            .limit(SAME_STORY_SHOWN)
        )
        return tuple(to_article(other, title or location) for other, location, title in others)

    def text_of(self, article_id: int) -> str | None:
        with self.sessions() as session:
            return session.scalar(select(ArticleRow.text).where(ArticleRow.id == article_id))

    def find_by_title(self, words: str, *, limit: int = 5) -> list[Article]:
        """Articles whose title holds every given word, newest first (for ``brief <words of a title>``)."""
        terms = [w for w in words.replace("\x00", " ").lower().split() if w]  # no title holds a NUL
        if not terms:
            return []
        with self.sessions() as session:
            query = select(ArticleRow)
            for term in terms:
                query = query.where(func.lower(ArticleRow.title).contains(term, autoescape=True))
            rows = session.scalars(
                query.order_by(ArticleRow.fetched_at.desc(), ArticleRow.id.desc()).limit(limit)
            )
            return [to_article(r) for r in rows]

    def articles(self, *, since: datetime | None = None, limit: int = 50) -> list[Article]:
        with self.sessions() as session:
            query = select(ArticleRow, SourceRow.location).outerjoin(
                SourceRow, SourceRow.id == ArticleRow.source_id
            )
            if since is not None:
                query = query.where(ArticleRow.fetched_at >= since)
            rows = session.execute(
                query.order_by(ArticleRow.fetched_at.desc(), ArticleRow.id.desc()).limit(limit)
            )
            return [to_article(row, location) for row, location in rows]

    def count(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(ArticleRow)) or 0


def _stale_briefs() -> Select[int]:
    return (
        select(ArticleRow.id)
        .outerjoin(BriefRow, BriefRow.article_id == ArticleRow.id)
        .where(or_(BriefRow.version.is_(None), BriefRow.version != SUMMARIZER_VERSION))
    )


def write_sentences(session: Session, article_id: int, text: str) -> None:
    """The article's sentences, replacing any stored before: what ``ask`` searches, one row each."""
    session.execute(delete(SentenceRow).where(SentenceRow.article_id == article_id))
    rows = [
        {"article_id": article_id, "position": position, "text": span.text}
        for position, span in enumerate(split_sentences(text))
    ]
    if rows:
        session.execute(insert(SentenceRow), rows)
