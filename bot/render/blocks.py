"""Views as Slack messages: Block Kit blocks plus a plain ``text`` fallback, split to Slack's limits.

Blocks are built with slack_sdk's own models and turned into dicts at once: ``to_dict()`` checks the
documented per-block limits (section text 3000, header 150, ...), so a rendering bug fails here, in
tests, rather than as ``invalid_blocks`` from Slack. The per-message limits are ours to keep and are
kept well below what Slack documents (see :data:`MESSAGE_CHARS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.render.limits import split_lines, truncate
from bot.render.view import Moment, Section, View

SECTION_TEXT = 3000  # a section's text (Block Kit reference)
HEADER_TEXT = 150  # a header block's plain text
FIELD_TEXT = 2000  # one field of a section
FIELDS = 10  # fields in one section
FIELDS_TEXT = SECTION_TEXT  # all fields of one section together: keeps every block under ~3000 chars
TITLE_TEXT = 500  # titles are far shorter; escaped (at most 5x) with a link this stays under SECTION_TEXT
CONTEXT_TEXT = 500  # a footer: short by nature, the cap only guards against surprises
MAX_BLOCKS = 50  # blocks in one message
# Slack documents 40,000 characters of message text, yet refused block messages of about 13.2k
# characters with msg_blocks_too_long (bolt-js #2509, FIELD-NOTES): we split early, at 12,000.
MESSAGE_CHARS = 12_000
FALLBACK_TEXT = 300  # the notification text: a title, not the whole message
BUTTON_TEXT = 75  # a button's label (Block Kit reference)
BUTTON_VALUE = 2000  # the value a click sends back
ACTION_ELEMENTS = 25  # elements in one actions block
# A button opening ``actor <name>``: its action_id is this and its place, so the ids of one block
# differ (Slack requires it) and one listener, on the pattern, answers them all.
ACTOR_ACTION = "briefbot_actor_"
ACTOR_ACTION_ID = re.compile(rf"^{ACTOR_ACTION}\d+$")
ACTORS_BLOCK = "briefbot_actors"

Payload = dict[str, Any]

_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_MARKUP = re.compile(r"[*_`~\[\]&<>]")


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """One ``chat.postMessage``'s worth: the notification ``text`` and the blocks readers see."""

    text: str
    blocks: tuple[Payload, ...]


