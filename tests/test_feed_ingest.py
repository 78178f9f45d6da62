"""Feeds polled into the store end to end, served by a loopback server, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import samples_dir
from config import StorageSettings
from storage import feedstore
from storage.db import open_database
from storage.store import Store
from summarizer import Summarizer
from tests import loopback
from tests.storage_backends import database_url

loopback_server = loopback.loopback_server  # the fixture, found by pytest under this name


def page(title: str, text: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n")[1:] if p.strip())
    return (
        f"<html><head><title>{title}</title></head><body><nav>Home | World | Share</nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article><footer>© Example News</footer></body></html>"
    )


def rss(items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><title>{t}</title><link>{u}</link><guid>{u}</guid>"
        f"<pubDate>Wed, 18 Nov 2026 08:00:00 GMT</pubDate></item>"
        for t, u in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Example News</title>{body}</channel></rss>'
    )


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path, summarizer: Summarizer) -> Iterator[Store]:
    for url in database_url(request.param, tmp_path):
        engine, sessions = open_database(url)
        yield Store(engine=engine, sessions=sessions, summarizer=summarizer)


def test_feed_poll_stores_new_entries_once_and_backs_off_when_broken(
    store: Store, loopback_server: loopback.LoopbackServer
) -> None:
    settings = StorageSettings(allow_hosts=("127.0.0.1",), fetch_timeout=2.0)
    texts = {p.stem: p.read_text("utf-8") for p in samples_dir().glob("*.txt")}
    militias, council = texts["iraqi-militias-aleppo"], texts["marlow-council-light-rail-vote"]
    url_a = loopback_server.reply(
        "/a.html", page("Militias Pour Into Aleppo", militias), content_type="text/html"
    )
    url_b = loopback_server.reply(
        "/b.html", page("Council Approves Light Rail", council), content_type="text/html"
    )
    feed_url = loopback_server.reply(
        "/feed.xml", rss([("Militias", url_a)]), content_type="application/rss+xml", headers={"ETag": '"v1"'}
    )
    feed = feedstore.add_feed(store, feed_url)

    [first] = feedstore.poll_feeds(store, settings)
    assert first.new == 1 and first.error is None
    assert store.count() == 1
    stored = store.brief_of(store.articles()[0].id)
    assert stored is not None and any(a.name == "Bashar al-Assad" for a in stored.brief.actors)
    assert "Home | World" not in (store.text_of(stored.article.id) or "")

    # The feed changes: one new entry is stored, the old one is not stored again.
    loopback_server.reply(
        "/feed.xml",
        rss([("Council", url_b), ("Militias", url_a)]),
        content_type="application/rss+xml",
        headers={"ETag": '"v2"'},
    )
    [second] = feedstore.poll_feeds(store, settings)
    assert (second.new, second.duplicates) == (1, 1)
    assert loopback_server.requests("/feed.xml")[-1].header("If-None-Match") == '"v1"'

    # Broken: a 500 is recorded, the feed backs off, and nothing stored is harmed.
    loopback_server.reply("/feed.xml", "oops", status=500)
    [third] = feedstore.poll_feeds(store, settings)
    assert third.error and "500" in third.error
    [listed] = feedstore.list_feeds(store)
    assert listed.failures == 1 and listed.next_poll_at is not None
    assert feedstore.poll_feeds(store, settings, due_only=True) == []  # not due: not even claimed
    assert store.count() == 2

    assert feedstore.remove_feed(store, str(feed.id)).url == feed.url
    assert feedstore.list_feeds(store) == [] and store.count() == 2
