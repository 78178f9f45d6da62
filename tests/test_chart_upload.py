"""A chart reaching each platform: uploaded on Slack, attached on Discord, written to a file on the console.

The charts are the real ones: ``trending`` answered by the real core over a store of briefed articles,
and the weekly digest the deliverer composes on a channel's chart day. Slack's and Discord's clients
are the real slack_sdk and discord.py ones against the loopback fakes, which read back the bytes as
they arrived (Slack: the upload POST; Discord: the ``files[0]`` part of a multipart message).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

import pytest
from PIL import Image

from bot.adapters.console import CHARTS_FOLDER, chart_folder, chat, console_poster, save_chart
from bot.adapters.discord_bot import DiscordPoster
from bot.adapters.slack_app import FILES_SCOPE, PRIVATE_CHART, slack_poster
from bot.core import CommandCore, DigestReply, Incoming, Reply
from bot.delivery import Deliverer
from bot.render.blocks import to_messages as slack_messages
from bot.render.chart import Chart, mentions_chart
from bot.render.embeds import to_messages as discord_messages
from bot.render.view import to_view
from bot.secrets import Secrets
from storage.channels import ensure_channel, subscribe
from storage.store import Store
from storage.values import Digest, DigestStory
from tests import discord_api as fake_discord
from tests.discord_api import FakeDiscordAPI
from tests.harness_discord import open_harness as open_discord
from tests.harness_slack import CHANNEL, JSON, MANAGER, mention_event
from tests.harness_slack import open_harness as open_slack
from tests.slack_api import UPLOAD_METHOD, Upload, fake_slack_api
from tests.test_actor_chat import dated_store

discord_api = fake_discord.discord_api

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday: the chart day of the channels below
PNG = b"\x89PNG\r\n\x1a\n"

# One story a day naming the Harbour Authority this week and one the week before; Nadia Petrova
# new this week. Each article a story of its own.
ARTICLES = [
    (
        9,
        "Harbour Authority Orders Cranes",
        "The Halvern Harbour Authority ordered six new cranes on "
        "Friday. The cranes cost $30 million and arrive in the spring, the authority said.",
    ),
    (
        5,
        "Harbour Authority Raises Fees",
        "The Halvern Harbour Authority raised berth fees by 8% on "
        "Wednesday. Shipping lines said the rise would be passed on to importers.",
    ),
    (
        3,
        "Dockers Meet Harbour Chiefs",
        "Union leader Nadia Petrova met the Halvern Harbour Authority "
        "on Friday to discuss night shifts. Talks will resume next week, she said.",
    ),
    (
        1,
        "Night Shifts Return at Halvern",
        "Nadia Petrova said on Sunday that night shifts would return "
        "at the port of Halvern. The Halvern Harbour Authority confirmed 120 workers would be hired.",
    ),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return dated_store(tmp_path_factory.mktemp("charts") / "briefbot.db", ARTICLES, NOW)


class Keeping:
    """The real core, keeping every reply it gave (to compare what arrived with what was sent)."""

    def __init__(self, core: CommandCore) -> None:
        self.core = core
        self.store = core.store
        self.replies: list[Reply] = []

    async def handle(self, incoming: Incoming) -> list[Reply]:
        replies = await self.core.handle(incoming)
        self.replies.extend(replies)
        return replies

    async def first_time(self, platform: str, event_id: str) -> bool:
        return await self.core.first_time(platform, event_id)

    def chart(self) -> Chart:
        [chart] = [c for c in (to_view(r).chart for r in self.replies) if c is not None]
        return chart


class Answering:
    """Stands in for the core: answers every command with the given replies."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.store = None

    async def handle(self, incoming: Incoming) -> list[Reply]:
        return list(self.replies)

    async def first_time(self, platform: str, event_id: str) -> bool:
        return True


def real_core(store: Store) -> Keeping:
    return Keeping(CommandCore(store=store, clock=lambda: NOW))


def small_chart() -> Chart:
    return mentions_chart(
        [("Halvern Harbour Authority", [(date(2026, 11, 24) + timedelta(days=n), n % 3) for n in range(7)])],
        title="Stories a day naming the top actors, last 7 days",
        filename="weekly.png",
    )


def a_digest(stories: int = 1) -> Digest:
    return Digest(
        channel=1,
        day=NOW.date(),
        timezone="UTC",
        stories=tuple(
            DigestStory(
                title=f"Story {n}",
                url=f"https://example.com/{n}",
                summary=("One sentence of it.",),
                sources=1,
                article_ids=(n,),
                latest=NOW,
            )
            for n in range(1, stories + 1)
        ),
        actors=("Halvern Harbour Authority",),
        figures=(),
        article_ids=tuple(range(1, stories + 1)),
    )


