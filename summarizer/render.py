"""Briefs as text for people: plain (terminals, logs) and Markdown (chat, files)."""

from __future__ import annotations

from summarizer.brief import Actor, Brief, Figure


def actor_label(actor: Actor) -> str:
    return f"{actor.name} ({actor.kind}, {actor.mentions}×)"


def figure_label(figure: Figure) -> str:
    return figure.text


def to_text(brief: Brief, *, source: str | None = None) -> str:
    lines = [brief.title]
    if source:
        lines.append(f"({source})")
    lines.extend(f"  • {sentence}" for sentence in brief.summary)
    if brief.actors:
        lines.append("  Actors: " + ", ".join(actor_label(a) for a in brief.actors))
    if brief.figures:
        lines.append("  Figures: " + "; ".join(figure_label(f) for f in brief.figures))
    return "\n".join(lines)


def to_markdown(brief: Brief, *, link: str | None = None) -> str:
    title = f"[{brief.title}]({link})" if link else brief.title
    lines = [f"### {title}", ""]
    lines.extend(f"- {sentence}" for sentence in brief.summary)
    if brief.actors:
        lines += ["", "**Actors:** " + ", ".join(actor_label(a) for a in brief.actors)]
    if brief.figures:
        lines += ["", "**Figures:** " + "; ".join(figure_label(f) for f in brief.figures)]
    return "\n".join(lines)
