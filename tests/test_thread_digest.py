"""A threaded digest (``subscribe thread``): one short parent message in the channel, each story a
reply in its thread. On Slack and Discord through their real clients and the loopback Web APIs, on
both databases: the thread as a reader sees it; a post failing half way continued in the same
thread by another instance, each part once; ``kill -9`` in the middle of the thread and a restart
posting the rest once; a channel where Discord refuses threads still getting every story.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pytest

from bot.adapters.discord_bot import DiscordPoster
from bot.adapters.slack_app import slack_poster
from bot.cli import samples_dir
from bot.core import CommandCore, DigestReply, Incoming, TextReply
from bot.core.posting import PartlyPosted, Poster
from bot.delivery import Deliverer
from bot.digest import compose
from bot.render.chart import mentions_chart
from bot.render.text import THREAD_MARK, render_text
from bot.render.view import THREAD_TOP_TITLE, thread_heading, to_view
from bot.scheduler import BriefbotScheduler
from bot.secrets import Secrets
from storage import ledger
from storage.channels import ensure_channel, get_channel, subscribe
from storage.db import open_database
from storage.documents import Document, iter_documents
from storage.store import Store
from storage.values import Digest, DigestStory
from summarizer import Summarizer
from tests.discord_api import FakeDiscordAPI, serve_discord_api
from tests.slack_api import FakeSlackApi, fake_slack_api
from tests.storage_backends import Clock, database_url
from tests.test_faults import lease_runs_out, slack_bot_env

NOW = datetime(2026, 11, 24, 9, 1, tzinfo=UTC)  # a Tuesday, a minute after the digest's time
DISCORD_CHANNEL = 556
BOT = [sys.executable, "-m", "bot.cli"]


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


def store_at(url: str, summarizer: Summarizer | None = None) -> Store:
    """One instance's store on the shared database (its own engine)."""
    engine, sessions = open_database(url)
    extra: dict[str, Any] = {"summarizer": summarizer} if summarizer else {}
    return Store(engine=engine, sessions=sessions, clock=Clock(NOW), **extra)


def samples() -> list[Document]:
    return [d for d in iter_documents([samples_dir()]) if isinstance(d, Document)]


class Side(Protocol):
    """One platform's loopback Web API, read back as a threaded digest's reader sees it."""

    platform: str
    channel: str

    def poster(self) -> Poster: ...

    def fail_replies(self, *, after: int, times: int) -> None:
        """After the parent and ``after`` replies, the next ``times`` posts fail (a 5xx)."""

    def parent(self) -> tuple[str, str]:
        """The one message posted in the channel itself: its id and its words."""

    def replies(self) -> list[str]:
        """The words of each message in the parent's thread, in order (fails if one is elsewhere)."""


class SlackSide:
    platform, channel = "slack", "CTHREAD01"

    def __init__(self, api: FakeSlackApi) -> None:
        self.api = api

    def poster(self) -> Poster:
        return slack_poster(Secrets(slack_bot_token="xoxb-test-token"), client=self.api.client())

    def fail_replies(self, *, after: int, times: int) -> None:
        for _ in range(times):
            self.api.script(
                "chat.postMessage",
                status=503,
                answer={"ok": False, "error": "service_unavailable"},
                after=after + 1,
            )

    def _posts(self) -> list[Any]:
        return [c for c in self.api.delivered() if c.method == "chat.postMessage"]

    def parent(self) -> tuple[str, str]:
        [parent] = [c for c in self._posts() if not c.body.get("thread_ts")]
        assert parent.body["channel"] == self.channel
        return str(parent.answer["ts"]), parent.posted().text

    def replies(self) -> list[str]:
        ts, _ = self.parent()
        threaded = [c for c in self._posts() if c.body.get("thread_ts")]
        assert {c.body["thread_ts"] for c in threaded} <= {ts}, "every reply in the parent's thread"
        assert {c.body["channel"] for c in threaded} <= {self.channel}
        return [c.posted().text for c in threaded]


