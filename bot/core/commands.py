"""The commands, the same on every platform. ``help`` lists them from :data:`COMMANDS`."""

from __future__ import annotations

import asyncio
import difflib
import re
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.messages import AnswerReply, BriefReply, DigestReply, Incoming, Reply, SearchReply, TextReply
from config import StorageSettings
from storage.store import Store
from storage.values import StoredBrief


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
        "digest", "digest [now]", "preview this channel's digest; `digest now` posts it and marks it sent"
    ),
    Command(
        "subscribe",
        "subscribe [HH:MM] [time zone]",
        "post this channel's digest daily (default 09:00 UTC)",
        managers_only=True,
    ),
    Command("unsubscribe", "unsubscribe", "stop this channel's daily digest", managers_only=True),
    Command(
        "sources",
        "sources add <feed url> | sources remove <id|url> | sources list",
        "the feeds this channel's digest follows (changing them is for channel managers)",
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
}
PAGE_SIZE = 5
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")


def usage(name: str) -> TextReply:
    return TextReply(text=f"Usage: {BY_NAME[name].usage}", private=True)


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


class CommandCore:
    """Turns commands into replies. Store work runs in a thread, so a slow search never blocks chat."""

    def __init__(
        self,
        *,
        store: Store,
        storage_settings: StorageSettings | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        deliver: Callable[[int, datetime], Awaitable[Reply | None]] | None = None,
    ) -> None:
        self.store = store
        self.storage_settings = storage_settings or StorageSettings()
        self.clock = clock
        self.deliver = deliver  # the scheduler's "post now and record it" (digest now), when running
        self._pages: dict[tuple[str, str, str], tuple[str, int]] = {}

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Replies for one command; never raises for bad input."""
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
            self.store.channel, incoming.platform, incoming.channel, name=incoming.channel_name
        )
        return channel

    # -- brief ----------------------------------------------------------------------------------

    async def _cmd_brief(self, incoming: Incoming, rest: str) -> list[Reply]:
        if not rest:
            return [usage("brief")]
        if rest.lstrip("#").isdigit():
            stored = await asyncio.to_thread(self.store.get, int(rest.lstrip("#")))
            if stored is None:
                return [
                    TextReply(
                        text=f"No stored article #{rest.lstrip('#')}. Try `search` to find one.", private=True
                    )
                ]
            return [_brief_reply(stored)]
        if rest.startswith(("http://", "https://")) or rest.startswith("<http"):
            return await self._brief_url(rest.strip("<>").split("|")[0])
        matches = await asyncio.to_thread(self.store.find_by_title, rest)
        if not matches:
            return [
                TextReply(
                    text=f"No stored article has “{rest}” in its title. Try `search {rest}`.", private=True
                )
            ]
        stored = await asyncio.to_thread(self.store.get, matches[0].id)
        assert stored is not None
        return [_brief_reply(stored)]

    async def _brief_url(self, url: str) -> list[Reply]:
        from storage.web import WebError, fetch_document

        try:
            document = await asyncio.to_thread(fetch_document, url, self.storage_settings)
        except WebError as error:
            return [TextReply(text=f"Could not read that page: {error}", private=True)]
        [result] = await asyncio.to_thread(self.store.ingest, [document])
        if result.error or result.article is None:
            return [TextReply(text=f"Could not brief that page: {result.error}", private=True)]
        stored = await asyncio.to_thread(self.store.get, result.article.id)
        assert stored is not None
        return [_brief_reply(stored)]

    # -- search and ask -----------------------------------------------------------------------

    async def _cmd_search(self, incoming: Incoming, rest: str) -> list[Reply]:
        if not rest:
            return [usage("search")]
        return await self._search_page(incoming, rest, 1)

    async def _cmd_more(self, incoming: Incoming, rest: str) -> list[Reply]:
        last = self._pages.get((incoming.platform, incoming.channel, incoming.user))
        if last is None:
            return [TextReply(text="Nothing to continue: start with `search <words>`.", private=True)]
        return await self._search_page(incoming, last[0], last[1] + 1)

    async def _search_page(self, incoming: Incoming, query_text: str, page: int) -> list[Reply]:
        from storage.query import QueryError, parse_query
        from storage.search import search

        try:
            query = parse_query(query_text, now=self.clock())
        except QueryError as error:
            return [TextReply(text=f"{error}. {BY_NAME['search'].usage}", private=True)]
        hits = await asyncio.to_thread(
            lambda: search(self.store, query, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        )
        self._pages[(incoming.platform, incoming.channel, incoming.user)] = (query_text, page)
        return [
            SearchReply(
                query=query_text, hits=tuple(hits[:PAGE_SIZE]), page=page, has_more=len(hits) > PAGE_SIZE
            )
        ]

    async def _cmd_ask(self, incoming: Incoming, rest: str) -> list[Reply]:
        from storage.ask import ask

        if not rest:
            return [usage("ask")]
        answer = await asyncio.to_thread(ask, self.store, rest)
        return [AnswerReply(answer=answer)]

    # -- digest and subscriptions --------------------------------------------------------------------

    async def _cmd_digest(self, incoming: Incoming, rest: str) -> list[Reply]:
        from bot.digest import compose
        from storage.channels import get_channel

        if rest not in {"", "now"}:
            return [usage("digest")]
        channel_id = await self._channel(incoming)
        channel = await asyncio.to_thread(get_channel, self.store, channel_id)
        timezone = channel.timezone if channel else "UTC"
        if rest == "now":
            if self.deliver is not None:
                # The deliverer posts to the channel itself (through the ledger, so once); answering with
                # the digest too would show it twice.
                posted = await self.deliver(channel_id, self.clock())
                return [
                    TextReply(
                        text="Today's digest is posted in this channel."
                        if posted
                        else "Today's digest was already posted here.",
                        private=True,
                    )
                ]
            digest = await asyncio.to_thread(
                lambda: compose(self.store, channel_id, now=self.clock(), timezone=timezone)
            )
            await asyncio.to_thread(self.store.mark_delivered, channel_id, list(digest.article_ids))
            return [DigestReply(digest=digest)]
        digest = await asyncio.to_thread(
            lambda: compose(self.store, channel_id, now=self.clock(), timezone=timezone)
        )
        return [DigestReply(digest=digest)]

    async def _cmd_subscribe(self, incoming: Incoming, rest: str) -> list[Reply]:
        from storage.channels import subscribe

        if not incoming.is_manager:
            return [self._managers_only("subscribe")]
        parts = rest.split()
        digest_time, timezone = "09:00", "UTC"
        for part in parts:
            match = _TIME.match(part)
            if match:
                digest_time = f"{int(match.group(1)):02d}:{match.group(2)}"
                continue
            try:
                ZoneInfo(part)
            except (ZoneInfoNotFoundError, ValueError):
                return [
                    TextReply(
                        text=f"“{part}” is neither a time (HH:MM) nor a time zone such as "
                        f"Europe/Berlin. Usage: {BY_NAME['subscribe'].usage}",
                        private=True,
                    )
                ]
            timezone = part
        channel_id = await self._channel(incoming)
        channel = await asyncio.to_thread(
            lambda: subscribe(self.store, channel_id, digest_time=digest_time, timezone=timezone)
        )
        return [
            TextReply(
                text=f"This channel gets its digest daily at {channel.digest_time} ({channel.timezone})."
            )
        ]

    async def _follow_feed(self, channel_id: int, url: str) -> TextReply:
        """Read the feed once before following it: a typo or a web page instead of a feed is said now,
        not discovered at the next poll. Its articles come with the polls."""
        from storage import feedstore
        from storage.channels import follow
        from storage.fetch import FetchError

        try:
            checked = await asyncio.to_thread(feedstore.check_feed, url, self.storage_settings)
        except ValueError as error:  # not http(s), a refused address, or not a feed
            return TextReply(text=f"{error}. Nothing was added.", private=True)
        except FetchError as error:
            return TextReply(text=f"Could not read {url}: {error}. Nothing was added.", private=True)
        feed = await asyncio.to_thread(feedstore.add_feed, self.store, url, title=checked.title)
        if not await asyncio.to_thread(follow, self.store, channel_id, feed.id):
            return TextReply(text=f"This channel already follows feed #{feed.id}.")
        name = f"“{feed.title}”" if feed.title else feed.url
        count = len(checked.entries)
        return TextReply(
            text=f"Following feed #{feed.id} {name} ({count} item{'s' if count != 1 else ''} in it now); "
            "its articles come with the next poll and this channel's digest follows it."
        )

    async def _cmd_unsubscribe(self, incoming: Incoming, rest: str) -> list[Reply]:
        from storage.channels import unsubscribe

        if not incoming.is_manager:
            return [self._managers_only("unsubscribe")]
        channel_id = await self._channel(incoming)
        await asyncio.to_thread(unsubscribe, self.store, channel_id)
        return [TextReply(text="Daily digest stopped for this channel.")]

    async def _cmd_sources(self, incoming: Incoming, rest: str) -> list[Reply]:
        from storage import feedstore
        from storage.channels import followed, unfollow

        try:
            action, *args = shlex.split(rest) if rest else ["list"]
        except ValueError:
            return [usage("sources")]
        action = action.lower()
        channel_id = await self._channel(incoming)
        if action == "list" and not args:
            feeds = await asyncio.to_thread(followed, self.store, channel_id)
            if not feeds:
                return [
                    TextReply(
                        text="This channel follows no feeds: its digest has every stored article. "
                        "Add one with `sources add <feed url>`."
                    )
                ]
            lines = [
                f"#{f.id} {f.title or f.url}" + (f" — failing: {f.last_error}" if f.failures else "")
                for f in feeds
            ]
            return [TextReply(text="Feeds of this channel:\n" + "\n".join(lines))]
        if action not in {"add", "remove"} or len(args) != 1:
            return [usage("sources")]
        if not incoming.is_manager:
            return [self._managers_only("sources " + action)]
        if action == "add":
            return [await self._follow_feed(channel_id, args[0].strip("<>").split("|")[0])]
        try:
            feed = await asyncio.to_thread(feedstore.find_feed, self.store, args[0].strip("<>"))
        except feedstore.FeedNotFound as error:
            return [TextReply(text=str(error), private=True)]
        removed = await asyncio.to_thread(unfollow, self.store, channel_id, feed.id)
        return [
            TextReply(
                text=f"No longer following feed #{feed.id}."
                if removed
                else f"This channel does not follow feed #{feed.id}."
            )
        ]

    def _managers_only(self, what: str) -> TextReply:
        return TextReply(
            text=f"Only channel managers can use `{what}` (Slack: workspace admins or the "
            f"configured managers; Discord: Manage Channels).",
            private=True,
        )