def assert_uploaded(upload: Upload, chart: Chart, *, channel: str, thread_ts: str | None = None) -> None:
    assert upload.content == chart.png and upload.length == len(chart.png)
    assert upload.filename == chart.filename and upload.title == chart.title
    assert upload.alt_text == chart.alt_text
    assert upload.channel == channel and upload.thread_ts == thread_ts
    assert Image.open(io.BytesIO(upload.content)).size == (1200, 600)


class Logged(logging.Handler):
    """Records of one logger, and an event set when one holding ``needle`` arrives."""

    def __init__(self, needle: str) -> None:
        super().__init__(logging.DEBUG)
        self.needle = needle
        self.records: list[logging.LogRecord] = []
        self.seen = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        # Bolt copies our logger's handlers onto its app's logger ("briefbot", the parent of
        # "briefbot.slack"), so one record reaches this handler twice: it is kept once.
        if any(seen is record for seen in self.records):
            return
        self.records.append(record)
        if self.needle in record.getMessage():
            self.seen.set()


@pytest.fixture
def slack_log() -> Iterator[Logged]:
    logger = logging.getLogger("briefbot.slack")
    handler = Logged(FILES_SCOPE)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


# -- Slack ---------------------------------------------------------------------------------------------


async def test_trending_by_slash_command_uploads_its_chart_after_its_messages(store: Store) -> None:
    core = real_core(store)
    async with open_slack(core) as harness:
        calls = await harness.command("trending", user=MANAGER)
        await harness.api.until(lambda api: len(api.uploads()) == 1)
        chart = core.chart()
        [upload] = harness.api.uploads()
        assert_uploaded(upload, chart, channel=CHANNEL)
        assert upload.content.startswith(PNG) and upload.content_type == "application/octet-stream"
        assert "Halvern Harbour Authority: 3 stories" in chart.alt_text
        assert "Trending over the last 7 days" in calls[0].posted().text
        methods = [c.method for c in harness.api.calls() if c.method not in {"auth.test", "users.info"}]
        messages = len(calls)
        assert methods == [
            *["chat.postMessage"] * messages,
            "files.getUploadURLExternal",
            UPLOAD_METHOD,
            "files.completeUploadExternal",
        ]


async def test_a_mention_in_a_thread_gets_its_chart_in_that_thread(store: Store) -> None:
    core = real_core(store)
    async with open_slack(core) as harness:
        event = mention_event("<@UBOTBRIEF> trending 7d", event_id="Ev0CHART1")
        event["event"]["thread_ts"] = "1700000050.000001"
        status, _ = await harness.post(json.dumps(event), JSON)
        assert status == 200
        await harness.api.until(lambda api: len(api.uploads()) == 1)
        [upload] = harness.api.uploads()
        assert_uploaded(upload, core.chart(), channel=CHANNEL, thread_ts="1700000050.000001")
        posts = harness.api.calls("chat.postMessage")
        assert posts and all(p.body.get("thread_ts") == "1700000050.000001" for p in posts)


async def test_a_private_answer_uploads_nothing_and_says_where_the_chart_goes() -> None:
    reply = DigestReply(digest=a_digest(), private=True, chart=small_chart())
    async with open_slack(Answering(reply)) as harness:
        calls = await harness.command("digest")
        assert all(c.private for c in calls)
        assert PRIVATE_CHART in calls[-1].posted().text
    assert not [c for c in harness.api.calls() if c.method.startswith("files.")]


async def test_without_the_files_write_scope_the_messages_stand_and_one_line_says_so(
    store: Store, slack_log: Logged
) -> None:
    async with open_slack(real_core(store)) as harness:
        missing = {"ok": False, "error": "missing_scope", "needed": FILES_SCOPE, "provided": "chat:write"}
        harness.api.script("files.getUploadURLExternal", answer=missing)
        calls = await harness.command("trending")
        assert await asyncio.to_thread(slack_log.seen.wait, 20)
        assert "Trending over the last 7 days" in calls[0].posted().text  # the answer stands
        assert not harness.api.calls("files.completeUploadExternal")
    [line] = [r for r in slack_log.records if r.levelno >= logging.WARNING]
    message = line.getMessage()
    assert f"lacks the {FILES_SCOPE} scope" in message and CHANNEL in message and "\n" not in message