class DiscordSide:
    platform, channel = "discord", str(DISCORD_CHANNEL)

    def __init__(self, api: FakeDiscordAPI) -> None:
        self.api = api

    def poster(self) -> Poster:
        return DiscordPoster("thread-test-token")

    def fail_replies(self, *, after: int, times: int) -> None:
        # Messages in any other channel than the digest's are its thread's.
        self.api.fail("POST", rf"^/channels/(?!{DISCORD_CHANNEL}/)\d+/messages$", times=times, after=after)

    def parent(self) -> tuple[str, str]:
        [parent] = self.api.posted(DISCORD_CHANNEL)
        return str(parent.answer["id"]), text_of(parent.body or {})

    def replies(self) -> list[str]:
        parent, _ = self.parent()
        [thread] = self.api.threads()
        assert (str(thread.id), thread.parent_id) == (parent, DISCORD_CHANNEL)
        assert thread.name.endswith("digest") and len(thread.name) <= 100
        return [text_of(c.body or {}) for c in self.api.posted(thread.id)]


def text_of(body: dict[str, Any]) -> str:
    """A Discord message's words: its content, then each embed's title, description and fields."""
    words = [body.get("content") or ""]
    for embed in body.get("embeds") or []:
        words += [embed.get("title") or "", embed.get("description") or ""]
        words += [f"{f.get('name')}: {f.get('value')}" for f in embed.get("fields") or []]
    return "\n".join(w for w in words if w)


@pytest.fixture(params=["slack", "discord"])
def side(request: pytest.FixtureRequest) -> Iterator[Side]:
    if request.param == "slack":
        with fake_slack_api() as slack:
            yield SlackSide(slack)
    else:
        with serve_discord_api() as discord:
            yield DiscordSide(discord)


def threaded_channel(store: Store, side: Side) -> int:
    channel = ensure_channel(store, side.platform, side.channel)
    subscribe(store, channel, digest_time="09:00", timezone="UTC", thread=True)
    return channel


async def close(poster: Poster) -> None:
    if isinstance(poster, DiscordPoster):
        await poster.close()


def assert_thread_of(side: Side, digest: Digest) -> None:
    """The channel shows one short message naming the count and the top story; the thread holds
    each story once, in the digest's order."""
    _, parent = side.parent()
    titles = [story.title for story in digest.stories]
    assert f"{digest.day:%A}'s digest: {len(titles)} stories, top: {titles[0]}" in parent
    assert all(title not in parent for title in titles[1:]), "the stories are in the thread, not here"
    replies = side.replies()
    assert len(replies) == len(titles)
    assert all(title in reply for title, reply in zip(titles, replies, strict=True))


# -- posted by the scheduler -----------------------------------------------------------------------


async def test_a_threaded_digest_is_one_message_in_the_channel_and_its_stories_in_the_thread(
    url: str, side: Side, summarizer: Summarizer
) -> None:
    store = store_at(url, summarizer)
    store.ingest(samples()[:4])
    channel = threaded_channel(store, side)
    poster = side.poster()
    try:
        deliverer = Deliverer(store=store, posters={side.platform: poster}, owner="one", retry_pause=0)
        posted = await deliverer.deliver(channel, NOW)
    finally:
        await close(poster)
    assert isinstance(posted, DigestReply) and posted.threaded
    assert len(posted.digest.stories) >= 3
    assert_thread_of(side, posted.digest)
    parent_id, parent = side.parent()
    assert "Key actors" in parent  # the summary stays in the channel, with the actor buttons
    [row] = ledger.deliveries(store, channel)
    assert (row.status, row.thread, row.parts_sent) == ("sent", parent_id, 1 + len(posted.digest.stories))
    store.engine.dispose()


async def test_a_thread_failing_half_way_is_finished_in_the_same_thread_by_another_instance(
    url: str, side: Side, summarizer: Summarizer
) -> None:
    """The platform fails the second reply on every attempt of the first instance: the ledger keeps
    how far it got and the parent's id; another instance (its own engine and client, as after a
    restart) posts the rest in that thread, no part twice."""
    store = store_at(url, summarizer)
    store.ingest(samples()[:4])
    channel = threaded_channel(store, side)
    expected = compose(store, channel, now=NOW, timezone="UTC")
    side.fail_replies(after=1, times=3)  # the deliverer's three attempts
    first_poster = side.poster()
    try:
        first = Deliverer(store=store, posters={side.platform: first_poster}, owner="first", retry_pause=0)
        with pytest.raises(PartlyPosted):
            await first.deliver(channel, NOW)
    finally:
        await close(first_poster)
    [failed] = ledger.deliveries(store, channel)
    parent_id, _ = side.parent()
    assert (failed.status, failed.parts_sent, failed.thread) == ("failed", 2, parent_id)
    assert len(side.replies()) == 1

    again = store_at(url, summarizer)
    second_poster = side.poster()
    try:
        second = Deliverer(store=again, posters={side.platform: second_poster}, owner="second", retry_pause=0)
        scheduler = BriefbotScheduler(store=again, deliverer=second, clock=lambda: NOW + timedelta(minutes=1))
        await scheduler.retry()
    finally:
        await close(second_poster)
    assert_thread_of(side, expected)
    [sent] = ledger.deliveries(again, channel)
    assert (sent.status, sent.thread, sent.parts_sent) == ("sent", parent_id, 1 + len(expected.stories))
    store.engine.dispose()
    again.engine.dispose()


