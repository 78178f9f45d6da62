"""A channel's digest as a thread: a short parent message in the channel, one reply per story.

- ``channels.digest_thread``: the channel's choice (``subscribe thread``); false for every channel
  until one chooses it, so an upgraded store posts as it did.
- ``deliveries.thread_ref``: the platform's id of the posted parent message (Slack's ``ts``, Discord's
  message id, which is also its thread's), recorded with the part count, so whoever continues a
  digest that failed half way (another instance, the bot after a restart) replies in the same thread.

Revision ID: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("digest_thread", sa.Boolean, nullable=False, server_default=sa.false()))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("thread_ref", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("thread_ref")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("digest_thread")
