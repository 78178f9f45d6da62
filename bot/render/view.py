"""From a reply value to a :class:`View`: titled sections of Markdown lines.

Adapters turn a view into their platform's payloads (Block Kit, embeds, terminal text). Times are
given as :class:`Moment` so each platform can show them in the reader's or the channel's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.core.messages import AnswerReply, BriefReply, DigestReply, Reply, SearchReply, TextReply
from storage.values import Article, Citation
from summarizer import Brief


@dataclass(frozen=True, slots=True)
class Moment:
    """A point in time and the zone of the channel it is shown in."""

    at: datetime
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    title: str | None = None
    url: str | None = None
    lines: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    footer: str | None = None
    moment: Moment | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class View:
    """What one reply shows: a heading line and sections. ``private``: for the asker's eyes only."""

    heading: str | None = None
    sections: tuple[Section, ...] = field(default_factory=tuple)
    private: bool = False


def _brief_section(
    brief: Brief,
    *,
    article_id: int | None,
    url: str | None,
    sentences: int | None = None,
    footer: str | None = None,
) -> Section:
    summary = brief.summary if sentences is None else brief.summary[:sentences]
    fields: list[tuple[str, str]] = []
    if brief.actors:
        fields.append(("Actors", ", ".join(a.name for a in brief.actors[:8])))
    if brief.figures:
        fields.append(("Figures", "; ".join(f.text for f in brief.figures[:5])))
    return Section(
        title=brief.title,
        url=url,
        lines=tuple(f"• {s}" for s in summary),
        fields=tuple(fields),
        footer=footer or (f"#{article_id}" if article_id is not None else None),
    )


SAME_STORY_TITLE = 80  # characters of another outlet's title: enough to tell it apart


def _told(article: Article) -> str:
    """ "#6 Dockworkers Walk Out at Port of Halvern… (Coastal Post)": another outlet's telling."""
    title = article.title
    if len(title) > SAME_STORY_TITLE:
        title = title[: SAME_STORY_TITLE - 1].rstrip() + "…"
    return f"#{article.id} {title}" + (f" ({article.source})" if article.source else "")


def to_view(reply: Reply) -> View:
    if isinstance(reply, TextReply):
        return View(heading=reply.text, private=reply.private)
    if isinstance(reply, BriefReply):
        article = reply.article
        footer = f"#{article.id}" + (f" · {article.source}" if article.source else "")
        section = _brief_section(reply.brief, article_id=article.id, url=article.url, footer=footer)
        if reply.same_story:
            told = "; ".join(_told(a) for a in reply.same_story)
            section = replace(section, fields=(*section.fields, ("Same story", told)))
        return View(sections=(section,))
    if isinstance(reply, SearchReply):
        if not reply.hits:
            return View(
                heading=f"Nothing stored matches “{reply.query}”."
                if reply.page == 1
                else f"No more results for “{reply.query}”."
            )
        sections = tuple(
            Section(
                title=hit.article.title,
                url=hit.article.url,
                lines=(hit.snippet,),
                footer=f"#{hit.article.id}",
                moment=Moment(hit.article.published_at or hit.article.fetched_at),
            )
            for hit in reply.hits
        )
        more = " — say `more` for the next page" if reply.has_more else ""
        return View(heading=f"Results for “{reply.query}” (page {reply.page}){more}", sections=sections)
    if isinstance(reply, AnswerReply):
        answer = reply.answer
        if not answer.found:
            return View(heading=f"Nothing stored answers “{answer.question}”.")
        sections = tuple(
            Section(lines=(cited_line(c),), footer=f"{c.title} (#{c.article_id})", url=c.url)
            for c in answer.citations
        )
        return View(heading=f"“{answer.question}”", sections=sections)
    if isinstance(reply, DigestReply):
        return digest_view(reply)
    raise TypeError(f"no view for {type(reply).__name__}")  # pragma: no cover


def cited_line(citation: Citation) -> str:
    """The cited sentence with the part that answers in bold, after the sentence it leans on for
    its subject ("It fell 3%" needs the one that names the company)."""
    sentence = citation.sentence
    if citation.answer is not None:
        start, end = citation.answer
        sentence = f"{sentence[:start]}**{sentence[start:end].strip()}**{sentence[end:]}"
    return f"{citation.context} {sentence}" if citation.context else sentence


def digest_view(reply: DigestReply) -> View:
    digest = reply.digest
    heading = f"Digest for {digest.day:%A %d %B %Y}"
    if digest.empty:
        return View(heading=f"{heading}: nothing new since the last digest.", private=reply.private)
    sections = []
    for story in digest.stories:
        footer = f"reported by {story.sources} sources" if story.sources > 1 else None
        sections.append(
            Section(
                title=story.title,
                url=story.url,
                lines=tuple(f"• {s}" for s in story.summary),
                footer=footer,
                moment=Moment(story.latest, digest.timezone),
            )
        )
    extra: list[tuple[str, str]] = []
    if digest.actors:
        extra.append(("Key actors", ", ".join(digest.actors)))
    if digest.figures:
        extra.append(("Figures", "; ".join(f.text for f in digest.figures)))
    if digest.more_stories:
        extra.append(("Also new", f"{digest.more_stories} more stories — `search` finds them"))
    if extra:
        sections.append(Section(fields=tuple(extra)))
    count = len(digest.article_ids)
    return View(
        heading=f"{heading} — {count} new article{'s' if count != 1 else ''}",
        sections=tuple(sections),
        private=reply.private,
    )
