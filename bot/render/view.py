"""From a reply value to a :class:`View`: titled sections of Markdown lines.

Adapters turn a view into their platform's payloads (Block Kit, embeds, terminal text). Times are
given as :class:`Moment` so each platform can show them in the reader's or the channel's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.core.messages import (
    ActorReply,
    AnswerReply,
    BriefReply,
    DigestReply,
    Reply,
    SearchReply,
    TextReply,
    TrendingReply,
)
from bot.render.chart import Chart
from bot.render.limits import truncate
from storage.actor_views import ActorFigure, ActorView
from storage.values import Article, Citation, Digest, DigestStory
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
    chart: Chart | None = None  # sent after the messages, as a file upload (Slack) or attachment
    # Actors to open with ``actor <name>`` from the message: buttons on Slack and Discord, whose
    # click answers the clicker alone; a line naming the command at a terminal.
    actor_links: tuple[str, ...] = ()
    # Replies in the thread of this view's first message (a threaded digest's stories), after its
    # own messages; a platform without threads shows them after it, in order.
    thread: tuple[View, ...] = ()

    def unthreaded(self) -> View:
        """This view's own part, without the replies in its thread."""
        return replace(self, thread=()) if self.thread else self

    def charts(self) -> tuple[Chart, ...]:
        """Its chart and its thread's, in posting order."""
        own = (self.chart,) if self.chart is not None else ()
        return (*own, *(chart for reply in self.thread for chart in reply.charts()))


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
        heading = f"“{answer.question}”: {UNSURE}" if answer.hedged else f"“{answer.question}”"
        return View(heading=heading, sections=sections)
    if isinstance(reply, DigestReply):
        return digest_view(reply)
    if isinstance(reply, ActorReply):
        return actor_page(reply.view)
    if isinstance(reply, TrendingReply):
        return trending_view(reply)
    raise TypeError(f"no view for {type(reply).__name__}")  # pragma: no cover


# Said of an answer given with the least confidence (``Answer.hedged``), on every platform and the CLI.
UNSURE = "not sure these answer it; the closest stored sentences"
ACTOR_LINKS = 5  # buttons under a digest: its first key actors
FIGURE_SENTENCE = 220  # characters of the sentence a figure is stated in


def _period(since: datetime | None, until: datetime | None) -> str:
    if since and until:
        return f" from {since:%d %b %Y} to {until:%d %b %Y}"
    if since:
        return f" since {since:%d %b %Y}"
    return f" until {until:%d %b %Y}" if until else ""


def _story_line(article: Article) -> str:
    title = article.title.replace("[", "(").replace("]", ")")
    told = f"[{title}]({article.url})" if article.url else title
    when = (article.published_at or article.fetched_at).strftime("%d %b")
    return f"• {told} — " + (f"{article.source}, " if article.source else "") + f"{when} (#{article.id})"


def _figure_line(figure: ActorFigure) -> str:
    sentence = figure.sentence_text
    if len(sentence) > FIGURE_SENTENCE:
        sentence = sentence[: FIGURE_SENTENCE - 1].rsplit(" ", 1)[0] + "…"
    at = sentence.find(figure.text)
    if at >= 0:
        sentence = f"{sentence[:at]}**{figure.text}**{sentence[at + len(figure.text) :]}"
    return f"• {sentence} (#{figure.article_id})"


def actor_page(page: ActorView) -> View:
    """``actor <name>``: who it is, the latest stories naming it, who comes with it, what was counted."""
    actor = page.actor
    count = page.story_count
    heading = (
        f"{actor.name} ({actor.kind}): {count} stor{'y' if count == 1 else 'ies'}"
        f"{_period(page.since, page.until)}"
    )
    sections = []
    if actor.aliases:
        sections.append(Section(lines=(f"Also named: {', '.join(actor.aliases)}",)))
    if page.stories:
        sections.append(Section(title="Latest stories", lines=tuple(_story_line(a) for a in page.stories)))
    if page.figures:
        sections.append(Section(title="Figures", lines=tuple(_figure_line(f) for f in page.figures)))
    if page.alongside:
        alongside = ", ".join(f"{other.name} ({shared})" for other, shared in page.alongside)
        sections.append(Section(fields=(("Named alongside", alongside),)))
    return View(heading=heading, sections=tuple(sections))


def trending_view(reply: TrendingReply) -> View:
    """``trending``: the actors whose stories rose most against the period before, and the new ones."""
    found, days = reply.trending, reply.days
    span = f"the last {days} day{'s' if days != 1 else ''}"
    if not found.rising and not found.new:
        return View(heading=f"No actor rose over {span}: fewer than 2 stories each, or as many as before.")
    sections = []
    if found.rising:
        lines = tuple(
            f"• **{t.actor.name}**: {t.stories} stories, {t.before} in the {days} days before"
            for t in found.rising
        )
        sections.append(Section(title="Rising", lines=lines))
    if found.new:
        lines = tuple(f"• **{t.actor.name}**: {t.stories} stories, none before" for t in found.new)
        sections.append(Section(title="New", lines=lines))
    sections.append(
        Section(
            footer="Counted by story: outlets telling the same story count once. `actor <name>` for more."
        )
    )
    return View(heading=f"Trending over {span}", sections=tuple(sections), chart=reply.chart)


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
        return View(
            heading=f"{heading}: nothing new since the last digest.", private=reply.private, chart=reply.chart
        )
    stories = tuple(_story_section(story, digest.timezone) for story in digest.stories)
    extra: list[tuple[str, str]] = []
    if digest.actors:
        extra.append(("Key actors", ", ".join(digest.actors)))
    if digest.figures:
        extra.append(("Figures", "; ".join(f.text for f in digest.figures)))
    if digest.more_stories:
        extra.append(("Also new", f"{digest.more_stories} more stories — `search` finds them"))
    summary = (Section(fields=tuple(extra)),) if extra else ()
    count = len(digest.article_ids)
    links = tuple(digest.actors[:ACTOR_LINKS])
    if reply.threaded and not reply.private and stories:
        # The channel sees one short message; the stories are replies in its thread, the week's
        # chart with the last (a preview is for the asker's eyes only, so it stays one post).
        replies = [View(sections=(story,)) for story in stories]
        replies[-1] = replace(replies[-1], chart=reply.chart)
        return View(
            heading=thread_heading(digest), sections=summary, actor_links=links, thread=tuple(replies)
        )
    return View(
        heading=f"{heading} — {count} new article{'s' if count != 1 else ''}",
        sections=(*stories, *summary),
        private=reply.private,
        chart=reply.chart,
        actor_links=links,
    )


THREAD_TOP_TITLE = 120  # characters of the top story's title in a threaded digest's parent message


def thread_heading(digest: Digest) -> str:
    """ "Tuesday's digest: 7 stories, top: Dockworkers walk out at Halvern — the stories are in the
    thread." """
    shown = len(digest.stories) + digest.more_stories
    top = truncate(digest.stories[0].title, THREAD_TOP_TITLE)  # at a word, as every cut title is
    count = f"{shown} stor{'y' if shown == 1 else 'ies'}"
    return f"{digest.day:%A}'s digest: {count}, top: {top} — the stories are in the thread."


def _story_section(story: DigestStory, timezone: str) -> Section:
    return Section(
        title=story.title,
        url=story.url,
        lines=tuple(f"• {s}" for s in story.summary),
        footer=f"reported by {story.sources} sources" if story.sources > 1 else None,
        moment=Moment(story.latest, timezone),
    )
