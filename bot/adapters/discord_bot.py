"""The Discord adapter: slash commands in, embeds out, and nothing else.

Each slash command is assembled back into the command text the core parses ("brief 3", "search
hezbollah since:7d"), handed to :meth:`CommandCore.handle` as an :class:`Incoming`, and its replies
are rendered by :func:`bot.render.embeds.to_messages`. Parsing, permissions policy and storage stay in
the core; the only store access here is the read-only name lookups that autocomplete needs (and an
actor button whose name was too long for its id, :class:`ActorButton`).

Discord wants an answer within 3 seconds (FIELD-NOTES), so the commands that search, summarise or
compose (brief, search, more, ask, digest) defer at once; the others answer directly unless the core
takes longer than :data:`QUICK_REPLY_SECONDS`, when they defer too. Rate limits (429 with Retry-After)
are honoured by discord.py's own HTTP and webhook clients, which sleep and retry.

A view's chart rides its last message as an attachment (``multipart/form-data``, the PNG with its alt
text as the attachment's description), in interaction answers, ephemeral ones included, and in the
scheduler's posts alike.

A view's actors to open (a digest's key actors) ride its last message too, as a row of buttons. Each
button is an :class:`ActorButton`, a ``DynamicItem`` whose ``custom_id`` holds the name: the client
registers the class once, so a click is answered whichever process posted the message and however
long ago, restarts included. The click is answered as ``actor <name>`` from the clicker, ephemerally.

"Brief this", a message context-menu command, briefs the first link of the message it was used on:
``brief <url>`` answered ephemerally, with a "Share in channel" button (:class:`ShareButton`, dynamic
as the actor buttons are, the article's id in its ``custom_id``) whose click posts ``brief <id>`` for
the channel to see. A message with no link but an attachment has the attachment briefed; one with
neither gets :data:`NO_LINK`.

``/brief file:<attachment>`` briefs a PDF, Word, text or HTML file: its size (``attachment.size``) is
checked against ``storage.max_bytes`` before it is downloaded, then ``attachment.read()`` fetches it
from Discord's CDN and :func:`storage.documents.document_from_bytes` reads it as ``briefbot ingest``
would; the core gets only the ``Document``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import logging
import re
import shlex
import zoneinfo
from collections.abc import Sequence
from functools import cache
from typing import Any, Literal

import discord
from discord import app_commands

from bot.core import BriefReply, CommandCore, Incoming, Reply, TextReply
from bot.core.commands import BY_NAME
from bot.core.posting import Progress, post_in_order
from bot.render.chart import Chart
from bot.render.embeds import DiscordMessage, to_messages
from bot.render.limits import ELLIPSIS, truncate
from bot.render.view import View, to_view
from bot.secrets import DISCORD_BOT_TOKEN, Secrets
from config import ConfigError, DiscordSettings
from storage.actor_names import name_key
from storage.actor_views import complete_actor_names
from storage.documents import document_from_bytes, too_large
from storage.store import Store
from summarizer.textfile import UnreadableFile

log = logging.getLogger(__name__)

PLATFORM = "discord"
# trending draws a chart, actor counts over the store: both defer at once
SLOW_COMMANDS = frozenset({"brief", "search", "more", "ask", "digest", "actor", "trending"})
QUICK_REPLY_SECONDS = 2.0  # under Discord's 3 s deadline for the first answer, with room for the request
CHOICES_LIMIT = 25  # autocomplete suggestions Discord shows
CHOICE_NAME_LIMIT = 100
DESCRIPTION_LIMIT = 100  # a slash command's or option's description
CUSTOM_ID_LIMIT = 100  # a component's custom_id
BUTTON_LABEL_LIMIT = 80
BUTTONS_PER_ROW = 5  # one action row: the buttons sit under the message as one line
ACTOR_ID_PREFIX = "briefbot:actor:"
SHARE_ID_PREFIX = "briefbot:share:"  # and the article's id: a click posts ``brief <id>`` to the channel
SHARE_LABEL = "Share in channel"
BRIEF_THIS = "Brief this"  # the message context-menu command
NO_LINK = "There is no link or file in that message to brief."
FILE_REFUSED = "Could not read that file: {}"
# A link as Discord shows one: bare, or in <…> to suppress its embed; trailing punctuation is the sentence's.
_LINK = re.compile(r"https?://[^\s<>]+")
_ANGLED_LINK = re.compile(f"<({_LINK.pattern})>")
_TRAILING = ".,;:!?)]}'\"*_~|"
# The bot's permissions in a server, each (a discord.Permissions flag) with what needs it: the invite URL
# of ``briefbot discord invite`` asks for exactly these. Interaction answers (slash commands, buttons)
# are webhooks and need none; these are for the scheduler's posts (DiscordPoster), which send no
# reply and read no message, so Read Message History is not asked for.
DISCORD_PERMISSIONS: dict[str, str] = {
    "view_channel": "see the channel a digest is subscribed in",
    "send_messages": "post the digests",
    "send_messages_in_threads": "post a threaded digest's stories, and digests subscribed in a thread",
    "create_public_threads": "open a threaded digest's thread from its first message",
    "embed_links": "the digests' embeds",
    "attach_files": "the weekly digest's chart, an attached PNG",
}


def intents() -> discord.Intents:
    """No privileged intent: interactions reach a bot whatever its intents; ``guilds`` keeps the
    client's cache of guilds and channels (names for :class:`Incoming`) current."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    return chosen