async def test_the_weekly_digest_on_slack_posts_its_messages_then_its_chart_as_the_last_part(
    store: Store,
) -> None:
    with fake_slack_api() as api:
        channel = ensure_channel(store, "slack", "CWEEKLY1")
        subscribe(store, channel, digest_time="08:00", timezone="UTC", chart_day=0)
        poster = slack_poster(Secrets(slack_bot_token="xoxb-test-token"), client=api.client())
        deliverer = Deliverer(store=store, posters={"slack": poster}, owner="weekly", retry_pause=0)
        reply = await deliverer.deliver(channel, NOW)
        assert isinstance(reply, DigestReply) and reply.chart is not None
        [upload] = api.uploads()
        assert_uploaded(upload, reply.chart, channel="CWEEKLY1")
        posts = api.calls("chat.postMessage")
        assert len(posts) == len(slack_messages(to_view(reply)))
        assert posts[0].body["channel"] == "CWEEKLY1" and "Digest for Monday" in posts[0].posted().text
        complete = api.calls("files.completeUploadExternal")[0]
        assert api.calls().index(complete) > api.calls().index(posts[-1])


async def test_a_failed_upload_is_retried_alone_without_posting_the_messages_again(store: Store) -> None:
    with fake_slack_api() as api:
        channel = ensure_channel(store, "slack", "CWEEKLY2")
        subscribe(store, channel, digest_time="08:00", timezone="UTC", chart_day=0)
        api.script(UPLOAD_METHOD, status=500, answer={"ok": False, "error": "upload host unavailable"})
        poster = slack_poster(Secrets(slack_bot_token="xoxb-test-token"), client=api.client())
        deliverer = Deliverer(store=store, posters={"slack": poster}, owner="retrying", retry_pause=0)
        reply = await deliverer.deliver(channel, NOW)
        assert isinstance(reply, DigestReply) and reply.chart is not None
        messages = len(slack_messages(to_view(reply)))
        assert len(api.calls("chat.postMessage")) == messages  # each once: the retry began at the chart
        assert [c.status for c in api.calls(UPLOAD_METHOD)] == [500, 200]
        [upload] = api.uploads()
        assert_uploaded(upload, reply.chart, channel="CWEEKLY2")


async def test_the_poster_counts_the_chart_as_the_part_after_the_messages() -> None:
    reply = DigestReply(digest=a_digest(stories=3), chart=small_chart())
    messages = len(slack_messages(to_view(reply)))
    with fake_slack_api() as api:
        poster = slack_poster(Secrets(slack_bot_token="xoxb-test-token"), client=api.client())
        reported: list[int] = []

        async def sent(parts: int, thread: str | None = None) -> None:
            reported.append(parts)

        await poster("CPARTS", reply, sent=sent)
        assert reported == list(range(1, messages + 2))
        await poster("CPARTS", reply, start=messages + 1, sent=sent)  # all posted: nothing more
        assert len(api.uploads()) == 1 and len(api.calls("chat.postMessage")) == messages


async def test_the_poster_logs_a_refused_upload_and_counts_the_digest_posted(slack_log: Logged) -> None:
    reply = DigestReply(digest=a_digest(), chart=small_chart())
    with fake_slack_api() as api:
        api.script("files.getUploadURLExternal", answer={"ok": False, "error": "missing_scope"})
        poster = slack_poster(Secrets(slack_bot_token="xoxb-test-token"), client=api.client())
        reported: list[int] = []

        async def sent(parts: int, thread: str | None = None) -> None:
            reported.append(parts)

        await poster("CNOSCOPE", reply, sent=sent)  # not raised: no retry can add a scope
        assert reported == [1, 2] and api.delivered() and not api.uploads()
    assert any(FILES_SCOPE in r.getMessage() for r in slack_log.records)


# -- Discord -------------------------------------------------------------------------------------------


async def test_the_weekly_digest_on_discord_carries_its_chart_on_the_last_message(
    store: Store, discord_api: FakeDiscordAPI
) -> None:
    channel = ensure_channel(store, "discord", "777")
    subscribe(store, channel, digest_time="08:00", timezone="UTC", chart_day=0)
    poster = DiscordPoster("poster-token")
    try:
        deliverer = Deliverer(store=store, posters={"discord": poster}, owner="weekly", retry_pause=0)
        reply = await deliverer.deliver(channel, NOW)
    finally:
        await poster.close()
    assert isinstance(reply, DigestReply) and reply.chart is not None
    posts = discord_api.calls("POST", r"^/channels/777/messages$")
    assert len(posts) == len(discord_messages(to_view(reply))) and all(p.status == 200 for p in posts)
    assert all(not p.files for p in posts[:-1])
    last = posts[-1]
    assert last.headers["content-type"].startswith("multipart/form-data")
    [attached] = last.files
    assert attached.field == "files[0]" and attached.filename == reply.chart.filename
    assert attached.content == reply.chart.png and attached.description == reply.chart.alt_text
    assert last.body["embeds"]  # the message that carries it shows the digest too
    assert last.body["attachments"] == [
        {"id": 0, "filename": reply.chart.filename, "description": reply.chart.alt_text}
    ]


