"""Feeds are claimed before they are polled, so instances sharing the database split the feeds.

A claim is the instance's name and the end of its lease; a poller that dies mid-poll leaves a lease
that runs out, and then another instance takes the feed.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(128)))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
