"""The commands, the same on every platform. ``help`` lists them from :data:`COMMANDS`."""

from __future__ import annotations

import asyncio
import difflib
import logging
import re
import shlex
import time
import uuid
import zoneinfo
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from bot.core.actor_commands import ACTOR_USAGE, TRENDING_USAGE, actor_replies, trending_replies
from bot.core.messages import AnswerReply, BriefReply, DigestReply, Incoming, Reply, SearchReply, TextReply
from bot.digest import compose
from config import ChatSettings, StorageSettings
from storage import chat_state, feedstore
from storage.ask import ask
from storage.brief_lookup import Lookup, find_brief, store_brief
from storage.channels import (
    KEEP,
    Channel,
    Keep,
    ensure_channel,
    follow,
    get_channel,
    receive_everything,
    receives_everything,
    subscribe,
    unfollow,
    unsubscribe,
)
from storage.documents import Document
from storage.fetch import FetchError
from storage.notices import FOLLOWS_NONE
from storage.query import QueryError, parse_query
from storage.search import search
from storage.store import Store
from storage.values import Digest, StoredBrief, without_nuls


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    usage: str
    summary: str
    managers_only: bool = False


COMMANDS: tuple[Command, ...] = (
    Command(
        "brief",
        "brief <id | url | words of a title>",
        "the brief of a stored article (a new URL is read first)",
    ),
    Command(
        "search",
        'search <words> [since:7d] [until:2024-05-01] [actor:"name"] [source:name]',
        "search stored articles",
    ),
    Command("more", "more", "the next page of your last search"),
    Command("ask", "ask <question>", "answer a question from stored articles, with sources"),
    Command(
        "actor",
        ACTOR_USAGE,
        "one person or organisation across the stored articles: latest stories, who comes with it, figures",
    ),
    Command(
        "trending",
        TRENDING_USAGE,
        "who is suddenly in the news: the actors whose stories rose most, and new ones, with a chart",
    ),
    Command(
        "digest",
        "digest [now]",
        "preview this channel's digest, for you only; `digest now` posts it in place of today's (managers)",
    ),
    Command(
        "subscribe",
        "subscribe [HH:MM] [time zone] [quiet | quiet:off] [chart:mon | chart:off] [thread | thread:off]",
        "post this channel's digest daily (first 09:00 UTC); quiet: say nothing on a day with nothing new; "
        "chart: that day's digest carries the week's chart of the top actors; "
        "thread: a short message in the channel, each story a reply in its thread",
        managers_only=True,
    ),
    Command("unsubscribe", "unsubscribe", "stop this channel's daily digest", managers_only=True),
    Command(
        "sources",
        "sources add <feed url> | sources remove <id|url> | sources all | sources list",
        "the feeds this channel's digest follows, or `all` for every stored article "
        "(changing them is for channel managers)",
    ),
    Command("help", "help", "this list"),
)
BY_NAME = {command.name: command for command in COMMANDS}
# What people type for our commands, used by other feed bots; suggested, never run in their place.
SYNONYMS = {
    "feeds": "sources",
    "feed": "sources",
    "summary": "brief",
    "summarize": "brief",
    "summarise": "brief",
    "find": "search",
    "question": "ask",
    "next": "more",
    "who": "actor",
    "actors": "actor",
    "trends": "trending",
    "trend": "trending",
}
PAGE_SIZE = 5
log = logging.getLogger("briefbot.commands")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$", re.ASCII)
QUIET_WORDS = {"quiet": True, "quiet:on": True, "quiet:off": False}
THREAD_WORDS = {"thread": True, "thread:on": True, "thread:off": False}
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CHART_WORDS: dict[str, int | None] = {name[:3].lower(): n for n, name in enumerate(DAY_NAMES)} | {"off": None}
MAX_PENDING = ChatSettings().max_pending  # one default, the setting's
BUSY = "briefbot is busy answering others right now, so nothing was done; please try again in a minute."
BUSY_LOG_EVERY = 60.0  # seconds: one warning a minute while commands are turned away, with their count