def command_text(name: str, *parts: str | None) -> str:
    """The command as a user would type it to the core: the name, then the filled-in options, a link
    written ``<https://…>`` (Discord's way to post one without its preview) as the bare link."""
    filled = (_ANGLED_LINK.sub(lambda link: link.group(1), part.strip()) for part in parts if part)
    return " ".join([name, *(part for part in filled if part)])


def to_incoming(interaction: discord.Interaction, text: str) -> Incoming:
    """Who asked where. A manager is whoever may manage the channel: Discord resolves the member's
    permissions in that channel (roles, overwrites, administrator) and sends them with the interaction."""
    channel_id = interaction.channel_id
    return Incoming(
        platform=PLATFORM,
        channel=str(channel_id) if channel_id is not None else f"dm:{interaction.user.id}",
        user=str(interaction.user.id),
        text=text,
        channel_name=getattr(interaction.channel, "name", None),
        is_manager=interaction.permissions.manage_channels,
    )


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def timezone_choices(current: str) -> list[app_commands.Choice[str]]:
    """IANA zones containing what was typed ("berlin" finds Europe/Berlin)."""
    needle = current.strip().lower().replace(" ", "_")
    found = [zone for zone in _zones() if needle in zone.lower()]
    return [app_commands.Choice(name=zone, value=zone) for zone in found[:CHOICES_LIMIT]]


def first_link(content: str) -> str | None:
    """The first web link in a Discord message's content, without the sentence's punctuation after it."""
    found = _LINK.search(content)
    return found.group(0).rstrip(_TRAILING) if found else None


class BriefbotTree(app_commands.CommandTree["BriefbotClient"]):
    """The command tree; a command that fails tells its user so instead of "did not respond"."""

    async def on_error(
        self, interaction: discord.Interaction[BriefbotClient], error: app_commands.AppCommandError
    ) -> None:
        name = interaction.command.name if interaction.command else "?"
        log.error("/%s failed", name, exc_info=error)
        text = f"Sorry, `/{name}` failed. The error is in the bot's log."
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell the user that /%s failed", name)


