"""Every stored sentence in its own row, with a full-text index, for ``ask``.

``ask`` used to find a few articles, then look for the question's words in their sentences, with word
statistics taken over those few sentences alone. Sentences now have their own index over the whole
store: SQLite FTS5 (external content, kept in step by triggers, like ``article_fts``); PostgreSQL a
stored tsvector with a GIN index, kept in the row (``STORAGE MAIN``) for the reason 0002 gives.

Existing articles are cut into sentences here, with the splitter the briefs use, so the positions
agree with those the briefs' actors and figures name. About 20 rows per article; a minute or two per
100,000 articles.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from summarizer.sentences import split_sentences

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    op.create_table(
        "article_sentences",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.UniqueConstraint("article_id", "position"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE article_sentences ADD COLUMN search tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED"
        )
        op.execute("ALTER TABLE article_sentences ALTER COLUMN search SET STORAGE MAIN")
        op.execute("CREATE INDEX ix_article_sentences_search ON article_sentences USING GIN (search)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE sentence_fts USING fts5(text, content='article_sentences', "
            "content_rowid='id', tokenize='porter unicode61')"
        )
        op.execute(
            "CREATE TRIGGER article_sentences_fts_insert AFTER INSERT ON article_sentences BEGIN "
            "INSERT INTO sentence_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER article_sentences_fts_delete AFTER DELETE ON article_sentences BEGIN "
            "INSERT INTO sentence_fts(sentence_fts, rowid, text) VALUES ('delete', old.id, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER article_sentences_fts_update AFTER UPDATE OF text ON article_sentences BEGIN "
            "INSERT INTO sentence_fts(sentence_fts, rowid, text) VALUES ('delete', old.id, old.text); "
            "INSERT INTO sentence_fts(rowid, text) VALUES (new.id, new.text); END"
        )
    _cut_stored_articles(bind)


def _cut_stored_articles(bind: sa.Connection) -> None:
    sentences = sa.table(
        "article_sentences", sa.column("article_id"), sa.column("position"), sa.column("text")
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, text FROM articles WHERE id > :last ORDER BY id LIMIT :batch"),
            {"last": last, "batch": BATCH},
        ).all()
        if not rows:
            return
        values = [
            {"article_id": article_id, "position": position, "text": span.text}
            for article_id, body in rows
            for position, span in enumerate(split_sentences(body))
        ]
        if values:
            bind.execute(sa.insert(sentences), values)
        last = rows[-1][0]


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS article_sentences_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS sentence_fts")
    op.drop_table("article_sentences")