def escape(text: str) -> str:
    """Slack's three control characters as entities; nothing else is escaped (Slack's formatting rules)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """``<url|label>``; a ``|`` in the URL would end it early, so it is percent-encoded."""
    return f"<{escape(url).replace('|', '%7C')}|{escape(label)}>"


def mrkdwn(markdown: str) -> str:
    """Our Markdown (``**bold**``, ``[text](url)``, backticks) as Slack mrkdwn, escaped."""
    out: list[str] = []
    position = 0
    for match in _LINK.finditer(markdown):
        out.append(_inline(markdown[position : match.start()]))
        out.append(link(match.group(2), match.group(1).replace("**", "")))
        position = match.end()
    out.append(_inline(markdown[position:]))
    return "".join(out)


def _inline(markdown: str) -> str:
    return _BOLD.sub(lambda match: f"*{match.group(1)}*", escape(markdown))


def date_token(moment: Moment) -> str:
    """A date each reader sees in their own zone; the fallback (old clients) is in the channel's zone."""
    at = moment.at if moment.at.tzinfo else moment.at.replace(tzinfo=UTC)
    try:
        zone = ZoneInfo(moment.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    fallback = f"{at.astimezone(zone):%Y-%m-%d %H:%M %Z}"
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{escape(fallback)}>"


def mrkdwn_chunks(markdown: str, limit: int = SECTION_TEXT) -> list[str]:
    """``markdown`` as mrkdwn pieces of at most ``limit`` characters, split between lines or words.

    The split is made on the Markdown, so an entity or a converted link is never cut in two; when
    escaping makes a piece longer than ``limit`` it is split again, finer. Escaping at most quintuples a
    character (``&`` -> ``&amp;``), so a fifth of the limit always fits.
    """
    return _chunks(markdown, limit, limit)


def _chunks(markdown: str, limit: int, budget: int) -> list[str]:
    pieces: list[str] = []
    for piece in split_lines(markdown, budget):
        text = mrkdwn(piece)
        if len(text) <= limit or budget <= limit // 5:  # the second never holds past the first
            pieces.append(text)
        else:
            smaller = max(limit // 5, min(budget - 1, budget * limit // len(text)))
            pieces.extend(_chunks(piece, limit, smaller))
    return pieces


def _section(text: str) -> Payload:
    return SectionBlock(text=MarkdownTextObject(text=text)).to_dict()


def _text_sections(markdown: str) -> list[Payload]:
    return [_section(text) for text in mrkdwn_chunks(markdown)]


def _heading_blocks(heading: str, *, as_header: bool) -> list[Payload]:
    """A title over content is a header block when it is plain enough for one; a notice is a section.

    Header blocks hold plain text only (no links, no bold, no backticks) and at most 150 characters.
    """
    plain = "\n" not in heading and len(heading) <= HEADER_TEXT and not _MARKUP.search(heading)
    if as_header and plain:
        return [HeaderBlock(text=PlainTextObject(text=heading, emoji=True)).to_dict()]
    return _text_sections(heading)


def _field_blocks(fields: tuple[tuple[str, str], ...]) -> list[Payload]:
    """Short fields side by side; fields too long or too many for a section become plain text."""
    texts = [f"*{mrkdwn(name)}*\n{mrkdwn(value)}" for name, value in fields]
    if (
        len(texts) <= FIELDS
        and all(len(t) <= FIELD_TEXT for t in texts)
        and sum(map(len, texts)) <= FIELDS_TEXT
    ):
        return [SectionBlock(fields=[MarkdownTextObject(text=t) for t in texts]).to_dict()]
    return _text_sections("\n".join(f"**{name}:** {value}" for name, value in fields))


def _section_blocks(section: Section) -> list[Payload]:
    blocks: list[Payload] = []
    if section.title:
        title = truncate(section.title, TITLE_TEXT)
        linked = f"*{link(section.url, title)}*" if section.url else ""
        blocks.append(_section(linked if 0 < len(linked) <= SECTION_TEXT else f"*{escape(title)}*"))
    if section.lines:
        blocks.extend(_text_sections("\n".join(section.lines)))
    if section.fields:
        blocks.extend(_field_blocks(section.fields))
    meta: list[str] = []
    if section.moment:
        meta.append(date_token(section.moment))
    untitled_url = section.url if section.url and not section.title else None
    if section.footer:
        footer = truncate(section.footer, CONTEXT_TEXT)
        meta.append(link(untitled_url, footer.replace("**", "")) if untitled_url else mrkdwn(footer))
    elif untitled_url:
        meta.append(link(untitled_url, untitled_url))
    if meta:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" · ".join(meta))]).to_dict())
    return blocks


def actor_buttons(names: tuple[str, ...]) -> Payload | None:
    """An actions block with a button per actor, whose click asks for ``actor <name>``; or None.

    The label is the name cut to Slack's 75 characters; the value, which the click sends back, is the
    whole name. A name longer than a value may be (2000) gets no button: a cut one would open another
    actor or none.
    """
    usable = [name for name in dict.fromkeys(n.strip() for n in names) if 0 < len(name) <= BUTTON_VALUE]
    if not usable:
        return None
    buttons = [
        ButtonElement(
            text=PlainTextObject(text=truncate(name, BUTTON_TEXT), emoji=False),
            action_id=f"{ACTOR_ACTION}{number}",
            value=name,
        )
        for number, name in enumerate(usable[:ACTION_ELEMENTS])
    ]
    return ActionsBlock(block_id=ACTORS_BLOCK, elements=buttons).to_dict()


