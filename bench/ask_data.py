"""What the ask benches share: the questions, and the BBC articles stored on either database.

Three question sets, one format (``id``, ``question``, ``answers``, ``type``, ``article_id``):

* ``../shared/data/ask_dev.jsonl``: 134 questions over 45 BBC articles of lines 301-2225, written
  for this project by the steering side. Never fitted on: the report set.
* ``bench/gold/ask_fit.jsonl``: 340 questions written by us in the same way, over articles that no
  other set uses (180 over 71 business articles of lines 1-300, 160 over 80 entertainment, politics,
  sport and tech articles); the sentence ranker and the refusal model are fitted on them.
* ``bench/gold/ask_unanswerable.jsonl``: 200 questions whose answer no stored article holds
  (``kind`` "absent": about a stored article, asking what it does not say; "off_store": about what
  no article covers). Those with an odd number are fitted on, the even ones reported.

Storing 2,225 articles runs the model over each once; the briefs are kept in ``--cache`` (by
summarizer version), so the second database and later runs store them without the model.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from common import REPO_ROOT, jsonl_rows
from databases import POSTGRES_URL, postgres_schema
from fitting import load_bbc

from storage.db import open_database
from storage.documents import Document
from storage.store import Store
from summarizer import SUMMARIZER_VERSION, Brief, EmptyText, Summarizer

GOLD = REPO_ROOT / "bench" / "gold"
ASK_FIT = GOLD / "ask_fit.jsonl"
UNANSWERABLE = GOLD / "ask_unanswerable.jsonl"
DEFAULT_CACHE = Path("/tmp/briefbot-bench/ask")


@dataclass(frozen=True, slots=True)
class AskQuestion:
    id: str
    question: str
    answers: tuple[str, ...]  # empty: nothing stored answers it
    type: str
    article: str | None  # the BBC id of the article it is about
    kind: str = "answerable"  # answerable | absent | off_store

    @property
    def answerable(self) -> bool:
        return bool(self.answers)

    def answered_by(self, sentence: str) -> bool:
        """The measure of ask_dev's README: a cited sentence contains an answer string."""
        return any(answer in sentence for answer in self.answers)


def load_questions(path: Path) -> list[AskQuestion]:
    return [
        AskQuestion(
            id=row["id"],
            question=row["question"],
            answers=tuple(row.get("answers") or ()),
            type=row.get("type", ""),
            article=row.get("article_id"),
            kind=row.get("kind", "answerable"),
        )
        for row in jsonl_rows(path)
    ]


def fit_part(question: AskQuestion) -> bool:
    """Unanswerable questions with an odd number are fitted on, the even ones reported."""
    return int(question.id.rsplit("-", 1)[1]) % 2 == 1


class ReplayedBriefs(Summarizer):
    """Briefs computed once by the real summarizer and kept on disk, replayed by text: storing the
    BBC set a second time (the other database, a later run) then costs no model pass."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.known: dict[str, dict[str, object]] = pickle.loads(path.read_bytes()) if path.exists() else {}
        self.added = False

    def brief_many(
        self, texts: Iterable[str | tuple[str, str | None]], *, batch_size: int = 16
    ) -> Iterator[Brief | EmptyText]:
        entries = [entry if isinstance(entry, tuple) else (entry, None) for entry in texts]
        keys = [_key(text, title) for text, title in entries]
        missing = [(k, e) for k, e in zip(keys, entries, strict=True) if k not in self.known]
        if missing:
            made = super().brief_many([e for _, e in missing], batch_size=batch_size)
            for (key, _), brief in zip(missing, made, strict=True):
                self.known[key] = brief.to_dict() if isinstance(brief, Brief) else {"empty": str(brief)}
            self.added = True
        for key in keys:
            data = self.known[key]
            yield EmptyText(str(data["empty"])) if "empty" in data else Brief.from_dict(data)

    def save(self) -> None:
        if self.added:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(pickle.dumps(self.known))


def _key(text: str, title: str | None) -> str:
    return hashlib.sha256(f"{title}\0{text}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredBbc:
    store: Store
    ids: dict[str, int]  # BBC id -> stored article id (a duplicate maps to the copy kept)


@contextmanager
def bbc_store(
    backend: str, bbc: Path, cache: Path, *, postgres_url: str = POSTGRES_URL
) -> Iterator[StoredBbc]:
    """The 2,225 BBC articles stored with their briefs on ``backend`` (sqlite: a fresh file in the
    cache folder; postgresql: a schema of its own, dropped afterwards)."""
    cache.mkdir(parents=True, exist_ok=True)
    briefs = ReplayedBriefs(cache / f"bbc-briefs-v{SUMMARIZER_VERSION}.pickle")
    if backend == "sqlite":
        path = cache / "bbc.sqlite"
        for stale in cache.glob("bbc.sqlite*"):
            stale.unlink()
        with _stored(f"sqlite:///{path}", bbc, briefs) as stored:
            yield stored
    else:
        with postgres_schema(postgres_url) as url, _stored(url, bbc, briefs) as stored:
            yield stored


@contextmanager
def _stored(url: str, bbc: Path, briefs: ReplayedBriefs) -> Iterator[StoredBbc]:
    engine, sessions = open_database(url)
    try:
        store = Store(engine=engine, sessions=sessions, summarizer=briefs)
        articles = load_bbc(bbc)
        documents = [
            Document(
                location=a.id,
                text=a.text,
                title=a.title,
                url=f"https://www.bbc.co.uk/news/summary/{a.id}",
                source="bbc",
            )
            for a in articles
        ]
        results = store.ingest(documents, batch_size=32)
        briefs.save()
        ids = {a.id: r.article.id for a, r in zip(articles, results, strict=True) if r.article is not None}
        yield StoredBbc(store, ids)
    finally:
        engine.dispose()
