"""Input that is not prose is refused before it is stored: base64, minified code, a CSV dump, a binary
read as text. Real articles pass: the samples, and with ``../shared/data`` every BBC and CNN/DailyMail
article (inputs this repository does not hold)."""

from __future__ import annotations

import base64
import json
import random
import sys
from pathlib import Path

import pytest

from bot.cli import samples_dir
from storage.db import open_database
from storage.documents import Document
from storage.prose import MIN_WORD_SHARE, not_prose, word_share
from storage.store import Store
from tests.conftest import SHARED_DATA

NOISE = random.Random(13)


def base64_dump() -> str:
    data = base64.b64encode(NOISE.randbytes(120_000)).decode()
    return "\n".join(data[i : i + 76] for i in range(0, len(data), 76))


def minified_code() -> str:
    return ";".join(
        f"function a{n}(b,c){{return b.x{n}=c?b[{n}]:(c||{{}}).y}}var q{n}=a{n}(this,{n})" for n in range(300)
    )


def csv_dump() -> str:
    return "\n".join(
        f"{n},{NOISE.random():.6f},station-{n % 40},2024-05-{n % 28 + 1:02d},{n % 7}" for n in range(800)
    )


def binary_as_text() -> str:
    return Path(sys.executable).resolve().read_bytes()[:200_000].decode("latin-1")


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (base64_dump, "encoded data"),
        (lambda: base64.b64encode(NOISE.randbytes(300_000)).decode(), "encoded data"),  # one line
        (minified_code, "program code"),
        (csv_dump, "table (CSV)"),
        (binary_as_text, "binary data"),
    ],
)
def test_what_is_not_prose_is_named(make, said: str) -> None:  # type: ignore[no-untyped-def]
    reason = not_prose(make())
    assert reason is not None and said in reason


def test_the_sample_articles_are_prose_with_a_wide_margin() -> None:
    for path in samples_dir().glob("*.txt"):
        text = path.read_text("utf-8")
        assert not_prose(text) is None and word_share(text) > MIN_WORD_SHARE + 0.4, path.name


@pytest.mark.parametrize("name", ["bbc_news_summary.jsonl", "cnndm_dev100.jsonl"])
def test_every_article_of_the_evaluation_sets_is_prose(name: str) -> None:
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(f"{path} is not here (../shared/data is not part of the repository)")
    texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8") if line.strip()]
    refused = [text[:80] for text in texts if not_prose(text)]
    assert refused == [] and min(word_share(t) for t in texts) > MIN_WORD_SHARE + 0.3


def test_ingest_refuses_noise_in_one_line_and_stores_the_rest(tmp_path: Path) -> None:
    engine, sessions = open_database(f"sqlite:///{tmp_path / 'briefbot.db'}")
    store = Store(engine=engine, sessions=sessions)
    article = next(samples_dir().glob("*.txt"))
    documents = [
        Document(location="dump.txt", text=base64_dump()),
        Document(location=article.name, text=article.read_text("utf-8")),
        Document(location="export.csv.txt", text=csv_dump()),
    ]
    noise, stored, table = store.ingest(documents)
    assert stored.article is not None and store.count() == 1
    for result in (noise, table):
        assert result.article is None and result.error is not None
        assert "\n" not in result.error and "not stored" in result.error
    engine.dispose()