def usage(name: str) -> TextReply:
    return TextReply(text=f"Usage: {BY_NAME[name].usage}", private=True)


def _brief_or_why(found: Lookup, reference: str, *, what: str = "page") -> Reply:
    """The brief found, or one private line saying what was not found and what to try (``what``: the
    kind of thing that was stored, a page or a file)."""
    if found.stored is not None:
        return _brief_reply(found.stored)
    if found.missing == "id":
        text = f"No stored article #{reference.strip().lstrip('#')}. Try `search` to find one."
    elif found.missing == "title":
        text = f"No stored article has “{reference}” in its title. Try `search {reference}`."
    elif found.missing == "page":
        text = f"Could not read that page: {found.reason}"
    else:
        text = f"Could not brief that {what}: {found.reason}"
    return TextReply(text=text, private=True)


def _brief_reply(stored: StoredBrief) -> BriefReply:
    return BriefReply(article=stored.article, brief=stored.brief, same_story=stored.same_story)


def unknown(name: str) -> TextReply:
    """A typo or another bot's word gets the one command it likely meant; anything else, the list."""
    meant = SYNONYMS.get(name) or next(iter(difflib.get_close_matches(name, BY_NAME, n=1, cutoff=0.7)), None)
    if meant is None:
        return TextReply(text=f"Unknown command “{name}”. {help_text()}", private=True)
    return TextReply(
        text=f"Unknown command “{name}”. Did you mean `{meant}`? Usage: {BY_NAME[meant].usage}", private=True
    )


def help_text() -> str:
    lines = ["Commands:"]
    for command in COMMANDS:
        note = " (channel managers)" if command.managers_only else ""
        lines.append(f"• {command.usage} — {command.summary}{note}")
    return "\n".join(lines)


