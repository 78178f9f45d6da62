"""One actor across articles: "Assad" here and "Bashar al-Assad" there, "the IDU" and the
International Dockworkers Union, are one row of ``actors``, which every brief's actor rows link to.

- ``actors``: the actor as the store knows it: a display name and a kind.
- ``actor_names``: every lowercased name or alias that means that actor, across the store. A name
  two actors could both mean (a surname two people share) is not here: it links to neither.
- ``article_actors.actor_id``: a brief's actor, linked (null until linked; a link is remade when
  the brief is rewritten by ``db rebrief``).
- ``actor_corrections``: the merges and splits a person made with ``briefbot actors``, replayed
  whenever links are made, so a correction survives re-briefing.
- ``channels.chart_day``: the day of the week (0 Monday) a channel's digest carries the week's
  chart of its top actors; null for none.

Existing briefs are linked by ``briefbot db link-actors`` (and by ``db rebrief``); until then an
upgraded store shows no actor pages for its older articles.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "actor_names",
        sa.Column("key", sa.String(256), primary_key=True),
        sa.Column("actor_id", sa.Integer, sa.ForeignKey("actors.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_actor_names_actor_id", "actor_names", ["actor_id"])
    op.create_table(
        "actor_corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("key", sa.String(256), nullable=False),
        sa.Column("other", sa.String(256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("article_actors") as batch:
        batch.add_column(sa.Column("actor_id", sa.Integer, nullable=True))
        batch.create_foreign_key(
            "fk_article_actors_actor_id", "actors", ["actor_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index("ix_article_actors_actor_article", "article_actors", ["actor_id", "article_id"])
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("chart_day", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("chart_day")
    op.drop_index("ix_article_actors_actor_article", "article_actors")
    with op.batch_alter_table("article_actors") as batch:
        batch.drop_constraint("fk_article_actors_actor_id", type_="foreignkey")
        batch.drop_column("actor_id")
    op.drop_table("actor_corrections")
    op.drop_index("ix_actor_names_actor_id", "actor_names")
    op.drop_table("actor_names")
    op.drop_table("actors")