def block_chars(block: Payload) -> int:
    """Characters of text a block carries: its text, its fields and its elements (a context's texts,
    a button's label and value)."""
    texts = [block.get("text") or {}, *block.get("fields", []), *block.get("elements", [])]
    size = 0
    for item in texts:
        if not isinstance(item, dict):
            continue
        text = item.get("text", "")
        size += len(text.get("text", "")) if isinstance(text, dict) else len(text)
        size += len(item.get("value", ""))
    return size


def _fit(group: list[Payload]) -> list[list[Payload]]:
    """A section's blocks, cut into pieces that each fit one message (only a very long section is cut)."""
    pieces: list[list[Payload]] = [[]]
    chars = 0
    for block in group:
        size = block_chars(block)
        if pieces[-1] and (len(pieces[-1]) >= MAX_BLOCKS or chars + size > MESSAGE_CHARS):
            pieces.append([])
            chars = 0
        pieces[-1].append(block)
        chars += size
    return [piece for piece in pieces if piece]


def _pack(groups: list[list[Payload]]) -> list[list[Payload]]:
    """Groups of blocks into messages, a divider between groups, never past a message's limits."""
    messages: list[list[Payload]] = [[]]
    chars = 0
    for group in groups:
        for piece in _fit(group):
            size = sum(block_chars(block) for block in piece)
            current = messages[-1]
            divider = 1 if current else 0
            if current and (len(current) + divider + len(piece) > MAX_BLOCKS or chars + size > MESSAGE_CHARS):
                messages.append([])
                current, divider, chars = messages[-1], 0, 0
            if divider:
                current.append(DividerBlock().to_dict())
            current.extend(piece)
            chars += size
    return [message for message in messages if message]


def _fallback(view: View) -> str:
    """The text notifications and old clients show: the heading, else the first title or line."""
    candidates = [view.heading] + [s.title or (s.lines[0] if s.lines else None) for s in view.sections]
    first = next((c for c in candidates if c and c.strip()), "briefbot")
    line = first.replace("**", "").strip().split("\n")[0]
    return escape(truncate(line, FALLBACK_TEXT))


def to_messages(view: View) -> list[SlackMessage]:
    """A view as one or more Slack messages, each within Slack's block, section and size limits.

    Nothing is dropped: long text is split between lines (or words) over several sections, and
    sections over several messages, in order. A section's blocks stay together when they fit. The
    view's actors to open (``actor_links``) are buttons under the last message, where a reader who
    has read it all finds them; its fallback text stays what it was, as buttons have no text to show.
    """
    groups: list[list[Payload]] = []
    if view.heading:
        groups.append(_heading_blocks(view.heading, as_header=bool(view.sections)))
    groups.extend(blocks for blocks in map(_section_blocks, view.sections) if blocks)
    packed = _pack(groups)
    buttons = actor_buttons(view.actor_links) if packed else None
    if buttons is not None:  # on the last message, or on one of their own when that one is full
        last = packed[-1]
        chars = sum(block_chars(block) for block in last) + block_chars(buttons)
        if len(last) < MAX_BLOCKS and chars <= MESSAGE_CHARS:
            last.append(buttons)
        else:
            packed.append([buttons])
    fallback = _fallback(view)
    # Where a reply cannot be threaded (an answer to a command), its thread's replies follow it.
    following = [message for reply in view.thread for message in to_messages(reply)]
    if len(packed) == 1:
        return [SlackMessage(text=fallback, blocks=tuple(packed[0])), *following]
    return [
        *(
            SlackMessage(text=f"{fallback} ({number}/{len(packed)})", blocks=tuple(blocks))
            for number, blocks in enumerate(packed, start=1)
        ),
        *following,
    ]


__all__ = [
    "ACTOR_ACTION",
    "ACTOR_ACTION_ID",
    "MAX_BLOCKS",
    "MESSAGE_CHARS",
    "SECTION_TEXT",
    "SlackMessage",
    "actor_buttons",
    "block_chars",
    "date_token",
    "escape",
    "link",
    "mrkdwn",
    "mrkdwn_chunks",
    "to_messages",
]