class BriefbotClient(discord.Client):
    """A Discord client that holds the core (it does not become it) and serves its slash commands."""

    def __init__(self, core: CommandCore, *, settings: DiscordSettings) -> None:
        # Article text may quote "@everyone": nothing a reply says may ping anyone.
        super().__init__(intents=intents(), allowed_mentions=discord.AllowedMentions.none())
        self.core = core
        self.settings = settings
        self.tree = BriefbotTree(self)
        _add_commands(self)
        self.add_dynamic_items(ActorButton, ShareButton)  # before any gateway event: old messages too
        self._read_interactions_safely()

    def _read_interactions_safely(self) -> None:
        """Drop, with a log line, an INTERACTION_CREATE that discord.py cannot read.

        The gateway hands each event to its parser with nothing around it: a payload missing a field
        discord.py indexes (``id``, ``token``) or holding a value it cannot convert (permissions
        "abc") would raise out of ``DiscordWebSocket.received_message``, end ``Client.connect``, and
        with it the adapter. No one can be answered for such a payload; everyone else still can.
        """
        parsers = self._connection.parsers
        parse = parsers["INTERACTION_CREATE"]

        def parse_or_drop(data: Any) -> None:
            try:
                parse(data)
            except Exception as error:
                log.warning(
                    "ignored an interaction discord.py could not read (%s: %s)", type(error).__name__, error
                )

        parsers["INTERACTION_CREATE"] = parse_or_drop

    async def answer(
        self, interaction: discord.Interaction, text: str, *, private: bool = False, share: bool = False
    ) -> None:
        """Run one command through the core and post its replies as the interaction's answer;
        ``private``: every reply for the asker's eyes only; ``share``: a brief with its share button."""
        name = text.partition(" ")[0]
        work = asyncio.ensure_future(self.core.handle(to_incoming(interaction, text)))
        try:
            if name not in SLOW_COMMANDS:
                await asyncio.wait({work}, timeout=QUICK_REPLY_SECONDS)
            if not work.done():
                # Public "thinking…" unless all will be private: otherwise whether the answer is
                # private is known only once it exists.
                await interaction.response.defer(ephemeral=private, thinking=True)
            replies = await work
        finally:
            work.cancel()  # a no-op once done; stops the core's work when answering failed
        await post_replies(interaction, replies, private=private, share=share)

    async def brief_this(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """The "Brief this" menu on ``message``: its first link (a message with no link but a file:
        that file) briefed for the asker alone, to share.

        Ephemeral: the message is someone's, and whether the channel sees its brief is the asker's
        choice, made with the button."""
        link = first_link(message.content or "")
        if link is None and message.attachments:
            await self.brief_file(interaction, message.attachments[0], private=True, share=True)
            return
        if link is None:
            await interaction.response.send_message(NO_LINK, ephemeral=True)
            return
        await self.answer(interaction, f"brief {link}", private=True, share=True)

    async def brief_file(
        self,
        interaction: discord.Interaction,
        attachment: discord.Attachment,
        *,
        private: bool = False,
        share: bool = False,
    ) -> None:
        """``/brief file:`` (and "Brief this" on a message with a file, ``private`` with ``share``):
        the attachment downloaded, read and briefed, or refused in one line.

        A file over ``storage.max_bytes`` is refused at once, by the size Discord states, before any
        download; the bytes are read only after a defer, since a PDF takes longer than the three
        seconds Discord waits for an answer.
        """
        settings = self.core.storage_settings
        if attachment.size > settings.max_bytes:
            refusal = FILE_REFUSED.format(too_large(attachment.filename, attachment.size, settings.max_bytes))
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        await interaction.response.defer(ephemeral=private, thinking=True)
        try:
            data = await attachment.read()
            document = await asyncio.to_thread(document_from_bytes, data, attachment.filename, settings)
            incoming = to_incoming(interaction, command_text("brief", attachment.filename))
            replies = await self.core.brief_document(incoming, document)
        except UnreadableFile as error:
            replies = [TextReply(text=FILE_REFUSED.format(error), private=True)]
        except discord.HTTPException as error:
            replies = [TextReply(text=FILE_REFUSED.format(f"{attachment.filename}: {error}"), private=True)]
        await post_replies(interaction, replies, private=private, share=share)

    async def share_brief(self, interaction: discord.Interaction, article_id: int) -> None:
        """A click on "Share in channel": ``brief <id>`` posted for the channel, by the clicker."""
        try:
            await self.answer(interaction, f"brief {article_id}")
        except Exception:
            log.exception("sharing the brief of article %d failed", article_id)
            with contextlib.suppress(discord.HTTPException):
                text = "Sorry, sharing that brief failed. The error is in the bot's log."
                if interaction.response.is_done():
                    await interaction.followup.send(text, ephemeral=True)
                else:
                    await interaction.response.send_message(text, ephemeral=True)

    async def open_actor(self, interaction: discord.Interaction, name: str) -> None:
        """A click on an actor's button: ``actor <name>`` for the clicker, answered to them alone.

        A button whose name was cut to fit its id is first given the whole name it began; all of it
        within Discord's 3 seconds, since ``actor`` defers at once."""
        cut = name.endswith(ELLIPSIS)
        whole = await asyncio.to_thread(resolve_cut_name, self.core.store, name) if cut else name
        try:
            await self.answer(interaction, f"actor {shlex.quote(whole)}", private=True)
        except Exception:
            log.exception("the actor button for %r failed", name)
            with contextlib.suppress(discord.HTTPException):
                text = f"Sorry, opening {name} failed. The error is in the bot's log."
                if interaction.response.is_done():
                    await interaction.followup.send(text, ephemeral=True)
                else:
                    await interaction.response.send_message(text, ephemeral=True)

    async def suggest_articles(self, current: str) -> list[app_commands.Choice[str]]:
        """Stored articles whose title holds every typed word; the latest ones before anything is typed."""
        store = self.core.store
        words = current.strip()
        if words:
            articles = await asyncio.to_thread(store.find_by_title, words, limit=CHOICES_LIMIT)
        else:
            articles = await asyncio.to_thread(store.articles, limit=CHOICES_LIMIT)
        return [
            app_commands.Choice(name=truncate(a.title or f"#{a.id}", CHOICE_NAME_LIMIT), value=str(a.id))
            for a in articles[:CHOICES_LIMIT]
        ]

    async def suggest_actors(self, current: str) -> list[app_commands.Choice[str]]:
        """Known actors for what was typed (a name or alias beginning with it first); the most
        mentioned ones before anything is typed."""
        names = await asyncio.to_thread(complete_actor_names, self.core.store, current, limit=CHOICES_LIMIT)
        return [
            app_commands.Choice(
                name=truncate(name, CHOICE_NAME_LIMIT), value=truncate(name, CHOICE_NAME_LIMIT)
            )
            for name in names[:CHOICES_LIMIT]
        ]


def actor_custom_id(name: str) -> str:
    """``briefbot:actor:<name>``, within Discord's 100 characters: a longer name is cut at a word and
    ends in "…", and :func:`resolve_cut_name` finds the actor it began."""
    room = CUSTOM_ID_LIMIT - len(ACTOR_ID_PREFIX)
    return ACTOR_ID_PREFIX + (name if len(name) <= room else truncate(name, room))


def resolve_cut_name(store: Store, name: str) -> str:
    """The whole name of the actor a cut name ("…" at the end) began: the most mentioned one whose
    name starts with it. A name not cut, or one no stored name starts with, is given back as it is,
    for the core to find or to suggest the closest to."""
    if not name.endswith(ELLIPSIS):
        return name
    cut = name.removesuffix(ELLIPSIS)
    start = name_key(cut)
    found = complete_actor_names(store, cut, limit=CHOICES_LIMIT)
    return next((whole for whole in found if name_key(whole).startswith(start)), name)


class ActorButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.compile(re.escape(ACTOR_ID_PREFIX) + r"(?P<name>.+)", re.S),
):
    """A button opening ``actor <name>``, the name in its ``custom_id``.

    Dynamic rather than a view's own item: discord.py builds one from any clicked component whose id
    matches the template, so no view need be kept per message and a digest posted before a restart,
    or by the REST-only :class:`DiscordPoster`, still answers.
    """

    def __init__(self, name: str, *, custom_id: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=truncate(name, BUTTON_LABEL_LIMIT),
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id or actor_custom_id(name),
            )
        )
        self.name = name

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ActorButton:
        return cls(match["name"], custom_id=match.string)

    async def callback(self, interaction: discord.Interaction) -> None:
        client = interaction.client
        if not isinstance(client, BriefbotClient):  # pragma: no cover - only ours registers the class
            return
        await client.open_actor(interaction, self.name)


class ShareButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.compile(re.escape(SHARE_ID_PREFIX) + r"(?P<id>[0-9]+)"),
):
    """The "Share in channel" button under a private brief: ``brief <id>`` posted for all to see.

    Dynamic for the reason :class:`ActorButton` is: a click long after, or after a restart, still answers.
    """

    def __init__(self, article_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=SHARE_LABEL,
                style=discord.ButtonStyle.primary,
                custom_id=f"{SHARE_ID_PREFIX}{article_id}",
            )
        )
        self.article_id = article_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ShareButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        client = interaction.client
        if not isinstance(client, BriefbotClient):  # pragma: no cover - only ours registers the class
            return
        await client.share_brief(interaction, self.article_id)


def actor_buttons(names: Sequence[str], *, first: discord.ui.Item[Any] | None = None) -> discord.ui.View:
    """A row of :class:`ActorButton` for ``names`` (its first five; four after ``first``, a button
    that leads the row), as a view to send with a message.

    The view is stopped before it is sent, so discord.py keeps nothing for it: it would otherwise
    track it per message and, once it timed out (an ephemeral message's view after 15 minutes, at
    the latest), unregister the template with it, and every actor button would stop answering.
    Clicks are the registered class's to answer, for every message alike.
    """
    view = discord.ui.View(timeout=None)
    if first is not None:
        view.add_item(first)
    room = BUTTONS_PER_ROW - len(view.children)
    for name in list(dict.fromkeys(n.strip() for n in names if n.strip()))[:room]:
        view.add_item(ActorButton(name))
    view.stop()
    return view


