"""The store's tables (SQLAlchemy 2.x).

Migrations in ``storage/migrations`` create them; keep both in step.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class SourceRow(Base):
    """Where articles come from: a file or folder, a page URL, or a feed polled on a schedule."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    location: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str | None] = mapped_column(String(512))
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(1024))
    last_polled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_poll_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failure_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A feed being polled: by which instance, and until when its claim holds (migration 0004).
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # store: `briefbot feeds add`, polled until removed; chat: added by a channel, polled while followed
    origin: Mapped[str] = mapped_column(String(16), default="store")


class StoryRow(Base):
    """Near-duplicate articles from several outlets, grouped as one story."""

    __tablename__ = "stories"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ArticleRow(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"), index=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    url: Mapped[str | None] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(String(512))
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    simhash: Mapped[int] = mapped_column(BigInteger)
    words: Mapped[int] = mapped_column(Integer, default=0)


class BriefRow(Base):
    """A brief as the summarizer of ``version`` wrote it; a newer summarizer re-briefs older rows."""

    __tablename__ = "briefs"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[str] = mapped_column(String(32), index=True)
    algorithm: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActorRow(Base):
    """An actor of one article, so "everything about Hezbollah this week" is an indexed query."""

    __tablename__ = "article_actors"
    __table_args__ = (Index("ix_article_actors_actor_article", "actor_id", "article_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(256))
    key: Mapped[str] = mapped_column(String(256), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    mentions: Mapped[int] = mapped_column(Integer)
    salience: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="SET NULL"))


class ActorEntityRow(Base):
    """One actor across the store's articles, which each brief's actor rows link to."""

    __tablename__ = "actors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActorNameRow(Base):
    """A lowercased name or alias meaning one actor across the store; a name two actors could both
    mean (a surname two people share) is not here, so it links to neither."""

    __tablename__ = "actor_names"
    key: Mapped[str] = mapped_column(String(256), primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)


class ActorCorrectionRow(Base):
    """A merge or split made by hand (``briefbot actors``), replayed whenever links are made, so it
    survives ``db rebrief``. ``key`` and ``other`` are lowercased names."""

    __tablename__ = "actor_corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(8))  # "merge" | "split"
    key: Mapped[str] = mapped_column(String(256))
    other: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActorAliasRow(Base):
    """Every name an actor goes by in an article ("assad" for Bashar al-Assad), lowercased."""

    __tablename__ = "actor_aliases"
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("article_actors.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(256), primary_key=True, index=True)


class SentenceRow(Base):
    """One sentence of an article, at its position in the splitter's order (the order the brief's
    actors and figures name), full-text indexed for ``ask`` (migration 0003 adds the index)."""

    __tablename__ = "article_sentences"
    __table_args__ = (UniqueConstraint("article_id", "position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class FigureRow(Base):
    __tablename__ = "article_figures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(512))
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    sentence: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int] = mapped_column(Integer)


class ChannelRow(Base):
    """A chat channel the bot serves, with its digest schedule."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(256))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    digest_time: Mapped[str] = mapped_column(String(5), default="09:00")
    subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    quiet_when_empty: Mapped[bool] = mapped_column(Boolean, default=False)
    # True until the channel chooses feeds: it receives every stored article; False: only its feeds'
    all_sources: Mapped[bool] = mapped_column(Boolean, default=True)
    subscribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    chart_day: Mapped[int | None] = mapped_column(Integer)  # 0 Monday: the digest with the week's chart
    # The digest as a short parent message with one reply per story in its thread
    digest_thread: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ChannelSourceRow(Base):
    __tablename__ = "channel_sources"
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True)


class DeliveryRow(Base):
    """The delivery ledger: one row per channel, topic (a digest, a notice) and date, claimed before
    posting, its progress recorded part by part, marked sent after."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("channel_id", "topic", "digest_date", name="uq_deliveries_channel_topic_date"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(64), default="digest")
    digest_date: Mapped[date] = mapped_column(Date)
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    # The posted parent message a threaded digest's other parts reply to (Slack ts, Discord id)
    thread_ref: Mapped[str | None] = mapped_column(String(64))
    article_ids: Mapped[list[int] | None] = mapped_column(JSON)  # what the digest was composed of
    status: Mapped[str] = mapped_column(String(16))  # claimed | sent | failed
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    articles: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(1024))


class DeliveredArticleRow(Base):
    """Which articles a channel has been sent: "new since" is what is not here, so nothing is
    skipped when transactions of several instances commit out of id order, and nothing repeats."""

    __tablename__ = "delivered_articles"
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="SET NULL"))


class FeedEntryRow(Base):
    """A feed's entry already seen (its GUID, else its link): a poll fetches only the pages of
    entries not here, and a new feed's backlog can be taken as seen without fetching it."""

    __tablename__ = "feed_entries"
    __table_args__ = (UniqueConstraint("source_id", "key", name="uq_feed_entries_source_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(2048))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChatEventRow(Base):
    """A platform event already answered (Slack redelivers one it thinks failed), until it expires:
    in the database, so a retry reaching another instance is not answered twice."""

    __tablename__ = "chat_events"
    key: Mapped[str] = mapped_column(String(256), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ChatPageRow(Base):
    """Where ``more`` continues: someone's last search in a channel and the page shown, until it
    expires; any instance (and a restarted one) continues it."""

    __tablename__ = "chat_pages"
    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    query: Mapped[str] = mapped_column(Text)
    page: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