async def test_trending_on_discord_follows_up_with_its_chart_attached(
    store: Store, discord_api: FakeDiscordAPI
) -> None:
    core = real_core(store)
    async with open_discord(cast(CommandCore, core), api=discord_api) as harness:
        payload = harness.payload("trending")
        shown = await harness.run(payload)
    chart = core.chart()
    assert discord_api.callbacks(payload["token"]) == [5]  # deferred: it draws a chart
    assert "Trending over the last 7 days" in (shown[0].content + json.dumps(shown[0].embeds))
    assert all(not s.files for s in shown[:-1])
    [attached] = shown[-1].files
    assert attached.content == chart.png and attached.filename == "trending.png"
    assert attached.description == chart.alt_text and not shown[-1].private


async def test_a_quick_answer_carries_its_chart_in_the_interaction_response(
    discord_api: FakeDiscordAPI,
) -> None:
    chart = small_chart()
    core = Answering(DigestReply(digest=a_digest(), chart=chart))
    async with open_discord(cast(CommandCore, core), api=discord_api) as harness:
        payload = harness.payload("help")
        [shown] = await harness.run(payload)
    assert discord_api.callbacks(payload["token"]) == [4]  # answered at once, no defer
    [callback] = discord_api.calls("POST", r"/callback$")
    assert callback.headers["content-type"].startswith("multipart/form-data")
    assert callback.body["type"] == 4 and callback.body["data"]["embeds"]
    [attached] = shown.files
    assert attached.content == chart.png and attached.description == chart.alt_text


async def test_a_private_answer_follows_up_ephemerally_with_its_chart(discord_api: FakeDiscordAPI) -> None:
    chart = small_chart()
    core = Answering(DigestReply(digest=a_digest(), private=True, chart=chart))
    async with open_discord(cast(CommandCore, core), api=discord_api) as harness:
        shown = await harness.run(harness.payload("digest"))  # slow: deferred, then followed up
    [message] = shown
    assert message.private
    [attached] = message.files
    assert attached.content == chart.png and attached.filename == "weekly.png"
    [followup] = discord_api.calls("POST", r"^/webhooks/\d+/[^/]+$")
    assert followup.body["flags"] & fake_discord.EPHEMERAL


# -- the console ---------------------------------------------------------------------------------------


async def test_the_console_writes_the_chart_and_prints_its_path_after_the_text(
    store: Store, tmp_path: Path
) -> None:
    core = real_core(store)
    stdout = io.StringIO()
    await chat(cast(CommandCore, core), stdin=io.StringIO("trending\n"), stdout=stdout, charts=tmp_path)
    lines = stdout.getvalue().rstrip("\n").splitlines()
    assert lines[0] == "Trending over the last 7 days"
    chart = core.chart()
    assert lines[-2] == f"Chart: {chart.alt_text}"
    written = Path(lines[-1])
    assert written.parent == tmp_path and written.suffix == ".png" and written.name.startswith("trending-")
    assert written.read_bytes() == chart.png
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


async def test_the_console_poster_writes_the_weekly_chart(store: Store, tmp_path: Path) -> None:
    stream = io.StringIO()
    channel = ensure_channel(store, "console", "weekly")
    subscribe(store, channel, digest_time="08:00", timezone="UTC", chart_day=0)
    deliverer = Deliverer(store=store, posters={"console": console_poster(stream, charts=tmp_path)})
    reply = await deliverer.deliver(channel, NOW)
    assert isinstance(reply, DigestReply) and reply.chart is not None
    printed = stream.getvalue().strip().splitlines()
    assert printed[0] == "[briefbot → console:weekly]" and printed[1].startswith("Digest for Monday")
    [written] = tmp_path.iterdir()
    assert printed[-1] == str(written) and written.read_bytes() == reply.chart.png


def test_each_chart_gets_a_file_of_its_own(tmp_path: Path) -> None:
    chart = small_chart()
    first, second = save_chart(chart, tmp_path / "new"), save_chart(chart, tmp_path / "new")
    assert first != second and first.read_bytes() == second.read_bytes() == chart.png
    assert first.name.startswith("weekly-") and first.parent == tmp_path / "new"


def test_charts_go_to_a_private_folder_in_the_system_temp_folder() -> None:
    existed = (Path(tempfile.gettempdir()) / CHARTS_FOLDER).exists()
    folder = chart_folder()
    assert folder.parent == Path(tempfile.gettempdir()) and folder.name.startswith(CHARTS_FOLDER)
    found = folder.lstat()
    assert stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid()  # ours, and not a symlink
    if not existed:
        assert stat.S_IMODE(found.st_mode) & 0o077 == 0  # for this user only