def buttons_for(view: View, last: bool, *, share: int | None = None) -> discord.ui.View:
    """The view's actor buttons for its last message, and ``share``'s :class:`ShareButton` (an
    article id); discord.py's MISSING for every other message, and for a view with no button."""
    if not last or (not view.actor_links and share is None):
        return discord.utils.MISSING
    # The share button first: it is the reason the asker is shown this brief.
    return actor_buttons(view.actor_links, first=ShareButton(share) if share is not None else None)


async def post_replies(
    interaction: discord.Interaction, replies: Sequence[Reply], *, private: bool = False, share: bool = False
) -> None:
    """Send every message of every reply, private ones ephemeral; ``private``: every one, as the
    answer to a click on a button in someone else's (or everyone's) message; ``share``: a brief's last
    message with its :class:`ShareButton`.

    After a public defer, Discord takes the first followup as the end of "thinking…" and keeps the
    defer's visibility whatever the followup's flags say (discord-api-docs #2742, #2866). A private
    first answer therefore deletes the placeholder and follows up ephemerally instead; with
    ``private`` the defer was ephemeral already (see :meth:`BriefbotClient.answer`) and stays.
    """
    placeholder = interaction.response.is_done()
    for reply in replies:
        view = to_view(reply)
        if private and not view.private:
            view = dataclasses.replace(view, private=True)
        messages = to_messages(view)
        for number, message in enumerate(messages, start=1):
            last = number == len(messages)
            chart = view.chart if last else None  # on the view's last message, with its buttons
            shared = reply.article.id if share and isinstance(reply, BriefReply) else None
            buttons = buttons_for(view, last, share=shared)
            if not interaction.response.is_done():
                await _respond(interaction, message, private=view.private, chart=chart, buttons=buttons)
                continue
            if placeholder and view.private and not private:
                await interaction.delete_original_response()
            placeholder = False
            await _follow_up(interaction, message, private=view.private, chart=chart, buttons=buttons)
    if placeholder:
        await interaction.delete_original_response()


def _embeds(message: DiscordMessage) -> list[discord.Embed]:
    return [discord.Embed.from_dict(dict(embed)) for embed in message.embeds]


def chart_files(chart: Chart | None) -> list[discord.File]:
    """The chart as a message's attachment: a new File for each send (discord.py reads and closes the
    one it is given), its alt text as the attachment's description.

    Without a chart, discord.py's MISSING rather than ``[]``: an empty list would add an empty
    ``attachments`` to every message's JSON, and ``None`` is refused by the webhook (followup) client.
    """
    if chart is None:
        return discord.utils.MISSING
    return [discord.File(io.BytesIO(chart.png), filename=chart.filename, description=chart.alt_text)]


