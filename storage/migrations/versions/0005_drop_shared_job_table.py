"""Drop APScheduler's job table: the database owns the schedule through the channels table.

Instances used to share APScheduler's SQLAlchemy job store, which its own guide forbids ("job stores
must never be shared between schedulers"); each scheduler now keeps its jobs in memory, built from
the channels table, and a reconcile pass posts what is due through the delivery ledger. Nothing in
the table is needed: every job in it was derived from a channel row.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("apscheduler_jobs"):
        op.drop_table("apscheduler_jobs")


def downgrade() -> None:
    pass  # APScheduler made the table itself on first use; an older briefbot makes it again