async def test_the_weekly_chart_rides_the_threads_last_reply(side: Side, tmp_path: Path) -> None:
    chart = mentions_chart(
        [("Halvern Harbour Authority", [(NOW.date() - timedelta(days=n), n % 3) for n in range(7)])],
        title="Stories a day naming the top actors, last 7 days",
        filename="weekly.png",
    )
    store = store_at(database_url_sqlite(tmp_path))
    store.ingest(samples()[:3])
    channel = threaded_channel(store, side)
    digest = compose(store, channel, now=NOW, timezone="UTC")
    poster = side.poster()
    try:
        await poster(side.channel, DigestReply(digest=digest, chart=chart, threaded=True))
    finally:
        await close(poster)
    assert_thread_of(side, digest)
    if isinstance(side, SlackSide):
        [upload] = side.api.uploads()
        assert upload.thread_ts == side.parent()[0] and upload.content == chart.png
    else:
        assert isinstance(side, DiscordSide)
        [thread] = side.api.threads()
        posts = side.api.posted(thread.id)
        assert [len(c.files) for c in posts] == [0] * (len(posts) - 1) + [1]
        assert posts[-1].files[0].content == chart.png
    store.engine.dispose()


def database_url_sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'briefbot.db'}"


async def test_a_discord_channel_that_refuses_threads_gets_the_stories_in_the_channel(
    summarizer: Summarizer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """No Create Public Threads permission there: every story is still posted, in the channel, and
    the log says what permission to grant."""
    store = store_at(database_url_sqlite(tmp_path), summarizer)
    store.ingest(samples()[:3])
    caplog.set_level(logging.ERROR)
    with serve_discord_api() as api:
        side = DiscordSide(api)
        channel = threaded_channel(store, side)
        api.refuse_threads(DISCORD_CHANNEL)
        poster = side.poster()
        try:
            deliverer = Deliverer(store=store, posters={"discord": poster}, owner="one", retry_pause=0)
            posted = await deliverer.deliver(channel, NOW)
        finally:
            await close(poster)
        in_channel = [text_of(c.body or {}) for c in api.posted(DISCORD_CHANNEL)]
        assert api.threads() == []
    assert isinstance(posted, DigestReply)
    titles = [story.title for story in posted.digest.stories]
    assert len(in_channel) == 1 + len(titles)
    assert all(title in text for title, text in zip(titles, in_channel[1:], strict=True))
    assert [r.getMessage() for r in caplog.records if "Create Public Threads" in r.getMessage()]
    assert ledger.deliveries(store, channel)[0].status == "sent"
    store.engine.dispose()


def test_a_bot_killed_in_the_middle_of_a_thread_finishes_it_after_a_restart(url: str, tmp_path: Path) -> None:
    """``kill -9`` while Slack holds the thread's second reply: the ledger has the parent's ``ts`` and
    one reply; the restarted bot, after the claim's lease, posts the rest in that thread, and a run
    after that posts nothing."""
    store = store_at(url)
    store.ingest(samples()[:4])
    with fake_slack_api() as api:
        side = SlackSide(api)
        channel = ensure_channel(store, "slack", side.channel)
        due = (datetime.now(UTC) - timedelta(minutes=30)).strftime("%H:%M")
        subscribe(store, channel, digest_time=due, timezone="UTC", thread=True)
        expected = compose(store, channel, now=datetime.now(UTC), timezone="UTC")
        released = threading.Event()
        api.script(
            "chat.postMessage", answer={"ok": False, "error": "never_answered"}, hold=released, after=2
        )
        env = slack_bot_env(api, url, tmp_path)
        first = subprocess.Popen(
            [*BOT, "run", "--once"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            posting = lambda fake: len(fake.calls("chat.postMessage")) >= 3  # noqa: E731
            assert api.wait_for(posting, 120), "the thread's second reply never came"
            first.send_signal(signal.SIGKILL)  # the parent and one reply posted, the next held: gone
            first.wait(timeout=30)
        finally:
            released.set()
        [held] = ledger.deliveries(store, channel)
        parent_ts, _ = side.parent()
        assert (held.status, held.parts_sent, held.thread) == ("claimed", 2, parent_ts)
        lease_runs_out(store)
        for _ in range(2):
            again = subprocess.run(
                [*BOT, "run", "--once"], env=env, capture_output=True, text=True, timeout=300
            )
            assert again.returncode == 0, again.stderr
        assert_thread_of(side, expected)
    [sent] = ledger.deliveries(store, channel)
    assert (sent.status, sent.attempts, sent.thread) == ("sent", 2, parent_ts)
    store.engine.dispose()


# -- the choice, the preview, the terminal ---------------------------------------------------------


async def test_subscribe_thread_is_kept_until_thread_off_and_said_in_the_reply(tmp_path: Path) -> None:
    store = store_at(database_url_sqlite(tmp_path))
    core = CommandCore(store=store, clock=lambda: NOW)

    async def say(text: str) -> str:
        incoming = Incoming(platform="slack", channel="CTHREAD02", user="U1", text=text, is_manager=True)
        [reply] = await core.handle(incoming)
        assert isinstance(reply, TextReply)
        return reply.text

    assert "reply in its thread" in await say("subscribe 07:30 Europe/Berlin thread")
    channel = get_channel(store, ensure_channel(store, "slack", "CTHREAD02"))
    assert channel is not None and channel.digest_thread
    assert "reply in its thread" in await say("subscribe 08:00")  # moving the time keeps the choice
    assert "give one thread setting" in await say("subscribe thread thread:off")
    assert "reply in its thread" not in await say("subscribe thread:off")
    channel = get_channel(store, ensure_channel(store, "slack", "CTHREAD02"))
    assert channel is not None and not channel.digest_thread and channel.digest_time == "08:00"
    store.engine.dispose()


def test_a_preview_stays_one_post_and_the_terminal_shows_the_thread_after_its_parent(
    summarizer: Summarizer, tmp_path: Path
) -> None:
    store = store_at(database_url_sqlite(tmp_path), summarizer)
    store.ingest(samples()[:3])
    digest = compose(store, ensure_channel(store, "console", "local"), now=NOW, timezone="UTC")
    preview = to_view(DigestReply(digest=digest, threaded=True, private=True))
    assert preview.thread == () and len(preview.sections) > len(digest.stories)  # the stories inline
    posted = to_view(DigestReply(digest=digest, threaded=True))
    assert len(posted.thread) == len(digest.stories) and posted.actor_links == preview.actor_links
    shown = render_text(posted).splitlines()
    assert shown[0].startswith(f"{digest.day:%A}'s digest: {len(digest.stories)} stories")
    for story in digest.stories:
        [line] = [line for line in shown if story.title in line and not line.startswith(shown[0][:20])]
        assert line.startswith(THREAD_MARK), "each story shown as the thread's"
    store.engine.dispose()


def test_a_long_top_title_is_cut_at_a_word_in_the_parent_message() -> None:
    title = "Dockworkers walk out at Halvern port " * 8  # 296 characters; 120 falls inside a word
    story = DigestStory(
        title=title,
        url=None,
        summary=(),
        sources=1,
        article_ids=(1,),
        latest=datetime(2026, 11, 24, tzinfo=UTC),
    )
    digest = Digest(
        channel=1,
        day=datetime(2026, 11, 24).date(),
        timezone="UTC",
        stories=(story,),
        actors=(),
        figures=(),
        article_ids=(1,),
    )
    top = thread_heading(digest).split("top: ", 1)[1].split(" — the stories", 1)[0]
    assert top.endswith("…") and len(top) <= THREAD_TOP_TITLE
    assert title.startswith(top.removesuffix("…")) and title[len(top) - 1] == " "  # whole words only