async def _respond(
    interaction: discord.Interaction,
    message: DiscordMessage,
    *,
    private: bool,
    chart: Chart | None = None,
    buttons: discord.ui.View = discord.utils.MISSING,
) -> None:
    await interaction.response.send_message(
        message.content or None,
        embeds=_embeds(message),
        ephemeral=private,
        files=chart_files(chart),
        view=buttons,
    )


async def _follow_up(
    interaction: discord.Interaction,
    message: DiscordMessage,
    *,
    private: bool,
    chart: Chart | None = None,
    buttons: discord.ui.View = discord.utils.MISSING,
) -> None:
    files = chart_files(chart)
    if message.content:
        await interaction.followup.send(
            message.content, embeds=_embeds(message), ephemeral=private, files=files, view=buttons
        )
    else:
        await interaction.followup.send(embeds=_embeds(message), ephemeral=private, files=files, view=buttons)


def _about(name: str) -> str:
    """A slash command's description: the core's own summary of the command."""
    return truncate(BY_NAME[name].summary, DESCRIPTION_LIMIT)


def _add_commands(client: BriefbotClient) -> None:
    """One slash command per core command; each only assembles the text the core parses."""
    tree = client.tree

    @tree.command(name="brief", description=_about("brief"))
    @app_commands.describe(
        article="a stored article (pick one as you type), an id, a URL or title words",
        file="a PDF, Word, text or HTML file to brief",
    )
    async def brief(
        interaction: discord.Interaction, article: str | None = None, file: discord.Attachment | None = None
    ) -> None:
        if file is not None:
            await client.brief_file(interaction, file)
            return
        await client.answer(interaction, command_text("brief", article))

    @brief.autocomplete("article")
    async def brief_article(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await client.suggest_articles(current)

    @tree.command(name="search", description=_about("search"))
    @app_commands.describe(query='words, and filters such as since:7d until:2024-05-01 actor:"name"')
    async def search(interaction: discord.Interaction, query: str) -> None:
        await client.answer(interaction, command_text("search", query))

    @tree.command(name="more", description=_about("more"))
    async def more(interaction: discord.Interaction) -> None:
        await client.answer(interaction, "more")

    @tree.command(name="ask", description=_about("ask"))
    @app_commands.describe(question="a question the stored articles may answer")
    async def ask(interaction: discord.Interaction, question: str) -> None:
        await client.answer(interaction, command_text("ask", question))

    @tree.command(name="actor", description=_about("actor"))
    @app_commands.describe(
        name="a person or organisation (pick one as you type)",
        since="from when: 30d, 2w or a date such as 2024-05-01",
        until="up to when: a date such as 2024-06-01, or 7d",
    )
    async def actor(
        interaction: discord.Interaction,
        name: str | None = None,  # left out: the core answers with the usage
        since: str | None = None,
        until: str | None = None,
    ) -> None:
        when = [
            shlex.quote(f"{key}:{value.strip()}")
            for key, value in (("since", since), ("until", until))
            if value
        ]
        quoted = shlex.quote(name.strip()) if name and name.strip() else None
        await client.answer(interaction, command_text("actor", quoted, *when))

    @actor.autocomplete("name")
    async def actor_name(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await client.suggest_actors(current)

    @tree.command(name="trending", description=_about("trending"))
    @app_commands.describe(period="7d (left out), 2w, 30d: up to 90 days")
    async def trending(interaction: discord.Interaction, period: str | None = None) -> None:
        await client.answer(interaction, command_text("trending", period))

    @tree.command(name="digest", description=_about("digest"))
    @app_commands.describe(now="channel managers: post it now, in place of today's scheduled digest")
    async def digest(interaction: discord.Interaction, now: bool = False) -> None:
        await client.answer(interaction, command_text("digest", "now" if now else None))

    @tree.command(name="subscribe", description=_about("subscribe"))
    @app_commands.describe(
        time="HH:MM (left out: the channel's, first 09:00)",
        timezone="a time zone such as Europe/Berlin (left out: the channel's, first UTC)",
        quiet="post nothing on a day with nothing new (left out: as before)",
        chart="the day whose digest carries the week's chart: mon to sun, or off (left out: as before)",
    )
    async def subscribe(
        interaction: discord.Interaction,
        time: str | None = None,
        timezone: str | None = None,
        quiet: bool | None = None,
        chart: str | None = None,
    ) -> None:
        setting = None if quiet is None else ("quiet" if quiet else "quiet:off")
        day = f"chart:{chart.strip()}" if chart and chart.strip() else None
        await client.answer(interaction, command_text("subscribe", time, timezone, setting, day))

    @subscribe.autocomplete("timezone")
    async def subscribe_timezone(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return timezone_choices(current)

    @tree.command(name="unsubscribe", description=_about("unsubscribe"))
    async def unsubscribe(interaction: discord.Interaction) -> None:
        await client.answer(interaction, "unsubscribe")

    @tree.command(name="sources", description=_about("sources"))
    @app_commands.describe(
        action="list, add or remove a feed, or all: every stored article",
        target="a feed URL (add) or its id or URL (remove)",
    )
    async def sources(
        interaction: discord.Interaction,
        action: Literal["list", "add", "remove", "all"] = "list",
        target: str | None = None,
    ) -> None:
        quoted = shlex.quote(target.strip()) if target and target.strip() else None
        await client.answer(interaction, command_text("sources", action, quoted))

    @tree.command(name="help", description="the commands and how to use them")
    async def help_(interaction: discord.Interaction) -> None:
        await client.answer(interaction, "help")

    @tree.context_menu(name=BRIEF_THIS)
    async def brief_this(interaction: discord.Interaction, message: discord.Message) -> None:
        await client.brief_this(interaction, message)


def build_client(core: CommandCore, *, settings: DiscordSettings) -> BriefbotClient:
    """The client with its slash commands, not yet logged in nor connected."""
    return BriefbotClient(core, settings=settings)


async def sync_commands(client: BriefbotClient, guilds: Sequence[str]) -> None:
    """Register the slash commands with Discord: in each listed guild at once, else globally (global
    commands can take up to an hour to appear)."""
    if not guilds:
        await client.tree.sync()
        return
    for guild_id in guilds:
        if not guild_id.strip().isdigit():
            raise ConfigError(f"discord.guilds: a guild id is a number, got {guild_id!r}")
        guild = discord.Object(id=int(guild_id))
        client.tree.copy_global_to(guild=guild)
        await client.tree.sync(guild=guild)


async def run_discord(core: CommandCore, settings: DiscordSettings, secrets: Secrets) -> None:
    """Log in with DISCORD_BOT_TOKEN, register the commands, and serve until the connection closes."""
    token = secrets.discord_bot_token
    if not token:
        raise _missing()
    client = build_client(core, settings=settings)
    async with client:
        try:
            await client.login(token)
        except discord.LoginFailure as error:
            raise _refused() from error
        await sync_commands(client, settings.guilds)
        await client.connect()


def _missing() -> ConfigError:
    return ConfigError(
        f"{DISCORD_BOT_TOKEN} is not set: copy the token from the Bot page of your application "
        "in the Discord Developer Portal into that environment variable"
    )


def _refused() -> ConfigError:
    return ConfigError(
        f"{DISCORD_BOT_TOKEN} was refused by Discord: reset it on the Bot page and set it again"
    )


@dataclasses.dataclass(frozen=True, slots=True)
class PostPart:
    """One message of a reply as the poster posts it: its view (whose chart and actor buttons ride
    its ``last`` message) and whether it is a reply in the thread of the reply's first message."""

    message: DiscordMessage
    view: View
    last: bool
    in_thread: bool

    @property
    def chart(self) -> Chart | None:
        return self.view.chart if self.last else None


def post_parts(view: View) -> list[PostPart]:
    """The messages of ``view`` in posting order: its own, then each reply in its thread's. The
    numbering is what the ledger counts, so it depends on the view alone."""
    parts: list[PostPart] = []
    for index, shown in enumerate((view.unthreaded(), *view.thread)):
        messages = to_messages(shown)
        parts.extend(
            PostPart(message=message, view=shown, last=number == len(messages) - 1, in_thread=index > 0)
            for number, message in enumerate(messages)
        )
    return parts


THREAD_NAME = 100  # characters: Discord's limit for a thread's name
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
NOT_HERE = 50024  # "Cannot execute action on this channel type" (a DM, a voice channel)
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440  # a day: the thread closes itself before the next digest


def thread_name(view: View) -> str:
    """The thread's name: its parent's heading up to the colon ("Tuesday's digest")."""
    return (view.heading or "briefbot").split(":", 1)[0].strip()[:THREAD_NAME] or "briefbot"


async def open_thread(
    client: discord.Client, channel: int, message: int, name: str
) -> discord.PartialMessageable:
    """Where a threaded digest's replies go: the thread opened from its parent message, whose id the
    thread shares, so the one opened before a restart is found again (Discord answers "already
    created", and that is the thread). A channel where the bot may not open threads (no Create Public
    Threads permission, a DM) gets the replies in the channel itself, with a log line saying why."""
    try:
        await client.http.start_thread_with_message(
            channel, message, name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES
        )
    except discord.HTTPException as error:
        if error.code == THREAD_EXISTS:
            pass
        elif isinstance(error, discord.Forbidden) or error.code == NOT_HERE:
            log.error(
                "could not open a thread for the digest in Discord channel %s (%s: the bot needs the "
                "Create Public Threads permission there); its stories are posted in the channel instead",
                channel,
                error.text or error.status,
            )
            return client.get_partial_messageable(channel)
        else:
            raise
    return client.get_partial_messageable(message, type=discord.ChannelType.public_thread)


class DiscordPoster:
    """Posts a reply (the scheduler's digests) to a channel by its id, outside any interaction.

    It logs in over REST only, on first use, with a client of its own: posting needs no gateway
    connection, so a digest goes out even while the interactive client reconnects. A chart and the
    actor buttons ride the last message: the parts are the messages, and a retry that resends the last
    one resends them. Clicks on the buttons reach the interactive client, which answers them.
    """

    def __init__(self, token: str) -> None:
        self._token = token
        self._client: discord.Client | None = None
        self._lock = asyncio.Lock()

    async def __call__(
        self,
        channel: str,
        reply: Reply,
        *,
        start: int = 0,
        sent: Progress | None = None,
        thread: str | None = None,
    ) -> None:
        if not channel.isdigit():
            raise ValueError(f"not a Discord channel id: {channel!r}")
        client = await self._logged_in()
        target = client.get_partial_messageable(int(channel))
        view = to_view(reply)
        parts = post_parts(view)
        opened: list[discord.PartialMessageable] = []  # the thread, once opened in this call

        async def send(number: int, thread: str | None) -> str | None:
            part = parts[number]
            destination = target
            if part.in_thread and thread is not None:
                if not opened:
                    opened.append(await open_thread(client, int(channel), int(thread), thread_name(view)))
                destination = opened[0]
            posted = await destination.send(
                part.message.content or None,
                embeds=_embeds(part.message),
                files=chart_files(part.chart),
                view=buttons_for(part.view, part.last),
            )
            return str(posted.id)  # a thread opened from a message has the message's id

        await post_in_order(
            len(parts), send, start=start, sent=sent, thread=thread, threaded=bool(view.thread)
        )

    async def _logged_in(self) -> discord.Client:
        async with self._lock:
            if self._client is None:
                client = discord.Client(intents=intents(), allowed_mentions=discord.AllowedMentions.none())
                try:
                    await client.login(self._token)
                except discord.LoginFailure as error:
                    await client.close()
                    raise _refused() from error
                self._client = client
            return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


def discord_poster(secrets: Secrets) -> DiscordPoster:
    """The poster ``briefbot run`` gives the scheduler for Discord channels."""
    if not secrets.discord_bot_token:
        raise _missing()
    return DiscordPoster(secrets.discord_bot_token)
