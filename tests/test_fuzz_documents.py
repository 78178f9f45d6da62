"""Articles too big or too deep: a 50 MB text file and a 50 MB page given to ``briefbot ingest``, and
HTML nested 100,000 elements deep through extraction.

The big ones must be refused in one line by ``storage.max_bytes`` without being read beyond it: the
command runs in a process of its own whose high-water mark of memory is compared with the same
command refused for a reason that reads nothing (a missing file, a page that is gone). What was
stored before must be left exactly as it was, row for row. Deep HTML is read or refused in one line,
never with a ``RecursionError``.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli import samples_dir
from config import StorageSettings
from storage.db import open_database
from storage.documents import Document, iter_documents
from storage.extract import ExtractError, extract_html
from storage.feeds import html_to_text
from storage.store import Store
from storage.web import WebError, fetch_document
from summarizer import Summarizer
from summarizer.textfile import UnreadableFile
from tests.loopback import LoopbackServer, Reply, serve

REPO = Path(__file__).resolve().parent.parent
SAMPLE = samples_dir() / "iraqi-militias-aleppo.txt"
FIFTY_MB = 50_000_000
SENTENCE = "The council voted on Tuesday to approve the light rail line after a long debate. "
CAP = StorageSettings().max_bytes  # 5 MB: what the refusals name
# Reading a 50 MB file would take 50 MB for its bytes and as much again for its text; reading a page
# up to the cap takes a few MB. Anything under this is "not read beyond the cap".
READ_BEYOND_THE_CAP_KB = 25_000

# `briefbot ingest`, run as the console script runs it, then the process's high-water mark of memory:
# VmHWM, since Linux carries ru_maxrss over from the parent (pytest, with a model loaded) across exec.
INGEST = """
import re, resource, sys
from pathlib import Path
from bot.cli import main
code = main(sys.argv[1:])
status = Path("/proc/self/status")
found = re.search(r"VmHWM:\\s*(\\d+)", status.read_text()) if status.exists() else None
print(f"maxrss_kb={found.group(1) if found else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
sys.exit(code)
"""


@dataclass(frozen=True)
class Ingested:
    returncode: int
    stdout: str
    errors: list[str]
    maxrss_kb: int


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, summarizer: Summarizer) -> Path:
    """A store holding one briefed article, as a user's store would before the big input comes."""
    folder = tmp_path_factory.mktemp("documents")
    engine, sessions = open_database(f"sqlite:///{folder / 'briefbot.db'}")
    Store(engine=engine, sessions=sessions, summarizer=summarizer).ingest(
        [d for d in iter_documents([SAMPLE]) if isinstance(d, Document)]
    )
    engine.dispose()
    return folder


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "fifty.txt"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Council Approves Light Rail\n\n")
        handle.write(SENTENCE * (FIFTY_MB // len(SENTENCE) + 1))
    assert path.stat().st_size > FIFTY_MB
    return path


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    page = ("<html><body><article><p>" + SENTENCE * (FIFTY_MB // len(SENTENCE) + 1) + "</p>").encode()
    with serve() as running:
        running.route("/fifty.html", Reply(body=page))
        running.route("/fifty-unannounced.html", Reply(body=page, content_length=False))
        running.route("/gone.html", Reply(status=404, body="gone"))
        yield running


def ingest(data: Path, *items: str) -> Ingested:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")},
        "BRIEFBOT_DATA_DIR": str(data),
        "BRIEFBOT_STORAGE_ALLOW_HOSTS": "127.0.0.1",
    }
    done = subprocess.run(
        [sys.executable, "-c", INGEST, "ingest", *items],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=REPO,
    )
    *output, last = done.stdout.splitlines()
    assert last.startswith("maxrss_kb="), done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    return Ingested(done.returncode, "\n".join(output), errors, int(last.removeprefix("maxrss_kb=")))


def dump(data: Path) -> list[str]:
    """Every row of the store, as SQL: what "nothing stored is touched" compares."""
    with sqlite3.connect(data / "briefbot.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        return list(connection.iterdump())


def test_a_50_mb_text_file_is_refused_in_one_line_unread_and_the_store_untouched(
    data: Path, big_file: Path
) -> None:
    before = dump(data)
    refused = ingest(data, str(big_file))
    assert refused.returncode == 1
    size = f"{big_file.stat().st_size / 1e6:.1f} MB"
    assert refused.errors == [f"briefbot: {big_file}: {size}, larger than storage.max_bytes (5.0 MB)"]
    assert "0 new, 0 already stored, 1 failed" in refused.stdout
    assert dump(data) == before

    baseline = ingest(data, str(big_file.with_name("missing.txt")))  # refused without reading anything
    assert baseline.errors == [f"briefbot: {big_file.with_name('missing.txt')}: no such file or folder"]
    assert refused.maxrss_kb - baseline.maxrss_kb < READ_BEYOND_THE_CAP_KB, (refused, baseline)


@pytest.mark.parametrize("path", ["/fifty.html", "/fifty-unannounced.html"])
def test_a_50_mb_page_is_refused_in_one_line_at_the_cap_and_the_store_untouched(
    data: Path, server: LoopbackServer, path: str
) -> None:
    before = dump(data)
    url = server.url(path)
    refused = ingest(data, url)
    assert refused.returncode == 1
    assert refused.errors == [f"briefbot: {url} is larger than the 5.0 MB limit"]
    assert "0 new, 0 already stored, 1 failed" in refused.stdout
    assert dump(data) == before

    gone = server.url("/gone.html")
    baseline = ingest(data, gone)  # the same imports and request, no body read
    assert baseline.errors == [f"briefbot: HTTP 404 from {gone}"]
    assert refused.maxrss_kb - baseline.maxrss_kb < READ_BEYOND_THE_CAP_KB, (refused, baseline)


PARAGRAPH = "<p>" + SENTENCE * 3 + "</p>"
DEPTH = 100_000


def nested(opening: str, closing: str) -> str:
    return f"<html><body>{opening * DEPTH}{PARAGRAPH}{closing * DEPTH}</body></html>"


DEEP = {
    "div": nested("<div>", "</div>"),
    "p": nested("<p>", "</p>"),
    "li": nested("<ul><li>", "</li></ul>"),
    "table": nested("<table><tr><td>", "</td></tr></table>"),
    "unclosed": nested("<div><span><b>", ""),
}


@pytest.mark.parametrize("name", DEEP)
def test_html_nested_100000_deep_is_read_or_refused_in_one_line(name: str) -> None:
    markup = DEEP[name]
    try:
        extracted = extract_html(markup)
    except ExtractError as error:
        assert str(error) == "no article text found"
    else:
        assert SENTENCE.strip() in extracted.text
    summary = html_to_text(markup)  # the same markup as a feed entry's summary
    assert summary == "" or SENTENCE.strip() in summary


@pytest.fixture(scope="module")
def deep_server() -> Iterator[LoopbackServer]:
    with serve() as running:
        for name, markup in DEEP.items():
            running.reply(f"/{name}.html", markup)
        yield running


@pytest.mark.parametrize("name", ["div", "unclosed"])
def test_deep_html_by_url_and_by_file_is_stored_or_refused_in_one_line(
    deep_server: LoopbackServer, tmp_path: Path, name: str
) -> None:
    engine, sessions = open_database(f"sqlite:///{tmp_path / 'briefbot.db'}")
    store = Store(engine=engine, sessions=sessions)
    settings = StorageSettings(allow_hosts=("127.0.0.1",))
    path = tmp_path / f"{name}.html"
    path.write_text(DEEP[name], "utf-8")
    documents: list[Document] = []
    url = deep_server.url(f"/{name}.html")
    try:
        documents.append(fetch_document(url, settings))
    except WebError as error:
        assert str(error) == f"{url}: no article text found"  # the URL named once
    [from_file] = iter_documents([path])
    if isinstance(from_file, UnreadableFile):
        assert str(from_file) == f"{path}: no article text found"
    else:
        documents.append(from_file)
    for result in store.ingest(documents):
        assert result.article is not None or "\n" not in (result.error or "")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    engine.dispose()
