"""PostgreSQL: keep each article's tsvector in its row, not in TOAST.

A news article's tsvector is about 2.6 kB and barely compresses, so PostgreSQL moved it out of line
into TOAST, and ranking a common word fetched it from there once per match: 410 ms for a word found
in 30,000 of 100,000 articles. With ``STORAGE MAIN`` the tsvector stays in the row and the text goes
to TOAST instead (only snippets, questions and near-duplicate checks read it, a few rows at a time):
the same query takes 100 ms. Measured with ``bench/store_scale.py`` on a kept schema.

Existing rows are rewritten once (the generated column is recomputed on update), which takes about a
minute per 100,000 articles. SQLite is unchanged.

Revision ID: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE articles ALTER COLUMN search SET STORAGE MAIN")
    # Storage applies to values written from now on: write the stored ones again. An UPDATE that sets
    # nothing new still stores a new row version, with its generated tsvector placed the new way.
    op.execute("UPDATE articles SET title = title")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE articles ALTER COLUMN search SET STORAGE EXTENDED")