class SubscribeError(ValueError):
    """A ``subscribe`` line that cannot be read; the message is the one line the asker gets."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleRequest:
    """What a ``subscribe`` line changes; None keeps what the channel had, so that moving the time
    never moves the zone (07:30 Berlin silently becoming 07:30 UTC is an hour's error)."""

    digest_time: str | None = None
    timezone: str | None = None
    quiet: bool | None = None
    chart_day: int | Keep | None = KEEP  # None: no weekly chart
    thread: bool | None = None


@cache
def _zone_names() -> dict[str, str]:
    """IANA names by their lower case: "europe/berlin" is meant as Europe/Berlin, and only a real zone
    passes (``ZoneInfo("Europe")`` raises IsADirectoryError, not ZoneInfoNotFoundError)."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _kind(word: str) -> str:
    """Which of the line's settings a word gives; a word that gives none is refused."""
    if _TIME.match(word):
        return "time"
    if word.lower() in QUIET_WORDS:
        return "quiet setting"
    if word.lower() in THREAD_WORDS:
        return "thread setting"
    if word.lower().startswith("chart:"):
        if word.lower().removeprefix("chart:") not in CHART_WORDS:
            raise SubscribeError(
                f"“{word}”: the weekly chart takes a day, chart:mon to chart:sun, or chart:off."
            )
        return "chart day"
    if word.lower() in _zone_names():
        return "time zone"
    raise SubscribeError(f"“{word}” is neither a time (HH:MM) nor a time zone such as Europe/Berlin.")


def parse_subscribe(rest: str) -> ScheduleRequest:
    """The time, zone, quiet, chart and thread settings a ``subscribe`` line names, in any order, each
    at most once."""
    words: dict[str, str] = {}
    for word in rest.split():
        kind = _kind(word)
        if kind in words:
            raise SubscribeError(f"“{words[kind]}” and “{word}”: give one {kind}.")
        words[kind] = word
    time, zone, quiet = words.get("time"), words.get("time zone"), words.get("quiet setting")
    chart, thread = words.get("chart day"), words.get("thread setting")
    match = _TIME.match(time or "")
    return ScheduleRequest(
        digest_time=f"{int(match.group(1)):02d}:{match.group(2)}" if match else None,
        timezone=_zone_names()[zone.lower()] if zone else None,
        quiet=QUIET_WORDS[quiet.lower()] if quiet else None,
        chart_day=CHART_WORDS[chart.lower().removeprefix("chart:")] if chart else KEEP,
        thread=THREAD_WORDS[thread.lower()] if thread else None,
    )


def schedule_text(channel: Channel, *, zone_given: bool) -> str:
    """The schedule as it now stands. A zone nobody typed is named as such, since the reply is the
    only place a wrong hour would show before the digest arrives at it."""
    zone = channel.timezone
    if not zone_given:
        zone += " — no zone given, so the channel's is kept; name one, such as Europe/Berlin, to change it"
    quiet = (
        "A day with nothing new posts nothing (`quiet:off` to say so instead)."
        if channel.quiet_when_empty
        else "A day with nothing new says so briefly (`quiet` to stay silent instead)."
    )
    chart = (
        f" {DAY_NAMES[channel.chart_day]}'s digest carries the week's chart of the top actors "
        "(`chart:off` to stop)."
        if channel.chart_day is not None
        else ""
    )
    thread = (
        " It comes as a short message with each story a reply in its thread (`thread:off` for one post)."
        if channel.digest_thread
        else ""
    )
    return f"This channel gets its digest daily at {channel.digest_time} ({zone}). {quiet}{chart}{thread}"


def posted_now_text(channel: Channel, posted: Reply | None) -> str:
    """The asker's answer to ``digest now``: what was posted, and that it took today's scheduled one."""
    if posted is None:
        return "Today's digest was already posted here; `digest` previews what the next one holds."
    if isinstance(posted, DigestReply) and posted.digest.empty and channel.quiet_when_empty:
        done = "Nothing new since the last digest, and this channel asked for quiet: nothing was posted."
    else:
        done = "Today's digest is posted in this channel."
    if not channel.subscribed:
        return f"{done} It counts as today's digest should the channel `subscribe` today."
    return (
        f"{done} It replaces today's scheduled digest ({channel.digest_time} {channel.timezone}); "
        "the next one comes tomorrow."
    )


# A core without the scheduler's deliverer (a test's, a tool's): `briefbot run` and `briefbot chat`
# both give it one, so their `digest now` is recorded where the scheduler looks.
NO_DELIVERER = "`digest now` posts through the bot's scheduler, which this session does not run."

EVERYTHING = (
    "This channel follows no feeds in particular: its digest has every stored article. "
    "Choose feeds with `sources add <feed url>`."
)


def _asker(incoming: Incoming) -> str:
    """Whose search ``more`` continues: the same person in the same channel, on any instance."""
    return f"{incoming.platform}:{incoming.channel}:{incoming.user}"


class CommandCore:
    """Turns commands into replies. Store work runs in a thread, so a slow search never blocks chat."""

    def __init__(
        self,
        *,
        store: Store,
        storage_settings: StorageSettings | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        deliver: Callable[[int, datetime], Awaitable[Reply | None]] | None = None,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self.store = store
        self.storage_settings = storage_settings or StorageSettings()
        self.clock = clock
        self.deliver = deliver  # the scheduler's "post now and record it" (digest now), when running
        self.max_pending = max_pending
        self._pending = 0
        self._turned_away = 0
        self._busy_logged = -BUSY_LOG_EVERY

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Replies for one command; never raises. Bad input gets its usage line or a one-line reason;
        anything unforeseen is logged with an error id, and the asker gets an apology naming it, so
        the adapter keeps serving and a person can find the traceback.

        At most ``max_pending`` commands are answered or waiting at once. Past that the store cannot
        keep up (bench/load.py: PostgreSQL on 2 cores answers about 40 a second), and a queue without
        a bound only makes every answer later, until none comes in time to matter: the one more is
        told at once that nothing was done.
        """
        incoming = without_nuls(incoming)
        return await self._guarded(incoming, self._handle(incoming))

    async def _guarded(self, incoming: Incoming, work: Coroutine[Any, Any, list[Reply]]) -> list[Reply]:
        """``work``'s replies, within ``max_pending`` and behind the last-resort guard (see
        :meth:`handle`); every way into the core passes here."""
        if self._pending >= self.max_pending:
            work.close()  # never started: nothing was done
            return [self._busy()]
        self._pending += 1
        try:
            return await work
        except Exception:
            error_id = uuid.uuid4().hex[:8]
            log.exception("command %r failed (error id %s)", incoming.text[:200], error_id)
            return [
                TextReply(
                    text=f"Sorry, something went wrong answering that (error id {error_id}; it is in "
                    "the bot's log). Please try again, or tell whoever runs the bot.",
                    private=True,
                )
            ]
        finally:
            self._pending -= 1

    def _busy(self) -> TextReply:
        self._turned_away += 1
        now = time.monotonic()
        if now - self._busy_logged >= BUSY_LOG_EVERY:
            log.warning(
                '%d command(s) answered "busy": %d already being answered (chat.max_pending); the '
                "store or the machine is not keeping up with the commands sent",
                self._turned_away,
                self._pending,
            )
            self._busy_logged, self._turned_away = now, 0
        return TextReply(text=BUSY, private=True)

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        text = incoming.text.strip()
        name, _, rest = text.partition(" ")
        name = name.lower().lstrip("/!")
        rest = rest.strip()
        if not name or name == "help":
            return [TextReply(text=help_text(), private=True)]
        command = BY_NAME.get(name)
        if command is None:
            return [unknown(name)]
        handler = getattr(self, f"_cmd_{name}")
        reply: list[Reply] = await handler(incoming, rest)
        return reply

    async def _channel(self, incoming: Incoming) -> int:
        channel: int = await asyncio.to_thread(
            ensure_channel, self.store, incoming.platform, incoming.channel, name=incoming.channel_name
        )
        return channel

    # -- brief ----------------------------------------------------------------------------------

    async def _cmd_brief(self, incoming: Incoming, rest: str) -> list[Reply]:
        if not rest:
            return [usage("brief")]
        found = await asyncio.to_thread(find_brief, self.store, rest, self.storage_settings)
        return [_brief_or_why(found, rest)]

    async def brief_document(self, incoming: Incoming, document: Document) -> list[Reply]:
        """The brief of a document an adapter read from a chat file: stored, then briefed as a page is.

        The adapter downloads and reads the file (each platform has its own way to fetch one), so the
        core stays unaware of platforms and sees only a ``Document``. Bounded and guarded as a typed
        command is.
        """

        async def briefed() -> list[Reply]:
            found = await asyncio.to_thread(store_brief, self.store, document)
            return [_brief_or_why(found, "", what="file")]

        return await self._guarded(without_nuls(incoming), briefed())

    # -- search and ask -----------------------------------------------------------------------

    async def _cmd_search(self, incoming: Incoming, rest: str) -> list[Reply]:
        if not rest:
            return [usage("search")]
        return await self._search_page(incoming, rest, 1)

    async def _cmd_more(self, incoming: Incoming, rest: str) -> list[Reply]:
        last = await asyncio.to_thread(chat_state.last_page, self.store, _asker(incoming))
        if last is None:
            return [TextReply(text="Nothing to continue: start with `search <words>`.", private=True)]
        return await self._search_page(incoming, last.query, last.page + 1)

    async def first_time(self, platform: str, event_id: str) -> bool:
        """Whether a platform event is new to the whole deployment (Slack retries an event it thinks
        failed, perhaps to another instance): answered once, wherever it arrives."""
        key = f"{platform}:{event_id}".replace("\x00", "")  # PostgreSQL refuses a NUL in a text
        return await asyncio.to_thread(chat_state.first_time, self.store, key)

    async def _search_page(self, incoming: Incoming, query_text: str, page: int) -> list[Reply]:
        try:
            query = parse_query(query_text, now=self.clock())
        except QueryError as error:
            return [TextReply(text=f"{error}. {BY_NAME['search'].usage}", private=True)]
        hits = await asyncio.to_thread(
            lambda: search(self.store, query, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        )
        await asyncio.to_thread(chat_state.remember_page, self.store, _asker(incoming), query_text, page)
        return [
            SearchReply(
                query=query_text, hits=tuple(hits[:PAGE_SIZE]), page=page, has_more=len(hits) > PAGE_SIZE
            )
        ]

    async def _cmd_ask(self, incoming: Incoming, rest: str) -> list[Reply]:
        if not rest:
            return [usage("ask")]
        answer = await asyncio.to_thread(ask, self.store, rest)
        return [AnswerReply(answer=answer)]

    # -- digest and subscriptions --------------------------------------------------------------------

    async def _cmd_actor(self, incoming: Incoming, rest: str) -> list[Reply]:
        return await actor_replies(self.store, rest, self.clock())

    async def _cmd_trending(self, incoming: Incoming, rest: str) -> list[Reply]:
        return await trending_replies(self.store, rest, self.clock())

    async def _cmd_digest(self, incoming: Incoming, rest: str) -> list[Reply]:
        if rest.lower() not in {"", "now"}:
            return [usage("digest")]
        if rest.lower() == "now":
            return await self._digest_now(incoming)
        channel_id = await self._channel(incoming)
        channel = await asyncio.to_thread(get_channel, self.store, channel_id)
        assert channel is not None
        # A preview changes nothing and concerns the asker: the channel sees the digest when it is posted.
        return [DigestReply(digest=await self._compose(channel), private=True)]

    async def _compose(self, channel: Channel) -> Digest:
        digest: Digest = await asyncio.to_thread(
            lambda: compose(self.store, channel.id, now=self.clock(), timezone=channel.timezone)
        )
        return digest

    async def _digest_now(self, incoming: Incoming) -> list[Reply]:
        """``digest now`` takes today's row of the ledger, so the scheduled digest does not follow: a
        decision for the whole channel, hence its managers'."""
        if not incoming.is_manager:
            return [self._managers_only("digest now")]
        if self.deliver is None:
            return [TextReply(text=NO_DELIVERER, private=True)]
        channel_id = await self._channel(incoming)
        # The deliverer posts to the channel itself (through the ledger, so once); answering with the
        # digest too would show it twice.
        posted = await self.deliver(channel_id, self.clock())
        channel = await asyncio.to_thread(get_channel, self.store, channel_id)
        assert channel is not None
        return [TextReply(text=posted_now_text(channel, posted), private=True)]

    async def _cmd_subscribe(self, incoming: Incoming, rest: str) -> list[Reply]:
        if not incoming.is_manager:
            return [self._managers_only("subscribe")]
        try:
            wanted = parse_subscribe(rest)
        except SubscribeError as error:
            return [TextReply(text=f"{error} Usage: {BY_NAME['subscribe'].usage}", private=True)]
        channel_id = await self._channel(incoming)
        channel = await asyncio.to_thread(
            lambda: subscribe(
                self.store,
                channel_id,
                digest_time=wanted.digest_time,
                timezone=wanted.timezone,
                quiet_when_empty=wanted.quiet,
                chart_day=wanted.chart_day,
                thread=wanted.thread,
            )
        )
        return [TextReply(text=schedule_text(channel, zone_given=wanted.timezone is not None))]

    async def _follow_feed(self, channel_id: int, url: str) -> TextReply:
        """Read the feed once before following it: a typo or a web page instead of a feed is said now,
        not discovered at the next poll. Its articles come with the polls."""
        try:
            checked = await asyncio.to_thread(feedstore.check_feed, url, self.storage_settings)
        except ValueError as error:  # not http(s), a refused address, or not a feed
            return TextReply(text=f"{error}. Nothing was added.", private=True)
        except FetchError as error:
            return TextReply(text=f"Could not read {url}: {error}. Nothing was added.", private=True)
        feed = await asyncio.to_thread(
            lambda: feedstore.add_feed(self.store, url, title=checked.title, origin="chat")
        )
        if not await asyncio.to_thread(follow, self.store, channel_id, feed.id):
            return TextReply(text=f"This channel already follows feed #{feed.id}.")
        name = f"“{feed.title}”" if feed.title else feed.url
        count = len(checked.entries)
        newest = self.storage_settings.first_poll_entries
        coming = (
            f"its {newest} newest article(s) come with the next poll (older ones are skipped), then each "
            "new one"
            if feed.last_polled_at is None and count > newest
            else "its articles come with the next poll"
        )
        return TextReply(
            text=f"Following feed #{feed.id} {name} ({count} item{'s' if count != 1 else ''} in it now); "
            f"{coming}, and this channel's digest follows it."
        )

    async def _cmd_unsubscribe(self, incoming: Incoming, rest: str) -> list[Reply]:
        if not incoming.is_manager:
            return [self._managers_only("unsubscribe")]
        channel_id = await self._channel(incoming)
        await asyncio.to_thread(unsubscribe, self.store, channel_id)
        return [TextReply(text="Daily digest stopped for this channel.")]

    async def _cmd_sources(self, incoming: Incoming, rest: str) -> list[Reply]:
        try:
            action, *args = shlex.split(rest) if rest else ["list"]
        except ValueError:
            return [usage("sources")]
        action = action.lower()
        channel_id = await self._channel(incoming)
        if action == "list" and not args:
            feeds = await asyncio.to_thread(feedstore.followed, self.store, channel_id)
            if not feeds:
                everything = await asyncio.to_thread(receives_everything, self.store, channel_id)
                return [TextReply(text=EVERYTHING if everything else FOLLOWS_NONE)]
            lines = [
                f"#{f.id} {f.title or f.url}" + (f" — failing: {f.last_error}" if f.failures else "")
                for f in feeds
            ]
            return [TextReply(text="Feeds of this channel:\n" + "\n".join(lines))]
        if action == "all" and not args:
            if not incoming.is_manager:
                return [self._managers_only("sources all")]
            await asyncio.to_thread(receive_everything, self.store, channel_id)
            return [
                TextReply(
                    text="This channel's digest now has every stored article; "
                    "`sources add <feed url>` narrows it to chosen feeds again."
                )
            ]
        if action not in {"add", "remove"} or len(args) != 1:
            return [usage("sources")]
        if not incoming.is_manager:
            return [self._managers_only("sources " + action)]
        if action == "add":
            return [await self._follow_feed(channel_id, args[0])]
        try:
            feed = await asyncio.to_thread(feedstore.find_feed, self.store, args[0])
        except feedstore.FeedNotFound as error:
            return [TextReply(text=str(error), private=True)]
        result = await asyncio.to_thread(unfollow, self.store, channel_id, feed.id)
        if not result.removed:
            return [TextReply(text=f"This channel does not follow feed #{feed.id}.")]
        text = f"No longer following feed #{feed.id}."
        if result.stopped:
            text += " No channel follows it now, so it is no longer read (its articles stay)."
        if result.follows_none:
            text += " " + FOLLOWS_NONE
        return [TextReply(text=text)]

    def _managers_only(self, what: str) -> TextReply:
        return TextReply(
            text=f"Only channel managers can use `{what}` (Slack: workspace admins or the "
            f"configured managers; Discord: Manage Channels).",
            private=True,
        )
