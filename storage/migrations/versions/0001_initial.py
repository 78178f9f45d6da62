"""The first schema: sources, stories, articles with briefs, actors and figures, channels, deliveries,
and full-text search (SQLite FTS5 with triggers; PostgreSQL tsvector with a GIN index).

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("location", sa.String(2048), nullable=False, unique=True),
        sa.Column("title", sa.String(512)),
        sa.Column("etag", sa.String(512)),
        sa.Column("last_modified", sa.String(128)),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(1024)),
        sa.Column("last_polled_at", TZ),
        sa.Column("next_poll_at", TZ),
        sa.Column("failure_notified", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(512), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="SET NULL"), index=True),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id"), index=True),
        sa.Column("url", sa.String(2048), unique=True),
        sa.Column("title", sa.String(512), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("published_at", TZ, index=True),
        sa.Column("fetched_at", TZ, nullable=False, index=True),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("simhash", sa.BigInteger, nullable=False),
        sa.Column("words", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "briefs",
        sa.Column(
            "article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("version", sa.String(32), nullable=False, index=True),
        sa.Column("algorithm", sa.String(32), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "article_actors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("key", sa.String(256), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("mentions", sa.Integer, nullable=False),
        sa.Column("salience", sa.Float, nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
    )
    op.create_table(
        "actor_aliases",
        sa.Column(
            "actor_id", sa.Integer, sa.ForeignKey("article_actors.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("key", sa.String(256), primary_key=True, index=True),
    )
    op.create_table(
        "article_figures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True),
        sa.Column("text", sa.String(512), nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("unit", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sentence", sa.Integer, nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
    )
    op.create_table(
        "channels",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(256)),
        sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"),
        sa.Column("digest_time", sa.String(5), nullable=False, server_default="09:00"),
        sa.Column("subscribed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("quiet_when_empty", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("subscribed_at", TZ),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("platform", "external_id"),
    )
    op.create_table(
        "channel_sources",
        sa.Column(
            "channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), index=True),
        sa.Column("digest_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(128)),
        sa.Column("claimed_at", TZ),
        sa.Column("sent_at", TZ),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("articles", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.String(1024)),
        sa.UniqueConstraint("channel_id", "digest_date"),
    )
    op.create_table(
        "delivered_articles",
        sa.Column(
            "channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("delivery_id", sa.Integer, sa.ForeignKey("deliveries.id", ondelete="SET NULL")),
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS "
            "(setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('english', text), 'B')) STORED"
        )
        op.execute("CREATE INDEX ix_articles_search ON articles USING GIN (search)")
    else:
        # External-content FTS5: the text lives once, in articles; triggers keep the index in step.
        op.execute(
            "CREATE VIRTUAL TABLE article_fts USING fts5(title, text, content='articles', "
            "content_rowid='id', tokenize='porter unicode61')"
        )
        op.execute(
            "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
            "INSERT INTO article_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
            "INSERT INTO article_fts(article_fts, rowid, title, text) "
            "VALUES ('delete', old.id, old.title, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN "
            "INSERT INTO article_fts(article_fts, rowid, title, text) "
            "VALUES ('delete', old.id, old.title, old.text); "
            "INSERT INTO article_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("articles_fts_insert", "articles_fts_delete", "articles_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS article_fts")
    for table in (
        "delivered_articles",
        "deliveries",
        "channel_sources",
        "channels",
        "article_figures",
        "actor_aliases",
        "article_actors",
        "briefs",
        "articles",
        "stories",
        "sources",
    ):
        op.drop_table(table)
