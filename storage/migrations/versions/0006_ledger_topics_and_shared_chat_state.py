"""What several instances must agree on, kept in the database: how far a message got, what was
already answered, which feed entries were already seen, and what a channel chose to follow.

- ``deliveries.topic``: the ledger holds every message that must go out once, not only digests
  (a failing-feed notice is ``feed-failing:<source id>``); unique per (channel, topic, date).
- ``deliveries.parts_sent`` and ``deliveries.article_ids``: a digest sent as several messages
  records each part as it goes, and the articles it was composed of, so a retry by any instance
  posts the same digest from the part that failed, never from the first.
- ``sources.origin``: ``store`` (``briefbot feeds add``: polled until removed) or ``chat`` (added
  by a channel: polled while some channel follows it).
- ``channels.all_sources``: a channel that never chose feeds receives every stored article; one
  whose last feed went away follows nothing until a manager chooses again.
- ``feed_entries``: each feed's entries already seen (GUID or link), so a poll fetches only new
  entries' pages, and a new feed's backlog can be taken as seen.
- ``chat_events`` and ``chat_pages``: Slack's retried events and ``more``'s place in a search,
  with an expiry, where every instance sees them.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD_UNIQUE = {"postgresql": "deliveries_channel_id_digest_date_key"}
# SQLite's unique constraint from 0001 has no name; batch mode names it by this convention to drop it.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
NEW_UNIQUE = "uq_deliveries_channel_topic_date"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table(
        "deliveries", naming_convention=SQLITE_NAMES if dialect == "sqlite" else None
    ) as batch:
        batch.add_column(sa.Column("topic", sa.String(64), nullable=False, server_default="digest"))
        batch.add_column(sa.Column("parts_sent", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("article_ids", sa.JSON))
        batch.drop_constraint(
            OLD_UNIQUE.get(dialect, "uq_deliveries_channel_id_digest_date"), type_="unique"
        )
        batch.create_unique_constraint(NEW_UNIQUE, ["channel_id", "topic", "digest_date"])
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("origin", sa.String(16), nullable=False, server_default="store"))
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("all_sources", sa.Boolean, nullable=False, server_default=sa.true()))
    op.execute(
        "UPDATE channels SET all_sources = "
        + ("0" if dialect == "sqlite" else "false")
        + " WHERE id IN (SELECT channel_id FROM channel_sources)"
    )
    op.create_table(
        "feed_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.String(2048), nullable=False),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL")),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("source_id", "key", name="uq_feed_entries_source_key"),
    )
    op.create_table(
        "chat_events",
        sa.Column("key", sa.String(256), primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "chat_pages",
        sa.Column("key", sa.String(320), primary_key=True),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("chat_pages")
    op.drop_table("chat_events")
    op.drop_table("feed_entries")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("all_sources")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("origin")
    op.execute("DELETE FROM deliveries WHERE topic != 'digest'")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint(NEW_UNIQUE, type_="unique")
        batch.create_unique_constraint("uq_deliveries_channel_id_digest_date", ["channel_id", "digest_date"])
        batch.drop_column("article_ids")
        batch.drop_column("parts_sent")
        batch.drop_column("topic")
