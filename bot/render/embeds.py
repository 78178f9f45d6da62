"""Views as Discord messages: a content line and embeds, within every limit Discord enforces.

Discord rejects a whole message when one limit is passed (MonitoRSS #330 and #106 in FIELD-NOTES), so
the splitting happens here, before anything is sent: content 2000 characters, 10 embeds a message,
6000 characters across all embeds of one message, title 256, description 4096, field name 256 and
value 1024, 25 fields an embed, footer 2048. A section's lines are never cut away: a description too
long for one embed continues in the next embed, and embeds beyond a message's budget continue in the
next message. Only titles, field names and footers, which label rather than inform, are shortened.

Embeds are built as Discord's wire payloads (``TypedDict``), so this module needs no Discord library
and the adapter turns them into ``discord.Embed`` with ``Embed.from_dict``. Our Markdown (``**bold**``,
``[text](url)``) is Discord's Markdown already; times become ``<t:UNIX:f>`` timestamps, which every
reader sees in their own zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NotRequired, TypedDict

from bot.render.limits import split_lines, truncate
from bot.render.view import Section, View

CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TOTAL_LIMIT = 6000  # title + description + field names and values + footer, all embeds of a message
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_PER_EMBED = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048


class EmbedField(TypedDict):
    name: str
    value: str
    inline: bool


class EmbedFooter(TypedDict):
    text: str


class EmbedPayload(TypedDict):
    """The subset of Discord's embed object that views use."""

    title: NotRequired[str]
    url: NotRequired[str]
    description: NotRequired[str]
    fields: NotRequired[list[EmbedField]]
    footer: NotRequired[EmbedFooter]


@dataclass(frozen=True, slots=True)
class DiscordMessage:
    """One message to post: its content and its embeds (as payloads)."""

    content: str = ""
    embeds: tuple[EmbedPayload, ...] = ()


def timestamp(at: datetime, style: str = "f") -> str:
    """Discord's ``<t:UNIX:style>`` markup; a naive time is taken as UTC, as the store writes them."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return f"<t:{int(aware.timestamp())}:{style}>"


def embed_size(embed: EmbedPayload) -> int:
    """The characters Discord counts against the 6000 of a message for this embed."""
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    footer = embed.get("footer")
    return size + (len(footer["text"]) if footer else 0)


def section_embeds(section: Section) -> list[EmbedPayload]:
    """One embed for the section, or several when its text passes one embed's limits."""
    lines = list(section.lines)
    if section.moment is not None:
        lines.append(timestamp(section.moment.at))
    descriptions = split_lines("\n".join(lines), DESCRIPTION_LIMIT) if lines else []
    embeds: list[EmbedPayload] = []
    first: EmbedPayload = {}
    if section.title:
        first["title"] = truncate(section.title, TITLE_LIMIT)
        if section.url:
            first["url"] = section.url
    if descriptions:
        first["description"] = descriptions[0]
    embeds.append(first)
    embeds.extend({"description": text} for text in descriptions[1:])
    for name, value in section.fields:
        label = truncate(name, FIELD_NAME_LIMIT)
        for piece in split_items(value, FIELD_VALUE_LIMIT) or ["—"]:
            _add_field(embeds, {"name": label, "value": piece, "inline": False})
    if section.footer:
        footer = truncate(section.footer, FOOTER_LIMIT)
        if embed_size(embeds[-1]) + len(footer) > EMBED_TOTAL_LIMIT:
            embeds.append({})
        embeds[-1]["footer"] = {"text": footer}
    return [embed for embed in embeds if embed]


def split_items(value: str, limit: int) -> list[str]:
    """A field value in pieces of at most ``limit``, cut between the items of its list ("a; b" or
    "a, b", as actors and figures are joined) where it can be, so no item is broken in two."""
    if len(value) <= limit:
        return [value] if value.strip() else []
    for separator in ("; ", ", "):
        items = value.split(separator)
        if len(items) < 2 or any(len(item) > limit for item in items):
            continue
        pieces = [items[0]]
        for item in items[1:]:
            joined = f"{pieces[-1]}{separator}{item}"
            if len(joined) > limit:
                pieces.append(item)
            else:
                pieces[-1] = joined
        return [piece for piece in pieces if piece.strip()]
    return split_lines(value, limit)


def _add_field(embeds: list[EmbedPayload], field: EmbedField) -> None:
    """Append to the last embed while it has room, else open a continuation embed."""
    last = embeds[-1]
    fields = last.get("fields", [])
    grown = embed_size(last) + len(field["name"]) + len(field["value"])
    if len(fields) >= FIELDS_PER_EMBED or grown > EMBED_TOTAL_LIMIT:
        last = {}
        embeds.append(last)
    last.setdefault("fields", []).append(field)


def to_messages(view: View) -> list[DiscordMessage]:
    """The messages that show ``view``, in order; each one within all of Discord's limits."""
    contents = split_lines(view.heading, CONTENT_LIMIT) if view.heading else []
    batches: list[list[EmbedPayload]] = []
    current: list[EmbedPayload] = []
    total = 0
    for section in view.sections:
        for embed in section_embeds(section):
            size = embed_size(embed)
            if current and (len(current) >= EMBEDS_PER_MESSAGE or total + size > EMBED_TOTAL_LIMIT):
                batches.append(current)
                current, total = [], 0
            current.append(embed)
            total += size
    if current:
        batches.append(current)
    messages = [DiscordMessage(content=text) for text in contents[:-1]]
    last_content = contents[-1] if contents else ""
    # Where a reply cannot be threaded (an answer to a command), its thread's replies follow it.
    following = [message for reply in view.thread for message in to_messages(reply)]
    if not batches:
        own = [DiscordMessage(content=last_content)] if last_content else []
        return [*messages, *own, *following]
    messages.append(DiscordMessage(content=last_content, embeds=tuple(batches[0])))
    messages.extend(DiscordMessage(embeds=tuple(batch)) for batch in batches[1:])
    return [*messages, *following]
